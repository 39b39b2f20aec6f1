//! Incidents: list, create, edit, show (with sync), file.

use ibridge_core::incidents::{Incident, IncidentChanges, NewIncident};
use ibridge_core::services::{Filed, IncidentReport};
use serde::{Deserialize, Serialize};
use specta::Type;
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

#[derive(Debug, Deserialize, Type)]
pub struct IncidentInput {
    pub title: String,
    pub severity: String,
    pub description: String,
    /// Ignored on create (new incidents are open).
    pub status: String,
}

#[derive(Debug, Serialize, Type)]
pub struct AutoFiled {
    pub connection: String,
    pub filed: Option<Filed>,
    pub error: Option<String>,
}

#[derive(Debug, Serialize, Type)]
pub struct CreatedIncident {
    pub incident: Incident,
    pub auto_filed: Vec<AutoFiled>,
}

#[tauri::command]
#[specta::specta]
pub fn list_incidents(state: State<'_, AppState>) -> CmdResult<Vec<Incident>> {
    Ok(state.with_core(|core| core.list_incidents())?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_incident(
    state: State<'_, AppState>,
    input: IncidentInput,
) -> CmdResult<CreatedIncident> {
    let (incident, filed) = state
        .services
        .create_incident(NewIncident {
            title: input.title,
            severity: input.severity,
            description: input.description,
        })
        .await?;
    let auto_filed = filed
        .into_iter()
        .map(|(connection, result)| match result {
            Ok(f) => AutoFiled {
                connection,
                filed: Some(f),
                error: None,
            },
            Err(e) => AutoFiled {
                connection,
                filed: None,
                error: Some(e.to_string()),
            },
        })
        .collect();
    Ok(CreatedIncident {
        incident,
        auto_filed,
    })
}

#[tauri::command]
#[specta::specta]
pub fn update_incident(
    state: State<'_, AppState>,
    id: String,
    input: IncidentInput,
) -> CmdResult<Incident> {
    Ok(state.with_core(|core| {
        core.update_incident(
            &id,
            IncidentChanges {
                title: input.title,
                description: input.description,
                severity: input.severity,
                status: input.status,
            },
        )
    })?)
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
