//! Rules for connection input. Every error names the CLI flag / form field
//! at fault.

use url::{Host, Url};

use super::model::{AuthType, NewConnection, Provider, ProviderConfig};
use crate::error::{Error, Result};

const MAX_NAME_CHARS: usize = 64;

/// A connection that passed every rule.
pub(super) struct ValidConnection {
    pub name: String,
    pub provider: Provider,
    pub auth: AuthType,
    pub base_url: String,
    pub config: ProviderConfig,
}

pub fn validate_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(
            "name",
            "must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

/// A base URL we may send credentials to: https, or http on loopback only
/// (invariant 7); no user info; no query or fragment. Returned without a
/// trailing slash.
pub fn validate_base_url(field: &str, raw: &str) -> Result<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    let url = Url::parse(raw)
        .map_err(|e| Error::invalid(field, format!("'{raw}' is not a URL ({e})")))?;
    let host = url
        .host()
        .ok_or_else(|| Error::invalid(field, format!("'{raw}' has no host name")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(Error::invalid(
                field,
                format!(
                    "'{raw}' uses plain http://; use https:// (http is allowed only for localhost)"
                ),
            ))
        }
        other => {
            return Err(Error::invalid(
                field,
                format!("scheme '{other}' is not supported; use https://"),
            ))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(
            field,
            "must not contain a user name or password; give them as the connection's username and secret",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            field,
            "must not contain a query (?) or fragment (#)",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

fn non_empty(field: &str, value: &Option<String>) -> Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) if v.trim().is_empty() => Err(Error::invalid(field, "must not be empty")),
        Some(v) if v.chars().any(char::is_control) => {
            Err(Error::invalid(field, "must not contain control characters"))
        }
        Some(v) => Ok(Some(v.trim().to_owned())),
    }
}

fn only_for(field: &str, value: &Option<String>, allowed: bool, rule: &str) -> Result<()> {
    if value.is_some() && !allowed {
        return Err(Error::invalid(field, format!("applies only to {rule}")));
    }
    Ok(())
}

fn optional_url(field: &str, value: &Option<String>) -> Result<Option<String>> {
    value
        .as_deref()
        .map(|v| validate_base_url(field, v))
        .transpose()
}

pub(super) fn validate(input: &NewConnection) -> Result<ValidConnection> {
    let name = validate_name(&input.name)?;
    let provider: Provider = input.provider.parse()?;
    let auth: AuthType = input.auth.parse()?;
    if !provider.auth_types().contains(&auth) {
        let allowed: Vec<&str> = provider.auth_types().iter().map(|a| a.as_str()).collect();
        return Err(Error::invalid(
            "auth",
            format!(
                "'{auth}' is not available for {provider}; use one of: {}",
                allowed.join(", ")
            ),
        ));
    }
    let mut base_url = validate_base_url("url", &input.url)?;
    if provider == Provider::ServiceNow {
        // People paste list or form URLs; the instance is the origin.
        base_url = crate::providers::servicenow::instance_origin(&base_url)?;
    }
    if provider == Provider::Confluence {
        base_url = match auth {
            // Data Center / Server: keep the context path.
            AuthType::Pat => crate::providers::confluence::data_center_base(&base_url)?,
            _ => crate::providers::confluence::cloud_base(&base_url)?,
        };
    }
    if provider == Provider::AzureDevOps {
        base_url = crate::providers::azure_devops::organization_url(&base_url)?;
    }

    let oauth = auth == AuthType::OAuth2;
    let ado = provider == Provider::AzureDevOps;
    only_for(
        "tenant",
        &input.tenant,
        ado && oauth,
        "azure_devops connections signing in with oauth2",
    )?;
    only_for("project", &input.project, ado, "azure_devops connections")?;
    only_for(
        "space",
        &input.space,
        provider == Provider::Confluence,
        "confluence connections",
    )?;
    only_for("client-id", &input.client_id, oauth, "oauth2 connections")?;
    only_for("auth-url", &input.auth_url, oauth, "oauth2 connections")?;
    only_for("token-url", &input.token_url, oauth, "oauth2 connections")?;
    only_for(
        "resources-url",
        &input.resources_url,
        oauth && provider == Provider::Confluence,
        "confluence connections signing in with oauth2",
    )?;
    if input.client_secret.is_some() && !oauth {
        return Err(Error::invalid(
            "client-secret",
            "applies only to oauth2 connections",
        ));
    }

    let username = non_empty("username", &input.username)?;
    match auth {
        AuthType::ApiToken if username.is_none() => {
            return Err(Error::invalid(
                "username",
                "is required for api_token: the Atlassian account email the token belongs to",
            ))
        }
        AuthType::Basic if username.is_none() => {
            return Err(Error::invalid("username", "is required for basic auth"))
        }
        AuthType::Pat | AuthType::OAuth2 if username.is_some() => {
            return Err(Error::invalid(
                "username",
                format!("is not used with {auth}"),
            ))
        }
        _ => {}
    }

    match (auth.user_secret_kind(), &input.secret) {
        (Some(_), None) => {
            return Err(Error::missing(
                "secret",
                format!("a {auth} connection needs its secret"),
            ))
        }
        (Some(_), Some(secret)) if secret.is_empty() => {
            return Err(Error::invalid(
                "secret",
                "the secret read from standard input is empty",
            ))
        }
        (None, Some(_)) => {
            return Err(Error::invalid(
                "secret",
                "oauth2 connections get their tokens by signing in; give no secret",
            ))
        }
        _ => {}
    }
    if let Some(secret) = &input.client_secret {
        if secret.is_empty() {
            return Err(Error::invalid(
                "client-secret",
                "the client secret read from standard input is empty",
            ));
        }
    }

    let client_id = non_empty("client-id", &input.client_id)?;
    if oauth && client_id.is_none() {
        return Err(Error::invalid(
            "client-id",
            "is required for oauth2: register an OAuth app with the provider first (wiki/Integrations.md gives the steps)",
        ));
    }
    let tenant = non_empty("tenant", &input.tenant)?;
    if let Some(t) = &tenant {
        if !t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err(Error::invalid(
                "tenant",
                "must be a tenant id (GUID), a domain, or one of organizations / common / consumers",
            ));
        }
    }
    let project = non_empty("project", &input.project)?;
    if ado && project.is_none() {
        return Err(Error::invalid(
            "project",
            "is required for azure_devops connections",
        ));
    }

    Ok(ValidConnection {
        name,
        provider,
        auth,
        base_url,
        config: ProviderConfig {
            username,
            project,
            space: non_empty("space", &input.space)?
                .map(|s| crate::providers::confluence::cql::validate_space_key(&s))
                .transpose()?,
            tenant,
            client_id,
            auth_url: optional_url("auth-url", &input.auth_url)?,
            token_url: optional_url("token-url", &input.token_url)?,
            resources_url: optional_url("resources-url", &input.resources_url)?,
            api_url: optional_url("api-url", &input.api_url)?,
            ..ProviderConfig::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            validate_base_url("url", "https://x.atlassian.net/wiki/").unwrap(),
            "https://x.atlassian.net/wiki"
        );
        assert_eq!(
            validate_base_url("url", " https://x.example ").unwrap(),
            "https://x.example"
        );
        for ok in [
            "http://localhost:8080",
            "http://127.0.0.1:1",
            "http://[::1]:9",
        ] {
            validate_base_url("url", ok).unwrap();
        }
        for bad in [
            "",
            "x.example",
            "http://x.example",
            "http://127.example",
            "ftp://x.example",
            "https://u:p@x.example",
            "https://x.example/?q=1",
            "https://x.example/#f",
            "https://",
        ] {
            let e = validate_base_url("url", bad).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidInput { field, .. } if field == "url"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn names() {
        assert_eq!(validate_name("  prod ").unwrap(), "prod");
        assert!(validate_name(" ").is_err());
        assert!(validate_name(&"é".repeat(65)).is_err());
        assert!(validate_name(&"é".repeat(64)).is_ok());
        assert!(validate_name("a\nb").is_err());
    }
}
