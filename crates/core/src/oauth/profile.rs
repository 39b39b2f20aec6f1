//! Where each provider's OAuth endpoints are and what to ask for. Every
//! endpoint can be overridden per connection (Data Center, sovereign
//! clouds, tests).

use crate::connections::{ConnectionView, Provider};
use crate::error::{Action, Error, Result};

pub const ATLASSIAN_AUTH_URL: &str = "https://auth.atlassian.com/authorize";
pub const ATLASSIAN_TOKEN_URL: &str = "https://auth.atlassian.com/oauth/token";
pub const ATLASSIAN_RESOURCES_URL: &str =
    "https://api.atlassian.com/oauth/token/accessible-resources";
pub const ATLASSIAN_API_BASE: &str = "https://api.atlassian.com/ex/confluence";
pub const ENTRA_DEFAULT_TENANT: &str = "organizations";
/// Azure DevOps' resource id in Microsoft Entra ID.
pub const AZURE_DEVOPS_SCOPE: &str = "499b84ac-1321-427f-aa17-267ca6975798/.default";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    /// Atlassian 3LO: confidential client, rotating refresh tokens, then a
    /// choice among the sites the grant covers.
    Atlassian,
    /// Microsoft Entra ID v2 for Azure DevOps.
    Entra,
    /// Any other standard authorization server (ServiceNow, tests).
    Generic,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthProfile {
    pub kind: ProfileKind,
    pub client_id: String,
    pub auth_url: String,
    pub token_url: String,
    /// Atlassian only: where the grant's sites are listed.
    pub resources_url: Option<String>,
    pub scopes: Vec<String>,
    pub extra_auth_params: Vec<(String, String)>,
}

impl OAuthProfile {
    /// Whether the server matches loopback redirect URIs on any port
    /// (RFC 8252 §7.3). Microsoft Entra does for native apps; Atlassian
    /// compares the callback URL exactly, and ServiceNow's OAuth entity
    /// holds one redirect URL, so those keep their registered port.
    pub fn accepts_any_loopback_port(&self) -> bool {
        self.kind == ProfileKind::Entra
    }

    pub fn for_connection(c: &ConnectionView) -> Result<Self> {
        let cfg = &c.config;
        let client_id = cfg.client_id.clone().ok_or_else(|| {
            Error::invalid_with(
                "client-id",
                format!(
                    "connection '{}' has no OAuth client id: register an OAuth app with {} (wiki/Integrations.md) and give the connection its client id",
                    c.name, c.provider
                ),
                Action::EditConnection {
                    connection: c.name.clone(),
                    setting: "client-id".into(),
                },
            )
        })?;
        let pick = |over: &Option<String>, default: String| over.clone().unwrap_or(default);
        Ok(match c.provider {
            Provider::Confluence => OAuthProfile {
                kind: ProfileKind::Atlassian,
                client_id,
                auth_url: pick(&cfg.auth_url, ATLASSIAN_AUTH_URL.into()),
                token_url: pick(&cfg.token_url, ATLASSIAN_TOKEN_URL.into()),
                resources_url: Some(pick(&cfg.resources_url, ATLASSIAN_RESOURCES_URL.into())),
                scopes: [
                    "read:confluence-content.all",
                    "write:confluence-content",
                    "read:confluence-space.summary",
                    "search:confluence",
                    "read:me",
                    "offline_access",
                ]
                .map(String::from)
                .to_vec(),
                extra_auth_params: vec![
                    ("audience".into(), "api.atlassian.com".into()),
                    ("prompt".into(), "consent".into()),
                ],
            },
            Provider::AzureDevOps => {
                let tenant = cfg
                    .tenant
                    .clone()
                    .unwrap_or_else(|| ENTRA_DEFAULT_TENANT.into());
                let base = format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0");
                OAuthProfile {
                    kind: ProfileKind::Entra,
                    client_id,
                    auth_url: pick(&cfg.auth_url, format!("{base}/authorize")),
                    token_url: pick(&cfg.token_url, format!("{base}/token")),
                    resources_url: None,
                    scopes: vec![AZURE_DEVOPS_SCOPE.into(), "offline_access".into()],
                    extra_auth_params: Vec::new(),
                }
            }
            Provider::ServiceNow => OAuthProfile {
                kind: ProfileKind::Generic,
                client_id,
                auth_url: pick(&cfg.auth_url, format!("{}/oauth_auth.do", c.base_url)),
                token_url: pick(&cfg.token_url, format!("{}/oauth_token.do", c.base_url)),
                resources_url: None,
                // ServiceNow's scope for acting as the signed-in user.
                scopes: vec!["useraccount".into()],
                extra_auth_params: Vec::new(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::{AuthType, ConnectionStatus, ProviderConfig};

    fn view(provider: Provider, cfg: ProviderConfig) -> ConnectionView {
        ConnectionView {
            id: "id".into(),
            name: "n".into(),
            provider,
            base_url: "https://acme.service-now.com".into(),
            auth_type: AuthType::OAuth2,
            config: cfg,
            is_default: true,
            auto_create_enabled: false,
            status: ConnectionStatus::NeedsReconnect,
            status_detail: None,
            created_at: String::new(),
            updated_at: String::new(),
            credentials: Vec::new(),
        }
    }

    fn with_client() -> ProviderConfig {
        ProviderConfig {
            client_id: Some("app".into()),
            ..ProviderConfig::default()
        }
    }

    #[test]
    fn a_connection_without_a_client_id_is_opened_for_editing() {
        let e =
            OAuthProfile::for_connection(&view(Provider::Confluence, ProviderConfig::default()))
                .unwrap_err();
        assert!(!e.to_string().contains("--"), "{e}");
        assert_eq!(
            e.action(),
            Some(Action::EditConnection {
                connection: "n".into(),
                setting: "client-id".into()
            })
        );
    }

    #[test]
    fn atlassian_defaults() {
        let p = OAuthProfile::for_connection(&view(Provider::Confluence, with_client())).unwrap();
        assert_eq!(p.auth_url, "https://auth.atlassian.com/authorize");
        assert_eq!(p.token_url, "https://auth.atlassian.com/oauth/token");
        assert_eq!(p.resources_url.as_deref(), Some(ATLASSIAN_RESOURCES_URL));
        assert!(p.scopes.contains(&"offline_access".to_owned()));
        assert!(p
            .extra_auth_params
            .contains(&("audience".into(), "api.atlassian.com".into())));
        assert!(p
            .extra_auth_params
            .contains(&("prompt".into(), "consent".into())));
    }

    #[test]
    fn entra_uses_the_tenant_and_the_devops_scope() {
        let p = OAuthProfile::for_connection(&view(Provider::AzureDevOps, with_client())).unwrap();
        assert_eq!(
            p.auth_url,
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize"
        );
        assert_eq!(
            p.scopes,
            vec![AZURE_DEVOPS_SCOPE.to_owned(), "offline_access".to_owned()]
        );
        let mut cfg = with_client();
        cfg.tenant = Some("contoso.onmicrosoft.com".into());
        let p = OAuthProfile::for_connection(&view(Provider::AzureDevOps, cfg)).unwrap();
        assert_eq!(
            p.token_url,
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
        );
    }

    #[test]
    fn overrides_win_and_a_missing_client_id_explains_itself() {
        let mut cfg = with_client();
        cfg.auth_url = Some("http://127.0.0.1:9/auth".into());
        cfg.token_url = Some("http://127.0.0.1:9/token".into());
        let p = OAuthProfile::for_connection(&view(Provider::ServiceNow, cfg)).unwrap();
        assert_eq!(
            (p.auth_url.as_str(), p.token_url.as_str()),
            ("http://127.0.0.1:9/auth", "http://127.0.0.1:9/token")
        );
        let err =
            OAuthProfile::for_connection(&view(Provider::Confluence, ProviderConfig::default()))
                .unwrap_err();
        assert!(err.to_string().contains("register an OAuth app"), "{err}");
    }
}
