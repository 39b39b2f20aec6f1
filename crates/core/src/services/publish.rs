//! `doc publish`: work out what changed since the last publish and send
//! only that, each write journaled: the page (created first, or updated
//! after its files), one upload per new or changed file, the labels. An
//! unchanged document sends nothing at all. Everything that can refuse —
//! a diagram that does not parse, an image that names no asset, a label,
//! space or parent Confluence would refuse — refuses before anything is
//! journaled or sent.

use std::collections::HashMap;

use super::confluence::published_view;
use super::dry_run::{unsent, PlannedRequest};
use super::page_files::{labels_journal, upload_journal};
use super::{PublishOptions, Published, Services};
use crate::app::lock;
use crate::audit::{self, Event, Outcome};
use crate::connections::{ConnectionView, Provider};
use crate::docs::{validate_parent, PlannedFile, PublishPlan};
use crate::error::{Error, ErrorKind, Result};
use crate::outbox::{AttachmentUpload, LabelSync};
use crate::providers::confluence::{cql, ConfluenceClient, NewPage, Upload};
use crate::store::assets as asset_repo;
use crate::store::documents::{self as repo, DocumentRow, PageRow};

/// What this publish has to send.
struct Prepared {
    doc: DocumentRow,
    view: ConnectionView,
    page: Option<PageRow>,
    plan: PublishPlan,
    space: Option<String>,
    parent: Option<String>,
    /// Write the page (its body, or one of its files, changed).
    page_write: bool,
    /// Files whose content the page does not hold yet.
    files: Vec<PlannedFile>,
    /// Attachment ids of files uploaded before, by name.
    attached: HashMap<String, String>,
    /// The labels the last publish set, when they differ from the plan's.
    labels_from: Option<Vec<String>>,
}

impl Prepared {
    fn nothing_to_send(&self) -> bool {
        self.page.is_some()
            && !self.page_write
            && self.files.is_empty()
            && self.labels_from.is_none()
    }
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

impl Services {
    fn prepare_publish(
        &self,
        doc_id: &str,
        to: &str,
        options: &PublishOptions,
    ) -> Result<Prepared> {
        let core = lock(&self.core)?;
        let doc = core.find_document(doc_id)?;
        let view = core.show_connection(to)?;
        Self::require_provider(&view, Provider::Confluence, "to")?;
        let meta = asset_repo::meta(core.db(), &doc.id)?;
        let parent = options
            .parent
            .clone()
            .or(meta.parent_id)
            .map(|p| validate_parent(&p))
            .transpose()?;
        let page = repo::find_page(core.db(), &doc.id, &view.id)?;
        let space = match &page {
            Some(_) => None,
            None => {
                let space = options
                    .space
                    .clone()
                    .or(meta.space_key)
                    .or_else(|| view.config.space.clone())
                    .ok_or_else(|| {
                        Error::missing(
                            "space",
                            format!(
                                "choose the space to publish to, or set space: in the document (connection '{}' has no default space)",
                                view.name
                            ),
                        )
                    })?;
                Some(cql::validate_space_key(&space)?)
            }
        };
        let plan = core.publish_plan(&doc, Some(&view.id))?;
        let state = asset_repo::publish_state(core.db(), &doc.id, &view.id)?;
        let uploads = asset_repo::attachments(core.db(), &doc.id, &view.id)?;
        let files: Vec<PlannedFile> = plan
            .files
            .iter()
            .filter(|f| {
                !uploads
                    .iter()
                    .any(|u| u.name == f.name && u.sha256 == f.sha256)
            })
            .cloned()
            .collect();
        let previous: Vec<String> = state
            .as_ref()
            .and_then(|s| serde_json::from_str(&s.labels).ok())
            .unwrap_or_default();
        let labels_from =
            (sorted(previous.clone()) != sorted(plan.labels.clone())).then_some(previous);
        let body_changed =
            state.as_ref().map(|s| s.body_hash.as_str()) != Some(plan.body_hash.as_str());
        let page_write = page.is_none() || body_changed || !files.is_empty() || options.force;
        Ok(Prepared {
            attached: uploads
                .into_iter()
                .map(|u| (u.name, u.attachment_id))
                .collect(),
            doc,
            view,
            page,
            plan,
            space,
            parent,
            page_write,
            files,
            labels_from,
        })
    }

    /// Publishes document `doc_id` to connection `to`: the page, its
    /// attachments and labels, sending only what changed since the last
    /// publish (nothing, for an unchanged document).
    pub async fn publish_document(
        &self,
        doc_id: &str,
        to: &str,
        options: PublishOptions,
    ) -> Result<Published> {
        // The page shows each filed action item's state as it is now.
        self.refresh_action_items(doc_id).await?;
        let prep = self.prepare_publish(doc_id, to, &options)?;
        if prep.nothing_to_send() {
            let page = prep.page.as_ref().map(|p| published_view(&prep.view, p));
            return page
                .map(|page| Published {
                    document_id: prep.doc.id.clone(),
                    page,
                    created: false,
                    unchanged: true,
                    uploaded: Vec::new(),
                })
                .ok_or_else(|| {
                    Error::Internal("an unpublished document has nothing to send".into())
                });
        }
        let page_options = PublishOptions {
            space: prep.space.clone(),
            parent: prep.parent.clone(),
            ..options.clone()
        };
        let mut published = None;
        if let Some(stored) = &prep.page {
            if prep.page_write && !options.force && !prep.files.is_empty() {
                // Someone else's edit is never overwritten: with files to
                // upload first, check before any goes up (the page write
                // checks again, as it always does).
                self.refuse_if_edited(&prep.view, stored).await?;
            }
        } else {
            published = Some(
                self.publish_page(&prep.doc.id, to, page_options.clone())
                    .await?,
            );
        }
        let mut uploaded = Vec::new();
        for file in &prep.files {
            if self.upload(&prep, file, options.minor_edit).await? {
                uploaded.push(file.name.clone());
            }
        }
        if prep.page.is_some() && prep.page_write {
            published = Some(self.publish_page(&prep.doc.id, to, page_options).await?);
        }
        if let Some(previous) = &prep.labels_from {
            self.sync_labels(&prep, previous).await?;
        }
        let mut published = match published {
            Some(p) => p,
            None => {
                let core = lock(&self.core)?;
                let row = repo::find_page(core.db(), &prep.doc.id, &prep.view.id)?
                    .ok_or_else(|| Error::Internal("the published page was not stored".into()))?;
                Published {
                    document_id: prep.doc.id.clone(),
                    page: published_view(&prep.view, &row),
                    created: false,
                    unchanged: false,
                    uploaded: Vec::new(),
                }
            }
        };
        published.uploaded = uploaded;
        Ok(published)
    }

    async fn refuse_if_edited(&self, view: &ConnectionView, stored: &PageRow) -> Result<()> {
        let (_, client) = self.confluence(&view.name, "publish document").await?;
        let current = client
            .get_page(&stored.page_id)
            .await
            .map_err(|e| match e.kind() {
                ErrorKind::NotFound => Error::NotFound {
                    what: "Confluence page (deleted, moved out of reach, or no permission)",
                    name: format!("{} — {}", stored.page_id, stored.url),
                },
                _ => e,
            })?;
        let remote = current.version.unwrap_or(stored.version);
        if remote != stored.version {
            return Err(Error::EditedElsewhere {
                document: stored.document_id.clone(),
                connection: view.name.clone(),
                remote,
                local: stored.version,
                url: stored.url.clone(),
            });
        }
        Ok(())
    }

    /// Journals and sends one file; true if bytes were sent.
    async fn upload(&self, prep: &Prepared, file: &PlannedFile, minor_edit: bool) -> Result<bool> {
        let entry = {
            let core = lock(&self.core)?;
            // Diagrams are drawn at publish time: keep their bytes where the
            // delivery (now, or after a crash) reads them.
            asset_repo::put_blob(core.db(), &file.sha256, &file.bytes)?;
            core.journal_write(&upload_journal(
                &prep.view.id,
                AttachmentUpload {
                    document: prep.doc.id.clone(),
                    name: file.name.clone(),
                    media_type: file.media_type.clone(),
                    sha256: file.sha256.clone(),
                    comment: file.comment.clone(),
                    minor_edit,
                },
            ))?
        };
        let result = self.deliver::<AttachmentUpload>(&entry.id).await;
        self.audit_write(
            "document.attach",
            &prep.view.name,
            &match &result {
                Ok(a) => format!(
                    "document={} attachment={} name={} version={} sha256={} sent={}",
                    prep.doc.id, a.attachment_id, a.name, a.version, file.sha256, a.sent
                ),
                Err(e) => format!("entry={} reason={:?}", entry.id, e.kind()),
            },
            result.is_ok(),
        )?;
        Ok(result?.sent)
    }

    async fn sync_labels(&self, prep: &Prepared, previous: &[String]) -> Result<()> {
        let entry = lock(&self.core)?.journal_write(&labels_journal(
            &prep.view.id,
            LabelSync {
                document: prep.doc.id.clone(),
                labels: prep.plan.labels.clone(),
                previous: previous.to_vec(),
            },
        ))?;
        let result = self.deliver::<LabelSync>(&entry.id).await;
        self.audit_write(
            "document.labels",
            &prep.view.name,
            &match &result {
                Ok(labels) => format!("document={} labels={}", prep.doc.id, labels.join(",")),
                Err(e) => format!("entry={} reason={:?}", entry.id, e.kind()),
            },
            result.is_ok(),
        )?;
        result.map(|_| ())
    }

    fn audit_write(
        &self,
        action: &'static str,
        connection: &str,
        detail: &str,
        ok: bool,
    ) -> Result<()> {
        let core = lock(&self.core)?;
        audit::append(
            core.db(),
            &Event {
                actor: core.actor(),
                action,
                connection: Some(connection),
                outcome: if ok { Outcome::Ok } else { Outcome::Failed },
                detail: detail.to_owned(),
            },
        )?;
        Ok(())
    }

    /// The requests `publish_document` would send now (`--dry-run`):
    /// nothing is journaled or sent, no secret is opened.
    pub fn publish_requests(
        &self,
        doc_id: &str,
        to: &str,
        options: &PublishOptions,
    ) -> Result<Vec<PlannedRequest>> {
        let prep = self.prepare_publish(doc_id, to, options)?;
        if prep.nothing_to_send() {
            return Ok(Vec::new());
        }
        let root = super::rest_root(&prep.view)?;
        // Requests are only built, never sent: no credential is needed.
        let client = ConfluenceClient::new(self.http.clone(), &root, unsent());
        const NEW: &str = "NEW_PAGE_ID";
        let page_id = prep
            .page
            .as_ref()
            .map(|p| p.page_id.clone())
            .unwrap_or_else(|| NEW.to_owned());
        let mut out = Vec::new();
        let title = prep.doc.title.clone();
        match &prep.page {
            None => out.push(planned(
                client.create_page_request(&NewPage {
                    space_key: prep.space.as_deref().unwrap_or_default(),
                    title: &title,
                    parent_id: prep.parent.as_deref(),
                    storage: &prep.plan.storage,
                    bridge_key: &prep.doc.id,
                }),
                None,
            )?),
            Some(stored) if prep.page_write => {
                out.push(planned(client.get_page_request(&stored.page_id), None)?)
            }
            Some(_) => {}
        }
        for file in &prep.files {
            let upload = Upload {
                file_name: &file.name,
                media_type: &file.media_type,
                bytes: &file.bytes,
                comment: file.comment.as_deref(),
                sha256: &file.sha256,
                minor_edit: options.minor_edit,
            };
            let request = match prep.attached.get(&file.name) {
                Some(id) => client.attachment_data_request(&page_id, id, &upload),
                None => client.add_attachment_request(&page_id, &upload),
            };
            let described = format!(
                "multipart/form-data: file \"{}\" ({} bytes, {}, sha256 {}); comment \"{}\"; minorEdit {}",
                file.name,
                file.bytes.len(),
                file.media_type,
                file.sha256,
                crate::providers::confluence::attachments::comment_for(&upload),
                options.minor_edit
            );
            out.push(planned(request, Some(described))?);
        }
        if let (Some(stored), true) = (&prep.page, prep.page_write) {
            out.push(planned(
                client.update_page_request_with(
                    &stored.page_id,
                    &title,
                    &prep.plan.storage,
                    stored.version + 1,
                    options.minor_edit,
                ),
                None,
            )?);
        }
        if let Some(previous) = &prep.labels_from {
            out.push(planned(client.labels_request(&page_id), None)?);
            let missing: Vec<String> = prep
                .plan
                .labels
                .iter()
                .filter(|l| !previous.contains(l))
                .cloned()
                .collect();
            if !missing.is_empty() {
                out.push(planned(
                    client.add_labels_request(&page_id, &missing),
                    None,
                )?);
            }
            for gone in previous.iter().filter(|l| !prep.plan.labels.contains(l)) {
                out.push(planned(client.remove_label_request(&page_id, gone), None)?);
            }
        }
        Ok(out)
    }
}

/// A built request as text (see [`PlannedRequest::from_request`]).
fn planned(request: reqwest::RequestBuilder, described: Option<String>) -> Result<PlannedRequest> {
    PlannedRequest::from_request(request, described)
}
