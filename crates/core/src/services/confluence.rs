//! Confluence operations by connection name, and publishing documents.

use serde::Serialize;

use super::deliver::{Attempt, Deliver};
use super::Services;
use crate::app::lock;
use crate::audit::{self, Event, Outcome};
use crate::connections::{AuthType, ConnectionView, Provider};
use crate::docs::PublishedPage;
use crate::error::{Error, ErrorKind, Result};
use crate::http::HttpError;
use crate::outbox::{Journal, PageCreate, PageUpdate, Write};
use crate::providers::confluence::{cql, ConfluenceClient, NewPage, Page, SearchPage, Space};
use crate::store::documents::{self as repo, DocumentRow, PageRow};
use crate::store::outbox::OutboxRow;
use crate::time::now_rfc3339;

pub const ATLASSIAN_API: &str = "https://api.atlassian.com";

/// Where `/rest/api` hangs off for this connection.
pub fn rest_root(view: &ConnectionView) -> Result<String> {
    match view.auth_type {
        AuthType::OAuth2 => {
            let cloud_id = view
                .config
                .cloud_id
                .as_deref()
                .ok_or_else(|| Error::AuthNeeded {
                    connection: view.name.clone(),
                    reason: "no Atlassian site chosen yet".into(),
                })?;
            let gateway = view.config.api_url.as_deref().unwrap_or(ATLASSIAN_API);
            Ok(format!(
                "{}/ex/confluence/{cloud_id}/wiki",
                gateway.trim_end_matches('/')
            ))
        }
        _ => Ok(Services::api_base(view).to_owned()),
    }
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    pub document_id: String,
    pub page: PublishedPage,
    /// True for the first publish (a page was created).
    pub created: bool,
    /// Nothing changed since the last publish: nothing was sent.
    pub unchanged: bool,
    /// File names uploaded by this publish (new attachments or versions).
    pub uploaded: Vec<String>,
}

/// What `doc publish` takes besides the document and connection.
#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    pub space: Option<String>,
    pub parent: Option<String>,
    /// Overwrite a page someone edited in Confluence since our last publish.
    pub force: bool,
    /// Update without notifying the page's watchers.
    pub minor_edit: bool,
}

impl Services {
    pub(crate) async fn confluence(
        &self,
        name: &str,
        purpose: &str,
    ) -> Result<(ConnectionView, ConfluenceClient)> {
        let (view, auth, root) = self
            .resolve(name, Provider::Confluence, purpose, rest_root)
            .await?;
        Ok((view, ConfluenceClient::new(self.http.clone(), &root, auth)))
    }

    pub async fn confluence_spaces(&self, name: &str) -> Result<Vec<Space>> {
        let (_, client) = self.confluence(name, "confluence spaces").await?;
        client.spaces().await
    }

    pub async fn confluence_search(
        &self,
        name: &str,
        text: &str,
        space: Option<&str>,
        limit: u32,
        start: u32,
    ) -> Result<SearchPage> {
        if text.trim().is_empty() {
            return Err(Error::invalid("query", "must not be empty"));
        }
        if let Some(space) = space {
            cql::validate_space_key(space)?;
        }
        let (_, client) = self.confluence(name, "confluence search").await?;
        client.search(text, space, limit, start).await
    }

    /// Writes document `doc_id`'s page on connection `to`: the first time
    /// creates it (one request), later times update it (read the version,
    /// write the next one). Either way the write is journaled first.
    /// [`Services::publish_document`] decides whether this is needed.
    pub(crate) async fn publish_page(
        &self,
        doc_id: &str,
        to: &str,
        options: PublishOptions,
    ) -> Result<Published> {
        if let Some(parent) = &options.parent {
            if !(1..=20).contains(&parent.len()) || !parent.chars().all(|c| c.is_ascii_digit()) {
                return Err(Error::invalid(
                    "parent",
                    format!("'{parent}' is not a page id (digits)"),
                ));
            }
        }
        let (entry, updating) = {
            let core = lock(&self.core)?;
            let doc = core.find_document(doc_id)?;
            let view = core.show_connection(to)?;
            Self::require_provider(&view, Provider::Confluence, "to")?;
            match repo::find_page(core.db(), &doc.id, &view.id)? {
                Some(page) => (
                    core.journal_write(&update_journal(
                        &view,
                        &doc.id,
                        page.version,
                        options.force,
                        options.minor_edit,
                    ))?,
                    true,
                ),
                None => {
                    let space = options
                        .space
                        .clone()
                        .or_else(|| view.config.space.clone())
                        .ok_or_else(|| {
                            Error::missing(
                                "space",
                                format!(
                                    "choose the space to publish to (connection '{}' has no default space)",
                                    view.name
                                ),
                            )
                        })?;
                    let space = cql::validate_space_key(&space)?;
                    let write: Write = PageCreate {
                        document: doc.id.clone(),
                        space,
                        parent: options.parent.clone(),
                    }
                    .into();
                    let journal = Journal {
                        key: format!("{}:{}:{}", write.kind(), view.id, doc.id),
                        connection_id: &view.id,
                        write,
                    };
                    (core.journal_write(&journal)?, false)
                }
            }
        };
        let result = if updating {
            self.deliver::<PageUpdate>(&entry.id).await
        } else {
            self.deliver::<PageCreate>(&entry.id).await
        };
        self.audit_publish(to, &entry.id, &result)?;
        result
    }

    /// Records a publish (or its failure) in the audit log.
    fn audit_publish(&self, to: &str, entry: &str, result: &Result<Published>) -> Result<()> {
        let core = lock(&self.core)?;
        audit::append(
            core.db(),
            &Event {
                actor: core.actor(),
                action: "document.publish",
                connection: Some(to),
                outcome: if result.is_ok() {
                    Outcome::Ok
                } else {
                    Outcome::Failed
                },
                detail: match result {
                    Ok(p) => format!(
                        "document={} page={} version={} created={}",
                        p.document_id, p.page.page_id, p.page.version, p.created
                    ),
                    Err(e) => format!("entry={entry} reason={:?}", e.kind()),
                },
            },
        )?;
        Ok(())
    }

    /// Writes the document's content over the page just adopted as its
    /// own, as a journaled update of its own (forced: the page was found,
    /// not written, by this entry).
    async fn overwrite_adopted(
        &self,
        doc: &DocumentRow,
        view: &ConnectionView,
    ) -> Result<Published> {
        let entry = {
            let core = lock(&self.core)?;
            let page = repo::find_page(core.db(), &doc.id, &view.id)?.ok_or_else(|| {
                Error::Internal(format!(
                    "the page adopted for document {} was not stored",
                    doc.id
                ))
            })?;
            core.journal_write(&update_journal(view, &doc.id, page.version, true, false))?
        };
        let result = self.deliver::<PageUpdate>(&entry.id).await;
        self.audit_publish(&view.name, &entry.id, &result)?;
        result
    }

    fn publish_context(
        &self,
        document: &str,
        entry: &OutboxRow,
    ) -> Result<(DocumentRow, ConnectionView, Option<PageRow>)> {
        let core = lock(&self.core)?;
        let doc = core.find_document(document)?;
        let view = core.view_by_id(&entry.connection_id)?;
        let page = repo::find_page(core.db(), &doc.id, &view.id)?;
        Ok((doc, view, page))
    }

    /// The page titled like `doc` in `space` if it carries `doc`'s key;
    /// a stranger page with that title is a conflict.
    async fn ours_by_title(
        &self,
        client: &ConfluenceClient,
        space: &str,
        doc: &DocumentRow,
    ) -> Result<Option<Page>> {
        match client.find_by_title(space, &doc.title).await? {
            Some(found) if found.bridge_key.as_deref() == Some(doc.id.as_str()) => Ok(Some(found)),
            Some(found) => Err(Error::Conflict(format!(
                "a page titled '{}' already exists in space {space}{}; rename the document or remove that page",
                doc.title,
                found.url.map(|u| format!(" ({u})")).unwrap_or_default()
            ))),
            None => Ok(None),
        }
    }

    /// Records the created (or adopted) page; `body_hash` when this
    /// document's content is what the page now holds.
    fn store_created(
        &self,
        entry: &OutboxRow,
        doc: &DocumentRow,
        view: &ConnectionView,
        page: &Page,
        space: &str,
        body_hash: Option<&str>,
    ) -> Result<Published> {
        let row = page_row(doc, view, page, space, page.version.unwrap_or(1));
        lock(&self.core)?.outbox_done_with(&entry.id, |tx| {
            repo::upsert_page(tx, &row)?;
            record_body(tx, doc, view, body_hash)
        })?;
        Ok(Published {
            document_id: doc.id.clone(),
            page: published_view(view, &row),
            created: true,
            unchanged: false,
            uploaded: Vec::new(),
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn store_updated(
        &self,
        entry: &OutboxRow,
        doc: &DocumentRow,
        view: &ConnectionView,
        stored: &PageRow,
        page: &Page,
        version: i64,
        body_hash: Option<&str>,
    ) -> Result<Published> {
        let mut row = page_row(doc, view, page, &stored.space_key, version);
        row.id = stored.id.clone();
        if page.url.is_none() {
            row.url = stored.url.clone();
        }
        lock(&self.core)?.outbox_done_with(&entry.id, |tx| {
            repo::upsert_page(tx, &row)?;
            record_body(tx, doc, view, body_hash)
        })?;
        Ok(Published {
            document_id: doc.id.clone(),
            page: published_view(view, &row),
            created: false,
            unchanged: false,
            uploaded: Vec::new(),
        })
    }
}

/// Creates the page. An entry tried before may have created it already
/// (a kill, or an answer lost on the way back): then the page is looked up
/// first, by its title in the space, and adopted when its `incident-bridge`
/// content property holds this document's key — no second create is sent.
impl Deliver for PageCreate {
    type Output = Published;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<Published> {
        let entry = &attempt.entry;
        let (doc, view, already) = services.publish_context(&self.document, entry)?;
        if let Some(page) = already {
            lock(&services.core)?.outbox_done_with(&entry.id, |_| Ok(()))?;
            return Ok(Published {
                document_id: doc.id.clone(),
                page: published_view(&view, &page),
                created: false,
                unchanged: false,
                uploaded: Vec::new(),
            });
        }
        let (_, client) = services.confluence(&view.name, "publish document").await?;
        if attempt.resend {
            if let Some(found) = services.ours_by_title(&client, &self.space, &doc).await? {
                return services.store_created(entry, &doc, &view, &found, &self.space, None);
            }
        }
        let plan = lock(&services.core)?.publish_plan(&doc, Some(&view.id))?;
        let storage = plan.storage;
        let sent = client
            .create_page(&NewPage {
                space_key: &self.space,
                title: &doc.title,
                parent_id: self.parent.as_deref(),
                storage: &storage,
                bridge_key: &doc.id,
            })
            .await;
        match sent {
            Ok(page) => services.store_created(
                entry,
                &doc,
                &view,
                &page,
                &self.space,
                Some(&plan.body_hash),
            ),
            // Confluence refuses a second page with the same title in a
            // space. If that page carries our key it is ours (e.g. its local
            // record was lost): adopt it, then write our content over it.
            Err(Error::Http(HttpError::Rejected {
                status: 400,
                excerpt,
            })) if excerpt.contains("already exists") => {
                match services.ours_by_title(&client, &self.space, &doc).await? {
                    Some(found) => {
                        services.store_created(entry, &doc, &view, &found, &self.space, None)?;
                        services.overwrite_adopted(&doc, &view).await
                    }
                    None => Err(HttpError::Rejected {
                        status: 400,
                        excerpt,
                    }
                    .into()),
                }
            }
            Err(e) => Err(e),
        }
    }
}

/// Writes the next version. Refuses to overwrite edits made in
/// Confluence since our last publish unless forced; an `interrupted`
/// entry whose version already landed is just recorded.
impl Deliver for PageUpdate {
    type Output = Published;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<Published> {
        let (entry, interrupted, force) = (&attempt.entry, attempt.interrupted, self.force);
        let (doc, view, stored) = services.publish_context(&self.document, entry)?;
        let stored = stored.ok_or_else(|| Error::NotFound {
            what: "published page for document",
            name: doc.id.clone(),
        })?;
        let (_, client) = services.confluence(&view.name, "publish document").await?;
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
        let plan = lock(&services.core)?.publish_plan(&doc, Some(&view.id))?;
        if interrupted && remote == stored.version + 1 {
            return services.store_updated(
                entry,
                &doc,
                &view,
                &stored,
                &current,
                remote,
                Some(&plan.body_hash),
            );
        }
        if remote != stored.version && !force {
            return Err(Error::EditedElsewhere {
                document: doc.id.clone(),
                connection: view.name.clone(),
                remote,
                local: stored.version,
                url: stored.url.clone(),
            });
        }
        let next = remote + 1;
        match client
            .update_page_with(
                &stored.page_id,
                &doc.title,
                &plan.storage,
                next,
                self.minor_edit,
            )
            .await
        {
            Ok(page) => {
                let version = page.version.unwrap_or(next);
                services.store_updated(
                    entry,
                    &doc,
                    &view,
                    &stored,
                    &page,
                    version,
                    Some(&plan.body_hash),
                )
            }
            Err(Error::Http(HttpError::Conflict { .. })) => {
                let now = client
                    .get_page(&stored.page_id)
                    .await
                    .ok()
                    .and_then(|p| p.version);
                Err(Error::Conflict(format!(
                    "someone saved the page while it was being published: Confluence has version {}, this publish would have been version {next}. Review {} and publish again",
                    now.map(|v| v.to_string()).unwrap_or_else(|| "?".into()),
                    stored.url
                )))
            }
            Err(e) => Err(e),
        }
    }
}

/// The journal entry that writes the next version of `document`'s page,
/// keyed by the version it starts from, so one edit is journaled once.
fn update_journal<'a>(
    view: &'a ConnectionView,
    document: &str,
    from: i64,
    force: bool,
    minor_edit: bool,
) -> Journal<'a> {
    let write: Write = PageUpdate {
        document: document.to_owned(),
        force,
        minor_edit,
    }
    .into();
    Journal {
        key: format!(
            "{}:{}:{document}:from-{from}:{}",
            write.kind(),
            view.id,
            if force { "force" } else { "safe" }
        ),
        connection_id: &view.id,
        write,
    }
}

/// The page now holds `doc`'s content as of `body_hash`.
fn record_body(
    tx: &rusqlite::Connection,
    doc: &DocumentRow,
    view: &ConnectionView,
    body_hash: Option<&str>,
) -> Result<()> {
    if let Some(hash) = body_hash {
        crate::store::assets::set_body_state(tx, &doc.id, &view.id, hash, &doc.markdown)?;
    }
    Ok(())
}

fn page_row(
    doc: &DocumentRow,
    view: &ConnectionView,
    page: &Page,
    space: &str,
    version: i64,
) -> PageRow {
    PageRow {
        id: uuid::Uuid::new_v4().to_string(),
        document_id: doc.id.clone(),
        connection_id: view.id.clone(),
        page_id: page.id.clone(),
        space_key: page.space_key.clone().unwrap_or_else(|| space.to_owned()),
        title: doc.title.clone(),
        version,
        url: page.url.clone().unwrap_or_default(),
        published_at: now_rfc3339(),
    }
}

pub(super) fn published_view(view: &ConnectionView, row: &PageRow) -> PublishedPage {
    PublishedPage {
        connection: view.name.clone(),
        page_id: row.page_id.clone(),
        space_key: row.space_key.clone(),
        title: row.title.clone(),
        version: row.version,
        url: row.url.clone(),
        published_at: row.published_at.clone(),
    }
}
