//! Storing what a sign-in or refresh produced, and reading what a refresh
//! needs — `Core` methods, each change in one transaction with its audit
//! record.

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, TransactionBehavior};

use super::atlassian::AtlassianSite;
use super::profile::OAuthProfile;
use super::tokens::TokenSet;
use super::OAuthError;
use crate::app::Core;
use crate::audit::{self, Event, Outcome};
use crate::connections::status::{self, StatusChange};
use crate::connections::{AuthType, ConnectionStatus, ConnectionView, CredentialKind};
use crate::error::{Error, Result};
use crate::secret::SecretString;
use crate::store::connections as repo;
use crate::store::credentials as cred_repo;
use crate::store::leases;
use crate::time::now_rfc3339;
use crate::vault::{short_fingerprint, KeyBytes, Vault};

/// Refresh this long before expiry, so a token never expires in flight.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// The longest token lifetime believed: a token endpoint that claims more
/// (or a number too large to add to a date) gets this.
pub const MAX_TOKEN_LIFETIME_SECS: u64 = 366 * 24 * 3600;

/// When a token issued at `now` with lifetime `expires_in` expires. The
/// lifetime comes from a remote server, so it is clamped, and the sum is
/// checked: chrono's `+` panics on overflow, and a panic here would happen
/// with the core locked.
pub(crate) fn expires_at_after(
    now: DateTime<Utc>,
    expires_in: std::time::Duration,
) -> DateTime<Utc> {
    let secs = expires_in.as_secs().min(MAX_TOKEN_LIFETIME_SECS);
    let lifetime = chrono::Duration::seconds(i64::try_from(secs).unwrap_or(0));
    now.checked_add_signed(lifetime).unwrap_or(now)
}

pub(crate) struct RefreshPrep {
    pub profile: OAuthProfile,
    pub refresh_token: SecretString,
    pub refresh_fingerprint: String,
    pub client_secret: Option<SecretString>,
}

pub(crate) struct SignInPrep {
    pub connection: ConnectionView,
    pub profile: OAuthProfile,
    pub client_secret: Option<SecretString>,
    pub state_key: KeyBytes,
}

pub(crate) struct TokenState {
    pub connection_id: String,
    pub name: String,
    pub status: ConnectionStatus,
    pub status_detail: Option<String>,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub has_access: bool,
    pub has_refresh: bool,
}

impl TokenState {
    pub fn is_fresh(&self) -> bool {
        self.has_access && fresh(self.access_expires_at)
    }
}

/// An access token with this expiry may be used without refreshing.
fn fresh(expires_at: Option<DateTime<Utc>>) -> bool {
    expires_at.is_none_or(|at| (at - Utc::now()).num_seconds() > REFRESH_MARGIN_SECS)
}

fn parse_expiry(at: Option<String>) -> Option<DateTime<Utc>> {
    at.and_then(|at| DateTime::parse_from_rfc3339(&at).ok())
        .map(|at| at.with_timezone(&Utc))
}

/// Whether the stored access token of `connection_id` is usable as it is.
pub(crate) fn access_token_fresh(db: &rusqlite::Connection, connection_id: &str) -> Result<bool> {
    Ok(
        cred_repo::find(db, connection_id, CredentialKind::AccessToken.as_str())?
            .is_some_and(|access| fresh(parse_expiry(access.expires_at))),
    )
}

/// What became of a refresh the authorization server refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The refresh token sent is still the stored one: the grant is gone,
    /// the connection is marked `needs_reconnect`.
    GrantGone,
    /// Another process stored a newer refresh token meanwhile: try again
    /// with that one.
    Superseded,
}

impl Core {
    fn oauth_connection(&self, name: &str) -> Result<ConnectionView> {
        let row = self.find_connection(name)?;
        let view = self.view(row)?;
        if view.auth_type != AuthType::OAuth2 {
            return Err(Error::OAuth(OAuthError::NotOAuth {
                name: view.name,
                auth: view.auth_type.to_string(),
            }));
        }
        Ok(view)
    }

    pub(crate) fn prepare_sign_in(&mut self, name: &str) -> Result<SignInPrep> {
        let connection = self.oauth_connection(name)?;
        let profile = OAuthProfile::for_connection(&connection)?;
        let client_secret =
            self.optional_secret(&connection, CredentialKind::ClientSecret, "oauth sign-in")?;
        let state_key = self.read_with_vault(|_, vault| Ok(vault.derive_subkey("oauth-state")))?;
        Ok(SignInPrep {
            connection,
            profile,
            client_secret,
            state_key,
        })
    }

    fn optional_secret(
        &mut self,
        c: &ConnectionView,
        kind: CredentialKind,
        purpose: &str,
    ) -> Result<Option<SecretString>> {
        if c.credentials.iter().any(|cred| cred.kind == kind) {
            Ok(Some(self.open_credential(&c.name, kind, purpose)?))
        } else {
            Ok(None)
        }
    }

    /// Seals the tokens of a completed sign-in (refresh token first), records
    /// the chosen Atlassian site, and marks the connection connected.
    pub(crate) fn store_sign_in(
        &mut self,
        connection_id: &str,
        tokens: &TokenSet,
        site: Option<&AtlassianSite>,
        callback_port: Option<u16>,
    ) -> Result<ConnectionView> {
        let actor = self.actor();
        let row = repo::find_by_id(self.db(), connection_id)?.ok_or_else(|| Error::NotFound {
            what: "connection",
            name: connection_id.to_owned(),
        })?;
        let mut config: crate::connections::ProviderConfig =
            Error::stored_json("settings of this connection", &row.provider_config)?;
        if let Some(site) = site {
            config.cloud_id = Some(site.id.clone());
            config.site_url = Some(site.url.clone());
            config.site_name = Some(site.name.clone());
        }
        if let Some(port) = callback_port {
            // Later sign-ins (the desktop's too) use the registered port.
            config.callback_port = Some(port);
        }
        let now = now_rfc3339();
        self.write_with_vault(|tx, vault| {
            let fingerprints = seal_tokens(tx, vault, connection_id, tokens)?;
            repo::update_config(
                tx,
                connection_id,
                &serde_json::to_string(&config).unwrap_or_else(|_| "{}".into()),
                &now,
            )?;
            status::apply(tx, connection_id, StatusChange::Authorized, &now)?;
            audit::append(
                tx,
                &Event {
                    actor,
                    action: "oauth.connect",
                    connection: Some(&row.display_name),
                    outcome: Outcome::Ok,
                    detail: format!(
                        "{fingerprints} scopes=[{}]{}",
                        tokens.scopes.join(" "),
                        site.map(|s| format!(" site={} cloud_id={}", s.url, s.id))
                            .unwrap_or_default()
                    ),
                },
            )?;
            Ok(())
        })?;
        self.show_connection(&row.display_name)
    }

    pub(crate) fn token_state(&self, name: &str) -> Result<TokenState> {
        let view = self.oauth_connection(name)?;
        let access = cred_repo::find(self.db(), &view.id, CredentialKind::AccessToken.as_str())?;
        let has_refresh =
            cred_repo::find(self.db(), &view.id, CredentialKind::RefreshToken.as_str())?.is_some();
        Ok(TokenState {
            has_refresh,
            connection_id: view.id,
            name: view.name,
            status: view.status,
            status_detail: view.status_detail,
            has_access: access.is_some(),
            access_expires_at: access.and_then(|a| parse_expiry(a.expires_at)),
        })
    }

    /// What a refresh needs: profile, refresh token (with the fingerprint
    /// stored for it), client secret.
    pub(crate) fn prepare_refresh(&mut self, name: &str) -> Result<RefreshPrep> {
        let connection = self.oauth_connection(name)?;
        let profile = OAuthProfile::for_connection(&connection)?;
        if !connection
            .credentials
            .iter()
            .any(|c| c.kind == CredentialKind::RefreshToken)
        {
            return Err(Error::AuthNeeded {
                connection: connection.name.clone(),
                reason: "the access token expired and no refresh token is stored; sign in again"
                    .into(),
            });
        }
        let (refresh_token, refresh_fingerprint) = self.open_stored(
            &connection.name,
            CredentialKind::RefreshToken,
            "token refresh",
        )?;
        let client_secret =
            self.optional_secret(&connection, CredentialKind::ClientSecret, "token refresh")?;
        Ok(RefreshPrep {
            profile,
            refresh_token,
            refresh_fingerprint,
            client_secret,
        })
    }

    /// Stores what a refresh returned (rotated refresh token first) and
    /// gives up `holder`'s refresh lease, in one transaction: whoever waits
    /// on the lease finds the new tokens when it is free.
    pub(crate) fn store_refresh(
        &mut self,
        connection_id: &str,
        name: &str,
        tokens: &TokenSet,
        holder: &str,
    ) -> Result<()> {
        let actor = self.actor();
        self.write_with_vault(|tx, vault| {
            let fingerprints = seal_tokens(tx, vault, connection_id, tokens)?;
            status::apply(tx, connection_id, StatusChange::Authorized, &now_rfc3339())?;
            leases::release(tx, connection_id, holder)?;
            audit::append(
                tx,
                &Event {
                    actor,
                    action: "oauth.refresh",
                    connection: Some(name),
                    outcome: Outcome::Ok,
                    detail: format!("{fingerprints} rotated={}", tokens.refresh_token.is_some()),
                },
            )?;
            Ok(())
        })
    }

    /// After `invalid_grant`. If the stored refresh token is still the one
    /// that was sent (same fingerprint), the grant is gone: the connection
    /// stays, marked `needs_reconnect`. If another process stored a newer
    /// one meanwhile, the refusal says nothing about it: nothing is marked
    /// and the caller retries. Either way `holder`'s lease is given up.
    pub(crate) fn refused_refresh(
        &mut self,
        connection_id: &str,
        name: &str,
        sent_fingerprint: &str,
        reason: &str,
        holder: &str,
    ) -> Result<Refused> {
        let actor = self.actor();
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        let stored = cred_repo::find(&tx, connection_id, CredentialKind::RefreshToken.as_str())?
            .map(|row| row.fingerprint);
        let outcome = if stored.as_deref() == Some(sent_fingerprint) {
            status::apply(
                &tx,
                connection_id,
                StatusChange::GrantRefused {
                    detail: &format!("{reason}: sign in again"),
                },
                &now_rfc3339(),
            )?;
            Refused::GrantGone
        } else {
            Refused::Superseded
        };
        leases::release(&tx, connection_id, holder)?;
        audit::append(
            &tx,
            &Event {
                actor,
                action: "oauth.refresh",
                connection: Some(name),
                outcome: Outcome::Failed,
                detail: match outcome {
                    Refused::GrantGone => "reason=invalid_grant status=needs_reconnect".into(),
                    Refused::Superseded => format!(
                        "reason=invalid_grant sent={} superseded_by_newer_refresh_token",
                        short_fingerprint(sent_fingerprint)
                    ),
                },
            },
        )?;
        tx.commit()?;
        Ok(outcome)
    }

    pub(crate) fn audit_oauth_failure(
        &mut self,
        action: &str,
        name: &str,
        reason: &str,
    ) -> Result<()> {
        audit::append(
            self.db(),
            &Event {
                actor: self.actor(),
                action,
                connection: Some(name),
                outcome: Outcome::Failed,
                detail: format!("reason={reason}"),
            },
        )?;
        Ok(())
    }
}

/// Refresh token first, then the access token, in the caller's
/// transaction: nobody can be handed the new access token while the
/// rotated refresh token is not yet stored.
fn seal_tokens(
    tx: &rusqlite::Connection,
    vault: &Vault,
    connection_id: &str,
    tokens: &TokenSet,
) -> Result<String> {
    let mut parts = Vec::new();
    if let Some(refresh) = &tokens.refresh_token {
        let fp = crate::connections::seal_into(
            tx,
            vault,
            connection_id,
            CredentialKind::RefreshToken,
            refresh,
            None,
        )?;
        parts.push(format!("refresh_token={}", short_fingerprint(&fp)));
    }
    let expires_at = tokens.expires_in.map(|d| {
        expires_at_after(Utc::now(), d).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    });
    let fp = crate::connections::seal_into(
        tx,
        vault,
        connection_id,
        CredentialKind::AccessToken,
        &tokens.access_token,
        expires_at.clone(),
    )?;
    parts.push(format!(
        "access_token={} expires={}",
        short_fingerprint(&fp),
        expires_at.as_deref().unwrap_or("unknown")
    ));
    Ok(parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_expires_in_is_clamped_not_a_panic() {
        let now = Utc::now();
        for huge in [u64::MAX, 9_000_000_000_000, 1_000_000_000_000_000] {
            let at = expires_at_after(now, std::time::Duration::from_secs(huge));
            assert_eq!(
                (at - now).num_seconds(),
                MAX_TOKEN_LIFETIME_SECS as i64,
                "{huge}"
            );
        }
        let at = expires_at_after(now, std::time::Duration::from_secs(3600));
        assert_eq!((at - now).num_seconds(), 3600);
        // Near the end of chrono's range the sum itself would overflow.
        let end = DateTime::<Utc>::MAX_UTC - chrono::Duration::seconds(10);
        assert_eq!(
            expires_at_after(end, std::time::Duration::from_secs(3600)),
            end
        );
    }
}
