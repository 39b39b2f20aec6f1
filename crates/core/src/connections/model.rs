//! The words of a connection: providers, auth types, statuses, credential
//! kinds, and the secret-free view front ends show.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Action, Error};
use crate::secret::SecretString;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(Error::invalid(
                        $field,
                        format!(
                            "'{}' is not one of: {}",
                            other,
                            [$($text),+].join(", ")
                        ),
                    )),
                }
            }
        }
    };
}

text_enum!(
    /// A service Incident Bridge talks to.
    Provider, "provider", {
    Confluence => "confluence",
    ServiceNow => "servicenow",
    AzureDevOps => "azure_devops",
});

text_enum!(AuthType, "auth", {
    OAuth2 => "oauth2",
    ApiToken => "api_token",
    Pat => "pat",
    Basic => "basic",
});

text_enum!(ConnectionStatus, "status", {
    Connected => "connected",
    NeedsReconnect => "needs_reconnect",
    Error => "error",
});

text_enum!(CredentialKind, "kind", {
    AccessToken => "access_token",
    RefreshToken => "refresh_token",
    ApiToken => "api_token",
    Pat => "pat",
    Password => "password",
    ClientSecret => "client_secret",
});

impl Provider {
    /// The auth types each service accepts, per DESIGN.md.
    pub fn auth_types(self) -> &'static [AuthType] {
        match self {
            Provider::Confluence => &[AuthType::ApiToken, AuthType::Pat, AuthType::OAuth2],
            Provider::ServiceNow => &[AuthType::Basic, AuthType::OAuth2],
            Provider::AzureDevOps => &[AuthType::Pat, AuthType::OAuth2],
        }
    }
}

impl AuthType {
    /// The credential the user types in for this auth type, if any.
    pub fn user_secret_kind(self) -> Option<CredentialKind> {
        match self {
            AuthType::ApiToken => Some(CredentialKind::ApiToken),
            AuthType::Pat => Some(CredentialKind::Pat),
            AuthType::Basic => Some(CredentialKind::Password),
            AuthType::OAuth2 => None,
        }
    }
}

/// Non-secret settings of a connection, stored as JSON.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    /// Atlassian OAuth: the site the user chose (cloud id, URL, name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// The loopback port of the redirect URI registered for this
    /// connection, remembered from `ibridge connect --port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_port: Option<u16>,
}

/// A stored credential as people may see it: never the secret.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialView {
    pub kind: CredentialKind,
    pub masked: String,
    /// `sha256:` + 12 hex digits of a salted SHA-256.
    pub fingerprint: String,
    pub created_at: String,
    pub expires_at: Option<String>,
}

/// A connection as front ends show it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionView {
    pub id: String,
    pub name: String,
    pub provider: Provider,
    pub base_url: String,
    pub auth_type: AuthType,
    pub config: ProviderConfig,
    pub is_default: bool,
    pub auto_create_enabled: bool,
    pub status: ConnectionStatus,
    pub status_detail: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub credentials: Vec<CredentialView>,
}

impl ConnectionView {
    /// What its status asks of the person: a connection that needs a new
    /// sign-in is reconnected.
    pub fn action(&self) -> Option<Action> {
        (self.status == ConnectionStatus::NeedsReconnect).then(|| Action::Reconnect {
            connection: self.name.clone(),
        })
    }
}

/// What `connections add` and the "Add connection" form take. Strings are
/// raw input; validation checks them all and names the field of the first
/// problem. Secrets travel from the form or stdin to the vault once, here,
/// and print as `[redacted]` in `Debug`.
/// (Input only: the window's bindings call it `NewConnectionInput`.)
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename = "NewConnectionInput")]
pub struct NewConnection {
    pub provider: String,
    pub name: String,
    pub url: String,
    pub auth: String,
    /// Optional settings: the form sends empty fields, which mean "not set".
    #[serde(default, deserialize_with = "blank_as_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub client_id: Option<String>,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub tenant: Option<String>,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub project: Option<String>,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub space: Option<String>,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub auth_url: Option<String>,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub token_url: Option<String>,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub resources_url: Option<String>,
    #[serde(default, deserialize_with = "blank_as_none")]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub api_url: Option<String>,
    #[serde(default)]
    pub make_default: bool,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub secret: Option<SecretString>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    pub client_secret: Option<SecretString>,
}

fn blank_as_none<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    let value: Option<String> = Option::deserialize(deserializer)?;
    Ok(value.filter(|v| !v.trim().is_empty()))
}
