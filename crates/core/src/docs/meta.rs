//! The editor's front-matter fields: space, parent page and labels.

use serde::Deserialize;

use super::front_matter::FrontMatter;
use super::import::checked_meta;
use super::Document;
use crate::app::Core;
use crate::error::Result;
use crate::store::assets as repo;

/// What the editor sends; empty strings mean "not set".
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct DocumentMeta {
    pub space: Option<String>,
    pub parent: Option<String>,
    pub labels: Vec<String>,
}

impl Core {
    /// Replaces the document's space, parent and labels (checked as
    /// Confluence checks them).
    pub fn set_document_meta(&mut self, id: &str, meta: &DocumentMeta) -> Result<Document> {
        let doc = self.find_document(id)?;
        let keep = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let front = FrontMatter {
            title: None,
            space: keep(&meta.space),
            parent: keep(&meta.parent),
            labels: meta
                .labels
                .iter()
                .filter(|l| !l.trim().is_empty())
                .cloned()
                .collect(),
        };
        let current = repo::meta(self.db(), &doc.id)?;
        let row = checked_meta(&front, current.source_name)?;
        repo::set_meta(self.db(), &doc.id, &row)?;
        self.document(&doc.id)
    }
}
