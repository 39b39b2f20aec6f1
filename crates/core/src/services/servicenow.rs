//! ServiceNow operations by connection name.

use super::Services;
use crate::connections::{ConnectionView, Provider};
use crate::error::{Error, Result};
use crate::providers::servicenow::{Page, RecordRef, ServiceNowClient, SnIncident};

impl Services {
    pub(crate) async fn servicenow(
        &self,
        name: &str,
        purpose: &str,
    ) -> Result<(ConnectionView, ServiceNowClient)> {
        let (view, auth, ()) = self
            .resolve(name, Provider::ServiceNow, purpose, |_| Ok(()))
            .await?;
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
}
