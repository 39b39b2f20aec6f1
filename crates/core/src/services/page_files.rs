//! A published page's attachments and labels, as journaled writes.
//!
//! An upload names its content by SHA-256 (the bytes wait in the asset
//! store, diagrams included), and delivery first looks the page's
//! attachment up by file name: one that already holds this hash (an upload
//! whose answer was lost) is recorded, not sent again; one with other
//! content gets a new version of the same attachment; none gets a new one.
//! A label change brings the page's labels to the document's, removing only
//! the labels an earlier publish set.

use serde::Serialize;

use super::deliver::{Attempt, Deliver};
use super::Services;
use crate::app::lock;
use crate::error::{Error, Result};
use crate::outbox::{AttachmentUpload, Journal, LabelSync, Write};
use crate::providers::confluence::Upload;
use crate::store::assets::{self as asset_repo, AttachmentRow};
use crate::time::now_rfc3339;

/// What an upload left on the page.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attached {
    pub name: String,
    pub attachment_id: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub version: i64,
    /// False when the page already held this content (nothing was sent).
    pub sent: bool,
}

pub(crate) fn upload_journal<'a>(connection_id: &'a str, upload: AttachmentUpload) -> Journal<'a> {
    let key = format!(
        "confluence.upload_attachment:{connection_id}:{}:{}:{}",
        upload.document, upload.name, upload.sha256
    );
    Journal {
        key,
        connection_id,
        write: Write::from(upload),
    }
}

pub(crate) fn labels_journal<'a>(connection_id: &'a str, sync: LabelSync) -> Journal<'a> {
    let key = format!(
        "confluence.set_labels:{connection_id}:{}:{}",
        sync.document,
        sync.labels.join(",")
    );
    Journal {
        key,
        connection_id,
        write: Write::from(sync),
    }
}

impl Services {
    /// The page the document is published as on the entry's connection.
    fn page_for_entry(
        &self,
        document: &str,
        connection_id: &str,
    ) -> Result<(
        crate::connections::ConnectionView,
        crate::store::documents::PageRow,
    )> {
        let core = lock(&self.core)?;
        let view = core.view_by_id(connection_id)?;
        let page = crate::store::documents::find_page(core.db(), document, &view.id)?.ok_or_else(
            || Error::NotFound {
                what: "published page for document",
                name: document.to_owned(),
            },
        )?;
        Ok((view, page))
    }
}

impl Deliver for AttachmentUpload {
    type Output = Attached;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<Attached> {
        let entry = &attempt.entry;
        let (view, page) = services.page_for_entry(&self.document, &entry.connection_id)?;
        let bytes = {
            let core = lock(&services.core)?;
            asset_repo::blob(core.db(), &self.sha256)?.ok_or_else(|| Error::NotFound {
                what: "asset content (removed since the publish was journaled)",
                name: format!("{} ({})", self.name, self.sha256),
            })?
        };
        let (_, client) = services.confluence(&view.name, "upload attachment").await?;
        let upload = Upload {
            file_name: &self.name,
            media_type: &self.media_type,
            bytes: &bytes,
            comment: self.comment.as_deref(),
            sha256: &self.sha256,
            minor_edit: self.minor_edit,
        };
        // By file name first, always: cheap, and it is what makes a resend
        // after a lost answer harmless.
        let (attachment, sent) = match client.attachment_by_name(&page.page_id, &self.name).await? {
            Some(found) if found.sha256.as_deref() == Some(self.sha256.as_str()) => (found, false),
            Some(found) => (
                client
                    .update_attachment_data(&page.page_id, &found.id, &upload)
                    .await?,
                true,
            ),
            None => (client.add_attachment(&page.page_id, &upload).await?, true),
        };
        let row = AttachmentRow {
            document_id: self.document.clone(),
            connection_id: view.id.clone(),
            name: self.name.clone(),
            attachment_id: attachment.id.clone(),
            version: attachment.version,
            sha256: self.sha256.clone(),
            uploaded_at: now_rfc3339(),
        };
        lock(&services.core)?
            .outbox_done_with(&entry.id, |tx| Ok(asset_repo::record_attachment(tx, &row)?))?;
        Ok(Attached {
            name: self.name,
            attachment_id: attachment.id,
            version: attachment.version,
            sent,
        })
    }
}

impl Deliver for LabelSync {
    type Output = Vec<String>;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<Vec<String>> {
        let entry = &attempt.entry;
        let (view, page) = services.page_for_entry(&self.document, &entry.connection_id)?;
        let (_, client) = services.confluence(&view.name, "set page labels").await?;
        let current = client.labels(&page.page_id).await?;
        let missing: Vec<String> = self
            .labels
            .iter()
            .filter(|l| !current.contains(l))
            .cloned()
            .collect();
        client.add_labels(&page.page_id, &missing).await?;
        for gone in self
            .previous
            .iter()
            .filter(|l| !self.labels.contains(l) && current.contains(l))
        {
            client.remove_label(&page.page_id, gone).await?;
        }
        let stored = serde_json::to_string(&self.labels).unwrap_or_else(|_| "[]".into());
        lock(&services.core)?.outbox_done_with(&entry.id, |tx| {
            Ok(asset_repo::set_label_state(
                tx,
                &self.document,
                &view.id,
                &stored,
            )?)
        })?;
        Ok(self.labels)
    }
}
