//! Connection operations on [`Core`]. Each one validates, changes the
//! database in one transaction, and appends its audit record inside it.

use rusqlite::{Transaction, TransactionBehavior};

use super::model::{
    AuthType, ConnectionStatus, ConnectionView, CredentialKind, CredentialView, NewConnection,
    Provider, ProviderConfig,
};
use super::validate::validate;
use crate::app::Core;
use crate::audit::{self, Event, Outcome};
use crate::error::{Error, Result};
use crate::secret::{mask_for_display, SecretString};
use crate::store::connections::{self as repo, ConnectionRow};
use crate::store::credentials::{self as cred_repo, CredentialRow};
use crate::time::now_rfc3339;
use crate::vault::{short_fingerprint, Binding, Sealed, VaultError};

impl Core {
    pub fn add_connection(&mut self, input: NewConnection) -> Result<ConnectionView> {
        let valid = validate(&input)?;
        if repo::find_by_name(self.db(), &valid.name)?.is_some() {
            return Err(Error::invalid(
                "name",
                format!("a connection named '{}' already exists; choose another name or remove it first", valid.name),
            ));
        }
        let actor = self.actor();
        let now = now_rfc3339();
        let id = uuid::Uuid::new_v4().to_string();
        let status = if valid.auth == AuthType::OAuth2 {
            ConnectionStatus::NeedsReconnect
        } else {
            ConnectionStatus::Connected
        };
        let status_detail =
            (valid.auth == AuthType::OAuth2).then(|| "not connected yet: sign in".to_owned());
        let mut secrets: Vec<(CredentialKind, &SecretString)> = Vec::new();
        if let (Some(kind), Some(secret)) = (valid.auth.user_secret_kind(), input.secret.as_ref()) {
            secrets.push((kind, secret));
        }
        if let Some(secret) = input.client_secret.as_ref() {
            secrets.push((CredentialKind::ClientSecret, secret));
        }

        self.write_with_vault(|tx, vault| {
            let make_default =
                input.make_default || !repo::has_default(tx, valid.provider.as_str())?;
            repo::insert(
                tx,
                &ConnectionRow {
                    id: id.clone(),
                    provider: valid.provider.as_str().to_owned(),
                    display_name: valid.name.clone(),
                    base_url: valid.base_url.clone(),
                    auth_type: valid.auth.as_str().to_owned(),
                    provider_config: serde_json::to_string(&valid.config)
                        .unwrap_or_else(|_| "{}".into()),
                    is_default: false,
                    auto_create_enabled: false,
                    status: status.as_str().to_owned(),
                    status_detail,
                    created_at: now.clone(),
                    updated_at: now.clone(),
                },
            )
            .map_err(|e| unique_name_error(e, &valid.name))?;
            if make_default {
                repo::set_default(tx, valid.provider.as_str(), &id, &now)?;
            }
            let mut fingerprints = Vec::new();
            for (kind, secret) in secrets {
                let fingerprint = seal_into(tx, vault, &id, kind, secret, None)?;
                fingerprints.push(format!("{kind} {}", short_fingerprint(&fingerprint)));
            }
            audit::append(
                tx,
                &Event {
                    actor,
                    action: "connection.add",
                    connection: Some(&valid.name),
                    outcome: Outcome::Ok,
                    detail: format!(
                        "provider={} auth={} default={} credentials=[{}]",
                        valid.provider,
                        valid.auth,
                        make_default,
                        fingerprints.join(", ")
                    ),
                },
            )?;
            Ok(())
        })?;
        self.show_connection(&valid.name)
    }

    pub fn list_connections(&self) -> Result<Vec<ConnectionView>> {
        repo::list(self.db())?
            .into_iter()
            .map(|row| self.view(row))
            .collect()
    }

    pub fn show_connection(&self, name: &str) -> Result<ConnectionView> {
        let row = self.find_connection(name)?;
        self.view(row)
    }

    pub fn set_default_connection(&mut self, name: &str) -> Result<ConnectionView> {
        let row = self.find_connection(name)?;
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        repo::set_default(&tx, &row.provider, &row.id, &now_rfc3339())?;
        audit::append(
            &tx,
            &Event {
                actor: self.actor(),
                action: "connection.default",
                connection: Some(&row.display_name),
                outcome: Outcome::Ok,
                detail: format!("provider={}", row.provider),
            },
        )?;
        tx.commit()?;
        self.show_connection(&row.display_name)
    }

    /// Removes the connection and its credentials. If it was its provider's
    /// default, the oldest remaining connection of that provider takes over.
    pub fn remove_connection(&mut self, name: &str) -> Result<ConnectionView> {
        let row = self.find_connection(name)?;
        let removed = self.view(row.clone())?;
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        repo::delete(&tx, &row.id)?;
        let mut detail = format!("provider={}", row.provider);
        if row.is_default {
            if let Some(next) = repo::oldest_of(&tx, &row.provider)? {
                repo::set_default(&tx, &row.provider, &next, &now_rfc3339())?;
                detail.push_str(" default_moved=true");
            }
        }
        audit::append(
            &tx,
            &Event {
                actor: self.actor(),
                action: "connection.remove",
                connection: Some(&row.display_name),
                outcome: Outcome::Ok,
                detail,
            },
        )?;
        tx.commit()?;
        Ok(removed)
    }

    /// Turns automatic filing of new incidents on or off for a connection.
    pub fn set_auto_create(&mut self, name: &str, enabled: bool) -> Result<ConnectionView> {
        let row = self.find_connection(name)?;
        if row.provider == Provider::Confluence.as_str() {
            return Err(Error::invalid(
                "auto-create",
                "applies to servicenow and azure_devops connections (incidents are not filed to Confluence)",
            ));
        }
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        repo::set_auto_create(&tx, &row.id, enabled, &now_rfc3339())?;
        audit::append(
            &tx,
            &Event {
                actor: self.actor(),
                action: "connection.auto_create",
                connection: Some(&row.display_name),
                outcome: Outcome::Ok,
                detail: format!("enabled={enabled}"),
            },
        )?;
        tx.commit()?;
        self.show_connection(&row.display_name)
    }

    /// Records what the last check or call found out about a connection
    /// (by the rules in `status`: never over `needs_reconnect`).
    pub(crate) fn set_connection_status(
        &self,
        id: &str,
        status: ConnectionStatus,
        detail: Option<&str>,
    ) -> Result<()> {
        super::status::apply(
            self.db(),
            id,
            super::status::StatusChange::Observed { status, detail },
            &now_rfc3339(),
        )?;
        Ok(())
    }

    /// Opens one credential of a connection for `purpose`, recording the use
    /// (or the failure) in the audit log.
    pub fn open_credential(
        &mut self,
        name: &str,
        kind: CredentialKind,
        purpose: &str,
    ) -> Result<SecretString> {
        self.open_stored(name, kind, purpose)
            .map(|(secret, _)| secret)
    }

    /// [`Core::open_credential`], with the stored fingerprint of the
    /// secret opened (read in the same snapshot as the secret).
    pub(crate) fn open_stored(
        &mut self,
        name: &str,
        kind: CredentialKind,
        purpose: &str,
    ) -> Result<(SecretString, String)> {
        let row = self.find_connection(name)?;
        let actor = self.actor();
        let read = self.read_with_vault(|db, vault| {
            let Some(stored) = cred_repo::find(db, &row.id, kind.as_str())? else {
                return Ok(None);
            };
            let opened = vault.open(
                Binding {
                    credential_id: &stored.id,
                    connection_id: &stored.connection_id,
                    kind: &stored.kind,
                },
                &Sealed {
                    ciphertext: stored.ciphertext,
                    nonce: stored.nonce,
                    key_version: stored.key_version,
                },
            );
            Ok(Some((opened, stored.fingerprint)))
        });
        let Some((opened, fingerprint)) = read? else {
            audit::append(
                self.db(),
                &Event {
                    actor,
                    action: "credential.open",
                    connection: Some(&row.display_name),
                    outcome: Outcome::Failed,
                    detail: format!("kind={kind} purpose={purpose} reason=missing"),
                },
            )?;
            return Err(Error::SecretMissing {
                connection: row.display_name,
                kind: kind.as_str().to_owned(),
            });
        };
        let (outcome, reason) = match &opened {
            Ok(_) => (Outcome::Ok, String::new()),
            Err(VaultError::Tampered { .. }) => (Outcome::Failed, " reason=tampered".to_owned()),
            Err(VaultError::KeyVersionMismatch { .. }) => {
                (Outcome::Failed, " reason=key_version".to_owned())
            }
            Err(_) => (Outcome::Failed, " reason=vault".to_owned()),
        };
        audit::append(
            self.db(),
            &Event {
                actor,
                action: "credential.open",
                connection: Some(&row.display_name),
                outcome,
                detail: format!(
                    "kind={kind} fp={} purpose={purpose}{reason}",
                    short_fingerprint(&fingerprint)
                ),
            },
        )?;
        Ok((opened?, fingerprint))
    }

    /// A connection by its id (outbox entries and links keep ids).
    pub(crate) fn view_by_id(&self, id: &str) -> Result<ConnectionView> {
        let row = repo::find_by_id(self.db(), id)?.ok_or_else(|| Error::NotFound {
            what: "connection",
            name: id.to_owned(),
        })?;
        self.view(row)
    }

    pub(crate) fn find_connection(&self, name: &str) -> Result<ConnectionRow> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("name", "must not be empty"));
        }
        repo::find_by_name(self.db(), name)?.ok_or_else(|| Error::NotFound {
            what: "connection",
            name: name.to_owned(),
        })
    }

    pub(crate) fn view(&self, row: ConnectionRow) -> Result<ConnectionView> {
        let credentials = cred_repo::for_connection(self.db(), &row.id)?
            .into_iter()
            .map(|c| {
                Ok(CredentialView {
                    kind: Error::stored("credential kind", &c.kind)?,
                    masked: mask_for_display(c.ciphertext.len()),
                    fingerprint: short_fingerprint(&c.fingerprint),
                    created_at: c.created_at,
                    expires_at: c.expires_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let config: ProviderConfig =
            Error::stored_json("settings of this connection", &row.provider_config)?;
        Ok(ConnectionView {
            id: row.id,
            name: row.display_name,
            provider: Error::stored::<Provider>("provider", &row.provider)?,
            base_url: row.base_url,
            auth_type: Error::stored("auth type", &row.auth_type)?,
            config,
            is_default: row.is_default,
            auto_create_enabled: row.auto_create_enabled,
            status: Error::stored("connection status", &row.status)?,
            status_detail: row.status_detail,
            created_at: row.created_at,
            updated_at: row.updated_at,
            credentials,
        })
    }
}

/// Two processes adding the same name at once: the second hits the unique
/// index; report it like the up-front check does.
fn unique_name_error(e: rusqlite::Error, name: &str) -> Error {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation {
            return Error::invalid(
                "name",
                format!("a connection named '{name}' already exists"),
            );
        }
    }
    e.into()
}

/// Seals `secret` as the connection's credential of `kind` (replacing any
/// earlier one) and returns its salted fingerprint.
pub(crate) fn seal_into(
    db: &rusqlite::Connection,
    vault: &crate::vault::Vault,
    connection_id: &str,
    kind: CredentialKind,
    secret: &SecretString,
    expires_at: Option<String>,
) -> Result<String> {
    let credential_id = uuid::Uuid::new_v4().to_string();
    let binding = Binding {
        credential_id: &credential_id,
        connection_id,
        kind: kind.as_str(),
    };
    let sealed = vault.seal(binding, secret);
    let fingerprint = vault.fingerprint(secret);
    cred_repo::replace(
        db,
        &CredentialRow {
            id: credential_id.clone(),
            connection_id: connection_id.to_owned(),
            kind: kind.as_str().to_owned(),
            ciphertext: sealed.ciphertext,
            nonce: sealed.nonce,
            key_version: sealed.key_version,
            fingerprint: fingerprint.clone(),
            created_at: now_rfc3339(),
            expires_at,
        },
    )?;
    Ok(fingerprint)
}
