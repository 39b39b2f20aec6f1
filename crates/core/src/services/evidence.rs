//! The façade for a document's evidence: import with front matter and
//! files, assets, the preview, page details and the diff since the last
//! publish. Each call takes the shared core's lock for its own duration.

use std::path::Path;

use super::Services;
use crate::app::lock;
use crate::docs::diff::PublishDiff;
use crate::docs::{Asset, Document, DocumentMeta, PastedAsset};
use crate::error::Result;

impl Services {
    /// `doc import FILE`: front matter and the files referenced beside it.
    pub fn import_markdown_file(
        &self,
        path: &Path,
        title: Option<&str>,
        kind: Option<&str>,
    ) -> Result<Document> {
        lock(&self.core)?.import_markdown_file(path, title, kind)
    }

    pub fn attach_asset(&self, document: &str, name: &str, bytes: &[u8]) -> Result<Asset> {
        lock(&self.core)?.attach_asset(document, name, bytes)
    }

    pub fn paste_asset(&self, document: &str, bytes: &[u8]) -> Result<PastedAsset> {
        lock(&self.core)?.paste_asset(document, bytes)
    }

    pub fn document_assets(&self, document: &str) -> Result<Vec<Asset>> {
        lock(&self.core)?.document_assets(document)
    }

    pub fn preview_document(&self, id: &str, markdown: &str) -> Result<String> {
        lock(&self.core)?.preview_document(id, markdown)
    }

    pub fn set_document_meta(&self, id: &str, meta: &DocumentMeta) -> Result<Document> {
        lock(&self.core)?.set_document_meta(id, meta)
    }

    pub fn changes_since_publish(&self, id: &str, connection: &str) -> Result<Option<PublishDiff>> {
        lock(&self.core)?.changes_since_publish(id, connection)
    }
}
