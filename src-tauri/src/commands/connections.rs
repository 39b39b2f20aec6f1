//! Settings → Integrations.

use ibridge_core::connections::{ConnectionView, NewConnection};
use ibridge_core::services::ConnectionCheck;
use ibridge_core::SecretString;
use serde::Deserialize;
use specta::Type;
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

/// The "Add connection" form. Secrets travel from the form to Rust once,
/// here, and are sealed at once; nothing sends them back.
#[derive(Debug, Deserialize, Type)]
pub struct AddConnectionInput {
    pub provider: String,
    pub name: String,
    pub url: String,
    pub auth: String,
    pub username: Option<String>,
    pub secret: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub tenant: Option<String>,
    pub project: Option<String>,
    pub space: Option<String>,
    pub auth_url: Option<String>,
    pub token_url: Option<String>,
    pub resources_url: Option<String>,
    pub api_url: Option<String>,
    pub make_default: bool,
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

#[tauri::command]
#[specta::specta]
pub fn list_connections(state: State<'_, AppState>) -> CmdResult<Vec<ConnectionView>> {
    Ok(state.with_core(|core| core.list_connections())?)
}

#[tauri::command]
#[specta::specta]
pub fn add_connection(
    state: State<'_, AppState>,
    input: AddConnectionInput,
) -> CmdResult<ConnectionView> {
    let new = NewConnection {
        provider: input.provider,
        name: input.name,
        url: input.url,
        auth: input.auth,
        username: blank_to_none(input.username),
        client_id: blank_to_none(input.client_id),
        tenant: blank_to_none(input.tenant),
        project: blank_to_none(input.project),
        space: blank_to_none(input.space),
        auth_url: blank_to_none(input.auth_url),
        token_url: blank_to_none(input.token_url),
        resources_url: blank_to_none(input.resources_url),
        api_url: blank_to_none(input.api_url),
        make_default: input.make_default,
        secret: input.secret.map(SecretString::new),
        client_secret: input.client_secret.map(SecretString::new),
    };
    Ok(state.with_core(|core| core.add_connection(new))?)
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
    Ok(state.with_core(|core| core.set_default_connection(&name))?)
}

#[tauri::command]
#[specta::specta]
pub fn remove_connection(state: State<'_, AppState>, name: String) -> CmdResult<ConnectionView> {
    Ok(state.with_core(|core| core.remove_connection(&name))?)
}

#[tauri::command]
#[specta::specta]
pub fn set_auto_create(
    state: State<'_, AppState>,
    name: String,
    enabled: bool,
) -> CmdResult<ConnectionView> {
    Ok(state.with_core(|core| core.set_auto_create(&name, enabled))?)
}
