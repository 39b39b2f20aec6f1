//! Fresh access tokens for provider calls. A token within 60 s of expiry
//! is refreshed first; concurrent callers for one connection share a
//! single refresh (single flight); a rotated refresh token is stored
//! before the new access token is handed out; `invalid_grant` marks the
//! connection `needs_reconnect` and keeps it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::tokens;
use super::{lock, OAuthError, SharedCore};
use crate::connections::CredentialKind;
use crate::error::{Error, Result};
use crate::secret::SecretString;

pub struct TokenBroker {
    core: SharedCore,
    http: reqwest::Client,
    /// One async lock per connection id: whoever holds it may refresh.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl TokenBroker {
    pub fn new(core: SharedCore) -> Result<Self> {
        Ok(Self {
            core,
            http: tokens::http_client()?,
            flights: Mutex::new(HashMap::new()),
        })
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
        let state = lock(&self.core)?.token_state(name)?;
        if !state.has_access && !state.has_refresh {
            return Err(Error::AuthNeeded {
                connection: state.name.clone(),
                reason: format!("not signed in yet; run `ibridge connect {}`", state.name),
            });
        }
        if state.is_fresh() {
            return lock(&self.core)?.open_credential(
                &state.name,
                CredentialKind::AccessToken,
                purpose,
            );
        }
        let flight = self.flight(&state.connection_id);
        let _turn = flight.lock().await;
        // Someone ahead of us in the queue may have refreshed already.
        let state = lock(&self.core)?.token_state(name)?;
        if state.is_fresh() {
            return lock(&self.core)?.open_credential(
                &state.name,
                CredentialKind::AccessToken,
                purpose,
            );
        }
        let (profile, refresh_token, client_secret) =
            lock(&self.core)?.prepare_refresh(&state.name)?;
        match tokens::refresh(&self.http, &profile, client_secret.as_ref(), &refresh_token).await {
            Ok(fresh) => {
                let mut core = lock(&self.core)?;
                core.store_refresh(&state.connection_id, &state.name, &fresh)?;
                core.open_credential(&state.name, CredentialKind::AccessToken, purpose)
            }
            Err(OAuthError::InvalidGrant { description }) => {
                let reason = if description.is_empty() {
                    "the refresh token was refused (invalid_grant)".to_owned()
                } else {
                    format!("the refresh token was refused (invalid_grant: {description})")
                };
                lock(&self.core)?.mark_needs_reconnect(
                    &state.connection_id,
                    &state.name,
                    &reason,
                )?;
                Err(Error::AuthNeeded {
                    connection: state.name.clone(),
                    reason: format!("{reason}; run `ibridge connect {}`", state.name),
                })
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
