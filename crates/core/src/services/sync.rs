//! `incident show`: the local record, with each linked record pulled
//! (state, priority, assignee, new notes) when the service answers.

use serde::Serialize;

use super::Services;
use crate::app::lock;
use crate::connections::Provider;
use crate::error::Result;
use crate::incidents::Incident;
use crate::store::incidents as repo;
use crate::time::now_rfc3339;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncNote {
    pub connection: String,
    pub synced: bool,
    /// Why not, or when it last did.
    pub message: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentReport {
    pub incident: Incident,
    pub sync: Vec<SyncNote>,
}

impl Services {
    /// The incident, with every linked record pulled first (state,
    /// assignee, priority, new notes: see `pull`) when the service answers.
    pub async fn show_incident(&self, id: &str) -> Result<IncidentReport> {
        let (incident_id, links) = {
            let core = lock(&self.core)?;
            let row = core.find_incident(id)?;
            let links = repo::links_for(core.db(), &row.id)?;
            (row.id, links)
        };
        let mut sync = Vec::new();
        for link in links.iter().filter(|l| {
            l.provider == Provider::ServiceNow.as_str()
                || l.provider == Provider::AzureDevOps.as_str()
        }) {
            let pulled = self.pull_link(link).await;
            sync.push(match pulled.error {
                None => SyncNote {
                    connection: link.connection_name.clone(),
                    synced: true,
                    message: format!("synced at {}", now_rfc3339()),
                },
                Some(e) => SyncNote {
                    connection: link.connection_name.clone(),
                    synced: false,
                    message: format!(
                        "not refreshed ({e}); last synced {}",
                        link.last_synced_at.as_deref().unwrap_or("never")
                    ),
                },
            });
        }
        let incident = lock(&self.core)?.incident(&incident_id)?;
        Ok(IncidentReport { incident, sync })
    }

    /// Creates the incident with its auto-create filings journaled in the
    /// same transaction, then delivers them. A filing that fails stays in
    /// the outbox; the incident is kept either way.
    pub async fn create_incident(
        &self,
        input: crate::incidents::NewIncident,
    ) -> Result<super::CreatedIncident> {
        let (incident, entries) = lock(&self.core)?.create_incident_journaled(input, true)?;
        let mut auto_filed = Vec::new();
        for entry in entries {
            let target = lock(&self.core)?.view_by_id(&entry.connection_id)?;
            let result = self.deliver_filing(target.provider, &entry.id).await;
            auto_filed.push(super::AutoFiled::new(target.name, result));
        }
        let incident = lock(&self.core)?.incident(&incident.id)?;
        Ok(super::CreatedIncident {
            incident,
            auto_filed,
        })
    }
}
