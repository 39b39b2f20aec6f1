//! "Connect": the OAuth sign-in, with progress events, a site picker and
//! cancel.

use std::time::Duration;

use ibridge_core::connections::ConnectionView;
use ibridge_core::oauth::{AtlassianSite, ConnectOptions, ConnectUi};
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Emitter, Manager, State};

use crate::error::{CmdResult, UiError};
use crate::state::AppState;

pub const PROGRESS_EVENT: &str = "connect-progress";
pub const SITES_EVENT: &str = "connect-sites";

/// Sent on `connect-progress` as the sign-in moves on.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ConnectProgress {
    pub connection: String,
    /// waiting_for_browser | progress
    pub stage: String,
    pub message: String,
    /// The authorization URL, so the window can offer it if no browser opened.
    pub url: Option<String>,
}

/// Sent on `connect-sites` when a grant covers several Atlassian sites.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SitesOffered {
    pub connection: String,
    pub sites: Vec<AtlassianSite>,
}

struct DesktopUi {
    app: AppHandle,
    connection: String,
}

impl DesktopUi {
    fn emit(&self, stage: &str, message: &str, url: Option<&str>) {
        let _ = self.app.emit(
            PROGRESS_EVENT,
            ConnectProgress {
                connection: self.connection.clone(),
                stage: stage.into(),
                message: message.into(),
                url: url.map(str::to_owned),
            },
        );
    }
}

impl ConnectUi for DesktopUi {
    fn authorization_url(&self, url: &str) {
        self.emit(
            "waiting_for_browser",
            "Waiting for you to sign in in your browser…",
            Some(url),
        );
        if let Err(e) = tauri_plugin_opener::open_url(url, None::<&str>) {
            tracing::warn!("could not open the system browser: {e}");
        }
    }

    fn progress(&self, message: &str) {
        self.emit("progress", message, None);
    }

    fn choose_site(&self, sites: &[AtlassianSite]) -> Option<AtlassianSite> {
        let (tx, rx) = std::sync::mpsc::channel();
        let state = self.app.state::<AppState>();
        state
            .site_choices
            .lock()
            .ok()?
            .insert(self.connection.clone(), tx);
        let _ = self.app.emit(
            SITES_EVENT,
            SitesOffered {
                connection: self.connection.clone(),
                sites: sites.to_vec(),
            },
        );
        // The flow waits on the person; keep the runtime's other work going.
        let chosen =
            tokio::task::block_in_place(|| rx.recv_timeout(Duration::from_secs(300))).ok()??;
        sites.iter().find(|s| s.id == chosen).cloned()
    }
}

#[tauri::command]
#[specta::specta]
pub async fn connect_oauth(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    site: Option<String>,
) -> CmdResult<ConnectionView> {
    let services = state.services.clone();
    let ui = DesktopUi {
        app: app.clone(),
        connection: name.clone(),
    };
    let options = ConnectOptions {
        site,
        ..ConnectOptions::default()
    };
    let flow_name = name.clone();
    let task =
        tauri::async_runtime::spawn(
            async move { services.connect(&flow_name, &options, &ui).await },
        );
    let tauri::async_runtime::JoinHandle::Tokio(handle) = &task;
    if let Ok(mut running) = state.sign_ins.lock() {
        running.insert(name.clone(), handle.abort_handle());
    }
    let outcome = task.await;
    if let Ok(mut running) = state.sign_ins.lock() {
        running.remove(&name);
    }
    match outcome {
        Ok(result) => Ok(result?),
        Err(_) => Err(UiError {
            kind: "cancelled".into(),
            field: None,
            message: "The sign-in was cancelled.".into(),
            action: None,
        }),
    }
}

/// The person's answer to `connect-sites` (`None`: give up).
#[tauri::command]
#[specta::specta]
pub fn choose_site(
    state: State<'_, AppState>,
    name: String,
    site_id: Option<String>,
) -> CmdResult<()> {
    if let Some(tx) = state
        .site_choices
        .lock()
        .ok()
        .and_then(|mut m| m.remove(&name))
    {
        let _ = tx.send(site_id);
    }
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub fn cancel_connect(state: State<'_, AppState>, name: String) -> CmdResult<()> {
    if let Some(handle) = state.sign_ins.lock().ok().and_then(|mut m| m.remove(&name)) {
        handle.abort();
    }
    if let Some(tx) = state
        .site_choices
        .lock()
        .ok()
        .and_then(|mut m| m.remove(&name))
    {
        let _ = tx.send(None);
    }
    Ok(())
}
