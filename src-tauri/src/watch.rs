//! Tells the window when another process (a CLI run, another window)
//! changed the store, so its lists refresh without a restart. The check
//! is `ibridge_core::changes::ChangeWatch` on the app's own connection.

use std::time::Duration;

use tauri::{Emitter, Manager};

use crate::AppState;

pub const STORE_EVENT: &str = "store-changed";
/// Cheap (one pragma, no table read), so often enough to feel immediate.
const POLL: Duration = Duration::from_secs(1);

pub fn start(app: tauri::AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let mut watch = match state.services.watch_changes() {
            Ok(watch) => watch,
            Err(e) => {
                tracing::warn!(
                    "changes made by other processes will not be shown until a restart: {e}"
                );
                return;
            }
        };
        loop {
            tokio::time::sleep(POLL).await;
            match state.services.store_changed(&mut watch) {
                Ok(true) => {
                    let _ = app.emit(STORE_EVENT, ());
                }
                Ok(false) => {}
                Err(e) => tracing::warn!("could not check the store for changes: {e}"),
            }
        }
    });
}
