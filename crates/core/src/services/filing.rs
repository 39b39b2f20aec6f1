//! `incident file`: journal the create of the external record, then
//! deliver it. Delivery looks the record up by our key first (ServiceNow
//! `correlation_id`, Azure DevOps tag), so a repeat — or a re-send after a
//! crash — links the existing record instead of creating a second one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::deliver::{Attempt, Deliver};
use super::dry_run::{PlannedRequest, Preview};
use super::Services;
use crate::app::lock;
use crate::connections::{ConnectionView, Provider};
use crate::error::{Action, Error, Result};
use crate::incidents::{link_view, ExternalLink, Severity};
use crate::outbox::{self, ServiceNowCreate, WorkItemCreate, Write};
use crate::providers::azure_devops::{self as ado, PatchOp, WorkItem};
use crate::providers::servicenow::{query as sn_query, NewSnIncident, SnIncident};
use crate::store::incidents::{self as repo, IncidentRow, LinkRow};
use crate::time::now_rfc3339;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filed {
    pub incident_id: String,
    pub link: ExternalLink,
    /// False when the record already existed (linked here, or found at the
    /// service by our correlation key or tag).
    pub created: bool,
}

/// How to file: the work item type (Azure DevOps) and fields to set for
/// this filing only, over the connection's defaults.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingOptions {
    pub work_item_type: Option<String>,
    /// Name → value; a value may use `{title}`, `{severity}`, `{id}`.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// A filing ready to journal, or the record it is already linked to.
enum PreparedFiling {
    Linked(Filed),
    Write(Box<ConnectionView>, Write),
}

/// A new incident and what became of its automatic filings.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatedIncident {
    pub incident: crate::incidents::Incident,
    pub auto_filed: Vec<AutoFiled>,
}

/// One automatic filing: filed, or why not yet (it stays in the outbox).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AutoFiled {
    pub connection: String,
    pub filed: Option<Filed>,
    pub error: Option<String>,
}

impl AutoFiled {
    pub(crate) fn new(connection: String, result: Result<Filed>) -> Self {
        match result {
            Ok(filed) => Self {
                connection,
                filed: Some(filed),
                error: None,
            },
            Err(e) => Self {
                connection,
                filed: None,
                error: Some(e.to_string()),
            },
        }
    }
}

/// The external record a filing produced or found.
pub(crate) struct Remote {
    pub external_id: String,
    pub external_key: Option<String>,
    pub url: String,
    pub state: Option<String>,
    pub priority: Option<String>,
    pub created: bool,
}

impl Remote {
    fn from_servicenow(record: SnIncident, created: bool) -> Self {
        Self {
            external_id: record.sys_id,
            external_key: record.number,
            url: record.url,
            state: record.state,
            priority: record.priority,
            created,
        }
    }

    fn from_work_item(item: WorkItem, fallback_url: String, created: bool) -> Self {
        Self {
            external_key: Some(item.id.to_string()),
            external_id: item.id.to_string(),
            url: item.web_url.clone().unwrap_or(fallback_url),
            state: item.field_text("System.State"),
            priority: item.field_text("Microsoft.VSTS.Common.Priority"),
            created,
        }
    }
}

/// `Bug`, `task`, `user story` … → the canonical type name.
pub fn work_item_type(requested: Option<&str>) -> Result<&'static str> {
    let requested = requested.unwrap_or("Bug").trim();
    ado::FILING_TYPES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(requested))
        .copied()
        .ok_or_else(|| {
            Error::invalid(
                "type",
                format!(
                    "'{requested}' is not one of: {}",
                    ado::FILING_TYPES.join(", ")
                ),
            )
        })
}

/// Which service a filing goes to, with what it needs there.
enum Target<'a> {
    ServiceNow,
    WorkItem(&'a str),
}

impl Deliver for ServiceNowCreate {
    type Output = Filed;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<Filed> {
        services
            .file(attempt, &self.incident, Target::ServiceNow, &self.fields)
            .await
    }
}

impl Deliver for WorkItemCreate {
    type Output = Filed;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<Filed> {
        services
            .file(
                attempt,
                &self.incident,
                Target::WorkItem(&self.work_item_type),
                &self.fields,
            )
            .await
    }
}

impl Preview for ServiceNowCreate {
    async fn preview(
        &self,
        services: &Services,
        view: &ConnectionView,
    ) -> Result<Vec<PlannedRequest>> {
        let incident = lock(&services.core)?.find_incident(&self.incident)?;
        let client = services.unsent_servicenow(view)?;
        Ok(vec![
            PlannedRequest::from_request(
                client.first_where_request(&sn_query::by_correlation(&incident.id), false),
                None,
            )?,
            PlannedRequest::from_request(
                client.create_request(&new_servicenow_incident(&incident, &self.fields)?),
                None,
            )?,
        ])
    }
}

impl Preview for WorkItemCreate {
    async fn preview(
        &self,
        services: &Services,
        view: &ConnectionView,
    ) -> Result<Vec<PlannedRequest>> {
        let incident = lock(&services.core)?.find_incident(&self.incident)?;
        let kind = work_item_type(Some(&self.work_item_type))?;
        let client = services.unsent_ado(view)?;
        Ok(vec![
            PlannedRequest::from_request(
                client.wiql_request(&ado::wiql::by_tag(&ado::incident_tag(&incident.id)), 1),
                None,
            )?,
            PlannedRequest::from_request(
                client.create_request(kind, &work_item_operations(&incident, kind, &self.fields)?),
                None,
            )?,
        ])
    }
}

impl Services {
    /// Files incident `incident_id` to connection `to`. `work_item_type` is
    /// for Azure DevOps (default Bug) and refused elsewhere.
    pub async fn file_incident(
        &self,
        incident_id: &str,
        to: &str,
        work_item_type: Option<&str>,
    ) -> Result<Filed> {
        let options = FilingOptions {
            work_item_type: work_item_type.map(str::to_owned),
            ..FilingOptions::default()
        };
        self.file_incident_with(incident_id, to, &options).await
    }

    /// Files incident `incident_id` to connection `to` with `options`.
    /// Every refusal happens before anything is journaled.
    pub async fn file_incident_with(
        &self,
        incident_id: &str,
        to: &str,
        options: &FilingOptions,
    ) -> Result<Filed> {
        let (view, write) = match self.prepare_filing(incident_id, to, options).await? {
            PreparedFiling::Linked(filed) => return Ok(filed),
            PreparedFiling::Write(view, write) => (view, write),
        };
        let subject = write.subject();
        let entry = lock(&self.core)?.journal_write(&outbox::filing(&subject, &view, write))?;
        self.deliver_filing(view.provider, &entry.id).await
    }

    /// The requests `file_incident_with` would send now (`--dry-run`, the
    /// window's Review step): nothing is journaled or sent. Empty when the
    /// incident is already linked there.
    pub async fn filing_requests(
        &self,
        incident_id: &str,
        to: &str,
        options: &FilingOptions,
    ) -> Result<Vec<PlannedRequest>> {
        match self.prepare_filing(incident_id, to, options).await? {
            PreparedFiling::Linked(_) => Ok(Vec::new()),
            PreparedFiling::Write(view, Write::ServiceNowCreate(w)) => {
                self.preview(&view, &w).await
            }
            PreparedFiling::Write(view, Write::WorkItemCreate(w)) => self.preview(&view, &w).await,
            PreparedFiling::Write(_, other) => Err(Error::Internal(format!(
                "a filing prepared a {} write",
                other.kind()
            ))),
        }
    }

    /// Checks a filing and builds the write it journals: the incident and
    /// connection exist, the type fits the provider, and the fields are
    /// valid names for it.
    async fn prepare_filing(
        &self,
        incident_id: &str,
        to: &str,
        options: &FilingOptions,
    ) -> Result<PreparedFiling> {
        let (incident, view, existing) = {
            let core = lock(&self.core)?;
            let incident = core.find_incident(incident_id)?;
            let view = core.show_connection(to)?;
            let existing = repo::find_link(core.db(), &incident.id, &view.id)?;
            (incident, view, existing)
        };
        let requested = options.work_item_type.as_deref();
        let kind = match view.provider {
            Provider::ServiceNow if requested.is_some() => {
                return Err(Error::invalid("type", "applies to azure_devops connections only"))
            }
            Provider::AzureDevOps => Some(self::work_item_type(requested)?),
            Provider::Confluence => {
                return Err(Error::invalid(
                    "to",
                    format!("'{}' is a Confluence connection; incidents are filed to servicenow or azure_devops", view.name),
                ))
            }
            Provider::ServiceNow => None,
        };
        for name in options.fields.keys() {
            validate_filing_field(view.provider, name)?;
        }
        if let Some(link) = existing {
            return Ok(PreparedFiling::Linked(Filed {
                incident_id: incident.id,
                link: link_view(link),
                created: false,
            }));
        }
        let how_to_set = format!(
            "Set it for this filing, or as a default for every filing to '{}'.",
            view.name
        );
        let connection = view.name.clone();
        let provider = view.provider;
        let fields = self
            .filing_fields(&view, &incident, kind, &options.fields, |fields, rules| {
                let body = create_body(&incident, provider, kind, fields)?;
                crate::fields::check(rules, &body, |f| service_sets(provider, f), &how_to_set)
                    .map_err(|e| match e {
                        Error::InvalidInput { field, message, .. } => Error::invalid_with(
                            field.clone(),
                            message,
                            Action::SetFilingField {
                                connection: connection.clone(),
                                field,
                            },
                        ),
                        other => other,
                    })
            })
            .await?;
        let write = outbox::filing_write(&incident.id, &view, kind, fields);
        Ok(PreparedFiling::Write(Box::new(view), write))
    }

    /// Delivers a journaled filing to a `provider` connection.
    pub(crate) async fn deliver_filing(&self, provider: Provider, entry_id: &str) -> Result<Filed> {
        match provider {
            Provider::AzureDevOps => self.deliver::<WorkItemCreate>(entry_id).await,
            _ => self.deliver::<ServiceNowCreate>(entry_id).await,
        }
    }

    /// Sends (or reconciles) a filing entry and stores the link.
    async fn file(
        &self,
        attempt: &Attempt,
        incident_id: &str,
        target: Target<'_>,
        fields: &BTreeMap<String, String>,
    ) -> Result<Filed> {
        let entry = &attempt.entry;
        let (incident, view) = {
            let core = lock(&self.core)?;
            let incident = core.find_incident(incident_id)?;
            let view = core.view_by_id(&entry.connection_id)?;
            (incident, view)
        };
        if let Some(link) = repo::find_link(lock(&self.core)?.db(), &incident.id, &view.id)? {
            // Linked meanwhile (e.g. by another run): nothing to send.
            lock(&self.core)?.outbox_done_with(&entry.id, |_| Ok(()))?;
            return Ok(Filed {
                incident_id: incident.id,
                link: link_view(link),
                created: false,
            });
        }
        let sent = match target {
            Target::WorkItem(kind) => {
                let kind = work_item_type(Some(kind))?;
                self.send_work_item_create(&incident, &view, kind, fields)
                    .await
            }
            Target::ServiceNow => self.send_servicenow_create(&incident, &view, fields).await,
        };
        // A refusal naming a field means the rules read before changed.
        let remote = sent.inspect_err(|e| self.forget_rules_after(&view.id, e))?;
        let link = LinkRow {
            id: uuid::Uuid::new_v4().to_string(),
            incident_id: incident.id.clone(),
            connection_id: view.id.clone(),
            connection_name: view.name.clone(),
            provider: view.provider.as_str().to_owned(),
            external_id: remote.external_id.clone(),
            external_key: remote.external_key.clone(),
            url: remote.url.clone(),
            remote_state: remote.state.clone(),
            remote_priority: remote.priority.clone(),
            remote_assignee: None,
            last_synced_at: Some(now_rfc3339()),
        };
        let core = lock(&self.core)?;
        core.outbox_done_with(&entry.id, |tx| {
            Ok(repo::insert_link(tx, &link, &now_rfc3339())?)
        })?;
        let stored = repo::find_link(core.db(), &incident.id, &view.id)?
            .map(link_view)
            .ok_or_else(|| Error::NotFound {
                what: "link",
                name: incident.id.clone(),
            })?;
        Ok(Filed {
            incident_id: incident.id.clone(),
            link: stored,
            created: remote.created,
        })
    }

    /// Looks the record up by our correlation key first; creates it only
    /// when the service has none.
    async fn send_servicenow_create(
        &self,
        incident: &IncidentRow,
        view: &ConnectionView,
        fields: &BTreeMap<String, String>,
    ) -> Result<Remote> {
        let (_, client) = self.servicenow(&view.name, "file incident").await?;
        if let Some(found) = client.find_by_correlation(&incident.id).await? {
            return Ok(Remote::from_servicenow(found, false));
        }
        let created = client
            .create(&new_servicenow_incident(incident, fields)?)
            .await?;
        Ok(Remote::from_servicenow(created, true))
    }

    /// Looks the work item up by our tag first; creates it only when the
    /// project has none.
    async fn send_work_item_create(
        &self,
        incident: &IncidentRow,
        view: &ConnectionView,
        kind: &str,
        fields: &BTreeMap<String, String>,
    ) -> Result<Remote> {
        let (_, client) = self.azure_devops(&view.name, "file incident").await?;
        let fallback = |id: u64| {
            format!(
                "{}/{}/_workitems/edit/{id}",
                Self::api_base(view),
                view.config.project.as_deref().unwrap_or_default()
            )
        };
        if let Some(found) = client.find_by_tag(&ado::incident_tag(&incident.id)).await? {
            let url = fallback(found.id);
            return Ok(Remote::from_work_item(found, url, false));
        }
        let operations = work_item_operations(incident, kind, fields)?;
        let created = client.create(kind, &operations).await?;
        let url = fallback(created.id);
        Ok(Remote::from_work_item(created, url, true))
    }
}

/// The body of a ServiceNow create: the incident's own fields, then
/// `fields` (the same for a dry run and for delivery).
pub(crate) fn new_servicenow_incident(
    incident: &IncidentRow,
    fields: &BTreeMap<String, String>,
) -> Result<NewSnIncident> {
    let severity: Severity = incident.severity.parse()?;
    let (urgency, impact) = severity.servicenow_urgency_impact();
    Ok(NewSnIncident {
        short_description: incident.title.clone(),
        description: incident.description.clone(),
        urgency: urgency.to_string(),
        impact: impact.to_string(),
        correlation_id: incident.id.clone(),
        correlation_display: "Incident Bridge".into(),
        fields: BTreeMap::new(),
    }
    .with_fields(fields))
}

/// The JSON Patch of an Azure DevOps create: the incident's own fields,
/// then `fields` (the same for a dry run and for delivery).
pub(crate) fn work_item_operations(
    incident: &IncidentRow,
    kind: &str,
    fields: &BTreeMap<String, String>,
) -> Result<Vec<PatchOp>> {
    let severity: Severity = incident.severity.parse()?;
    let mut operations = ado::incident_operations(
        &incident.title,
        &incident.description,
        severity,
        kind,
        &incident.id,
    );
    ado::apply_fields(&mut operations, fields);
    Ok(operations)
}

/// Every field a create of `incident` with `fields` sets, as text: what
/// pre-flight checks against the service's rules.
fn create_body(
    incident: &IncidentRow,
    provider: Provider,
    kind: Option<&str>,
    fields: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    match provider {
        Provider::AzureDevOps => Ok(
            work_item_operations(incident, kind.unwrap_or("Bug"), fields)?
                .iter()
                .filter_map(|op| {
                    op.path
                        .strip_prefix("/fields/")
                        .map(|name| (name.to_owned(), text(&op.value)))
                })
                .collect(),
        ),
        _ => {
            let body = serde_json::to_value(new_servicenow_incident(incident, fields)?)
                .map_err(|e| Error::Internal(format!("cannot read a create body: {e}")))?;
            Ok(body
                .as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), text(v))).collect())
                .unwrap_or_default())
        }
    }
}

/// A field a filing may set: a writable column (ServiceNow) or a field
/// reference name (Azure DevOps); never the key a repeat filing is found by.
/// Which required fields the service fills in itself on a create.
fn service_sets(provider: Provider, field: &str) -> bool {
    match provider {
        Provider::AzureDevOps => ado::SERVICE_SET.contains(&field),
        _ => field.starts_with("sys_"),
    }
}

pub(crate) fn validate_filing_field(provider: Provider, name: &str) -> Result<()> {
    if super::action_items::is_setting(name) {
        return Err(Error::invalid(
            "field",
            format!("'{name}' says what RCA action items become, not a field of the filing: set it as one of the connection's filing defaults instead"),
        ));
    }
    match provider {
        Provider::ServiceNow => {
            crate::providers::servicenow::validate_field_name(name)?;
            if matches!(name, "correlation_id" | "correlation_display") {
                return Err(Error::invalid(
                    "field",
                    format!("'{name}' is how Incident Bridge finds the record it filed; it cannot be set"),
                ));
            }
            Ok(())
        }
        Provider::AzureDevOps => ado::validate_field_reference(name),
        Provider::Confluence => Err(Error::invalid("field", "Confluence pages take no fields")),
    }
}
