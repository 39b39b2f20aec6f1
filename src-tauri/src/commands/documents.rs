//! RCA / post-mortem documents and publishing to Confluence.

use ibridge_core::docs::html::markdown_to_html;
use ibridge_core::docs::Document;
use ibridge_core::providers::confluence::{SearchPage, Space};
use ibridge_core::services::{PlannedRequest, PublishOptions, Published};
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

#[tauri::command]
#[specta::specta]
pub fn list_documents(state: State<'_, AppState>) -> CmdResult<Vec<Document>> {
    Ok(state.services.list_documents()?)
}

#[tauri::command]
#[specta::specta]
pub fn new_document(
    state: State<'_, AppState>,
    kind: String,
    title: String,
    incident_id: Option<String>,
) -> CmdResult<Document> {
    Ok(state.services.new_document(
        &kind,
        &title,
        incident_id.as_deref().filter(|i| !i.is_empty()),
    )?)
}

#[tauri::command]
#[specta::specta]
pub fn get_document(state: State<'_, AppState>, id: String) -> CmdResult<Document> {
    Ok(state.services.document(&id)?)
}

/// Rewrites the document's Timeline section from its incident's timeline.
#[tauri::command]
#[specta::specta]
pub fn refresh_document_timeline(state: State<'_, AppState>, id: String) -> CmdResult<Document> {
    Ok(state.services.refresh_document_timeline(&id)?)
}

#[tauri::command]
#[specta::specta]
pub fn save_document(
    state: State<'_, AppState>,
    id: String,
    title: String,
    markdown: String,
) -> CmdResult<Document> {
    Ok(state.services.save_document(&id, &title, &markdown)?)
}

/// The live preview: the same Markdown rules as publishing, as safe HTML
/// (raw HTML in the text is shown as text).
#[tauri::command]
#[specta::specta]
pub fn preview_markdown(markdown: String) -> String {
    markdown_to_html(&markdown)
}

#[tauri::command]
#[specta::specta]
pub async fn publish_document(
    state: State<'_, AppState>,
    id: String,
    connection: String,
    space: Option<String>,
    parent: Option<String>,
    force: bool,
    minor_edit: bool,
) -> CmdResult<Published> {
    let options = publish_options(space, parent, force, minor_edit);
    Ok(state
        .services
        .publish_document(&id, &connection, options)
        .await?)
}

/// The Review step: the requests `publish_document` would send now.
#[tauri::command]
#[specta::specta]
pub async fn publish_requests(
    state: State<'_, AppState>,
    id: String,
    connection: String,
    space: Option<String>,
    parent: Option<String>,
    force: bool,
    minor_edit: bool,
) -> CmdResult<Vec<PlannedRequest>> {
    let options = publish_options(space, parent, force, minor_edit);
    Ok(state
        .services
        .publish_requests(&id, &connection, &options)?)
}

#[tauri::command]
#[specta::specta]
pub async fn confluence_spaces(
    state: State<'_, AppState>,
    connection: String,
) -> CmdResult<Vec<Space>> {
    Ok(state.services.confluence_spaces(&connection).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn confluence_search(
    state: State<'_, AppState>,
    connection: String,
    query: String,
    space: Option<String>,
) -> CmdResult<SearchPage> {
    Ok(state
        .services
        .confluence_search(
            &connection,
            &query,
            space.as_deref().filter(|s| !s.is_empty()),
            25,
            0,
        )
        .await?)
}

/// The publish form's choices; a blank space or parent means "not chosen".
fn publish_options(
    space: Option<String>,
    parent: Option<String>,
    force: bool,
    minor_edit: bool,
) -> PublishOptions {
    PublishOptions {
        space: space.filter(|s| !s.trim().is_empty()),
        parent: parent.filter(|p| !p.trim().is_empty()),
        force,
        minor_edit,
    }
}
