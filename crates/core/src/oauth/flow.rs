//! The sign-in flow: loopback receiver up, browser to the authorization
//! URL, wait for the callback, exchange the code with the PKCE verifier,
//! pick the Atlassian site, seal the tokens.

use std::sync::Arc;
use std::time::Duration;

use super::atlassian::{self, AtlassianSite};
use super::callback::{callback_path, Callback, CallbackServer, Listen};
use super::grant_store::SignInPrep;
use super::issuer::IssuerCheck;
use super::profile::ProfileKind;
use super::state::StateGuard;
use super::tokens::{self, TokenSet};
use super::OAuthError;
use crate::app::{lock, SharedCore};
use crate::connections::ConnectionView;
use crate::error::{Error, Result};
use crate::http::{HttpClient, HttpConfig};
use crate::secret::SecretString;

pub const DEFAULT_PORT: u16 = 8765;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// The callback port chosen for this sign-in (`--port`); remembered
    /// for the connection when the sign-in succeeds. `None`: the port the
    /// connection remembers, else 8765.
    pub port: Option<u16>,
    pub timeout: Duration,
    /// Atlassian site to use when the grant covers several (id, URL or name).
    pub site: Option<String>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            port: None,
            timeout: DEFAULT_TIMEOUT,
            site: None,
        }
    }
}

/// How the flow talks to the person: the CLI prints, the desktop app
/// emits events and shows a picker.
pub trait ConnectUi: Send + Sync {
    /// Open the system browser at `url` (or show it).
    fn authorization_url(&self, url: &str);
    fn progress(&self, message: &str);
    /// Several Atlassian sites and no `--site`: ask, or `None` to give up.
    fn choose_site(&self, sites: &[AtlassianSite]) -> Option<AtlassianSite>;
}

/// Runs the whole sign-in for connection `name`.
pub async fn connect(
    core: &SharedCore,
    name: &str,
    options: &ConnectOptions,
    ui: &dyn ConnectUi,
) -> Result<ConnectionView> {
    let prep = lock(core)?.prepare_sign_in(name)?;
    let connection_name = prep.connection.name.clone();
    let result = run(core, prep, options, ui).await;
    if let Err(e) = &result {
        let reason = match e {
            Error::OAuth(o) => o.audit_reason(),
            _ => "error",
        };
        lock(core)?.audit_oauth_failure("oauth.connect", &connection_name, reason)?;
    }
    result
}

/// Where this sign-in listens: the chosen port, else the connection's
/// remembered one, else 8765; a free one instead when the server takes
/// any loopback port and that one is busy.
fn listen_for(prep: &SignInPrep, options: &ConnectOptions) -> Listen {
    Listen {
        port: options
            .port
            .or(prep.connection.config.callback_port)
            .unwrap_or(DEFAULT_PORT),
        any_port: prep.profile.accepts_any_loopback_port() && options.port.is_none(),
        path: callback_path(&prep.connection.name),
    }
}

async fn run(
    core: &SharedCore,
    prep: SignInPrep,
    options: &ConnectOptions,
    ui: &dyn ConnectUi,
) -> Result<ConnectionView> {
    let guard = Arc::new(StateGuard::new(
        zeroize::Zeroizing::new(*prep.state_key),
        &prep.connection.id,
        options.timeout,
    ));
    let http = tokens::http_client()?;
    let issuer = IssuerCheck::for_endpoint(&prep.profile.auth_url)
        .discover(&http)
        .await;
    let mut server =
        CallbackServer::start(&listen_for(&prep, options), guard.clone(), issuer).await?;
    let request =
        tokens::authorization_request(&prep.profile, &server.redirect_uri, guard.issue())?;
    ui.authorization_url(&request.url);
    ui.progress(&format!(
        "Waiting for the sign-in to finish in the browser (up to {} s)…",
        options.timeout.as_secs()
    ));
    let redirect_uri = server.redirect_uri.clone();
    let deadline = tokio::time::Instant::now() + options.timeout;
    // Callbacks whose state does not verify are answered and ignored: only
    // a verified one, or the timeout, ends the wait.
    let callback = loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match server.next(left).await {
            Some(Callback::Refused(e)) => {
                ui.progress(&format!(
                    "Ignored an answer that is not this sign-in's ({e}); still waiting…"
                ));
            }
            other => break other,
        }
    };
    let outcome = match callback {
        None | Some(Callback::Refused(_)) => Err(OAuthError::Timeout {
            seconds: options.timeout.as_secs(),
        }
        .into()),
        Some(Callback::Failed(e)) => Err(e.into()),
        Some(Callback::Denied { error, description }) => {
            Err(OAuthError::Denied { error, description }.into())
        }
        Some(Callback::Authorized { code, reply }) => {
            ui.progress("Exchanging the authorization code…");
            let finished = finish(
                core,
                &prep,
                &redirect_uri,
                &code,
                request.verifier,
                options,
                ui,
            )
            .await;
            let page = match &finished {
                Ok(view) => Ok(format!(
                    "Incident Bridge is now connected to {} for '{}'. Return to Incident Bridge.",
                    view.provider, view.name
                )),
                Err(e) => Err(format!("Sign-in failed: {e}")),
            };
            let _ = reply.send(page);
            finished
        }
    };
    server.shutdown().await;
    outcome
}

async fn finish(
    core: &SharedCore,
    prep: &SignInPrep,
    redirect_uri: &str,
    code: &SecretString,
    verifier: oauth2::PkceCodeVerifier,
    options: &ConnectOptions,
    ui: &dyn ConnectUi,
) -> Result<ConnectionView> {
    let http = tokens::http_client()?;
    let tokens = tokens::exchange_code(
        &http,
        &prep.profile,
        prep.client_secret.as_ref(),
        redirect_uri,
        code,
        verifier,
    )
    .await
    .map_err(|e| match e {
        // During the exchange invalid_grant means a bad code or verifier.
        OAuthError::InvalidGrant { description } => OAuthError::Exchange {
            reason: format!(
                "the authorization server refused the code: invalid_grant{}{description}",
                if description.is_empty() { "" } else { " — " }
            ),
        },
        other => other,
    })?;
    let site = match (prep.profile.kind, &prep.profile.resources_url) {
        (ProfileKind::Atlassian, Some(url)) => Some(choose_site(url, &tokens, options, ui).await?),
        _ => None,
    };
    lock(core)?.store_sign_in(&prep.connection.id, &tokens, site.as_ref(), options.port)
}

async fn choose_site(
    resources_url: &str,
    tokens: &TokenSet,
    options: &ConnectOptions,
    ui: &dyn ConnectUi,
) -> Result<AtlassianSite> {
    let http = HttpClient::new(HttpConfig::default())?;
    let sites = atlassian::accessible_resources(&http, resources_url, &tokens.access_token).await?;
    if sites.is_empty() {
        return Err(OAuthError::Resources {
            reason: "the grant covers no Confluence site; check the app's permissions in the Atlassian developer console".into(),
        }
        .into());
    }
    if let Some(wanted) = &options.site {
        return atlassian::find_site(&sites, wanted)
            .cloned()
            .ok_or_else(|| {
                Error::invalid(
                    "site",
                    format!(
                        "'{wanted}' is not one of this grant's sites: {}",
                        atlassian::describe_sites(&sites)
                    ),
                )
            });
    }
    if let [only] = sites.as_slice() {
        return Ok(only.clone());
    }
    ui.choose_site(&sites).ok_or_else(|| {
        OAuthError::SiteChoice {
            sites: atlassian::describe_sites(&sites),
        }
        .into()
    })
}
