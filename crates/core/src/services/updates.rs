//! Field updates of ServiceNow incidents and Azure DevOps work items, as
//! journaled writes. A PATCH of the same values is harmless to repeat, so
//! an interrupted update is simply sent again.

use std::collections::BTreeMap;

use super::delivery::{Attempt, Deliver};
use super::Services;
use crate::app::lock;
use crate::connections::Provider;
use crate::error::{Error, Result};
use crate::outbox::{Journal, ServiceNowUpdate, WorkItemUpdate, Write};
use crate::providers::azure_devops::WorkItem;
use crate::providers::servicenow::SnIncident;

impl Deliver for ServiceNowUpdate {
    type Output = SnIncident;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<SnIncident> {
        let view = lock(&services.core)?.view_by_id(&attempt.entry.connection_id)?;
        let (_, client) = services.servicenow(&view.name, "servicenow update").await?;
        let record = client.update(&self.sys_id, &self.fields).await?;
        lock(&services.core)?.outbox_done_with(&attempt.entry.id, |_| Ok(()))?;
        Ok(record)
    }
}

impl Deliver for WorkItemUpdate {
    type Output = WorkItem;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<WorkItem> {
        let view = lock(&services.core)?.view_by_id(&attempt.entry.connection_id)?;
        let (_, client) = services
            .azure_devops(&view.name, "azure devops update")
            .await?;
        let item = client.update(self.id, &self.fields).await?;
        lock(&services.core)?.outbox_done_with(&attempt.entry.id, |_| Ok(()))?;
        Ok(item)
    }
}

impl Services {
    /// Journals `write` to connection `name` (which must be a `provider`
    /// connection; no secret is opened to check) and returns the entry id.
    /// Every update gets its own key: repeating one is a new write.
    fn journal_update(&self, name: &str, provider: Provider, write: Write) -> Result<String> {
        let core = lock(&self.core)?;
        let view = core.show_connection(name)?;
        Self::require_provider(&view, provider, "connection")?;
        let key = format!(
            "{}:{}:{}:{}",
            write.kind(),
            view.id,
            write.subject(),
            uuid::Uuid::new_v4()
        );
        Ok(core
            .journal_write(&Journal {
                key,
                connection_id: &view.id,
                write,
            })?
            .id)
    }

    /// PATCHes the named fields of a ServiceNow incident (journaled).
    pub async fn servicenow_update(
        &self,
        name: &str,
        sys_id: &str,
        fields: BTreeMap<String, String>,
    ) -> Result<SnIncident> {
        if !(sys_id.len() == 32 && sys_id.chars().all(|c| c.is_ascii_hexdigit())) {
            return Err(Error::invalid(
                "sys_id",
                format!("'{sys_id}' is not a sys_id (32 hex characters)"),
            ));
        }
        if fields.is_empty() {
            return Err(Error::invalid(
                "field",
                "give at least one --field name=value",
            ));
        }
        for field in fields.keys() {
            crate::providers::servicenow::validate_field_name(field)?;
        }
        let sys_id = sys_id.to_ascii_lowercase();
        let entry = self.journal_update(
            name,
            Provider::ServiceNow,
            ServiceNowUpdate { sys_id, fields }.into(),
        )?;
        self.deliver::<ServiceNowUpdate>(&entry).await
    }

    /// Sets fields of an Azure DevOps work item (journaled).
    pub async fn ado_update(
        &self,
        name: &str,
        id: &str,
        fields: BTreeMap<String, String>,
    ) -> Result<WorkItem> {
        let id = super::parse_work_item_id(id)?;
        if fields.is_empty() {
            return Err(Error::invalid(
                "field",
                "give at least one --field Reference.Name=value",
            ));
        }
        for field in fields.keys() {
            crate::providers::azure_devops::validate_field_reference(field)?;
        }
        let entry = self.journal_update(
            name,
            Provider::AzureDevOps,
            WorkItemUpdate { id, fields }.into(),
        )?;
        self.deliver::<WorkItemUpdate>(&entry).await
    }
}
