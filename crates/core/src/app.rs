//! [`Core`]: the open database, the (lazily unlocked) vault, and who is
//! acting. Front ends open one and call its methods.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::audit::{self, Actor, AuditError, Entry, Event, Outcome, VerifyReport};
use crate::error::{Error, Result};
use crate::paths;
use crate::store;
use crate::vault::{self, KeyConfig, RotationReport, Vault, VaultError};

pub struct OpenOptions {
    /// `--data-dir` / `IBRIDGE_DATA_DIR`; `None` means the OS default.
    pub data_dir: Option<PathBuf>,
    pub actor: Actor,
    pub keys: KeyConfig,
}

pub struct Core {
    db: Connection,
    data_dir: PathBuf,
    actor: Actor,
    keys: KeyConfig,
    vault: Option<Vault>,
    notices: Vec<String>,
}

impl Core {
    /// Opens (creating if needed) the data directory and database. The
    /// vault is unlocked only when a secret is first needed, so listing
    /// connections never prompts for a keychain.
    pub fn open(options: OpenOptions) -> Result<Core> {
        let data_dir = paths::resolve_data_dir(options.data_dir.as_deref())?;
        paths::ensure_private_dir(&data_dir)?;
        let db = store::open(&data_dir.join(paths::DATABASE_FILE))?;
        Ok(Core {
            db,
            data_dir,
            actor: options.actor,
            keys: options.keys,
            vault: None,
            notices: Vec::new(),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// Messages to show the user once (e.g. "key file created").
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    pub(crate) fn db(&self) -> &Connection {
        &self.db
    }

    pub(crate) fn ensure_vault(&mut self) -> Result<()> {
        if self.vault.is_none() {
            let (vault, notice) = vault::unlock(&self.db, &self.data_dir, &self.keys)?;
            if let Some(notice) = notice {
                self.notices.push(notice.to_string());
            }
            self.vault = Some(vault);
        }
        Ok(())
    }

    pub(crate) fn unlocked_vault(&self) -> Result<&Vault> {
        self.vault.as_ref().ok_or_else(|| {
            Error::Vault(VaultError::Corrupt(
                "vault used before it was unlocked".into(),
            ))
        })
    }

    /// A new master key; every credential re-sealed in one transaction.
    pub fn rotate_vault(&mut self) -> Result<RotationReport> {
        self.ensure_vault()?;
        let current = self.unlocked_vault()?;
        let result = vault::rotate(&self.db, &self.data_dir, &self.keys, current);
        let (outcome, detail) = match &result {
            Ok((_, report)) => (
                Outcome::Ok,
                format!(
                    "resealed={} key_version={}->{}",
                    report.resealed, report.old_version, report.new_version
                ),
            ),
            Err(e) => (Outcome::Failed, format!("reason={}", vault_reason(e))),
        };
        audit::append(
            &self.db,
            &Event {
                actor: self.actor,
                action: "vault.rotate",
                connection: None,
                outcome,
                detail,
            },
        )?;
        let (next, report) = result?;
        self.vault = Some(next);
        Ok(report)
    }

    pub fn audit_list(&self, limit: u32) -> Result<Vec<Entry>> {
        Ok(audit::list(&self.db, limit)?)
    }

    pub fn audit_verify(&self) -> Result<VerifyReport> {
        audit::verify(&self.db).map_err(|e| match e {
            AuditError::Broken(broken) => Error::AuditBroken(broken),
            AuditError::Database(db) => db.into(),
        })
    }
}

/// A short, secret-free reason word for the audit log.
fn vault_reason(e: &VaultError) -> &'static str {
    match e {
        VaultError::Tampered { .. } => "tampered",
        VaultError::KeyVersionMismatch { .. } => "key_version",
        e if e.is_key_problem() => "master_key",
        _ => "vault_error",
    }
}
