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
pub struct TokenSet {
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
        .request_async(http)
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
        .request_async(http)
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
