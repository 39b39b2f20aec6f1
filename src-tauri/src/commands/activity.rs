//! Activity: the outbox and the audit log.

use ibridge_core::audit::{Entry, VerifyReport};
use ibridge_core::outbox::OutboxEntry;
use ibridge_core::services::RunReport;
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_outbox(state: State<'_, AppState>) -> CmdResult<Vec<OutboxEntry>> {
    Ok(state.services.outbox_entries()?)
}

#[tauri::command]
#[specta::specta]
pub async fn run_outbox(state: State<'_, AppState>) -> CmdResult<RunReport> {
    Ok(state.services.run_outbox(true).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn retry_outbox(state: State<'_, AppState>, id: String) -> CmdResult<()> {
    state.services.retry_outbox(&id).await?;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub fn discard_outbox(state: State<'_, AppState>, id: String) -> CmdResult<OutboxEntry> {
    Ok(state.services.discard_outbox(&id)?)
}

#[tauri::command]
#[specta::specta]
pub fn list_audit(state: State<'_, AppState>, limit: u32) -> CmdResult<Vec<Entry>> {
    Ok(state.services.audit_list(limit.clamp(1, 1000))?)
}

#[tauri::command]
#[specta::specta]
pub fn verify_audit(state: State<'_, AppState>) -> CmdResult<VerifyReport> {
    Ok(state.services.audit_verify()?)
}
