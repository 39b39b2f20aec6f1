//! `doc actions`: an RCA's action items filed as Azure DevOps work items or
//! ServiceNow tasks, each once. All items are journaled together (one
//! outbox write each, keyed by document and item), then sent one by one;
//! each delivery looks its item up by that key first (the
//! `ibridge-action-…` tag, or `correlation_id`), so a re-send after a crash
//! or a repeat run links what exists instead of filing it again.
//!
//! Publishing reads each filed item's state first ([`Services::refresh_action_items`]),
//! so the page shows it, and ticks the box of an item that is done.

use std::collections::BTreeMap;

use rusqlite::{Transaction, TransactionBehavior};
use serde::Serialize;

use super::deliver::{Attempt, Deliver};
use super::dry_run::{PlannedRequest, Preview};
use super::Services;
use crate::app::{lock, Core};
use crate::connections::{ConnectionView, Provider};
use crate::docs::action_items::{self, ActionItem, Annotation};
use crate::error::{Error, Result};
use crate::outbox::{ActionItemCreate, Journal};
use crate::providers::azure_devops::{self as ado, AdoClient, NewActionItem};
use crate::providers::servicenow::{check_task_table, NewSnTask, SnTask};
use crate::store::action_items::{self as repo, ActionItemRow, RemoteItem};
use crate::store::documents::DocumentRow;
use crate::store::incidents as links;
use crate::time::now_rfc3339;

/// One action item of a document and where it is filed.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionItemView {
    pub key: String,
    pub title: String,
    pub owner: String,
    pub due: Option<String>,
    /// Ticked in the document itself.
    pub checked: bool,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub line: usize,
    pub filings: Vec<ActionItemFiling>,
}

/// Where one action item is filed (or waiting to be).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionItemFiling {
    pub connection: String,
    /// The work item type, or the ServiceNow table.
    pub filed_as: String,
    /// `#1001`, or the task number; none while it waits in the outbox.
    pub external_key: Option<String>,
    pub url: Option<String>,
    /// The state last read from the service.
    pub state: Option<String>,
    pub done: bool,
}

/// What filing one action item did.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FiledActionItem {
    pub document_id: String,
    pub key: String,
    pub title: String,
    pub filing: ActionItemFiling,
    /// False when it existed already (filed before, or found at the
    /// service by its key).
    pub created: bool,
}

/// What filing a document's action items on one connection will do.
struct PreparedItems {
    view: ConnectionView,
    /// Item keys in document order.
    order: Vec<String>,
    filed: Vec<FiledActionItem>,
    writes: Vec<(ActionItem, ActionItemCreate)>,
}

/// The per-connection choice of what action items become, and what they
/// are linked to.
struct Target {
    view: ConnectionView,
    filed_as: String,
    /// Work item id or sys_id to link to; for a `problem_task`, the
    /// incident's sys_id until the problem is read from it.
    link: Option<String>,
}

fn filing_of(view_name: &str, row: &ActionItemRow) -> ActionItemFiling {
    ActionItemFiling {
        connection: view_name.to_owned(),
        filed_as: row.filed_as.clone(),
        external_key: row.external_key.clone(),
        url: row.url.clone(),
        state: row.remote_state.clone(),
        done: row.remote_done,
    }
}

/// The idempotency key of filing `item_key` of `document` on `connection_id`.
fn journal_key(connection_id: &str, document: &str, item_key: &str) -> String {
    format!("action_items.file:{connection_id}:{document}:{item_key}")
}

/// What ServiceNow's `correlation_id` carries for an item.
fn correlation(document: &str, item_key: &str) -> String {
    format!("{document}:{item_key}")
}

impl Core {
    /// The document's action items, each with where it is filed.
    pub fn action_items(&self, doc_id: &str) -> Result<Vec<ActionItemView>> {
        let doc = self.find_document(doc_id)?;
        let items = action_items::parse(&doc.markdown)?;
        let rows = repo::for_document(self.db(), &doc.id)?;
        let mut names = BTreeMap::new();
        for row in &rows {
            if !names.contains_key(&row.connection_id) {
                let name = self
                    .view_by_id(&row.connection_id)
                    .map(|v| v.name)
                    .unwrap_or_else(|_| row.connection_id.clone());
                names.insert(row.connection_id.clone(), name);
            }
        }
        Ok(items
            .into_iter()
            .map(|item| ActionItemView {
                filings: rows
                    .iter()
                    .filter(|r| r.item_key == item.key)
                    .map(|r| filing_of(&names[&r.connection_id], r))
                    .collect(),
                key: item.key,
                title: item.title,
                owner: item.owner,
                due: item.due.map(|d| d.to_string()),
                checked: item.checked,
                line: item.line,
            })
            .collect())
    }

    /// Links and states of the document's filed items, for publishing.
    pub(crate) fn action_item_annotations(&self, doc: &DocumentRow) -> Result<Vec<Annotation>> {
        Ok(repo::for_document(self.db(), &doc.id)?
            .into_iter()
            .filter_map(|row| {
                Some(Annotation {
                    label: row.external_key?,
                    url: row.url?,
                    key: row.item_key,
                    state: row.remote_state,
                    done: row.remote_done,
                })
            })
            .collect())
    }

    /// The document, its action items, and where they go on `to`.
    fn action_item_target(
        &self,
        doc_id: &str,
        to: &str,
    ) -> Result<(DocumentRow, Vec<ActionItem>, Target)> {
        let doc = self.find_document(doc_id)?;
        let view = self.show_connection(to)?;
        let items = action_items::parse(&doc.markdown)?;
        if items.is_empty() {
            return Err(Error::invalid(
                "document",
                format!(
                    "'{}' has no action items: a task list under an \"Action items\" heading, e.g. '- [ ] Add alert on queue depth — @alice, due 2026-12-20'",
                    doc.title
                ),
            ));
        }
        let incident_link = match &doc.incident_id {
            Some(incident) => links::find_link(self.db(), incident, &view.id)?,
            None => None,
        };
        let filed_as = action_item_kind(self, &view)?;
        let link = match view.provider {
            Provider::AzureDevOps => incident_link.map(|l| l.external_id),
            Provider::ServiceNow => {
                let Some(link) = incident_link else {
                    return Err(Error::invalid(
                        "to",
                        format!(
                            "each {filed_as} belongs to an incident on the instance, and this RCA's incident is not filed on '{}': {}",
                            view.name,
                            match &doc.incident_id {
                                Some(_) => "file the incident there first".to_string(),
                                None => "link the document to an incident and file the incident there first".to_string(),
                            }
                        ),
                    ));
                };
                Some(link.external_id)
            }
            Provider::Confluence => {
                return Err(Error::invalid(
                    "to",
                    format!(
                        "'{}' is a Confluence connection; action items are filed to azure_devops or servicenow",
                        view.name
                    ),
                ))
            }
        };
        Ok((
            doc,
            items,
            Target {
                view,
                filed_as,
                link,
            },
        ))
    }
}

/// The connection setting (kept with its filing defaults, `connections
/// fields NAME --set action_items.type=Issue`) that says what action items
/// become there: a work item type (Azure DevOps, default Task) or a table
/// (ServiceNow, default incident_task).
pub(crate) fn setting_name(provider: Provider) -> &'static str {
    match provider {
        Provider::ServiceNow => "action_items.table",
        _ => "action_items.type",
    }
}

/// Whether `field` names an action-item setting rather than a field sent
/// when filing an incident.
pub(crate) fn is_setting(field: &str) -> bool {
    field.starts_with("action_items.")
}

/// `value` for setting `field` of a `provider` connection, checked and in
/// its canonical spelling.
pub(crate) fn setting_value(provider: Provider, field: &str, value: &str) -> Result<String> {
    let expected = setting_name(provider);
    if field != expected {
        return Err(Error::invalid(
            "field",
            format!("'{field}' is not a setting of {provider} connections; action items are chosen with '{expected}'"),
        ));
    }
    match provider {
        Provider::ServiceNow => Ok(check_task_table(value)?.to_owned()),
        _ => Ok(super::work_item_type(Some(value))
            .map_err(|e| Error::invalid(field, e.to_string()))?
            .to_owned()),
    }
}

/// What action items become on `view`: its setting, else the default.
fn action_item_kind(core: &Core, view: &ConnectionView) -> Result<String> {
    let chosen = crate::store::filing::defaults(core.db(), &view.id)?
        .into_iter()
        .find(|d| d.field == setting_name(view.provider))
        .map(|d| d.value);
    match (view.provider, chosen) {
        (Provider::Confluence, _) => Ok(String::new()),
        (provider, Some(value)) => setting_value(provider, setting_name(provider), &value),
        (Provider::AzureDevOps, None) => Ok(ado::DEFAULT_ACTION_ITEM_TYPE.to_owned()),
        (Provider::ServiceNow, None) => {
            Ok(crate::providers::servicenow::DEFAULT_TASK_TABLE.to_owned())
        }
    }
}

impl Deliver for ActionItemCreate {
    type Output = FiledActionItem;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<FiledActionItem> {
        services.file_action_item(attempt, self).await
    }
}

impl Preview for ActionItemCreate {
    /// The lookup by our key, then the create: what a delivery sends.
    async fn preview(
        &self,
        services: &Services,
        view: &ConnectionView,
    ) -> Result<Vec<PlannedRequest>> {
        let source = lock(&services.core)?.find_document(&self.document)?.title;
        match view.provider {
            Provider::AzureDevOps => {
                let client = services.unsent_ado(view)?;
                let tag = ado::action_item_tag(&self.document, &self.item_key);
                Ok(vec![
                    PlannedRequest::from_request(
                        client.wiql_request(&ado::wiql::by_tag(&tag), 1),
                        None,
                    )?,
                    PlannedRequest::from_request(
                        client.create_request(
                            &self.filed_as,
                            &work_item_operations(&client, self, &source)?,
                        ),
                        None,
                    )?,
                ])
            }
            _ => {
                let client = services.unsent_servicenow(view)?;
                let key = correlation(&self.document, &self.item_key);
                Ok(vec![
                    PlannedRequest::from_request(
                        client.tasks_where_request(
                            &self.filed_as,
                            &crate::providers::servicenow::query::by_correlation(&key),
                            1,
                        ),
                        None,
                    )?,
                    PlannedRequest::from_request(
                        client.create_task_request(&self.filed_as, &sn_task(self, &source)),
                        None,
                    )?,
                ])
            }
        }
    }
}

impl Services {
    /// The document's action items and where each is filed.
    pub fn action_items(&self, doc_id: &str) -> Result<Vec<ActionItemView>> {
        lock(&self.core)?.action_items(doc_id)
    }

    /// Everything filing the action items of `doc_id` on `to` needs,
    /// worked out before anything is journaled: the items filed before,
    /// and the write for each of the others. A `problem_task`'s problem is
    /// read from the incident's record here (a read, also on a dry run).
    async fn prepare_action_items(&self, doc_id: &str, to: &str) -> Result<PreparedItems> {
        let (doc, items, mut target) = lock(&self.core)?.action_item_target(doc_id, to)?;
        let mut filed = Vec::new();
        let mut unfiled = Vec::new();
        {
            let core = lock(&self.core)?;
            for item in &items {
                match repo::find(core.db(), &doc.id, &target.view.id, &item.key)?
                    .filter(|r| r.external_id.is_some())
                {
                    Some(row) => filed.push(FiledActionItem {
                        document_id: doc.id.clone(),
                        key: item.key.clone(),
                        title: item.title.clone(),
                        filing: filing_of(&target.view.name, &row),
                        created: false,
                    }),
                    None => unfiled.push(item.clone()),
                }
            }
        }
        if !unfiled.is_empty() && target.filed_as == "problem_task" {
            target.link = Some(self.problem_of(&target).await?);
        }
        let due_field = if unfiled.iter().any(|i| i.due.is_some()) {
            self.due_field(&target).await
        } else {
            None
        };
        let writes = unfiled
            .iter()
            .map(|item| {
                let write = request_for(&doc, item, &target, due_field.as_deref());
                (item.clone(), write)
            })
            .collect();
        Ok(PreparedItems {
            order: items.iter().map(|i| i.key.clone()).collect(),
            view: target.view,
            filed,
            writes,
        })
    }

    /// Files each action item of document `doc_id` on connection `to`
    /// once: items filed before are reported, not sent again. Every item
    /// is journaled first; then they are sent in order, stopping at the
    /// first that fails (the rest wait in the outbox).
    pub async fn file_action_items(&self, doc_id: &str, to: &str) -> Result<Vec<FiledActionItem>> {
        let prepared = self.prepare_action_items(doc_id, to).await?;
        let mut out = prepared.filed;
        if prepared.writes.is_empty() {
            return Ok(out);
        }
        let view = &prepared.view;
        let entries = {
            let core = lock(&self.core)?;
            let tx = Transaction::new_unchecked(core.db(), TransactionBehavior::Immediate)?;
            let now = now_rfc3339();
            let mut entries = Vec::new();
            for (item, write) in &prepared.writes {
                repo::insert_if_new(
                    &tx,
                    &ActionItemRow {
                        document_id: write.document.clone(),
                        connection_id: view.id.clone(),
                        item_key: item.key.clone(),
                        title: item.title.clone(),
                        owner: item.owner.clone(),
                        due: write.due.clone(),
                        filed_as: write.filed_as.clone(),
                        external_id: None,
                        external_key: None,
                        url: None,
                        remote_state: None,
                        remote_done: false,
                        last_synced_at: None,
                        created_at: now.clone(),
                        updated_at: now.clone(),
                    },
                )?;
                entries.push(core.journal_write(&Journal {
                    key: journal_key(&view.id, &write.document, &item.key),
                    connection_id: &view.id,
                    write: write.clone().into(),
                })?);
            }
            tx.commit()?;
            entries
        };
        for entry in entries {
            out.push(self.deliver::<ActionItemCreate>(&entry.id).await?);
        }
        out.sort_by_key(|f| prepared.order.iter().position(|k| *k == f.key));
        Ok(out)
    }

    /// `--dry-run` and the window's Review step: for each item not filed
    /// yet, the lookup and the create its delivery would send. Nothing is
    /// journaled or sent; no secret is opened except to read a
    /// `problem_task`'s problem.
    pub async fn action_item_requests(
        &self,
        doc_id: &str,
        to: &str,
    ) -> Result<Vec<PlannedRequest>> {
        let prepared = self.prepare_action_items(doc_id, to).await?;
        let mut out = Vec::new();
        for (_, write) in &prepared.writes {
            out.extend(self.preview(&prepared.view, write).await?);
        }
        Ok(out)
    }

    /// Where a due date goes on this connection's work item type: the
    /// first of [`ado::DUE_FIELDS`] the type has, by its field rules
    /// (cached with the filing rules); none if it has neither. Rules that
    /// cannot be read leave the scheduling due date.
    async fn due_field(&self, target: &Target) -> Option<String> {
        if target.view.provider != Provider::AzureDevOps {
            return None;
        }
        match self
            .field_rules(&target.view, Some(&target.filed_as), false)
            .await
        {
            Ok(rules) => ado::DUE_FIELDS
                .iter()
                .find(|f| rules.rule(f).is_some())
                .map(|f| (*f).to_owned()),
            Err(_) => Some(ado::DUE_FIELDS[0].to_owned()),
        }
    }

    /// The problem a `problem_task` belongs to: the one the incident's
    /// ServiceNow record is linked to.
    async fn problem_of(&self, target: &Target) -> Result<String> {
        let incident = target.link.clone().unwrap_or_default();
        let (_, client) = self
            .servicenow(&target.view.name, "file action items")
            .await?;
        client.incident_problem(&incident).await?.ok_or_else(|| {
            Error::invalid(
                "to",
                format!(
                    "a problem_task belongs to a problem, and the incident's record on '{}' is linked to none: set its Problem in ServiceNow, or file the action items as incident_task",
                    target.view.name
                ),
            )
        })
    }

    /// Sends (or finds) one item's work item or task and records it.
    async fn file_action_item(
        &self,
        attempt: &Attempt,
        request: ActionItemCreate,
    ) -> Result<FiledActionItem> {
        let entry = &attempt.entry;
        let view = lock(&self.core)?.view_by_id(&entry.connection_id)?;
        let existing = {
            let core = lock(&self.core)?;
            repo::find(core.db(), &request.document, &view.id, &request.item_key)?
        };
        if let Some(row) = existing.clone().filter(|r| r.external_id.is_some()) {
            // Filed meanwhile (e.g. by another run): nothing to send.
            lock(&self.core)?.outbox_done_with(&entry.id, |_| Ok(()))?;
            return Ok(FiledActionItem {
                document_id: request.document.clone(),
                key: request.item_key.clone(),
                title: request.title.clone(),
                filing: filing_of(&view.name, &row),
                created: false,
            });
        }
        let source = {
            let core = lock(&self.core)?;
            core.find_document(&request.document)
                .map(|d| d.title)
                .unwrap_or_else(|_| request.document.clone())
        };
        let (remote, created) = match view.provider {
            Provider::AzureDevOps => self.send_work_item(&view, &request, &source).await?,
            _ => self.send_task(&view, &request, &source).await?,
        };
        let now = now_rfc3339();
        let row = ActionItemRow {
            document_id: request.document.clone(),
            connection_id: view.id.clone(),
            item_key: request.item_key.clone(),
            title: request.title.clone(),
            owner: request.owner.clone(),
            due: request.due.clone(),
            filed_as: request.filed_as.clone(),
            external_id: Some(remote.external_id.clone()),
            external_key: Some(remote.external_key.clone()),
            url: Some(remote.url.clone()),
            remote_state: remote.state.clone(),
            remote_done: remote.done,
            last_synced_at: Some(now.clone()),
            created_at: existing
                .map(|r| r.created_at)
                .unwrap_or_else(|| now.clone()),
            updated_at: now.clone(),
        };
        lock(&self.core)?.outbox_done_with(&entry.id, |tx| {
            repo::insert_if_new(tx, &row)?;
            Ok(repo::set_filed(
                tx,
                &row.document_id,
                &row.connection_id,
                &row.item_key,
                &remote,
                &now,
            )?)
        })?;
        Ok(FiledActionItem {
            document_id: request.document,
            key: request.item_key,
            title: request.title,
            filing: filing_of(&view.name, &row),
            created,
        })
    }

    /// Looks the work item up by its tag first (every attempt); creates it
    /// only when the project has none.
    async fn send_work_item(
        &self,
        view: &ConnectionView,
        request: &ActionItemCreate,
        source: &str,
    ) -> Result<(RemoteItem, bool)> {
        let (_, client) = self.azure_devops(&view.name, "file action items").await?;
        let tag = ado::action_item_tag(&request.document, &request.item_key);
        if let Some(found) = client.find_by_tag(&tag).await? {
            return Ok((remote_work_item(view, found), false));
        }
        let ops = work_item_operations(&client, request, source)?;
        let created = client.create(&request.filed_as, &ops).await?;
        Ok((remote_work_item(view, created), true))
    }

    /// Looks the task up by `correlation_id` first (every attempt); creates
    /// it only when the instance has none.
    async fn send_task(
        &self,
        view: &ConnectionView,
        request: &ActionItemCreate,
        source: &str,
    ) -> Result<(RemoteItem, bool)> {
        let (_, client) = self.servicenow(&view.name, "file action items").await?;
        let key = correlation(&request.document, &request.item_key);
        if let Some(found) = client.find_task(&request.filed_as, &key).await? {
            return Ok((remote_task(found), false));
        }
        let created = client
            .create_task(&request.filed_as, &sn_task(request, source))
            .await?;
        Ok((remote_task(created), true))
    }

    /// Reads the current state of every filed action item of `doc_id`
    /// and stores it. A service that cannot be reached keeps the last
    /// known state (said in the log), so a publish still goes ahead.
    pub(crate) async fn refresh_action_items(&self, doc_id: &str) -> Result<()> {
        let rows = {
            let core = lock(&self.core)?;
            let doc = core.find_document(doc_id)?;
            repo::for_document(core.db(), &doc.id)?
        };
        let mut by_target: BTreeMap<(String, String), Vec<ActionItemRow>> = BTreeMap::new();
        for row in rows.into_iter().filter(|r| r.external_id.is_some()) {
            by_target
                .entry((row.connection_id.clone(), row.filed_as.clone()))
                .or_default()
                .push(row);
        }
        for ((connection_id, filed_as), rows) in by_target {
            if let Err(e) = self.refresh_group(&connection_id, &filed_as, &rows).await {
                tracing::warn!(error = %e, "could not read the state of action items; the page shows the last known state");
            }
        }
        Ok(())
    }

    async fn refresh_group(
        &self,
        connection_id: &str,
        filed_as: &str,
        rows: &[ActionItemRow],
    ) -> Result<()> {
        let view = lock(&self.core)?.view_by_id(connection_id)?;
        let ids: Vec<String> = rows.iter().filter_map(|r| r.external_id.clone()).collect();
        let states: BTreeMap<String, (Option<String>, bool)> = match view.provider {
            Provider::AzureDevOps => {
                let (_, client) = self.azure_devops(&view.name, "read action items").await?;
                let numbers: Vec<u64> = ids.iter().filter_map(|i| i.parse().ok()).collect();
                client
                    .read_many(&numbers, &["System.Id", "System.State"])
                    .await?
                    .into_iter()
                    .map(|w| {
                        let state = w.field_text("System.State");
                        let done = state.as_deref().is_some_and(ado::is_done);
                        (w.id.to_string(), (state, done))
                    })
                    .collect()
            }
            _ => {
                let (_, client) = self.servicenow(&view.name, "read action items").await?;
                client
                    .tasks(filed_as, &ids)
                    .await?
                    .into_iter()
                    .map(|t| {
                        let done = t.done();
                        (t.sys_id, (t.state, done))
                    })
                    .collect()
            }
        };
        let core = lock(&self.core)?;
        let now = now_rfc3339();
        for row in rows {
            let Some((state, done)) = row.external_id.as_ref().and_then(|id| states.get(id)) else {
                continue;
            };
            repo::set_state(
                core.db(),
                &row.document_id,
                &row.connection_id,
                &row.item_key,
                state.as_deref(),
                *done,
                &now,
            )?;
        }
        Ok(())
    }
}

fn request_for(
    doc: &DocumentRow,
    item: &ActionItem,
    target: &Target,
    due_field: Option<&str>,
) -> ActionItemCreate {
    ActionItemCreate {
        document: doc.id.clone(),
        item_key: item.key.clone(),
        title: item.title.clone(),
        owner: item.owner.clone(),
        due: item.due.map(|d| d.to_string()),
        filed_as: target.filed_as.clone(),
        link: target.link.clone(),
        due_field: due_field.map(str::to_owned),
    }
}

/// The JSON Patch document that files `request` as a work item.
fn work_item_operations(
    client: &AdoClient,
    request: &ActionItemCreate,
    source: &str,
) -> Result<Vec<ado::PatchOp>> {
    let related = match &request.link {
        Some(id) => Some(
            id.parse::<u64>()
                .map_err(|_| Error::Internal(format!("'{id}' is not a work item id to link to")))?,
        ),
        None => None,
    };
    let tag = ado::action_item_tag(&request.document, &request.item_key);
    Ok(client.action_item_operations(&NewActionItem {
        title: &request.title,
        owner: &request.owner,
        due: request.due.as_deref(),
        due_field: request.due_field.as_deref(),
        tag: &tag,
        related,
        source,
    }))
}

fn sn_task(request: &ActionItemCreate, source: &str) -> NewSnTask {
    let (incident, problem) = match request.filed_as.as_str() {
        "problem_task" => (None, request.link.clone()),
        _ => (request.link.clone(), None),
    };
    NewSnTask {
        short_description: request.title.clone(),
        description: format!("Action item from the RCA \"{source}\"."),
        assigned_to: request.owner.clone(),
        due_date: request.due.as_ref().map(|d| format!("{d} 00:00:00")),
        incident,
        problem,
        correlation_id: correlation(&request.document, &request.item_key),
        correlation_display: "Incident Bridge".into(),
    }
}

fn remote_work_item(view: &ConnectionView, item: ado::WorkItem) -> RemoteItem {
    let state = item.field_text("System.State");
    RemoteItem {
        external_id: item.id.to_string(),
        external_key: format!("#{}", item.id),
        url: item.web_url.clone().unwrap_or_else(|| {
            format!(
                "{}/{}/_workitems/edit/{}",
                Services::api_base(view),
                view.config.project.as_deref().unwrap_or_default(),
                item.id
            )
        }),
        done: state.as_deref().is_some_and(ado::is_done),
        state,
    }
}

fn remote_task(task: SnTask) -> RemoteItem {
    RemoteItem {
        done: task.done(),
        external_key: task.number.clone().unwrap_or_else(|| task.sys_id.clone()),
        external_id: task.sys_id,
        url: task.url,
        state: task.state,
    }
}
