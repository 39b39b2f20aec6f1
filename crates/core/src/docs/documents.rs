//! RCA and post-mortem documents: create from a template or import
//! Markdown, list, show, render to storage format.

use std::fmt;
use std::str::FromStr;

use rusqlite::{Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

use super::{storage, templates};
use crate::app::Core;
use crate::audit::{self, Event, Outcome};
use crate::error::{Error, Result};
use crate::incidents::validate_title;
use crate::store::documents::{self as repo, DocumentRow, PageRow};
use crate::time::now_rfc3339;

/// Confluence refuses bodies much larger than this; say so before sending.
pub const MAX_MARKDOWN_BYTES: usize = 4 * 1024 * 1024;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    Rca,
    Postmortem,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Rca => "rca",
            DocumentKind::Postmortem => "postmortem",
        }
    }
}

impl FromStr for DocumentKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rca" => Ok(DocumentKind::Rca),
            "postmortem" | "post-mortem" => Ok(DocumentKind::Postmortem),
            other => Err(Error::invalid(
                "kind",
                format!("'{other}' is not one of rca, postmortem"),
            )),
        }
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a document is published.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedPage {
    pub connection: String,
    pub page_id: String,
    pub space_key: String,
    pub title: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub version: i64,
    pub url: String,
    pub published_at: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    pub id: String,
    pub kind: DocumentKind,
    pub title: String,
    pub markdown: String,
    pub incident_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub pages: Vec<PublishedPage>,
    /// Front matter: the space and parent page of the first publish, and
    /// the page's labels.
    pub space: Option<String>,
    pub parent: Option<String>,
    pub labels: Vec<String>,
}

impl Core {
    /// A new document from the RCA or post-mortem template.
    pub fn new_document(
        &mut self,
        kind: &str,
        title: &str,
        incident: Option<&str>,
    ) -> Result<Document> {
        let kind: DocumentKind = kind.parse()?;
        let title = validate_title(title)?;
        let incident = incident.map(|id| self.incident(id)).transpose()?;
        let mut markdown = match kind {
            DocumentKind::Rca => templates::rca(&title, incident.as_ref()),
            DocumentKind::Postmortem => templates::postmortem(&title, incident.as_ref()),
        };
        if let Some(incident) = &incident {
            let events = crate::incidents::events_of(self.db(), &incident.id)?;
            markdown =
                super::timeline::replace_section(&markdown, &super::timeline::section(&events));
        }
        self.insert_document(kind, title, markdown, incident.map(|i| i.id))
    }

    /// A document from existing Markdown.
    pub fn import_document(
        &mut self,
        markdown: String,
        title: &str,
        kind: Option<&str>,
    ) -> Result<Document> {
        let kind: DocumentKind = kind.unwrap_or("rca").parse()?;
        let title = validate_title(title)?;
        check_markdown(&markdown)?;
        self.insert_document(kind, title, markdown, None)
    }

    fn insert_document(
        &mut self,
        kind: DocumentKind,
        title: String,
        markdown: String,
        incident_id: Option<String>,
    ) -> Result<Document> {
        let now = now_rfc3339();
        let row = DocumentRow {
            id: uuid::Uuid::new_v4().to_string(),
            kind: kind.as_str().to_owned(),
            title,
            markdown,
            incident_id,
            created_at: now.clone(),
            updated_at: now,
        };
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        repo::insert(&tx, &row)?;
        audit::append(
            &tx,
            &Event {
                actor: self.actor(),
                action: "document.create",
                connection: None,
                outcome: Outcome::Ok,
                detail: format!("document={} kind={kind}", row.id),
            },
        )?;
        tx.commit()?;
        self.document(&row.id)
    }

    /// Replaces a document's title and Markdown (the editor's save).
    pub fn save_document(&mut self, id: &str, title: &str, markdown: &str) -> Result<Document> {
        let row = self.find_document(id)?;
        let title = validate_title(title)?;
        check_markdown(markdown)?;
        repo::update_content(self.db(), &row.id, &title, markdown, &now_rfc3339())?;
        self.document(&row.id)
    }

    pub fn list_documents(&self) -> Result<Vec<Document>> {
        repo::list(self.db())?
            .into_iter()
            .map(|r| self.assemble_document(r))
            .collect()
    }

    /// Writes the incident's timeline as it is now into the document's
    /// Timeline section; the rest of the text is kept as it is.
    pub fn refresh_document_timeline(&mut self, id: &str) -> Result<Document> {
        let row = self.find_document(id)?;
        let Some(incident_id) = row.incident_id.clone() else {
            return Err(Error::invalid(
                "document",
                "it was not made from an incident: only a document made from an incident has its timeline",
            ));
        };
        let events = crate::incidents::events_of(self.db(), &incident_id)?;
        let markdown =
            super::timeline::replace_section(&row.markdown, &super::timeline::section(&events));
        self.save_document(&row.id, &row.title, &markdown)
    }

    pub fn document(&self, id: &str) -> Result<Document> {
        let row = self.find_document(id)?;
        self.assemble_document(row)
    }

    /// What converting the document to storage format needs: its Markdown
    /// and what its links point at (converting needs no store after this).
    pub fn render_input(&self, id: &str) -> Result<(String, storage::Context)> {
        let doc = self.find_document(id)?;
        let context = self.render_context(&doc, None)?;
        Ok((doc.markdown, context))
    }

    pub(crate) fn find_document(&self, id: &str) -> Result<DocumentRow> {
        crate::lookup::by_id_or_prefix(
            id,
            "document",
            |id| repo::find(self.db(), id),
            |prefix| repo::find_by_prefix(self.db(), prefix),
        )
    }

    fn assemble_document(&self, row: DocumentRow) -> Result<Document> {
        let names: std::collections::HashMap<String, String> = self
            .list_connections()?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        let pages = repo::pages_for(self.db(), &row.id)?
            .into_iter()
            .map(|p: PageRow| PublishedPage {
                connection: names
                    .get(&p.connection_id)
                    .cloned()
                    .unwrap_or(p.connection_id),
                page_id: p.page_id,
                space_key: p.space_key,
                title: p.title,
                version: p.version,
                url: p.url,
                published_at: p.published_at,
            })
            .collect();
        let meta = crate::store::assets::meta(self.db(), &row.id)?;
        Ok(Document {
            space: meta.space_key,
            parent: meta.parent_id,
            labels: Error::stored_json("labels", &meta.labels)?,
            kind: Error::stored("document kind", &row.kind)?,
            id: row.id,
            title: row.title,
            markdown: row.markdown,
            incident_id: row.incident_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
            pages,
        })
    }
}

fn check_markdown(markdown: &str) -> Result<()> {
    if markdown.len() > MAX_MARKDOWN_BYTES {
        return Err(Error::invalid("file", "the Markdown is larger than 4 MiB"));
    }
    Ok(())
}
