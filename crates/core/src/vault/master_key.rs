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
use super::keychain::{Keychain, NoKeychain, OsKeychain};
use super::{kdf, keyfile, Vault, VaultError};
use crate::secret::SecretString;
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

/// Where a master key may come from in this process.
#[derive(Clone)]
pub struct KeyConfig {
    pub passphrase: Option<SecretString>,
    pub keychain: Arc<dyn Keychain>,
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
        notice,
    } = new_kek(data_dir, config, &vault_id, &kek_id)?;
    let fingerprint_salt = kdf::random_salt();
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
            fingerprint_salt: fingerprint_salt.clone(),
        },
        &now,
    )?;
    vault_meta::replace_keys(&tx, &wrapped, &now)?;
    tx.commit()?;
    Ok((Vault::new(dek, 1, fingerprint_salt, source), notice))
}

/// A freshly made key-encryption key and what to record about it.
pub(super) struct NewKek {
    source: KeySource,
    key: KeyBytes,
    kdf_salt: Option<Vec<u8>>,
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
        let kek = kdf::derive_key(passphrase.expose(), &salt);
        return Ok(NewKek {
            source: KeySource::Passphrase,
            key: kek,
            kdf_salt: Some(salt),
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
            Ok((source, kdf::derive_key(passphrase.expose(), salt)))
        }
        (other, Some(_)) => Err(VaultError::PassphraseNotUsed(other)),
        (KeySource::KeyFile, None) => Ok((
            source,
            keyfile::read(&keyfile::path_for(data_dir, &meta.kek_id))?,
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
    let dek = unwrap_dek(&kek, &meta.kek_id, &wrapped).ok_or(VaultError::WrongKey(source))?;
    Ok(Vault::new(
        dek,
        wrapped.version,
        meta.fingerprint_salt.clone(),
        source,
    ))
}

fn dek_aad(kek_id: &str, version: i64) -> Vec<u8> {
    format!("ibridge/dek/v1|{kek_id}|{version}").into_bytes()
}

pub(super) fn wrap_dek(kek: &KeyBytes, kek_id: &str, dek: &KeyBytes, version: i64) -> WrappedKey {
    let (wrapped_key, nonce) = cipher::seal(kek, &dek_aad(kek_id, version), dek.as_ref());
    WrappedKey {
        version,
        wrapped_key,
        nonce,
    }
}

fn unwrap_dek(kek: &KeyBytes, kek_id: &str, wrapped: &WrappedKey) -> Option<KeyBytes> {
    let plain = cipher::open(
        kek,
        &dek_aad(kek_id, wrapped.version),
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

/// The new KEK for a rotation, in the vault's existing source.
pub(super) fn rotated_kek(
    data_dir: &Path,
    config: &KeyConfig,
    meta: &VaultMeta,
    new_kek_id: &str,
) -> Result<(KeyBytes, Option<Vec<u8>>), VaultError> {
    match KeySource::parse(&meta.kek_source)? {
        KeySource::Passphrase => {
            let passphrase = config
                .passphrase
                .as_ref()
                .ok_or(VaultError::PassphraseRequired)?;
            let salt = kdf::random_salt();
            Ok((kdf::derive_key(passphrase.expose(), &salt), Some(salt)))
        }
        KeySource::Keychain => {
            let kek = cipher::random_key();
            config
                .keychain
                .set(
                    &keychain_account(&meta.vault_id, new_kek_id),
                    &keyfile::encode_key(&kek),
                )
                .map_err(|e| VaultError::KeychainUnavailable(e.to_string()))?;
            Ok((kek, None))
        }
        KeySource::KeyFile => {
            let kek = cipher::random_key();
            keyfile::create(&keyfile::path_for(data_dir, new_kek_id), &kek)?;
            Ok((kek, None))
        }
    }
}

pub(super) fn parse_source(meta: &VaultMeta) -> Result<KeySource, VaultError> {
    KeySource::parse(&meta.kek_source)
}
