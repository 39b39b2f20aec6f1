//! A document's evidence in the editor: pasted images, assets, the preview
//! that shows them (and diagrams) as they will be published, front-matter
//! fields, and what changed since the last publish.

use base64::Engine as _;
use ibridge_core::docs::diff::PublishDiff;
use ibridge_core::docs::{Asset, Document, DocumentMeta, PastedAsset};
use ibridge_core::Error;
use tauri::State;

use crate::error::CmdResult;
use crate::state::AppState;

/// Stores a pasted or dropped image (base64 of its bytes) as an asset;
/// returns the Markdown to insert.
#[tauri::command]
#[specta::specta]
pub fn paste_image(
    state: State<'_, AppState>,
    id: String,
    base64: String,
) -> CmdResult<PastedAsset> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64.trim())
        .map_err(|_| Error::invalid("image", "the pasted data is not base64"))?;
    Ok(state.services.paste_asset(&id, &bytes)?)
}

#[tauri::command]
#[specta::specta]
pub fn document_assets(state: State<'_, AppState>, id: String) -> CmdResult<Vec<Asset>> {
    Ok(state.services.document_assets(&id)?)
}

/// The live preview of the editor's text: assets and diagrams drawn as
/// the publish will attach them.
#[tauri::command]
#[specta::specta]
pub fn preview_document(
    state: State<'_, AppState>,
    id: String,
    markdown: String,
) -> CmdResult<String> {
    Ok(state.services.preview_document(&id, &markdown)?)
}

#[tauri::command]
#[specta::specta]
pub fn set_document_meta(
    state: State<'_, AppState>,
    id: String,
    meta: DocumentMeta,
) -> CmdResult<Document> {
    Ok(state.services.set_document_meta(&id, &meta)?)
}

/// The Markdown diff since the last publish to `connection` (none if the
/// document was never published there).
#[tauri::command]
#[specta::specta]
pub fn changes_since_publish(
    state: State<'_, AppState>,
    id: String,
    connection: String,
) -> CmdResult<Option<PublishDiff>> {
    Ok(state.services.changes_since_publish(&id, &connection)?)
}
