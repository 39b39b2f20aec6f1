//! Azure DevOps operations by connection name.

use super::Services;
use crate::connections::{ConnectionView, Provider};
use crate::error::{Action, Error, Result};
use crate::providers::azure_devops::{AdoClient, WorkItem};

pub const DEFAULT_TOP: u32 = 50;

/// A work item id as people type it.
pub fn parse_work_item_id(text: &str) -> Result<u64> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            Error::invalid(
                "id",
                format!(
                    "'{}' is not a work item id (a positive number)",
                    text.trim()
                ),
            )
        })
}

impl Services {
    pub(crate) async fn azure_devops(
        &self,
        name: &str,
        purpose: &str,
    ) -> Result<(ConnectionView, AdoClient)> {
        let project_of = |view: &ConnectionView| {
            view.config.project.clone().ok_or_else(|| {
                Error::invalid_with(
                    "project",
                    format!("connection '{}' has no project", view.name),
                    Action::EditConnection {
                        connection: view.name.clone(),
                        setting: "project".into(),
                    },
                )
            })
        };
        let (view, auth, project) = self
            .resolve(name, Provider::AzureDevOps, purpose, project_of)
            .await?;
        let client = AdoClient::new(self.http.clone(), Self::api_base(&view), &project, auth)?;
        Ok((view, client))
    }

    pub async fn ado_search(&self, name: &str, text: &str, top: u32) -> Result<Vec<WorkItem>> {
        if text.trim().is_empty() {
            return Err(Error::invalid("query", "must not be empty"));
        }
        let (_, client) = self.azure_devops(name, "azure devops search").await?;
        client.search(text, top).await
    }

    pub async fn ado_get(&self, name: &str, id: &str) -> Result<WorkItem> {
        let id = parse_work_item_id(id)?;
        let (_, client) = self.azure_devops(name, "azure devops get").await?;
        client.get(id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(parse_work_item_id(" 42 ").unwrap(), 42);
        for bad in ["0", "-1", "x", "", "4.2"] {
            assert!(parse_work_item_id(bad).is_err(), "{bad}");
        }
    }
}
