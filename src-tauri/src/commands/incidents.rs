//! Incidents: list, create, edit, show (with sync), file.

use std::collections::BTreeMap;

use ibridge_core::fields::ConnectionFields;
use ibridge_core::incidents::{Incident, IncidentChanges, NewIncident};
use ibridge_core::services::{
    CreatedIncident, Filed, FilingOptions, IncidentReport, PlannedRequest,
};
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

/// Files the incident; `fields` are set for this filing only, over the
/// connection's defaults.
#[tauri::command]
#[specta::specta]
pub async fn file_incident(
    state: State<'_, AppState>,
    id: String,
    connection: String,
    work_item_type: Option<String>,
    fields: BTreeMap<String, String>,
) -> CmdResult<Filed> {
    let options = FilingOptions {
        work_item_type,
        fields,
    };
    Ok(state
        .services
        .file_incident_with(&id, &connection, &options)
        .await?)
}

/// The Review step: the requests `file_incident` would send; nothing is sent.
#[tauri::command]
#[specta::specta]
pub async fn filing_requests(
    state: State<'_, AppState>,
    id: String,
    connection: String,
    work_item_type: Option<String>,
    fields: BTreeMap<String, String>,
) -> CmdResult<Vec<PlannedRequest>> {
    let options = FilingOptions {
        work_item_type,
        fields,
    };
    Ok(state
        .services
        .filing_requests(&id, &connection, &options)
        .await?)
}

/// A connection's filing defaults and the service's rules as last read.
#[tauri::command]
#[specta::specta]
pub fn connection_fields(state: State<'_, AppState>, name: String) -> CmdResult<ConnectionFields> {
    Ok(state.services.connection_fields(&name)?)
}

/// Sets and removes filing defaults of a connection.
#[tauri::command]
#[specta::specta]
pub async fn set_connection_fields(
    state: State<'_, AppState>,
    name: String,
    set: BTreeMap<String, String>,
    unset: Vec<String>,
) -> CmdResult<ConnectionFields> {
    Ok(state
        .services
        .set_connection_fields(&name, set, unset)
        .await?)
}
