//! `incident file`: create the external record for an incident through
//! the outbox, exactly once per (incident, connection).

use serde::Serialize;

use super::Services;
use crate::audit::{self, Event, Outcome};
use crate::connections::{ConnectionView, Provider};
use crate::error::{Error, Result};
use crate::incidents::{link_view, ExternalLink, Severity};
use crate::oauth::lock;
use crate::providers::servicenow::{NewSnIncident, SnIncident};
use crate::store::incidents::{self as repo, IncidentRow, LinkRow};
use crate::time::now_rfc3339;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filed {
    pub incident_id: String,
    pub link: ExternalLink,
    /// False when the record already existed (linked here, or found at the
    /// service by our correlation key).
    pub created: bool,
}

impl Services {
    /// Files incident `incident_id` to connection `to`. `work_item_type` is
    /// for Azure DevOps and refused elsewhere.
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
        if let Some(link) = existing {
            return Ok(Filed {
                incident_id: incident.id,
                link: link_view(link),
                created: false,
            });
        }
        match view.provider {
            Provider::ServiceNow => {
                if work_item_type.is_some() {
                    return Err(Error::invalid("type", "applies to azure_devops connections only"));
                }
                self.file_to_servicenow(&incident, &view).await
            }
            Provider::AzureDevOps => Err(Error::Unsupported(format!(
                "filing to Azure DevOps ('{}') is not supported yet in this version",
                view.name
            ))),
            Provider::Confluence => Err(Error::invalid(
                "to",
                format!("'{}' is a Confluence connection; incidents are filed to servicenow or azure_devops", view.name),
            )),
        }
    }

    async fn file_to_servicenow(
        &self,
        incident: &IncidentRow,
        view: &ConnectionView,
    ) -> Result<Filed> {
        let key = format!("servicenow.create_incident:{}:{}", view.id, incident.id);
        let entry = {
            let core = lock(&self.core)?;
            let entry = core.journal_write(
                &key,
                &view.id,
                "servicenow.create_incident",
                &incident.id,
                &serde_json::json!({ "incident": incident.id }),
            )?;
            core.outbox_in_flight(&entry.id)?;
            entry
        };
        let result = self.send_servicenow_create(incident, view).await;
        let core = lock(&self.core)?;
        match result {
            Ok((record, created)) => {
                let link = LinkRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    incident_id: incident.id.clone(),
                    connection_id: view.id.clone(),
                    connection_name: view.name.clone(),
                    provider: Provider::ServiceNow.as_str().to_owned(),
                    external_id: record.sys_id.clone(),
                    external_key: record.number.clone(),
                    url: record.url.clone(),
                    remote_state: record.state.clone(),
                    remote_priority: record.priority.clone(),
                    last_synced_at: Some(now_rfc3339()),
                };
                let actor = core.actor();
                core.outbox_done_with(&entry.id, |tx| {
                    repo::insert_link(tx, &link, &now_rfc3339())?;
                    audit::append(
                        tx,
                        &Event {
                            actor,
                            action: "incident.file",
                            connection: Some(&view.name),
                            outcome: Outcome::Ok,
                            detail: format!(
                                "incident={} number={} sys_id={} created={created}",
                                incident.id,
                                record.number.as_deref().unwrap_or("?"),
                                record.sys_id
                            ),
                        },
                    )?;
                    Ok(())
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
                    created,
                })
            }
            Err(e) => {
                core.outbox_failed(&entry.id, &e, entry.attempts + 1)?;
                audit::append(
                    core.db(),
                    &Event {
                        actor: core.actor(),
                        action: "incident.file",
                        connection: Some(&view.name),
                        outcome: Outcome::Failed,
                        detail: format!("incident={} outbox={}", incident.id, entry.id),
                    },
                )?;
                Err(e)
            }
        }
    }

    /// Looks the record up by our correlation key first; creates it only
    /// when the service has none. Returns the record and whether it was
    /// created now.
    async fn send_servicenow_create(
        &self,
        incident: &IncidentRow,
        view: &ConnectionView,
    ) -> Result<(SnIncident, bool)> {
        let (_, client) = self.servicenow(&view.name, "file incident").await?;
        if let Some(found) = client.find_by_correlation(&incident.id).await? {
            return Ok((found, false));
        }
        let created = client.create(&new_servicenow_incident(incident)?).await?;
        Ok((created, true))
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
