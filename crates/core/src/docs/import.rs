//! `doc import FILE.md`: the Markdown, its front matter, and the images and
//! files it references by a relative path, read from beside it.
//!
//! Only files inside the Markdown file's own folder (or below it) are
//! read: a document received from someone else cannot make the import
//! pick up, and later publish, a file from elsewhere on this machine.

use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Options, Parser, Tag};
use rusqlite::{Transaction, TransactionBehavior};
use url::Url;

use super::assets::{self, AssetOrigin};
use super::front_matter::{self, FrontMatter};
use super::storage::is_relative;
use super::{Document, DocumentKind, MAX_MARKDOWN_BYTES};
use crate::app::Core;
use crate::audit::{self, Event as AuditEvent, Outcome};
use crate::error::{Error, Result};
use crate::incidents::validate_title;
use crate::providers::confluence::cql;
use crate::store::assets::{self as asset_repo, MetaRow};
use crate::store::documents::{self as repo, DocumentRow};
use crate::time::now_rfc3339;

/// A relative reference in the Markdown, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reference {
    pub dest: String,
    pub image: bool,
}

/// Every relative image and link destination, in order, once each.
pub(crate) fn relative_references(markdown: &str) -> Vec<Reference> {
    let mut seen = std::collections::HashSet::new();
    let mut found = Vec::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_GFM) {
        let (dest, image) = match &event {
            Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
            Event::Start(Tag::Link { dest_url, .. }) => (dest_url, false),
            _ => continue,
        };
        if is_relative(dest) && seen.insert(dest.to_string()) {
            found.push(Reference {
                dest: dest.to_string(),
                image,
            });
        }
    }
    found
}

/// A link to another Markdown document (a page link, not an attachment).
pub(crate) fn is_document_link(dest: &str) -> bool {
    let path = dest
        .split(['#', '?'])
        .next()
        .unwrap_or(dest)
        .to_ascii_lowercase();
    path.ends_with(".md") || path.ends_with(".markdown")
}

/// The file a relative destination names, inside `folder`.
fn resolve(folder: &Path, dest: &str) -> Result<PathBuf> {
    let not_beside = |why: &str| {
        Error::invalid(
            "file",
            format!("'{dest}' (referenced in the Markdown) {why}"),
        )
    };
    let base = Url::from_directory_path(folder)
        .map_err(|_| not_beside("cannot be resolved against the file's folder"))?;
    let path = base
        .join(dest)
        .ok()
        .and_then(|u| u.to_file_path().ok())
        .ok_or_else(|| not_beside("is not a file path"))?;
    let real = path.canonicalize().map_err(|_| {
        not_beside(&format!(
            "was not found beside the Markdown file (looked for {})",
            path.display()
        ))
    })?;
    if !real.starts_with(folder) {
        return Err(not_beside(
            "is outside the Markdown file's folder; only files beside it (or below it) are read",
        ));
    }
    if !real.is_file() {
        return Err(not_beside("is not a file"));
    }
    Ok(real)
}

fn first_heading(markdown: &str) -> Option<String> {
    let mut in_heading = false;
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Heading { .. }) if !in_heading => in_heading = true,
            Event::Text(t) | Event::Code(t) if in_heading => text.push_str(&t),
            Event::End(pulldown_cmark::TagEnd::Heading(_)) if in_heading => {
                return Some(text).filter(|t| !t.trim().is_empty());
            }
            _ => {}
        }
    }
    None
}

pub(crate) fn validate_parent(parent: &str) -> Result<String> {
    let parent = parent.trim();
    if !(1..=20).contains(&parent.len()) || !parent.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::invalid(
            "parent",
            format!("'{parent}' is not a page id (digits)"),
        ));
    }
    Ok(parent.to_owned())
}

/// Front matter checked the way Confluence will check it.
pub(crate) fn checked_meta(front: &FrontMatter, source_name: Option<String>) -> Result<MetaRow> {
    Ok(MetaRow {
        space_key: front
            .space
            .as_deref()
            .map(cql::validate_space_key)
            .transpose()?,
        parent_id: front.parent.as_deref().map(validate_parent).transpose()?,
        labels: serde_json::to_string(&front_matter::labels(&front.labels)?)
            .unwrap_or_else(|_| "[]".into()),
        source_name,
    })
}

impl Core {
    /// Imports a Markdown file with its front matter and the files it
    /// references by relative path. `title` overrides the front matter's;
    /// without either, the first heading is the title.
    pub fn import_markdown_file(
        &mut self,
        path: &Path,
        title: Option<&str>,
        kind: Option<&str>,
    ) -> Result<Document> {
        let kind: DocumentKind = kind.unwrap_or("rca").parse()?;
        let read_err = |e: std::io::Error| {
            Error::invalid("file", format!("cannot read {}: {e}", path.display()))
        };
        let real = path.canonicalize().map_err(read_err)?;
        let size = std::fs::metadata(&real).map_err(read_err)?.len();
        if size > MAX_MARKDOWN_BYTES as u64 {
            return Err(Error::invalid("file", "the Markdown is larger than 4 MiB"));
        }
        let text = std::fs::read_to_string(&real).map_err(read_err)?;
        let folder = real
            .parent()
            .ok_or_else(|| Error::invalid("file", "has no folder"))?
            .to_path_buf();
        let (front, body) = front_matter::split(&text)?;
        let title = title
            .map(str::to_owned)
            .or_else(|| front.title.clone())
            .or_else(|| first_heading(body))
            .ok_or_else(|| {
                Error::missing(
                    "title",
                    "give a title, or give the file a 'title:' in its front matter or a heading",
                )
            })?;
        let title = validate_title(&title)?;
        let source_name = real.file_name().map(|n| n.to_string_lossy().into_owned());
        let meta = checked_meta(&front, source_name)?;

        // Read every referenced file before anything is stored.
        let mut files: Vec<(String, String, Vec<u8>)> = Vec::new();
        for reference in relative_references(body) {
            if !reference.image && is_document_link(&reference.dest) {
                continue;
            }
            let file = resolve(&folder, &reference.dest)?;
            let bytes = std::fs::read(&file).map_err(|e| {
                Error::invalid("file", format!("cannot read {}: {e}", file.display()))
            })?;
            let base = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| reference.dest.clone());
            let name = assets::clean_name(&base)?;
            assets::check_size(&name, bytes.len())?;
            let name = assets::unique_name(&name, |n| files.iter().any(|(taken, ..)| taken == n));
            files.push((name, reference.dest, bytes));
        }

        let now = now_rfc3339();
        let row = DocumentRow {
            id: uuid::Uuid::new_v4().to_string(),
            kind: kind.as_str().to_owned(),
            title,
            markdown: body.to_owned(),
            incident_id: None,
            created_at: now.clone(),
            updated_at: now,
        };
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        repo::insert(&tx, &row)?;
        asset_repo::set_meta(&tx, &row.id, &meta)?;
        for (name, reference, bytes) in &files {
            assets::store(&tx, &row.id, name, reference, bytes, AssetOrigin::File)?;
        }
        audit::append(
            &tx,
            &AuditEvent {
                actor: self.actor(),
                action: "document.create",
                connection: None,
                outcome: Outcome::Ok,
                detail: format!(
                    "document={} kind={kind} imported assets={}",
                    row.id,
                    files.len()
                ),
            },
        )?;
        tx.commit()?;
        self.document(&row.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_relative_references_once_each() {
        let refs = relative_references(
            "![a](img/a.png) ![b](https://x/b.png) [log](logs/run.log) [other](other.md#x) ![a](img/a.png) [top](#top)",
        );
        let dests: Vec<&str> = refs.iter().map(|r| r.dest.as_str()).collect();
        assert_eq!(dests, ["img/a.png", "logs/run.log", "other.md#x"]);
        assert!(is_document_link("other.md#x"));
        assert!(!is_document_link("logs/run.log"));
    }

    #[test]
    fn files_outside_the_folder_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("rca");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "x").unwrap();
        std::fs::write(inner.join("a b.png"), "x").unwrap();
        let inner = inner.canonicalize().unwrap();
        assert!(resolve(&inner, "a%20b.png").is_ok());
        let err = resolve(&inner, "../secret.txt").unwrap_err();
        assert!(err.to_string().contains("outside"), "{err}");
        let err = resolve(&inner, "missing.png").unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
    }

    #[test]
    fn title_from_the_first_heading() {
        assert_eq!(
            first_heading("text\n\n# RCA `x`\n").as_deref(),
            Some("RCA x")
        );
        assert_eq!(first_heading("no heading"), None);
    }
}
