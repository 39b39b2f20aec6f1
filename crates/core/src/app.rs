//! [`Core`]: the open database, the (lazily unlocked) vault, and who is
//! acting. Front ends open one and call its methods.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::audit::{self, Actor, AuditError, Entry, Event, Outcome, SealCheck, VerifyReport};
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
    /// A message for the user, shown once by the front end.
    pub(crate) fn push_notice(&mut self, text: String) {
        self.notices.push(text);
    }

    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    pub(crate) fn db(&self) -> &Connection {
        &self.db
    }

    /// SQLite's `data_version` for this connection: it changes when
    /// another connection commits (see [`crate::changes`]).
    pub(crate) fn data_version(&self) -> Result<i64> {
        Ok(self
            .db
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    pub(crate) fn ensure_vault(&mut self) -> Result<()> {
        if self.vault.is_none() {
            let (vault, notice) = vault::unlock(&self.db, &self.data_dir, &self.keys)?;
            if let Some(notice) = notice {
                self.notices.push(notice.to_string());
            }
            install_audit_key(&self.db, &vault)?;
            self.vault = Some(vault);
        }
        Ok(())
    }

    /// Runs `work` in one `IMMEDIATE` transaction with the vault as the
    /// database holds it at that moment. Another process may have rotated
    /// the master key since this one unlocked it: the key version is
    /// checked inside the transaction (a rotation cannot commit while it
    /// is open) and the vault unlocked again when it moved, so nothing is
    /// ever sealed under a retired key.
    pub(crate) fn write_with_vault<T>(
        &mut self,
        work: impl FnOnce(&Connection, &Vault) -> Result<T>,
    ) -> Result<T> {
        self.with_current_vault(TransactionBehavior::Immediate, work)
    }

    /// Like [`Core::write_with_vault`] for reading: one read transaction,
    /// so the sealed rows and the key version come from the same snapshot.
    pub(crate) fn read_with_vault<T>(
        &mut self,
        work: impl FnOnce(&Connection, &Vault) -> Result<T>,
    ) -> Result<T> {
        self.with_current_vault(TransactionBehavior::Deferred, work)
    }

    fn with_current_vault<T>(
        &mut self,
        behavior: TransactionBehavior,
        work: impl FnOnce(&Connection, &Vault) -> Result<T>,
    ) -> Result<T> {
        self.ensure_vault()?;
        let tx = Transaction::new_unchecked(&self.db, behavior)?;
        let vault = current_vault(
            &tx,
            &mut self.vault,
            &self.data_dir,
            &self.keys,
            &mut self.notices,
        )?;
        let out = work(&tx, vault)?;
        tx.commit()?;
        Ok(out)
    }

    /// A new master key; every credential re-sealed in one transaction.
    /// The rotation unlocks the vault afresh inside its transaction, so a
    /// key cached here (or rotated meanwhile by another process) does not
    /// matter.
    pub fn rotate_vault(&mut self) -> Result<RotationReport> {
        self.ensure_vault()?;
        let result = vault::rotate(&self.db, &self.data_dir, &self.keys);
        if let Ok((next, _)) = &result {
            // The rotation moved an intact seal to the new key; every append
            // from here on, this one included, seals under it.
            install_audit_key(&self.db, next)?;
        }
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

    /// Checks the chain, and — once a vault exists — its keyed seal, which
    /// needs the vault unlocked. Credentials without a vault mean the
    /// vault's tables were removed: reported as a broken log too.
    pub fn audit_verify(&mut self) -> Result<VerifyReport> {
        let has_vault = crate::store::vault_meta::load(&self.db)?.is_some();
        let checked = if has_vault {
            // The key of the vault as it is now (another process may have
            // rotated it).
            let key = self.read_with_vault(|_, vault| Ok(vault.audit_key()))?;
            audit::verify(&self.db, SealCheck::Key(&key))
        } else {
            let credentials: i64 =
                self.db
                    .query_row("SELECT count(*) FROM credentials", [], |r| r.get(0))?;
            if credentials > 0 {
                return Err(Error::AuditBroken(audit::ChainBroken {
                    seq: 0,
                    reason:
                        "credentials are stored but the vault that sealed them and the log is gone"
                            .into(),
                }));
            }
            audit::verify(&self.db, SealCheck::NoVault)
        };
        checked.map_err(|e| match e {
            AuditError::Broken(broken) => Error::AuditBroken(broken),
            AuditError::Database(db) => db.into(),
        })
    }
}

/// The cached vault, unlocked again when the database (read through `tx`)
/// holds a newer data key than the one cached.
fn current_vault<'v>(
    tx: &Connection,
    cached: &'v mut Option<Vault>,
    data_dir: &Path,
    keys: &KeyConfig,
    notices: &mut Vec<String>,
) -> Result<&'v Vault> {
    let stored = crate::store::vault_meta::current_version(tx)?;
    let stale = match (cached.as_ref(), stored) {
        (Some(vault), Some(version)) => vault.key_version() != version,
        (None, _) => true,
        (Some(_), None) => false,
    };
    if stale {
        tracing::info!("the master key was rotated by another process; unlocking the vault again");
        let (vault, notice) = vault::unlock(tx, data_dir, keys)
            .map_err(|e| VaultError::RotatedElsewhere(Box::new(e)))?;
        if let Some(notice) = notice {
            notices.push(notice.to_string());
        }
        // The rotation moved the audit seal to the new key: so must appends.
        install_audit_key(tx, &vault)?;
        *cached = Some(vault);
    }
    cached.as_ref().ok_or_else(|| {
        Error::Vault(VaultError::Corrupt(
            "vault used before it was unlocked".into(),
        ))
    })
}

/// From now on every append on `conn` seals the audit chain under
/// `vault`'s key; rows appended while it was locked are sealed now, if the
/// log up to the seal still verifies.
///
/// A log that does not verify up to its seal gets no key: appends then go
/// unsealed, so the break stays visible instead of a fresh seal covering it.
fn install_audit_key(conn: &Connection, vault: &Vault) -> Result<()> {
    let key = vault.audit_key();
    let intact = audit::advance_seal(conn, &key, &key).map_err(|e| match e {
        AuditError::Broken(broken) => Error::AuditBroken(broken),
        AuditError::Database(db) => db.into(),
    })?;
    if intact {
        audit::install_key(conn, Some(key))?;
    } else {
        audit::install_key(conn, None)?;
        tracing::warn!(
            "the audit log does not verify against its seal; verify it to see where it breaks"
        );
    }
    Ok(())
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

/// A `Core` shared between tasks (the sign-in flow, concurrent token
/// requests). The lock is never held across an `.await`.
pub type SharedCore = Arc<Mutex<Core>>;

/// Locks the core. A panic while it was held poisons the mutex; the core
/// stays usable (an interrupted transaction rolled back when its guard
/// was dropped during unwinding), so the poison is cleared and the lock
/// taken, rather than failing every later call of a long-running app.
pub fn lock(core: &SharedCore) -> Result<MutexGuard<'_, Core>> {
    Ok(core.lock().unwrap_or_else(|poisoned| {
        tracing::warn!("recovering the core lock after a panic in an earlier call");
        core.clear_poison();
        poisoned.into_inner()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Actor;
    use crate::vault::{KeyConfig, NoKeychain};

    #[test]
    fn a_panic_while_the_core_is_locked_fails_only_that_call() {
        let dir = tempfile::tempdir().unwrap();
        let core: SharedCore = Arc::new(Mutex::new(
            Core::open(OpenOptions {
                data_dir: Some(dir.path().to_path_buf()),
                actor: Actor::Cli,
                keys: KeyConfig {
                    passphrase: None,
                    keychain: Arc::new(NoKeychain),
                },
            })
            .unwrap(),
        ));
        let held = core.clone();
        let crashed = std::thread::spawn(move || {
            let _guard = held.lock().unwrap();
            panic!("a bug inside a core call");
        })
        .join();
        assert!(crashed.is_err());
        assert!(core.is_poisoned());
        let listed = lock(&core).map(|c| c.list_connections().map(|l| l.len()));
        assert!(matches!(listed, Ok(Ok(0))), "the next call works");
        assert!(!core.is_poisoned());
    }
}
