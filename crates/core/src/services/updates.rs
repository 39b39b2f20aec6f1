//! Field updates of ServiceNow incidents and Azure DevOps work items, as
//! journaled writes. A PATCH of the same values is harmless to repeat, so
//! an interrupted update is simply sent again.

use std::collections::BTreeMap;

use super::deliver::{Attempt, Deliver};
use super::dry_run::{PlannedRequest, Preview};
use super::Services;
use crate::app::lock;
use crate::connections::{ConnectionView, Provider};
use crate::error::{Error, Result};
use crate::outbox::{Journal, ServiceNowUpdate, WorkItemUpdate, Write};
use crate::providers::azure_devops::{self as ado, WorkItem};
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

impl Preview for ServiceNowUpdate {
    async fn preview(
        &self,
        services: &Services,
        view: &ConnectionView,
    ) -> Result<Vec<PlannedRequest>> {
        let client = services.unsent_servicenow(view)?;
        Ok(vec![PlannedRequest::from_request(
            client.update_request(&self.sys_id, &self.fields),
            None,
        )?])
    }
}

impl Preview for WorkItemUpdate {
    async fn preview(
        &self,
        services: &Services,
        view: &ConnectionView,
    ) -> Result<Vec<PlannedRequest>> {
        let client = services.unsent_ado(view)?;
        Ok(vec![PlannedRequest::from_request(
            client.update_request(self.id, &ado::update_operations(&self.fields)?),
            None,
        )?])
    }
}

impl Services {
    /// Journals `write` to connection `name` (which must be a `provider`
    /// connection; no secret is opened to check) and returns the entry id.
    /// Every update gets its own key: repeating one is a new write.
    fn journal_update(&self, name: &str, provider: Provider, write: Write) -> Result<String> {
        let view = self.update_target(name, provider)?;
        let core = lock(&self.core)?;
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

    /// Checks a ServiceNow update and builds its request.
    fn prepare_servicenow_update(
        sys_id: &str,
        fields: BTreeMap<String, String>,
    ) -> Result<ServiceNowUpdate> {
        if !(sys_id.len() == 32 && sys_id.chars().all(|c| c.is_ascii_hexdigit())) {
            return Err(Error::invalid(
                "sys_id",
                format!("'{sys_id}' is not a sys_id (32 hex characters)"),
            ));
        }
        if fields.is_empty() {
            return Err(Error::missing(
                "field",
                "give at least one field to set, with its name and value",
            ));
        }
        for field in fields.keys() {
            crate::providers::servicenow::validate_field_name(field)?;
        }
        Ok(ServiceNowUpdate {
            sys_id: sys_id.to_ascii_lowercase(),
            fields,
        })
    }

    /// Checks an Azure DevOps update and builds its request.
    fn prepare_ado_update(id: &str, fields: BTreeMap<String, String>) -> Result<WorkItemUpdate> {
        let id = super::parse_work_item_id(id)?;
        ado::update_operations(&fields)?;
        Ok(WorkItemUpdate { id, fields })
    }

    /// The `provider` connection `name`, checked without opening a secret.
    fn update_target(&self, name: &str, provider: Provider) -> Result<ConnectionView> {
        let view = lock(&self.core)?.show_connection(name)?;
        Self::require_provider(&view, provider, "connection")?;
        Ok(view)
    }

    /// PATCHes the named fields of a ServiceNow incident (journaled).
    pub async fn servicenow_update(
        &self,
        name: &str,
        sys_id: &str,
        fields: BTreeMap<String, String>,
    ) -> Result<SnIncident> {
        let update = Self::prepare_servicenow_update(sys_id, fields)?;
        let entry = self.journal_update(name, Provider::ServiceNow, update.into())?;
        self.deliver::<ServiceNowUpdate>(&entry).await
    }

    /// The request `servicenow_update` would send (`--dry-run`).
    pub async fn servicenow_update_requests(
        &self,
        name: &str,
        sys_id: &str,
        fields: BTreeMap<String, String>,
    ) -> Result<Vec<PlannedRequest>> {
        let update = Self::prepare_servicenow_update(sys_id, fields)?;
        let view = self.update_target(name, Provider::ServiceNow)?;
        self.preview(&view, &update).await
    }

    /// Sets fields of an Azure DevOps work item (journaled).
    pub async fn ado_update(
        &self,
        name: &str,
        id: &str,
        fields: BTreeMap<String, String>,
    ) -> Result<WorkItem> {
        let update = Self::prepare_ado_update(id, fields)?;
        let entry = self.journal_update(name, Provider::AzureDevOps, update.into())?;
        self.deliver::<WorkItemUpdate>(&entry).await
    }

    /// The request `ado_update` would send (`--dry-run`).
    pub async fn ado_update_requests(
        &self,
        name: &str,
        id: &str,
        fields: BTreeMap<String, String>,
    ) -> Result<Vec<PlannedRequest>> {
        let update = Self::prepare_ado_update(id, fields)?;
        let view = self.update_target(name, Provider::AzureDevOps)?;
        self.preview(&view, &update).await
    }
}
