//! Mix-up defence (RFC 9700 §4.4, RFC 9207): the authorization response's
//! `iss` must name the authorization server this connection's flow went to.
//!
//! The expected issuer is any issuer on the origin of the connection's
//! authorization endpoint: the issuer identifier of Entra carries the
//! tenant id, which a multi-tenant sign-in learns only from the answer,
//! and a mix-up attacker's server has another origin. When the server
//! advertises `authorization_response_iss_parameter_supported` in its
//! metadata, an answer without `iss` is refused too.

use std::time::Duration;

use super::OAuthError;

/// What to demand of a callback's `iss`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerCheck {
    /// The origin (`scheme://host[:port]`) of the authorization endpoint.
    pub origin: String,
    /// The server said it sends `iss`: its absence is an error.
    pub required: bool,
}

impl IssuerCheck {
    pub fn for_endpoint(auth_url: &str) -> Self {
        Self {
            origin: origin_of(auth_url).unwrap_or_default(),
            required: false,
        }
    }

    pub fn check(&self, iss: Option<&str>) -> Result<(), OAuthError> {
        let Some(iss) = iss else {
            return if self.required {
                Err(OAuthError::Issuer {
                    reason: "the authorization server sends `iss`, but this answer has none".into(),
                })
            } else {
                Ok(())
            };
        };
        if origin_of(iss).is_some_and(|o| o == self.origin) {
            Ok(())
        } else {
            Err(OAuthError::Issuer {
                reason: format!(
                    "the answer was issued by '{iss}', not by this connection's authorization server ({})",
                    self.origin
                ),
            })
        }
    }

    /// Asks the server's metadata (RFC 8414, then OpenID discovery) whether
    /// it sends `iss`; best effort: no answer means "not advertised".
    pub async fn discover(mut self, http: &reqwest::Client) -> Self {
        let base = self.origin.trim_end_matches('/').to_owned();
        for well_known in [
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
        ] {
            let url = format!("{base}{well_known}");
            let answer = http.get(&url).timeout(Duration::from_secs(5)).send().await;
            let Ok(response) = answer else { continue };
            if !response.status().is_success()
                || response
                    .content_length()
                    .is_some_and(|n| n > super::tokens::MAX_TOKEN_RESPONSE_BYTES as u64)
            {
                continue;
            }
            let Ok(bytes) = response.bytes().await else {
                continue;
            };
            if bytes.len() > super::tokens::MAX_TOKEN_RESPONSE_BYTES {
                continue;
            }
            if let Ok(meta) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                self.required = meta["authorization_response_iss_parameter_supported"]
                    .as_bool()
                    .unwrap_or(false);
                return self;
            }
        }
        self
    }
}

fn origin_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    match parsed.origin() {
        url::Origin::Tuple(..) => Some(parsed.origin().ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iss_must_name_this_connections_server() {
        let check = IssuerCheck::for_endpoint("http://127.0.0.1:9000/auth");
        assert!(check.check(None).is_ok(), "not advertised: may be absent");
        assert!(check.check(Some("http://127.0.0.1:9000")).is_ok());
        assert!(check
            .check(Some("http://127.0.0.1:9000/tenant/v2.0"))
            .is_ok());
        for other in [
            "http://127.0.0.1:9001",
            "https://evil.example",
            "not a url",
            "",
        ] {
            let err = check.check(Some(other)).unwrap_err();
            assert!(err.to_string().contains("not by this connection"), "{err}");
        }
        let atlassian = IssuerCheck::for_endpoint("https://auth.atlassian.com/authorize");
        assert!(atlassian.check(Some("https://auth.atlassian.com")).is_ok());
        assert!(atlassian
            .check(Some("https://auth.atlassian.com.evil.example"))
            .is_err());
        let required = IssuerCheck {
            required: true,
            ..check
        };
        assert!(required.check(None).is_err());
    }
}
