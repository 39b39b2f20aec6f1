//! Finding the key-encryption key (KEK) and unlocking the vault, creating
//! it on first use.
//!
//! Source order on first use: the `IBRIDGE_MASTER_KEY` passphrase when set,
//! else the OS keychain, else a 0600 key file (announced once). The chosen
//! source is recorded in `vault_meta`, so later runs look in one place and
//! fail with a clear message when that place is not there.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::cipher::{self, KeyBytes};
use super::kdf::KdfParams;
use super::keychain::{Keychain, NoKeychain, OsKeychain};
use super::{kdf, keyfile, Binding, Sealed, Vault, VaultError};
use crate::secret::SecretString;
use crate::store::credentials;
use crate::store::vault_meta::{self, VaultMeta, WrappedKey};
use crate::time::now_rfc3339;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Keychain,
    KeyFile,
    Passphrase,
}

impl KeySource {
    pub fn as_str(self) -> &'static str {
        match self {
            KeySource::Keychain => "keychain",
            KeySource::KeyFile => "keyfile",
            KeySource::Passphrase => "passphrase",
        }
    }

    fn parse(s: &str) -> Result<Self, VaultError> {
        match s {
            "keychain" => Ok(KeySource::Keychain),
            "keyfile" => Ok(KeySource::KeyFile),
            "passphrase" => Ok(KeySource::Passphrase),
            other => Err(VaultError::Corrupt(format!("unknown key source '{other}'"))),
        }
    }
}

impl fmt::Display for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeySource::Keychain => "OS keychain",
            KeySource::KeyFile => "key file",
            KeySource::Passphrase => "IBRIDGE_MASTER_KEY passphrase",
        })
    }
}

/// Where a master key may come from in this process. `Debug` shows whether
/// a passphrase is set, never the passphrase.
#[derive(Clone)]
pub struct KeyConfig {
    pub passphrase: Option<SecretString>,
    pub keychain: Arc<dyn Keychain>,
}

impl fmt::Debug for KeyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyConfig")
            .field(
                "passphrase",
                &self.passphrase.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

impl KeyConfig {
    /// `IBRIDGE_MASTER_KEY` (passphrase) and `IBRIDGE_KEYCHAIN=off` (skip the
    /// OS keychain, e.g. on servers and in tests).
    pub fn from_env() -> Self {
        let passphrase = std::env::var("IBRIDGE_MASTER_KEY")
            .ok()
            .map(SecretString::new);
        let keychain: Arc<dyn Keychain> = match std::env::var("IBRIDGE_KEYCHAIN").as_deref() {
            Ok("off") | Ok("0") | Ok("false") => Arc::new(NoKeychain),
            _ => Arc::new(OsKeychain),
        };
        Self {
            passphrase,
            keychain,
        }
    }
}

/// Something the user should be told once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultNotice {
    KeyFileCreated {
        path: String,
        keychain_error: String,
    },
}

impl fmt::Display for VaultNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VaultNotice::KeyFileCreated { path, keychain_error } => write!(
                f,
                "note: no OS keychain ({keychain_error}); the master key is kept in {path} (mode 0600). Back it up with the data directory, or set IBRIDGE_MASTER_KEY instead"
            ),
        }
    }
}

fn keychain_account(vault_id: &str, kek_id: &str) -> String {
    format!("vault-{vault_id}-{kek_id}")
}

/// Opens the vault in `conn`, creating it on first use.
pub fn unlock(
    conn: &Connection,
    data_dir: &Path,
    config: &KeyConfig,
) -> Result<(Vault, Option<VaultNotice>), VaultError> {
    if let Some(meta) = vault_meta::load(conn)? {
        return Ok((open_existing(conn, data_dir, config, &meta)?, None));
    }
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    // Another process may have created it while we waited for the lock.
    if let Some(meta) = vault_meta::load(&tx)? {
        drop(tx);
        return Ok((open_existing(conn, data_dir, config, &meta)?, None));
    }
    let vault_id = uuid::Uuid::new_v4().simple().to_string();
    let kek_id = uuid::Uuid::new_v4().simple().to_string();
    let NewKek {
        source,
        key: kek,
        kdf_salt,
        kdf_params,
        notice,
    } = new_kek(data_dir, config, &vault_id, &kek_id)?;
    let dek = cipher::random_key();
    let wrapped = wrap_dek(&kek, &kek_id, &dek, 1);
    let now = now_rfc3339();
    vault_meta::insert(
        &tx,
        &VaultMeta {
            vault_id,
            kek_source: source.as_str().to_owned(),
            kek_id,
            kdf_salt,
            kdf_params,
            // Unused since fingerprints are keyed; the column is NOT NULL.
            fingerprint_salt: kdf::random_salt(),
        },
        &now,
    )?;
    vault_meta::replace_keys(&tx, &wrapped, &now)?;
    let vault = Vault::new(dek, 1, source);
    // Whatever was logged before the vault existed is sealed with it.
    crate::audit::seal_head(&tx, &vault.audit_key())?;
    tx.commit()?;
    Ok((vault, notice))
}

/// A freshly made key-encryption key and what to record about it.
pub(super) struct NewKek {
    source: KeySource,
    key: KeyBytes,
    kdf_salt: Option<Vec<u8>>,
    kdf_params: Option<KdfParams>,
    notice: Option<VaultNotice>,
}

/// Makes a new KEK in the source this process should use for a new vault.
pub(super) fn new_kek(
    data_dir: &Path,
    config: &KeyConfig,
    vault_id: &str,
    kek_id: &str,
) -> Result<NewKek, VaultError> {
    if let Some(passphrase) = &config.passphrase {
        if passphrase.is_empty() {
            return Err(VaultError::EmptyPassphrase);
        }
        let salt = kdf::random_salt();
        let kek = kdf::derive_key(passphrase.expose(), &salt, KdfParams::CURRENT)?;
        return Ok(NewKek {
            source: KeySource::Passphrase,
            key: kek,
            kdf_salt: Some(salt),
            kdf_params: Some(KdfParams::CURRENT),
            notice: None,
        });
    }
    let kek = cipher::random_key();
    let encoded = keyfile::encode_key(&kek);
    let account = keychain_account(vault_id, kek_id);
    let keychain_result = config
        .keychain
        .set(&account, &encoded)
        .and_then(|()| config.keychain.get(&account));
    match keychain_result {
        Ok(Some(read_back)) if *read_back == *encoded => Ok(NewKek {
            source: KeySource::Keychain,
            key: kek,
            kdf_salt: None,
            kdf_params: None,
            notice: None,
        }),
        other => {
            let reason = match other {
                Err(e) => e.to_string(),
                _ => "the key read back differs from the key written".to_owned(),
            };
            let path = keyfile::path_for(data_dir, kek_id);
            keyfile::create(&path, &kek)?;
            let notice = VaultNotice::KeyFileCreated {
                path: path.display().to_string(),
                keychain_error: reason,
            };
            Ok(NewKek {
                source: KeySource::KeyFile,
                key: kek,
                kdf_salt: None,
                kdf_params: None,
                notice: Some(notice),
            })
        }
    }
}

/// Reads the KEK named by `meta` (or derives it from the passphrase).
pub(super) fn existing_kek(
    data_dir: &Path,
    config: &KeyConfig,
    meta: &VaultMeta,
) -> Result<(KeySource, KeyBytes), VaultError> {
    let source = KeySource::parse(&meta.kek_source)?;
    match (source, &config.passphrase) {
        (KeySource::Passphrase, None) => Err(VaultError::PassphraseRequired),
        (KeySource::Passphrase, Some(passphrase)) => {
            if passphrase.is_empty() {
                return Err(VaultError::EmptyPassphrase);
            }
            let salt = meta
                .kdf_salt
                .as_deref()
                .ok_or_else(|| VaultError::Corrupt("passphrase vault without a salt".into()))?;
            let params = meta.kdf_params.unwrap_or(KdfParams::LEGACY);
            Ok((source, kdf::derive_key(passphrase.expose(), salt, params)?))
        }
        (other, Some(_)) => Err(VaultError::PassphraseNotUsed(other)),
        (KeySource::KeyFile, None) => Ok((
            source,
            keyfile::read_private(&keyfile::path_for(data_dir, &meta.kek_id))?,
        )),
        (KeySource::Keychain, None) => {
            let account = keychain_account(&meta.vault_id, &meta.kek_id);
            match config.keychain.get(&account) {
                Ok(Some(encoded)) => keyfile::decode_key(encoded.trim())
                    .map(|key| (source, key))
                    .ok_or_else(|| VaultError::KeyMissing {
                        place: "OS keychain".into(),
                        reason: "the entry does not hold a 256-bit key".into(),
                    }),
                Ok(None) => Err(VaultError::KeyMissing {
                    place: "OS keychain".into(),
                    reason: format!("no entry '{account}'"),
                }),
                Err(e) => Err(VaultError::KeychainUnavailable(e.to_string())),
            }
        }
    }
}

fn open_existing(
    conn: &Connection,
    data_dir: &Path,
    config: &KeyConfig,
    meta: &VaultMeta,
) -> Result<Vault, VaultError> {
    let (source, kek) = existing_kek(data_dir, config, meta)?;
    let wrapped = vault_meta::current_key(conn)?
        .ok_or_else(|| VaultError::Corrupt("no data-encryption key stored".into()))?;
    if let Some(dek) = unwrap_dek(&kek, &meta.kek_id, &wrapped, WrapFormat::Current) {
        let vault = Vault::new(dek, wrapped.version, source);
        if source == KeySource::Passphrase && meta.kdf_params != Some(KdfParams::CURRENT) {
            upgrade(conn, config, &kek, &meta.kek_id, &vault)?;
        }
        return Ok(vault);
    }
    let dek = unwrap_dek(&kek, &meta.kek_id, &wrapped, WrapFormat::First)
        .ok_or(VaultError::WrongKey(source))?;
    let vault = Vault::new(dek, wrapped.version, source);
    upgrade(conn, config, &kek, &meta.kek_id, &vault)?;
    Ok(vault)
}

/// Brings a vault made by an earlier release up to date, in one
/// transaction, on its first unlock: keyed fingerprints re-computed for
/// every credential, the audit chain sealed, a passphrase re-derived with
/// the current Argon2id parameters (new salt), and the DEK re-wrapped in
/// the current format, which is what marks the vault as done. The DEK
/// itself and its version stay, so other processes' open vaults stay valid.
fn upgrade(
    conn: &Connection,
    config: &KeyConfig,
    kek: &KeyBytes,
    kek_id: &str,
    vault: &Vault,
) -> Result<(), VaultError> {
    // Inside a caller's transaction (a rotation, a re-unlock after another
    // process rotated) the upgrade joins it; otherwise it takes its own.
    let own = if conn.is_autocommit() {
        Some(Transaction::new_unchecked(
            conn,
            TransactionBehavior::Immediate,
        )?)
    } else {
        None
    };
    let tx: &Connection = match &own {
        Some(own) => own,
        None => conn,
    };
    let meta = vault_meta::load(tx)?
        .ok_or_else(|| VaultError::Corrupt("the vault disappeared while it was opened".into()))?;
    let current = vault_meta::current_key(tx)?;
    let upgraded_meanwhile = current.as_ref().is_some_and(|w| {
        unwrap_dek(kek, kek_id, w, WrapFormat::Current).is_some()
            && (meta.kek_source != KeySource::Passphrase.as_str()
                || meta.kdf_params == Some(KdfParams::CURRENT))
    });
    if meta.kek_id != kek_id || upgraded_meanwhile {
        // Another process rotated or upgraded while we waited for the lock.
        return Ok(());
    }
    let (kek, new_kdf) = match (KeySource::parse(&meta.kek_source)?, &config.passphrase) {
        (KeySource::Passphrase, Some(passphrase)) => {
            let salt = kdf::random_salt();
            let kek = kdf::derive_key(passphrase.expose(), &salt, KdfParams::CURRENT)?;
            (kek, Some(salt))
        }
        _ => (kek.clone(), None),
    };
    for row in credentials::all(tx)? {
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
        let secret = vault.open(binding, &sealed)?;
        credentials::update_fingerprint(tx, &row.id, &vault.fingerprint(&secret))?;
    }
    crate::audit::seal_head(tx, &vault.audit_key())?;
    if let Some(salt) = &new_kdf {
        vault_meta::set_kdf(tx, salt, KdfParams::CURRENT)?;
    }
    vault_meta::replace_keys(
        tx,
        &wrap_dek(&kek, kek_id, &vault.dek, vault.key_version()),
        &now_rfc3339(),
    )?;
    if let Some(own) = own {
        own.commit()?;
    }
    Ok(())
}

/// How a DEK is wrapped. `First` marks a vault made before fingerprints
/// were keyed and the audit chain sealed; only `Current` is written. The
/// format is in the AAD, so nobody without the KEK can pass a vault off as
/// one that still needs upgrading.
#[derive(Clone, Copy)]
enum WrapFormat {
    First,
    Current,
}

fn dek_aad(kek_id: &str, version: i64, format: WrapFormat) -> Vec<u8> {
    let tag = match format {
        WrapFormat::First => "v1",
        WrapFormat::Current => "v2",
    };
    format!("ibridge/dek/{tag}|{kek_id}|{version}").into_bytes()
}

pub(super) fn wrap_dek(kek: &KeyBytes, kek_id: &str, dek: &KeyBytes, version: i64) -> WrappedKey {
    let (wrapped_key, nonce) = cipher::seal(
        kek,
        &dek_aad(kek_id, version, WrapFormat::Current),
        dek.as_ref(),
    );
    WrappedKey {
        version,
        wrapped_key,
        nonce,
    }
}

fn unwrap_dek(
    kek: &KeyBytes,
    kek_id: &str,
    wrapped: &WrappedKey,
    format: WrapFormat,
) -> Option<KeyBytes> {
    let plain = cipher::open(
        kek,
        &dek_aad(kek_id, wrapped.version, format),
        &wrapped.wrapped_key,
        &wrapped.nonce,
    )?;
    if plain.len() != cipher::KEY_LEN {
        return None;
    }
    let mut dek = zeroize::Zeroizing::new([0u8; cipher::KEY_LEN]);
    dek.copy_from_slice(&plain);
    Some(dek)
}

/// Removes a KEK that is no longer used (after rotation, or a failed one).
pub(super) fn discard_kek(
    data_dir: &Path,
    config: &KeyConfig,
    vault_id: &str,
    kek_id: &str,
    source: KeySource,
) {
    match source {
        KeySource::Keychain => {
            let _ = config.keychain.delete(&keychain_account(vault_id, kek_id));
        }
        KeySource::KeyFile => {
            let _ = std::fs::remove_file(keyfile::path_for(data_dir, kek_id));
        }
        KeySource::Passphrase => {}
    }
}

/// A rotation's new KEK, with its salt and Argon2id parameters when it
/// comes from a passphrase.
pub(super) type RotatedKek = (KeyBytes, Option<Vec<u8>>, Option<KdfParams>);

/// The new KEK for a rotation, in the vault's existing source.
pub(super) fn rotated_kek(
    data_dir: &Path,
    config: &KeyConfig,
    meta: &VaultMeta,
    new_kek_id: &str,
) -> Result<RotatedKek, VaultError> {
    match KeySource::parse(&meta.kek_source)? {
        KeySource::Passphrase => {
            let passphrase = config
                .passphrase
                .as_ref()
                .ok_or(VaultError::PassphraseRequired)?;
            let salt = kdf::random_salt();
            let kek = kdf::derive_key(passphrase.expose(), &salt, KdfParams::CURRENT)?;
            Ok((kek, Some(salt), Some(KdfParams::CURRENT)))
        }
        KeySource::Keychain => {
            let kek = cipher::random_key();
            let account = keychain_account(&meta.vault_id, new_kek_id);
            let encoded = keyfile::encode_key(&kek);
            config
                .keychain
                .set(&account, &encoded)
                .map_err(|e| VaultError::KeychainUnavailable(e.to_string()))?;
            // Read it back before anything depends on it: a keychain that
            // accepts a write but does not keep it would otherwise lock the
            // vault out once the old key is deleted.
            match config.keychain.get(&account) {
                Ok(Some(read_back)) if *read_back == *encoded => Ok((kek, None, None)),
                other => {
                    let _ = config.keychain.delete(&account);
                    let reason = match other {
                        Err(e) => e.to_string(),
                        Ok(None) => "the new key was not kept".to_owned(),
                        Ok(Some(_)) => "the key read back differs from the key written".to_owned(),
                    };
                    Err(VaultError::KeychainUnavailable(format!(
                        "{reason}; the vault was not rotated and its current key still works"
                    )))
                }
            }
        }
        KeySource::KeyFile => {
            let kek = cipher::random_key();
            keyfile::create(&keyfile::path_for(data_dir, new_kek_id), &kek)?;
            Ok((kek, None, None))
        }
    }
}

pub(super) fn parse_source(meta: &VaultMeta) -> Result<KeySource, VaultError> {
    KeySource::parse(&meta.kek_source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{self, Actor, Event, Outcome, SealCheck};
    use crate::store::credentials::CredentialRow;

    fn config(passphrase: Option<&str>) -> KeyConfig {
        KeyConfig {
            passphrase: passphrase.map(SecretString::from),
            keychain: Arc::new(NoKeychain),
        }
    }

    const SECRET: &str = "svc-password-Summer2026!";

    /// A connection row, a sealed credential and two audit rows.
    fn populate(conn: &Connection, vault: &Vault) -> CredentialRow {
        conn.execute(
            "INSERT INTO integration_config (id, provider, display_name, base_url, auth_type, status, created_at, updated_at)
             VALUES ('c1', 'servicenow', 'sn', 'https://x.service-now.com', 'basic', 'connected', 'now', 'now')",
            [],
        )
        .unwrap();
        let binding = Binding {
            credential_id: "k1",
            connection_id: "c1",
            kind: "password",
        };
        let sealed = vault.seal(binding, &SECRET.into());
        let row = CredentialRow {
            id: "k1".into(),
            connection_id: "c1".into(),
            kind: "password".into(),
            ciphertext: sealed.ciphertext,
            nonce: sealed.nonce,
            key_version: sealed.key_version,
            fingerprint: vault.fingerprint(&SECRET.into()),
            created_at: "now".into(),
            expires_at: None,
        };
        credentials::replace(conn, &row).unwrap();
        for action in ["connection.add", "credential.open"] {
            audit::append(
                conn,
                &Event {
                    actor: Actor::Cli,
                    action,
                    connection: Some("sn"),
                    outcome: Outcome::Ok,
                    detail: String::new(),
                },
            )
            .unwrap();
        }
        row
    }

    /// Rewrites the vault as the first release left it on disk (after
    /// migration 0007 added empty columns): the DEK wrapped in the first
    /// format, no Argon2id parameters stored, salted SHA-256 fingerprints,
    /// no audit seal.
    fn as_first_release(conn: &Connection, kek: &KeyBytes, vault: &Vault, salt: Option<&[u8]>) {
        let meta = vault_meta::load(conn).unwrap().unwrap();
        let (wrapped_key, nonce) = cipher::seal(
            kek,
            &dek_aad(&meta.kek_id, vault.key_version(), WrapFormat::First),
            vault.dek.as_ref(),
        );
        conn.execute(
            "UPDATE vault_keys SET wrapped_key = ?1, nonce = ?2",
            rusqlite::params![wrapped_key, nonce],
        )
        .unwrap();
        conn.execute(
            "UPDATE vault_meta SET kdf_salt = ?1, kdf_memory_kib = NULL, kdf_passes = NULL, kdf_lanes = NULL",
            rusqlite::params![salt],
        )
        .unwrap();
        let legacy = Vault::legacy_fingerprint(&meta.fingerprint_salt, &SECRET.into());
        conn.execute("UPDATE credentials SET fingerprint = ?1", [legacy])
            .unwrap();
        conn.execute("DELETE FROM audit_seal", []).unwrap();
    }

    fn stored_fingerprint(conn: &Connection) -> String {
        conn.query_row("SELECT fingerprint FROM credentials", [], |r| r.get(0))
            .unwrap()
    }

    fn assert_current(conn: &Connection, vault: &Vault, row: &CredentialRow) {
        let sealed = Sealed {
            ciphertext: row.ciphertext.clone(),
            nonce: row.nonce.clone(),
            key_version: row.key_version,
        };
        let binding = Binding {
            credential_id: "k1",
            connection_id: "c1",
            kind: "password",
        };
        assert_eq!(
            vault.open(binding, &sealed).unwrap().expose(),
            SECRET,
            "same DEK"
        );
        assert_eq!(stored_fingerprint(conn), vault.fingerprint(&SECRET.into()));
        let report = audit::verify(conn, SealCheck::Key(&vault.audit_key())).unwrap();
        assert!(report.sealed);
        assert_eq!(report.entries, 2);
    }

    #[test]
    fn a_first_release_passphrase_vault_is_upgraded_on_its_next_unlock() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::store::open(&dir.path().join("db.sqlite3")).unwrap();
        let keys = config(Some("correct horse battery"));
        let (vault, _) = unlock(&conn, dir.path(), &keys).unwrap();
        let row = populate(&conn, &vault);
        let old_salt = kdf::random_salt();
        let old_kek =
            kdf::derive_key("correct horse battery", &old_salt, KdfParams::LEGACY).unwrap();
        as_first_release(&conn, &old_kek, &vault, Some(&old_salt));
        assert!(audit::verify(&conn, SealCheck::Key(&vault.audit_key())).is_err());

        let (upgraded, _) = unlock(&conn, dir.path(), &keys).unwrap();
        assert_current(&conn, &upgraded, &row);
        let meta = vault_meta::load(&conn).unwrap().unwrap();
        assert_eq!(meta.kdf_params, Some(KdfParams::CURRENT));
        assert_ne!(
            meta.kdf_salt.as_deref(),
            Some(&old_salt[..]),
            "re-derived with a new salt"
        );
        // The upgrade is done once: the next unlock changes nothing.
        let (again, _) = unlock(&conn, dir.path(), &keys).unwrap();
        assert_current(&conn, &again, &row);
        assert_eq!(
            vault_meta::load(&conn).unwrap().unwrap().kdf_salt,
            meta.kdf_salt
        );
        // A wrong passphrase still does not open it.
        assert!(matches!(
            unlock(&conn, dir.path(), &config(Some("wrong"))),
            Err(VaultError::WrongKey(KeySource::Passphrase))
        ));
    }

    #[test]
    fn a_first_release_key_file_vault_is_upgraded_on_its_next_unlock() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::store::open(&dir.path().join("db.sqlite3")).unwrap();
        let keys = config(None);
        let (vault, _) = unlock(&conn, dir.path(), &keys).unwrap();
        let row = populate(&conn, &vault);
        let meta = vault_meta::load(&conn).unwrap().unwrap();
        let kek = keyfile::read_private(&keyfile::path_for(dir.path(), &meta.kek_id)).unwrap();
        as_first_release(&conn, &kek, &vault, None);
        assert_ne!(stored_fingerprint(&conn), vault.fingerprint(&SECRET.into()));

        let (upgraded, _) = unlock(&conn, dir.path(), &keys).unwrap();
        assert_current(&conn, &upgraded, &row);
        assert_eq!(vault_meta::load(&conn).unwrap().unwrap().kdf_params, None);
    }

    #[test]
    fn a_new_passphrase_vault_stores_its_argon2_parameters() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::store::open(&dir.path().join("db.sqlite3")).unwrap();
        unlock(&conn, dir.path(), &config(Some("pass phrase"))).unwrap();
        let meta = vault_meta::load(&conn).unwrap().unwrap();
        assert_eq!(meta.kdf_params, Some(KdfParams::CURRENT));
    }
}
