//! Field updates of ServiceNow incidents and Azure DevOps work items, as
//! journaled writes. A PATCH of the same values is harmless to repeat, so
//! an interrupted update is simply sent again.

use std::collections::BTreeMap;

use super::{Delivered, Services};
use crate::error::{Error, Result};
use crate::oauth::lock;
use crate::outbox::Write;
use crate::providers::azure_devops::WorkItem;
use crate::providers::servicenow::SnIncident;
use crate::store::outbox::OutboxRow;

pub const SERVICENOW_UPDATE: &str = "servicenow.update_incident";
pub const WORK_ITEM_UPDATE: &str = "azure_devops.update_work_item";

impl Services {
    pub(crate) async fn journal_and_deliver_update(
        &self,
        connection: &str,
        operation: &str,
        record: &str,
        fields: &BTreeMap<String, String>,
    ) -> Result<serde_json::Value> {
        let entry = {
            let core = lock(&self.core)?;
            let view = core.show_connection(connection)?;
            core.journal_write(&Write {
                key: format!("{operation}:{}:{record}:{}", view.id, uuid::Uuid::new_v4()),
                connection_id: &view.id,
                operation,
                subject_id: record,
                payload: serde_json::json!({ "record": record, "fields": fields }),
            })?
        };
        match self.deliver(&entry).await? {
            Delivered::Updated { body, .. } => Ok(body),
            other => Err(Error::Unsupported(format!(
                "internal error: update delivered {other:?}"
            ))),
        }
    }

    pub(crate) async fn deliver_field_update(
        &self,
        entry: &OutboxRow,
    ) -> Result<(String, serde_json::Value)> {
        let payload: serde_json::Value = serde_json::from_str(&entry.payload).unwrap_or_default();
        let fields: BTreeMap<String, String> =
            serde_json::from_value(payload["fields"].clone()).unwrap_or_default();
        let view = lock(&self.core)?.view_by_id(&entry.connection_id)?;
        let record = entry.subject_id.clone();
        let body = match entry.operation.as_str() {
            SERVICENOW_UPDATE => {
                let (_, client) = self.servicenow(&view.name, "servicenow update").await?;
                serde_json::to_value(client.update(&record, &fields).await?)
            }
            _ => {
                let id = super::parse_work_item_id(&record)?;
                let (_, client) = self.azure_devops(&view.name, "azure devops update").await?;
                serde_json::to_value(client.update(id, &fields).await?)
            }
        }
        .unwrap_or_default();
        lock(&self.core)?.outbox_done_with(&entry.id, |_| Ok(()))?;
        Ok((record, body))
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
        let (view, _) = self.servicenow(name, "servicenow update").await?;
        let body = self
            .journal_and_deliver_update(&view.name, SERVICENOW_UPDATE, &sys_id, &fields)
            .await?;
        serde_json::from_value(body).map_err(|e| Error::Unsupported(format!("internal error: {e}")))
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
        let (view, _) = self.azure_devops(name, "azure devops update").await?;
        let body = self
            .journal_and_deliver_update(&view.name, WORK_ITEM_UPDATE, &id.to_string(), &fields)
            .await?;
        serde_json::from_value(body).map_err(|e| Error::Unsupported(format!("internal error: {e}")))
    }
}
