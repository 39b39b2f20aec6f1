//! Settings → Integrations.

use ibridge_core::connections::{ConnectionView, NewConnection};
use ibridge_core::services::ConnectionCheck;
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_connections(state: State<'_, AppState>) -> CmdResult<Vec<ConnectionView>> {
    Ok(state.services.list_connections()?)
}

#[tauri::command]
#[specta::specta]
pub fn add_connection(
    state: State<'_, AppState>,
    input: NewConnection,
) -> CmdResult<ConnectionView> {
    Ok(state.services.add_connection(input)?)
}

#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    name: String,
) -> CmdResult<ConnectionCheck> {
    Ok(state.services.test_connection(&name).await?)
}

#[tauri::command]
#[specta::specta]
pub fn set_default_connection(
    state: State<'_, AppState>,
    name: String,
) -> CmdResult<ConnectionView> {
    Ok(state.services.set_default_connection(&name)?)
}

#[tauri::command]
#[specta::specta]
pub fn remove_connection(state: State<'_, AppState>, name: String) -> CmdResult<ConnectionView> {
    Ok(state.services.remove_connection(&name)?)
}

#[tauri::command]
#[specta::specta]
pub fn set_auto_create(
    state: State<'_, AppState>,
    name: String,
    enabled: bool,
) -> CmdResult<ConnectionView> {
    Ok(state.services.set_auto_create(&name, enabled)?)
}
