//! An incident's life: its timeline, notes posted to the linked records,
//! status changes that move them, and pulling what happened there.

use ibridge_core::incidents::NewEvent;
use ibridge_core::services::{
    AddedEvent, CloseCodes, StatusChanged, StatusInput, StatusPlan, SyncReport, Timeline,
};
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn incident_timeline(state: State<'_, AppState>, id: String) -> CmdResult<Timeline> {
    Ok(state.services.incident_timeline(&id)?)
}

/// Records an event and posts it where the incident is filed (`post`:
/// none, work_notes (default) or comments).
#[tauri::command]
#[specta::specta]
pub async fn add_incident_event(
    state: State<'_, AppState>,
    id: String,
    event: NewEvent,
) -> CmdResult<AddedEvent> {
    Ok(state.services.add_incident_event(&id, event).await?)
}

/// Posts an event to the linked records it has not reached yet.
#[tauri::command]
#[specta::specta]
pub async fn post_incident_event(
    state: State<'_, AppState>,
    event_id: String,
    post: String,
) -> CmdResult<AddedEvent> {
    Ok(state.services.post_incident_event(&event_id, &post).await?)
}

/// The resolution codes each linked ServiceNow instance offers.
#[tauri::command]
#[specta::specta]
pub async fn close_code_choices(
    state: State<'_, AppState>,
    id: String,
) -> CmdResult<Vec<CloseCodes>> {
    Ok(state.services.close_code_choices(&id).await?)
}

/// What a status change would send, without sending it.
#[tauri::command]
#[specta::specta]
pub async fn plan_incident_status(
    state: State<'_, AppState>,
    id: String,
    input: StatusInput,
) -> CmdResult<StatusPlan> {
    Ok(state.services.plan_incident_status(&id, &input).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn set_incident_status(
    state: State<'_, AppState>,
    id: String,
    input: StatusInput,
) -> CmdResult<StatusChanged> {
    Ok(state.services.set_incident_status(&id, input).await?)
}

/// Pulls state and new notes from every linked record.
#[tauri::command]
#[specta::specta]
pub async fn sync_incident(state: State<'_, AppState>, id: String) -> CmdResult<SyncReport> {
    Ok(state.services.sync_incident(&id).await?)
}
