//! `vault rotate`: a new KEK and a new DEK, every credential re-sealed and
//! its fingerprint re-computed (the fingerprint key derives from the DEK),
//! and the audit chain re-sealed under the new audit key, in one
//! transaction. The old KEK is removed only after the commit, so a crash
//! at any point leaves a vault that opens.

use std::path::Path;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::cipher;
use super::master_key::{discard_kek, parse_source, rotated_kek, unlock, wrap_dek, KeyConfig};
use super::{Binding, Sealed, Vault, VaultError};
use crate::store::{credentials, vault_meta};
use crate::time::now_rfc3339;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationReport {
    pub resealed: usize,
    pub old_version: i64,
    pub new_version: i64,
}

/// Rotates the master keys of the vault in `conn`. The vault is unlocked
/// inside the rotation's transaction (not taken from a cache), so a
/// rotation another process committed a moment ago is built upon, never
/// undone, and the key file or keychain entry discarded afterwards is the
/// one this rotation retired.
pub fn rotate(
    conn: &Connection,
    data_dir: &Path,
    config: &KeyConfig,
) -> Result<(Vault, RotationReport), VaultError> {
    let meta =
        vault_meta::load(conn)?.ok_or_else(|| VaultError::Corrupt("no vault to rotate".into()))?;
    let source = parse_source(&meta)?;
    let new_kek_id = uuid::Uuid::new_v4().simple().to_string();
    let (new_kek, new_salt, new_params) = rotated_kek(data_dir, config, &meta, &new_kek_id)?;

    let result = (|| {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let retired = vault_meta::load(&tx)?
            .ok_or_else(|| VaultError::Corrupt("no vault to rotate".into()))?;
        let (current, _) = unlock(&tx, data_dir, config)?;
        let new_version = current.key_version() + 1;
        let next = Vault::new(cipher::random_key(), new_version, source);
        let rows = credentials::all(&tx)?;
        for row in &rows {
            let binding = Binding {
                credential_id: &row.id,
                connection_id: &row.connection_id,
                kind: &row.kind,
            };
            let sealed = Sealed {
                ciphertext: row.ciphertext.clone(),
                nonce: row.nonce.clone(),
                key_version: row.key_version,
            };
            let secret = current.open(binding, &sealed)?;
            let resealed = next.seal(binding, &secret);
            credentials::update_sealed(
                &tx,
                &row.id,
                &resealed.ciphertext,
                &resealed.nonce,
                new_version,
            )?;
            credentials::update_fingerprint(&tx, &row.id, &next.fingerprint(&secret))?;
        }
        // The seal moves to the new key only if the log verifies under the
        // old one; a broken log stays visibly broken.
        crate::audit::advance_seal(&tx, &current.audit_key(), &next.audit_key()).map_err(|e| {
            match e {
                crate::audit::AuditError::Database(db) => VaultError::Database(db),
                crate::audit::AuditError::Broken(b) => VaultError::Corrupt(b.to_string()),
            }
        })?;
        let now = now_rfc3339();
        vault_meta::replace_keys(
            &tx,
            &wrap_dek(&new_kek, &new_kek_id, &next.dek, new_version),
            &now,
        )?;
        vault_meta::set_kek(&tx, &new_kek_id, new_salt.as_deref(), new_params, &now)?;
        tx.commit()?;
        Ok((
            next,
            RotationReport {
                resealed: rows.len(),
                old_version: current.key_version(),
                new_version,
            },
            retired.kek_id,
        ))
    })();

    match result {
        Ok((next, report, retired_kek_id)) => {
            discard_kek(data_dir, config, &meta.vault_id, &retired_kek_id, source);
            Ok((next, report))
        }
        Err(e) => {
            discard_kek(data_dir, config, &meta.vault_id, &new_kek_id, source);
            Err(e)
        }
    }
}
