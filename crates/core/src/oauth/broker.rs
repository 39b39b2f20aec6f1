//! Fresh access tokens for provider calls. A token within 60 s of expiry
//! is refreshed first, once however many callers want it: callers in this
//! process queue on one async lock per connection, and processes sharing
//! the database take turns through the refresh lease (`lease`). Whoever
//! waited then re-reads the sealed tokens and uses the new access token. A
//! rotated refresh token is stored before the new access token is handed
//! out; `invalid_grant` marks the connection `needs_reconnect` and keeps it
//! — but only when the refused refresh token is still the stored one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::grant_store::{Refused, TokenState};
use super::lease::LeaseTry;
use super::tokens;
use super::OAuthError;
use crate::app::{lock, SharedCore};
use crate::connections::{ConnectionStatus, CredentialKind};
use crate::error::{Error, Result};
use crate::secret::SecretString;

/// How long a caller waits for another process's refresh before giving up
/// with [`OAuthError::RefreshBusy`]: a healthy refresh ends well within
/// the token request's 30 s limit.
pub const DEFAULT_LEASE_WAIT: Duration = Duration::from_secs(45);
/// How often a waiting caller looks at the lease again.
const LEASE_POLL: Duration = Duration::from_millis(100);
/// Refusals answered with a newer stored refresh token before giving up
/// (each means another process refreshed in between).
const SUPERSEDED_RETRIES: usize = 3;

pub struct TokenBroker {
    core: SharedCore,
    http: reqwest::Client,
    /// One async lock per connection id: whoever holds it may refresh.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// This broker's name in refresh leases.
    holder: String,
    lease_wait: Duration,
}

/// Gives the lease up however the refresh ends (an error, a cancelled
/// task); a no-op after the transaction that stored the tokens did.
struct LeaseGuard<'a> {
    core: &'a SharedCore,
    connection_id: String,
    holder: &'a str,
}

impl Drop for LeaseGuard<'_> {
    fn drop(&mut self) {
        if let Ok(core) = lock(self.core) {
            if let Err(e) = core.release_refresh_lease(&self.connection_id, self.holder) {
                tracing::warn!("could not release the refresh lease: {e}");
            }
        }
    }
}

impl TokenBroker {
    pub fn new(core: SharedCore) -> Result<Self> {
        Ok(Self {
            core,
            http: tokens::http_client()?,
            flights: Mutex::new(HashMap::new()),
            holder: crate::process::holder_id(),
            lease_wait: DEFAULT_LEASE_WAIT,
        })
    }

    /// How long to wait on another process's refresh (tests shorten it).
    pub fn with_lease_wait(mut self, wait: Duration) -> Self {
        self.lease_wait = wait;
        self
    }

    fn flight(&self, connection_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut flights = self
            .flights
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        flights.entry(connection_id.to_owned()).or_default().clone()
    }

    /// Checks that the sign-in of `name` is usable: a fresh access token,
    /// refreshed if due. Returns when the access token expires.
    pub async fn check(&self, name: &str) -> Result<Option<String>> {
        self.access_token(name, "connection test").await?;
        let state = lock(&self.core)?.token_state(name)?;
        Ok(state
            .access_expires_at
            .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
    }

    /// A usable access token for connection `name`, for `purpose` (audited).
    pub async fn access_token(&self, name: &str, purpose: &str) -> Result<SecretString> {
        let state = usable(lock(&self.core)?.token_state(name)?)?;
        if state.is_fresh() {
            return self.open_access(&state, purpose);
        }
        let flight = self.flight(&state.connection_id);
        let _turn = flight.lock().await;
        let waiting_since = Instant::now();
        let mut superseded = 0;
        loop {
            // Someone ahead of us (here or in another process) may have
            // refreshed already, or the grant may be gone.
            let state = usable(lock(&self.core)?.token_state(name)?)?;
            if state.is_fresh() {
                return self.open_access(&state, purpose);
            }
            let taken = lock(&self.core)?.try_refresh_lease(&state.connection_id, &self.holder)?;
            match taken {
                LeaseTry::Fresh => continue,
                LeaseTry::Held { holder } => {
                    if waiting_since.elapsed() >= self.lease_wait {
                        return Err(OAuthError::RefreshBusy {
                            connection: state.name.clone(),
                            pid: crate::process::holder_pid(&holder),
                            seconds: self.lease_wait.as_secs(),
                        }
                        .into());
                    }
                    tokio::time::sleep(LEASE_POLL).await;
                }
                LeaseTry::Taken => match self.refresh(&state, purpose).await? {
                    Some(token) => return Ok(token),
                    None => {
                        superseded += 1;
                        if superseded > SUPERSEDED_RETRIES {
                            return Err(OAuthError::Exchange {
                                reason: format!(
                                    "the sign-in of '{}' kept changing while refreshing (other Incident Bridge processes refreshed {SUPERSEDED_RETRIES} times); try again",
                                    state.name
                                ),
                            }
                            .into());
                        }
                    }
                },
            }
        }
    }

    fn open_access(&self, state: &TokenState, purpose: &str) -> Result<SecretString> {
        lock(&self.core)?.open_credential(&state.name, CredentialKind::AccessToken, purpose)
    }

    /// One refresh, holding the lease. `None`: the server refused a refresh
    /// token that another process had already replaced; look again.
    async fn refresh(&self, state: &TokenState, purpose: &str) -> Result<Option<SecretString>> {
        let _lease = LeaseGuard {
            core: &self.core,
            connection_id: state.connection_id.clone(),
            holder: &self.holder,
        };
        let prep = lock(&self.core)?.prepare_refresh(&state.name)?;
        let answer = tokens::refresh(
            &self.http,
            &prep.profile,
            prep.client_secret.as_ref(),
            &prep.refresh_token,
        )
        .await;
        match answer {
            Ok(fresh) => {
                let mut core = lock(&self.core)?;
                core.store_refresh(&state.connection_id, &state.name, &fresh, &self.holder)?;
                core.open_credential(&state.name, CredentialKind::AccessToken, purpose)
                    .map(Some)
            }
            Err(OAuthError::InvalidGrant { description }) => {
                let reason = if description.is_empty() {
                    "the refresh token was refused (invalid_grant)".to_owned()
                } else {
                    format!("the refresh token was refused (invalid_grant: {description})")
                };
                let refused = lock(&self.core)?.refused_refresh(
                    &state.connection_id,
                    &state.name,
                    &prep.refresh_fingerprint,
                    &reason,
                    &self.holder,
                )?;
                match refused {
                    Refused::Superseded => Ok(None),
                    Refused::GrantGone => Err(Error::AuthNeeded {
                        connection: state.name.clone(),
                        reason: format!("{reason}; sign in again"),
                    }),
                }
            }
            Err(other) => {
                lock(&self.core)?.audit_oauth_failure(
                    "oauth.refresh",
                    &state.name,
                    other.audit_reason(),
                )?;
                Err(other.into())
            }
        }
    }
}

/// Refuses a connection that is not signed in, or whose grant was refused:
/// only a new sign-in clears `needs_reconnect`, so no refresh is tried with
/// a refresh token the server already turned down.
fn usable(state: TokenState) -> Result<TokenState> {
    if !state.has_access && !state.has_refresh {
        return Err(Error::AuthNeeded {
            connection: state.name.clone(),
            reason: "not signed in yet".into(),
        });
    }
    if state.status == ConnectionStatus::NeedsReconnect {
        let reason = match &state.status_detail {
            Some(detail) => format!("a new sign-in is needed ({detail})"),
            None => "a new sign-in is needed".into(),
        };
        return Err(Error::AuthNeeded {
            connection: state.name,
            reason,
        });
    }
    Ok(state)
}

#[cfg(test)]
mod tests;
