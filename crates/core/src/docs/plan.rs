//! Everything a publish will send, worked out before anything is sent: the
//! storage body, the files to attach (assets and rendered diagrams) and the
//! labels, with one hash over all of it. A diagram that does not parse or
//! an image that names no asset stops the publish here.

use std::collections::{BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use super::assets::sha256_hex;
use super::mermaid;
use super::storage::{self, Context, PageLink};
use crate::app::Core;
use crate::error::{Action, Error, Result};
use crate::store::assets as asset_repo;
use crate::store::documents::{self as repo, DocumentRow};

/// One file to attach to the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub name: String,
    pub media_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    /// The attachment's comment (a diagram's says where its source is).
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishPlan {
    pub title: String,
    pub storage: String,
    pub labels: Vec<String>,
    pub files: Vec<PlannedFile>,
    /// SHA-256 over title and storage body: equal to the last page
    /// write's means the page itself needs no write.
    pub body_hash: String,
}

pub const DIAGRAM_COMMENT: &str =
    "Diagram drawn from the Mermaid source on this page; edit the source, not this file";

/// SHA-256 over the title and storage body, each length-prefixed.
pub fn body_hash(title: &str, storage: &str) -> String {
    let mut h = Sha256::new();
    for part in [title, storage] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

impl Core {
    /// What `doc` renders to with its own assets and the incident's
    /// severity, and (for `connection_id`) links to other documents
    /// published there.
    pub fn render_context(
        &self,
        doc: &DocumentRow,
        connection_id: Option<&str>,
    ) -> Result<Context> {
        let mut context = Context::default();
        for asset in asset_repo::list(self.db(), &doc.id)? {
            context
                .attachments
                .insert(asset.reference.clone(), asset.name.clone());
            context.attachments.insert(asset.name.clone(), asset.name);
        }
        if let Some(incident) = &doc.incident_id {
            if let Ok(incident) = self.incident(incident) {
                context.severity = Some(incident.severity.to_string());
            }
        }
        if let Some(connection_id) = connection_id {
            for other in repo::list(self.db())? {
                if other.id == doc.id {
                    continue;
                }
                let Some(source) = asset_repo::meta(self.db(), &other.id)?.source_name else {
                    continue;
                };
                if let Some(page) = repo::find_page(self.db(), &other.id, connection_id)? {
                    context.pages.insert(
                        source,
                        PageLink {
                            space_key: page.space_key,
                            title: page.title,
                        },
                    );
                }
            }
        }
        Ok(context)
    }

    /// The storage body and files for publishing `doc` to `connection_id`.
    pub fn publish_plan(
        &self,
        doc: &DocumentRow,
        connection_id: Option<&str>,
    ) -> Result<PublishPlan> {
        let context = self.render_context(doc, connection_id)?;
        // Filed action items show their work item and its state.
        let annotations = self.action_item_annotations(doc)?;
        let markdown = if annotations.is_empty() {
            doc.markdown.clone()
        } else {
            super::action_items::annotate(&doc.markdown, &annotations)?
        };
        let rendered = storage::render(&markdown, &context);
        if let Some(missing) = rendered.unresolved.first() {
            return Err(Error::invalid_with(
                "image",
                format!(
                    "'{missing}' is not an asset of this document: attach a file under that name"
                ),
                Action::AttachAsset {
                    document: doc.id.clone(),
                    name: missing.clone(),
                },
            ));
        }
        let assets: HashMap<String, asset_repo::AssetRow> = asset_repo::list(self.db(), &doc.id)?
            .into_iter()
            .map(|a| (a.name.clone(), a))
            .collect();
        let mut files = Vec::new();
        let mut names = BTreeSet::new();
        for name in &rendered.attachments_used {
            let Some(asset) = assets.get(name) else {
                continue;
            };
            let bytes =
                asset_repo::blob(self.db(), &asset.sha256)?.ok_or_else(|| Error::NotFound {
                    what: "asset content",
                    name: asset.name.clone(),
                })?;
            names.insert(asset.name.clone());
            files.push(PlannedFile {
                name: asset.name.clone(),
                media_type: asset.media_type.clone(),
                sha256: asset.sha256.clone(),
                bytes,
                comment: None,
            });
        }
        for (n, diagram) in rendered.diagrams.iter().enumerate() {
            let field = format!("diagram {} (line {})", n + 1, diagram.line);
            if !names.insert(diagram.file_name.clone()) {
                return Err(Error::invalid(
                    &field,
                    format!(
                        "an asset is already named '{}', which the diagram needs; rename that asset",
                        diagram.file_name
                    ),
                ));
            }
            let png = mermaid::render(&diagram.source, &field)?.png;
            files.push(PlannedFile {
                name: diagram.file_name.clone(),
                media_type: "image/png".into(),
                sha256: sha256_hex(&png),
                bytes: png,
                comment: Some(DIAGRAM_COMMENT.into()),
            });
        }
        let meta = asset_repo::meta(self.db(), &doc.id)?;
        let labels: Vec<String> = Error::stored_json("labels", &meta.labels)?;
        let body_hash = body_hash(&doc.title, &rendered.storage);
        Ok(PublishPlan {
            title: doc.title.clone(),
            storage: rendered.storage,
            labels,
            files,
            body_hash,
        })
    }
}
