//! Incidents: list, create, edit, show (with sync), file.

use ibridge_core::incidents::{Incident, IncidentChanges, NewIncident};
use ibridge_core::services::{CreatedIncident, Filed, IncidentReport};
use serde::Deserialize;
use specta::Type;
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

#[derive(Debug, Deserialize, Type)]
pub struct IncidentInput {
    pub title: String,
    pub severity: String,
    pub description: String,
    /// Ignored on create (new incidents are investigating).
    pub status: String,
}

#[tauri::command]
#[specta::specta]
pub fn list_incidents(state: State<'_, AppState>) -> CmdResult<Vec<Incident>> {
    Ok(state.services.list_incidents()?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_incident(
    state: State<'_, AppState>,
    input: IncidentInput,
) -> CmdResult<CreatedIncident> {
    let input = NewIncident {
        title: input.title,
        severity: input.severity,
        description: input.description,
    };
    Ok(state.services.create_incident(input).await?)
}

#[tauri::command]
#[specta::specta]
pub fn update_incident(
    state: State<'_, AppState>,
    id: String,
    input: IncidentInput,
) -> CmdResult<Incident> {
    let changes = IncidentChanges {
        title: input.title,
        description: input.description,
        severity: input.severity,
        status: input.status,
    };
    Ok(state.services.update_incident(&id, changes)?)
}

#[tauri::command]
#[specta::specta]
pub async fn show_incident(state: State<'_, AppState>, id: String) -> CmdResult<IncidentReport> {
    Ok(state.services.show_incident(&id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn file_incident(
    state: State<'_, AppState>,
    id: String,
    connection: String,
    work_item_type: Option<String>,
) -> CmdResult<Filed> {
    Ok(state
        .services
        .file_incident(&id, &connection, work_item_type.as_deref())
        .await?)
}
