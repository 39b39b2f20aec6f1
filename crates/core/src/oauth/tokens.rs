//! Authorization URL, code exchange and refresh, through the `oauth2`
//! crate: PKCE S256 only, client secret in the request body when there is
//! one (Atlassian requires it even with PKCE).

use std::time::Duration;

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError,
    Scope, TokenResponse, TokenUrl,
};

use super::profile::OAuthProfile;
use super::OAuthError;
use crate::secret::SecretString;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// What a token endpoint gave us.
#[derive(Debug)]
pub struct TokenSet {
    /// `SecretString`: zeroed on drop, `[redacted]` in `Debug`.
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub expires_in: Option<Duration>,
    pub scopes: Vec<String>,
}

/// The HTTP client the `oauth2` crate sends with: no redirects (a token
/// request must not be forwarded), bounded time.
pub fn http_client() -> Result<reqwest::Client, OAuthError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| OAuthError::Exchange {
            reason: format!("could not build the HTTP client: {e}"),
        })
}

/// Largest token-endpoint answer read (a token response is a few KiB).
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 256 * 1024;

/// The `oauth2` crate reads a whole response body into memory; this client
/// stops at `max_body` bytes instead (announced by Content-Length or
/// counted while reading), so a hostile or broken token endpoint cannot
/// make us buffer without bound.
struct Capped<'a> {
    http: &'a reqwest::Client,
    max_body: usize,
}

impl<'c> oauth2::AsyncHttpClient<'c> for Capped<'_> {
    type Error = oauth2::HttpClientError<reqwest::Error>;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<oauth2::HttpResponse, Self::Error>> + Send + 'c,
        >,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let request = reqwest::Request::try_from(request).map_err(Box::new)?;
            let mut response = self.http.execute(request).await.map_err(Box::new)?;
            let too_large = || {
                oauth2::HttpClientError::Other(format!(
                    "the answer is larger than {} KiB",
                    self.max_body / 1024
                ))
            };
            if response
                .content_length()
                .is_some_and(|n| n > self.max_body as u64)
            {
                return Err(too_large());
            }
            let mut builder = oauth2::http::Response::builder().status(response.status());
            for (name, value) in response.headers() {
                builder = builder.header(name, value);
            }
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(Box::new)? {
                if body.len() + chunk.len() > self.max_body {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            builder.body(body).map_err(oauth2::HttpClientError::Http)
        })
    }
}

fn capped(http: &reqwest::Client) -> Capped<'_> {
    Capped {
        http,
        max_body: MAX_TOKEN_RESPONSE_BYTES,
    }
}

fn client(
    profile: &OAuthProfile,
    secret: Option<&SecretString>,
    redirect_uri: Option<&str>,
) -> Result<Client, OAuthError> {
    let bad = |what: &str, e: oauth2::url::ParseError| OAuthError::Exchange {
        reason: format!("the {what} is not a valid URL: {e}"),
    };
    let mut client = BasicClient::new(ClientId::new(profile.client_id.clone()))
        .set_auth_uri(
            AuthUrl::new(profile.auth_url.clone()).map_err(|e| bad("authorization URL", e))?,
        )
        .set_token_uri(TokenUrl::new(profile.token_url.clone()).map_err(|e| bad("token URL", e))?)
        .set_auth_type(AuthType::RequestBody);
    if let Some(secret) = secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
    }
    if let Some(uri) = redirect_uri {
        client = client.set_redirect_uri(
            RedirectUrl::new(uri.to_owned()).map_err(|e| bad("redirect URI", e))?,
        );
    }
    Ok(client)
}

/// A ready authorization request: the URL to open and the PKCE verifier
/// to keep for the exchange.
pub struct AuthorizationRequest {
    pub url: String,
    pub verifier: PkceCodeVerifier,
}

pub fn authorization_request(
    profile: &OAuthProfile,
    redirect_uri: &str,
    state: String,
) -> Result<AuthorizationRequest, OAuthError> {
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let client = client(profile, None, Some(redirect_uri))?;
    let mut request = client
        .authorize_url(move || CsrfToken::new(state))
        .set_pkce_challenge(challenge)
        .add_scopes(profile.scopes.iter().cloned().map(Scope::new));
    for (name, value) in &profile.extra_auth_params {
        request = request.add_extra_param(name.clone(), value.clone());
    }
    let (url, _) = request.url();
    Ok(AuthorizationRequest {
        url: url.to_string(),
        verifier,
    })
}

pub async fn exchange_code(
    http: &reqwest::Client,
    profile: &OAuthProfile,
    client_secret: Option<&SecretString>,
    redirect_uri: &str,
    code: &SecretString,
    verifier: PkceCodeVerifier,
) -> Result<TokenSet, OAuthError> {
    let client = client(profile, client_secret, Some(redirect_uri))?;
    let response = client
        .exchange_code(AuthorizationCode::new(code.expose().to_owned()))
        .set_pkce_verifier(verifier)
        .request_async(&capped(http))
        .await
        .map_err(|e| token_error("exchanging the authorization code", e))?;
    Ok(token_set(&response))
}

pub async fn refresh(
    http: &reqwest::Client,
    profile: &OAuthProfile,
    client_secret: Option<&SecretString>,
    refresh_token: &SecretString,
) -> Result<TokenSet, OAuthError> {
    let client = client(profile, client_secret, None)?;
    let token = RefreshToken::new(refresh_token.expose().to_owned());
    let response = client
        .exchange_refresh_token(&token)
        .request_async(&capped(http))
        .await
        .map_err(|e| token_error("refreshing the access token", e))?;
    Ok(token_set(&response))
}

fn token_set(response: &oauth2::basic::BasicTokenResponse) -> TokenSet {
    TokenSet {
        access_token: SecretString::from(response.access_token().secret().as_str()),
        refresh_token: response
            .refresh_token()
            .map(|t| SecretString::from(t.secret().as_str())),
        expires_in: response.expires_in(),
        scopes: response
            .scopes()
            .map(|s| s.iter().map(|s| s.to_string()).collect())
            .unwrap_or_default(),
    }
}

type TokenRequestError = RequestTokenError<
    oauth2::HttpClientError<reqwest::Error>,
    oauth2::StandardErrorResponse<BasicErrorResponseType>,
>;

/// Keeps the server's error code and description (they name the cause,
/// e.g. a PKCE mismatch); never a request body.
fn token_error(doing: &str, e: TokenRequestError) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(r) => {
            let code = r.error().as_ref().to_owned();
            let description = r.error_description().cloned().unwrap_or_default();
            if matches!(r.error(), BasicErrorResponseType::InvalidGrant) {
                OAuthError::InvalidGrant { description }
            } else {
                OAuthError::Exchange {
                    reason: format!(
                        "the authorization server refused {doing}: {code}{}{description}",
                        if description.is_empty() { "" } else { " — " }
                    ),
                }
            }
        }
        RequestTokenError::Request(oauth2::HttpClientError::Other(why)) => OAuthError::Exchange {
            reason: format!("the token endpoint's answer was refused while {doing}: {why}"),
        },
        RequestTokenError::Request(e) => OAuthError::Exchange {
            reason: format!("could not reach the token endpoint while {doing}: {e}"),
        },
        RequestTokenError::Parse(e, _) => OAuthError::Exchange {
            reason: format!("the token endpoint's answer was not understood while {doing}: {e}"),
        },
        RequestTokenError::Other(e) => OAuthError::Exchange {
            reason: format!("{doing} failed: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::profile::ProfileKind;

    fn profile(server: &mockito::Server) -> OAuthProfile {
        OAuthProfile {
            kind: ProfileKind::Generic,
            client_id: "app".into(),
            auth_url: format!("{}/auth", server.url()),
            token_url: format!("{}/token", server.url()),
            resources_url: None,
            scopes: Vec::new(),
            extra_auth_params: Vec::new(),
        }
    }

    #[tokio::test]
    async fn an_oversized_token_response_is_refused_not_buffered() {
        let mut server = mockito::Server::new_async().await;
        let padding = "x".repeat(MAX_TOKEN_RESPONSE_BYTES + 1);
        let body = format!(
            r#"{{"access_token":"at","token_type":"Bearer","expires_in":3600,"pad":"{padding}"}}"#
        );
        let mock = server
            .mock("POST", "/token")
            .with_header("content-type", "application/json")
            .with_body(body)
            .create_async()
            .await;
        let http = http_client().unwrap();
        let err = refresh(&http, &profile(&server), None, &"rt".into())
            .await
            .expect_err("an oversized answer must fail");
        mock.assert_async().await;
        assert!(err.to_string().contains("larger than 256 KiB"), "{err}");
    }

    #[tokio::test]
    async fn a_normal_token_response_is_read() {
        let mut server = mockito::Server::new_async().await;
        server
            .mock("POST", "/token")
            .with_header("content-type", "application/json")
            .with_body(r#"{"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-2"}"#)
            .create_async()
            .await;
        let http = http_client().unwrap();
        let set = refresh(&http, &profile(&server), None, &"rt".into())
            .await
            .unwrap();
        assert_eq!(set.access_token.expose(), "at-1");
        assert_eq!(set.refresh_token.unwrap().expose(), "rt-2");
    }
}
