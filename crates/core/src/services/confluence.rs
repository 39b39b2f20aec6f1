//! Confluence operations by connection name, and publishing documents.

use serde::Serialize;

use super::Services;
use crate::audit::{self, Event, Outcome};
use crate::connections::{AuthType, ConnectionView, Provider};
use crate::docs::storage::markdown_to_storage;
use crate::docs::PublishedPage;
use crate::error::{Error, ErrorKind, Result};
use crate::http::HttpError;
use crate::oauth::lock;
use crate::providers::confluence::{cql, ConfluenceClient, NewPage, Page, SearchPage, Space};
use crate::store::documents::{self as repo, DocumentRow, PageRow};
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
                    reason: format!(
                        "no Atlassian site chosen yet; run `ibridge connect {}`",
                        view.name
                    ),
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    pub document_id: String,
    pub page: PublishedPage,
    /// True for the first publish (a page was created).
    pub created: bool,
}

/// What `doc publish` takes besides the document and connection.
#[derive(Debug, Clone, Default)]
pub struct PublishOptions {
    pub space: Option<String>,
    pub parent: Option<String>,
    /// Overwrite a page someone edited in Confluence since our last publish.
    pub force: bool,
}

impl Services {
    pub(crate) async fn confluence(
        &self,
        name: &str,
        purpose: &str,
    ) -> Result<(ConnectionView, ConfluenceClient)> {
        let view = lock(&self.core)?.show_connection(name)?;
        Self::require_provider(&view, Provider::Confluence, "connection")?;
        let root = rest_root(&view)?;
        let (view, auth) = self.resolve(&view.name, purpose).await?;
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

    /// Publishes document `doc_id` to connection `to`: the first time
    /// creates the page (one request), later times update it (read the
    /// version, write the next one).
    pub async fn publish_document(
        &self,
        doc_id: &str,
        to: &str,
        options: PublishOptions,
    ) -> Result<Published> {
        let (doc, view, existing) = {
            let core = lock(&self.core)?;
            let doc = core.find_document(doc_id)?;
            let view = core.show_connection(to)?;
            Self::require_provider(&view, Provider::Confluence, "to")?;
            let existing = repo::find_page(core.db(), &doc.id, &view.id)?;
            (doc, view, existing)
        };
        if let Some(parent) = &options.parent {
            if !(1..=20).contains(&parent.len()) || !parent.chars().all(|c| c.is_ascii_digit()) {
                return Err(Error::invalid(
                    "parent",
                    format!("'{parent}' is not a page id (digits)"),
                ));
            }
        }
        let storage = markdown_to_storage(&doc.markdown);
        let result = match existing {
            Some(page) => {
                self.update_published(&doc, &view, page, &storage, options.force)
                    .await
            }
            None => self.create_published(&doc, &view, &storage, &options).await,
        };
        let core = lock(&self.core)?;
        audit::append(
            core.db(),
            &Event {
                actor: core.actor(),
                action: "document.publish",
                connection: Some(&view.name),
                outcome: if result.is_ok() {
                    Outcome::Ok
                } else {
                    Outcome::Failed
                },
                detail: match &result {
                    Ok(p) => format!(
                        "document={} page={} version={} created={}",
                        doc.id, p.page.page_id, p.page.version, p.created
                    ),
                    Err(e) => format!("document={} reason={:?}", doc.id, e.kind()),
                },
            },
        )?;
        result
    }

    async fn create_published(
        &self,
        doc: &DocumentRow,
        view: &ConnectionView,
        storage: &str,
        options: &PublishOptions,
    ) -> Result<Published> {
        let space = options
            .space
            .clone()
            .or_else(|| view.config.space.clone())
            .ok_or_else(|| {
                Error::invalid(
                    "space",
                    format!(
                        "pass --space KEY (connection '{}' has no default space)",
                        view.name
                    ),
                )
            })?;
        let space = cql::validate_space_key(&space)?;
        let key = format!("confluence.create_page:{}:{}", view.id, doc.id);
        let entry = {
            let core = lock(&self.core)?;
            let entry = core.journal_write(
                &key,
                &view.id,
                "confluence.create_page",
                &doc.id,
                &serde_json::json!({ "document": doc.id, "space": space }),
            )?;
            core.outbox_in_flight(&entry.id)?;
            entry
        };
        let (_, client) = self.confluence(&view.name, "publish document").await?;
        let sent = client
            .create_page(&NewPage {
                space_key: &space,
                title: &doc.title,
                parent_id: options.parent.as_deref(),
                storage,
                bridge_key: &doc.id,
            })
            .await;
        let created = match sent {
            Ok(page) => Ok((page, true)),
            // Confluence refuses a second page with the same title in a
            // space. If that page carries our key, it is ours (an earlier
            // create whose answer was lost): adopt it and bring it up to date.
            Err(Error::Http(HttpError::Rejected {
                status: 400,
                excerpt,
            })) if excerpt.contains("already exists") => {
                match client.find_by_title(&space, &doc.title).await? {
                    Some(found) if found.bridge_key.as_deref() == Some(doc.id.as_str()) => Ok((found, false)),
                    Some(found) => Err(Error::Conflict(format!(
                        "a page titled '{}' already exists in space {space}{}; rename the document or remove that page",
                        doc.title,
                        found.url.map(|u| format!(" ({u})")).unwrap_or_default()
                    ))),
                    None => Err(HttpError::Rejected { status: 400, excerpt }.into()),
                }
            }
            Err(e) => Err(e),
        };
        // The guard is scoped so it is never held across the `.await` below.
        let adopted = {
            let core = lock(&self.core)?;
            match created {
                Ok((page, fresh)) => {
                    let row = page_row(doc, view, &page, &space, page.version.unwrap_or(1));
                    core.outbox_done_with(&entry.id, |tx| Ok(repo::upsert_page(tx, &row)?))?;
                    if fresh {
                        return Ok(Published {
                            document_id: doc.id.clone(),
                            page: published_view(view, &row),
                            created: true,
                        });
                    }
                    row
                }
                Err(e) => {
                    core.outbox_failed(&entry.id, &e, entry.attempts + 1)?;
                    return Err(e);
                }
            }
        };
        // Adopted: write the current content over it.
        self.update_published(doc, view, adopted, storage, true)
            .await
    }

    async fn update_published(
        &self,
        doc: &DocumentRow,
        view: &ConnectionView,
        stored: PageRow,
        storage: &str,
        force: bool,
    ) -> Result<Published> {
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
        if remote != stored.version && !force {
            return Err(Error::Conflict(format!(
                "the page was edited in Confluence since Incident Bridge last published it (version {remote} there, {} here): review it at {} and publish with --force to overwrite",
                stored.version, stored.url
            )));
        }
        let next = remote + 1;
        let key = format!("confluence.update_page:{}:{}:{next}", view.id, doc.id);
        let entry = {
            let core = lock(&self.core)?;
            let entry = core.journal_write(
                &key,
                &view.id,
                "confluence.update_page",
                &doc.id,
                &serde_json::json!({ "document": doc.id, "page": stored.page_id, "version": next }),
            )?;
            core.outbox_in_flight(&entry.id)?;
            entry
        };
        let written = match client
            .update_page(&stored.page_id, &doc.title, storage, next)
            .await
        {
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
            other => other,
        };
        let core = lock(&self.core)?;
        match written {
            Ok(page) => {
                let mut row = page_row(
                    doc,
                    view,
                    &page,
                    &stored.space_key,
                    page.version.unwrap_or(next),
                );
                row.id = stored.id.clone();
                if page.url.is_none() {
                    row.url = stored.url.clone();
                }
                core.outbox_done_with(&entry.id, |tx| Ok(repo::upsert_page(tx, &row)?))?;
                Ok(Published {
                    document_id: doc.id.clone(),
                    page: published_view(view, &row),
                    created: false,
                })
            }
            Err(e) => {
                core.outbox_failed(&entry.id, &e, entry.attempts + 1)?;
                Err(e)
            }
        }
    }
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

fn published_view(view: &ConnectionView, row: &PageRow) -> PublishedPage {
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
