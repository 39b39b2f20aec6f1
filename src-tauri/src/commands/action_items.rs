//! An RCA's action items: listed with where each is filed, reviewed as the
//! requests filing would send, and filed as work items or tasks.

use ibridge_core::services::{ActionItemView, FiledActionItem, PlannedRequest};
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn action_items(state: State<'_, AppState>, id: String) -> CmdResult<Vec<ActionItemView>> {
    Ok(state.services.action_items(&id)?)
}

/// The Review step: the creates filing would send now; nothing is sent.
#[tauri::command]
#[specta::specta]
pub async fn review_action_items(
    state: State<'_, AppState>,
    id: String,
    to: String,
) -> CmdResult<Vec<PlannedRequest>> {
    Ok(state.services.action_item_requests(&id, &to).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn file_action_items(
    state: State<'_, AppState>,
    id: String,
    to: String,
) -> CmdResult<Vec<FiledActionItem>> {
    Ok(state.services.file_action_items(&id, &to).await?)
}
