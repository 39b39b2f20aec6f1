//! `incident file`: journal the create of the external record, then
//! deliver it. Delivery looks the record up by our key first (ServiceNow
//! `correlation_id`, Azure DevOps tag), so a repeat — or a re-send after a
//! crash — links the existing record instead of creating a second one.

use serde::Serialize;

use super::delivery::{Attempt, Deliver};
use super::Services;
use crate::app::lock;
use crate::connections::{ConnectionView, Provider};
use crate::error::{Error, Result};
use crate::incidents::{link_view, ExternalLink, Severity};
use crate::outbox::{self, ServiceNowCreate, WorkItemCreate};
use crate::providers::azure_devops::{self as ado, WorkItem};
use crate::providers::servicenow::{NewSnIncident, SnIncident};
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
            .file(attempt, &self.incident, Target::ServiceNow)
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
            )
            .await
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
        let (incident, view, existing) = {
            let core = lock(&self.core)?;
            let incident = core.find_incident(incident_id)?;
            let view = core.show_connection(to)?;
            let existing = repo::find_link(core.db(), &incident.id, &view.id)?;
            (incident, view, existing)
        };
        let kind = match view.provider {
            Provider::ServiceNow if work_item_type.is_some() => {
                return Err(Error::invalid("type", "applies to azure_devops connections only"))
            }
            Provider::AzureDevOps => Some(self::work_item_type(work_item_type)?),
            Provider::Confluence => {
                return Err(Error::invalid(
                    "to",
                    format!("'{}' is a Confluence connection; incidents are filed to servicenow or azure_devops", view.name),
                ))
            }
            Provider::ServiceNow => None,
        };
        if let Some(link) = existing {
            return Ok(Filed {
                incident_id: incident.id,
                link: link_view(link),
                created: false,
            });
        }
        let entry = lock(&self.core)?.journal_write(&outbox::filing(&incident.id, &view, kind))?;
        self.deliver_filing(view.provider, &entry.id).await
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
        let remote = match target {
            Target::WorkItem(kind) => {
                let kind = work_item_type(Some(kind))?;
                self.send_work_item_create(&incident, &view, kind).await?
            }
            Target::ServiceNow => self.send_servicenow_create(&incident, &view).await?,
        };
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
    ) -> Result<Remote> {
        let (_, client) = self.servicenow(&view.name, "file incident").await?;
        if let Some(found) = client.find_by_correlation(&incident.id).await? {
            return Ok(Remote::from_servicenow(found, false));
        }
        let created = client.create(&new_servicenow_incident(incident)?).await?;
        Ok(Remote::from_servicenow(created, true))
    }

    /// Looks the work item up by our tag first; creates it only when the
    /// project has none.
    async fn send_work_item_create(
        &self,
        incident: &IncidentRow,
        view: &ConnectionView,
        kind: &str,
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
        let severity: Severity = incident.severity.parse()?;
        let operations = ado::incident_operations(
            &incident.title,
            &incident.description,
            severity,
            kind,
            &incident.id,
        );
        let created = client.create(kind, &operations).await?;
        let url = fallback(created.id);
        Ok(Remote::from_work_item(created, url, true))
    }
}

pub(crate) fn new_servicenow_incident(incident: &IncidentRow) -> Result<NewSnIncident> {
    let severity: Severity = incident.severity.parse()?;
    let (urgency, impact) = severity.servicenow_urgency_impact();
    Ok(NewSnIncident {
        short_description: incident.title.clone(),
        description: incident.description.clone(),
        urgency: urgency.to_string(),
        impact: impact.to_string(),
        correlation_id: incident.id.clone(),
        correlation_display: "Incident Bridge".into(),
    })
}
