//! ServiceNow operations by connection name.

use std::collections::BTreeMap;

use super::Services;
use crate::audit::{self, Event, Outcome};
use crate::connections::{ConnectionView, Provider};
use crate::error::{Error, Result};
use crate::oauth::lock;
use crate::providers::servicenow::{Page, RecordRef, ServiceNowClient, SnIncident};

impl Services {
    pub(crate) async fn servicenow(
        &self,
        name: &str,
        purpose: &str,
    ) -> Result<(ConnectionView, ServiceNowClient)> {
        let (view, auth) = self.resolve(name, purpose).await?;
        Self::require_provider(&view, Provider::ServiceNow, "connection")?;
        let client = ServiceNowClient::new(self.http.clone(), Self::api_base(&view), auth)?;
        Ok((view, client))
    }

    pub async fn servicenow_search(
        &self,
        name: &str,
        text: &str,
        limit: u32,
        offset: u32,
    ) -> Result<Page<SnIncident>> {
        if text.trim().is_empty() {
            return Err(Error::invalid("query", "must not be empty"));
        }
        let (_, client) = self.servicenow(name, "servicenow search").await?;
        client.search(text, limit, offset).await
    }

    pub async fn servicenow_get(&self, name: &str, reference: &str) -> Result<SnIncident> {
        let reference = RecordRef::parse(reference)?;
        let (_, client) = self.servicenow(name, "servicenow get").await?;
        client.get(&reference).await
    }

    /// PATCHes the named fields; audited as an outbound write.
    pub async fn servicenow_update(
        &self,
        name: &str,
        sys_id: &str,
        fields: BTreeMap<String, String>,
    ) -> Result<SnIncident> {
        for field in fields.keys() {
            crate::providers::servicenow::validate_field_name(field)?;
        }
        let (view, client) = self.servicenow(name, "servicenow update").await?;
        let result = client.update(sys_id, &fields).await;
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        let core = lock(&self.core)?;
        audit::append(
            core.db(),
            &Event {
                actor: core.actor(),
                action: "servicenow.update",
                connection: Some(&view.name),
                outcome: if result.is_ok() {
                    Outcome::Ok
                } else {
                    Outcome::Failed
                },
                detail: format!("sys_id={sys_id} fields=[{}]", names.join(",")),
            },
        )?;
        result
    }
}
