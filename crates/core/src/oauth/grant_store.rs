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
use crate::connections::{AuthType, ConnectionStatus, ConnectionView, CredentialKind};
use crate::error::{Error, Result};
use crate::secret::SecretString;
use crate::store::connections as repo;
use crate::store::credentials as cred_repo;
use crate::time::now_rfc3339;
use crate::vault::{short_fingerprint, KeyBytes};

/// Refresh this long before expiry, so a token never expires in flight.
pub const REFRESH_MARGIN_SECS: i64 = 60;

pub(crate) struct SignInPrep {
    pub connection: ConnectionView,
    pub profile: OAuthProfile,
    pub client_secret: Option<SecretString>,
    pub state_key: KeyBytes,
}

pub(crate) struct TokenState {
    pub connection_id: String,
    pub name: String,
    pub access_expires_at: Option<DateTime<Utc>>,
    pub has_access: bool,
    pub has_refresh: bool,
}

impl TokenState {
    pub fn is_fresh(&self) -> bool {
        self.has_access
            && self
                .access_expires_at
                .is_none_or(|at| (at - Utc::now()).num_seconds() > REFRESH_MARGIN_SECS)
    }
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
        self.ensure_vault()?;
        let state_key = self.unlocked_vault()?.derive_subkey("oauth-state");
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
    ) -> Result<ConnectionView> {
        self.ensure_vault()?;
        let actor = self.actor();
        let row = repo::find_by_id(self.db(), connection_id)?.ok_or_else(|| Error::NotFound {
            what: "connection",
            name: connection_id.to_owned(),
        })?;
        let mut config: crate::connections::ProviderConfig =
            serde_json::from_str(&row.provider_config).unwrap_or_default();
        if let Some(site) = site {
            config.cloud_id = Some(site.id.clone());
            config.site_url = Some(site.url.clone());
            config.site_name = Some(site.name.clone());
        }
        let now = now_rfc3339();
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        let fingerprints = self.seal_tokens(&tx, connection_id, tokens)?;
        repo::update_config(
            &tx,
            connection_id,
            &serde_json::to_string(&config).unwrap_or_else(|_| "{}".into()),
            &now,
        )?;
        repo::update_status(
            &tx,
            connection_id,
            ConnectionStatus::Connected.as_str(),
            None,
            &now,
        )?;
        audit::append(
            &tx,
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
        tx.commit()?;
        self.show_connection(&row.display_name)
    }

    /// Refresh token first, then the access token, in the caller's
    /// transaction: nobody can be handed the new access token while the
    /// rotated refresh token is not yet stored.
    fn seal_tokens(
        &self,
        tx: &rusqlite::Connection,
        connection_id: &str,
        tokens: &TokenSet,
    ) -> Result<String> {
        let vault = self.unlocked_vault()?;
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
            (Utc::now()
                + chrono::Duration::from_std(d).unwrap_or_else(|_| chrono::Duration::days(1)))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
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

    pub(crate) fn token_state(&self, name: &str) -> Result<TokenState> {
        let view = self.oauth_connection(name)?;
        let access = cred_repo::find(self.db(), &view.id, CredentialKind::AccessToken.as_str())?;
        let has_refresh =
            cred_repo::find(self.db(), &view.id, CredentialKind::RefreshToken.as_str())?.is_some();
        Ok(TokenState {
            has_refresh,
            connection_id: view.id,
            name: view.name,
            has_access: access.is_some(),
            access_expires_at: access
                .and_then(|a| a.expires_at)
                .and_then(|at| DateTime::parse_from_rfc3339(&at).ok())
                .map(|at| at.with_timezone(&Utc)),
        })
    }

    /// What a refresh needs: profile, refresh token, client secret.
    pub(crate) fn prepare_refresh(
        &mut self,
        name: &str,
    ) -> Result<(OAuthProfile, SecretString, Option<SecretString>)> {
        let connection = self.oauth_connection(name)?;
        let profile = OAuthProfile::for_connection(&connection)?;
        let refresh = self
            .optional_secret(&connection, CredentialKind::RefreshToken, "token refresh")?
            .ok_or_else(|| Error::AuthNeeded {
                connection: connection.name.clone(),
                reason: "the access token expired and no refresh token is stored; run `ibridge connect` again".into(),
            })?;
        let client_secret =
            self.optional_secret(&connection, CredentialKind::ClientSecret, "token refresh")?;
        Ok((profile, refresh, client_secret))
    }

    pub(crate) fn store_refresh(
        &mut self,
        connection_id: &str,
        name: &str,
        tokens: &TokenSet,
    ) -> Result<()> {
        self.ensure_vault()?;
        let actor = self.actor();
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        let fingerprints = self.seal_tokens(&tx, connection_id, tokens)?;
        repo::update_status(
            &tx,
            connection_id,
            ConnectionStatus::Connected.as_str(),
            None,
            &now_rfc3339(),
        )?;
        audit::append(
            &tx,
            &Event {
                actor,
                action: "oauth.refresh",
                connection: Some(name),
                outcome: Outcome::Ok,
                detail: format!("{fingerprints} rotated={}", tokens.refresh_token.is_some()),
            },
        )?;
        tx.commit()?;
        Ok(())
    }

    /// After `invalid_grant`: the connection stays, marked for reconnect.
    pub(crate) fn mark_needs_reconnect(
        &mut self,
        connection_id: &str,
        name: &str,
        reason: &str,
    ) -> Result<()> {
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        repo::update_status(
            &tx,
            connection_id,
            ConnectionStatus::NeedsReconnect.as_str(),
            Some(&format!("{reason}: run `ibridge connect {name}`")),
            &now_rfc3339(),
        )?;
        audit::append(
            &tx,
            &Event {
                actor: self.actor(),
                action: "oauth.refresh",
                connection: Some(name),
                outcome: Outcome::Failed,
                detail: "reason=invalid_grant status=needs_reconnect".into(),
            },
        )?;
        tx.commit()?;
        Ok(())
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
