//! `connections test`: ask the service who we are, and record the answer
//! as the connection's status.

use serde::Serialize;

use super::Services;
use crate::app::lock;
use crate::connections::{AuthType, ConnectionStatus, Provider};
use crate::error::{ErrorKind, Result};

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionCheck {
    pub name: String,
    pub provider: Provider,
    /// Who the service says we are, when it says.
    pub signed_in_as: Option<String>,
    pub message: String,
}

impl Services {
    pub async fn test_connection(&self, name: &str) -> Result<ConnectionCheck> {
        let view = lock(&self.core)?.show_connection(name)?;
        let outcome = match view.provider {
            Provider::ServiceNow => self.test_servicenow(name).await,
            Provider::AzureDevOps => self.test_azure_devops(name).await,
            Provider::Confluence => self.test_confluence(name).await,
        };
        let core = lock(&self.core)?;
        match &outcome {
            Ok(check) => {
                let detail = check.signed_in_as.as_ref().map(|who| format!("as {who}"));
                core.set_connection_status(
                    &view.id,
                    ConnectionStatus::Connected,
                    detail.as_deref(),
                )?
            }
            Err(e) if e.kind() == ErrorKind::AuthNeeded => {
                core.set_connection_status(&view.id, ConnectionStatus::Error, Some(&e.to_string()))?
            }
            Err(_) => {}
        }
        outcome
    }

    async fn test_confluence(&self, name: &str) -> Result<ConnectionCheck> {
        let (view, client) = self.confluence(name, "connection test").await?;
        let who = client.current_user().await?;
        let site = view
            .config
            .site_url
            .clone()
            .unwrap_or_else(|| view.base_url.clone());
        Ok(ConnectionCheck {
            message: format!("Connected to {site} as {who}."),
            name: view.name,
            provider: view.provider,
            signed_in_as: Some(who),
        })
    }

    async fn test_azure_devops(&self, name: &str) -> Result<ConnectionCheck> {
        let (view, client) = self.azure_devops(name, "connection test").await?;
        let who = client.authenticated_user().await?;
        client.check_project().await?;
        Ok(ConnectionCheck {
            message: format!(
                "Connected to {} as {who}; project '{}' is reachable.",
                view.base_url,
                view.config.project.as_deref().unwrap_or_default()
            ),
            name: view.name,
            provider: view.provider,
            signed_in_as: Some(who),
        })
    }

    async fn test_servicenow(&self, name: &str) -> Result<ConnectionCheck> {
        let (view, client) = self.servicenow(name, "connection test").await?;
        let username = match view.auth_type {
            AuthType::OAuth2 => None,
            _ => view.config.username.as_deref(),
        };
        let user = client.current_user(username).await?;
        let who = match (&user.name, &user.user_name) {
            (Some(n), Some(u)) => format!("{n} ({u})"),
            (Some(n), None) => n.clone(),
            (None, Some(u)) => u.clone(),
            (None, None) => "an unnamed user".into(),
        };
        Ok(ConnectionCheck {
            message: format!("Connected to {} as {who}.", view.base_url),
            name: view.name,
            provider: view.provider,
            signed_in_as: Some(who),
        })
    }
}
