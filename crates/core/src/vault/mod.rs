//! The vault: master key, sealing and opening of credentials, rotation.
//!
//! Key hierarchy (wiki/Security.md):
//! - the key-encryption key (KEK) comes from the OS keychain, from the
//!   `IBRIDGE_MASTER_KEY` passphrase (Argon2id), or from a 0600 key file;
//! - it wraps one random data-encryption key (DEK), stored in `vault_keys`;
//! - the DEK seals each credential with AES-256-GCM, the AAD binding the
//!   ciphertext to its row (credential id, connection id, kind, key version).

mod cipher;
mod kdf;
pub mod keychain;
mod keyfile;
mod master_key;
mod rotate;

use std::fmt;
use std::path::PathBuf;

use sha2::Sha256;

use crate::secret::SecretString;

pub use cipher::KeyBytes;
pub use kdf::KdfParams;
pub use keychain::{Keychain, KeychainError, MemoryKeychain, NoKeychain, OsKeychain};
pub use master_key::{unlock, KeyConfig, KeySource, VaultNotice};
pub use rotate::{rotate, RotationReport};

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the vault's master key is missing from the {place}: {reason}. Restore it, or remove and re-add the connections")]
    KeyMissing { place: String, reason: String },

    #[error("this vault's master key is in the OS keychain, which cannot be reached now ({0}). Unlock the keychain or run inside the desktop session")]
    KeychainUnavailable(String),

    #[error("this vault is protected by a passphrase: set IBRIDGE_MASTER_KEY")]
    PassphraseRequired,

    #[error("IBRIDGE_MASTER_KEY is set, but this vault's master key is kept in the {0}; unset IBRIDGE_MASTER_KEY")]
    PassphraseNotUsed(KeySource),

    #[error("IBRIDGE_MASTER_KEY must not be empty")]
    EmptyPassphrase,

    #[error(
        "the master key from the {0} does not open this vault (wrong passphrase or a replaced key)"
    )]
    WrongKey(KeySource),

    #[error("the stored {kind} of connection {connection_id} failed to decrypt: it was altered or moved from another row. Enter it again")]
    Tampered { connection_id: String, kind: String },

    #[error("the stored {kind} of connection {connection_id} claims key version {found}, but the vault's key is version {current}; the row was altered. Enter it again")]
    KeyVersionMismatch {
        connection_id: String,
        kind: String,
        found: i64,
        current: i64,
    },

    #[error("the master key was rotated by another Incident Bridge process, and the new key could not be read: {0}")]
    RotatedElsewhere(Box<VaultError>),

    #[error("key file {path}: {reason}")]
    KeyFile { path: PathBuf, reason: String },

    #[error("the vault tables are inconsistent: {0}")]
    Corrupt(String),

    #[error("vault database error: {0}")]
    Database(#[from] rusqlite::Error),
}

impl VaultError {
    /// True when the user must supply or restore a key (exit code 4).
    pub fn is_key_problem(&self) -> bool {
        if let VaultError::RotatedElsewhere(inner) = self {
            return inner.is_key_problem();
        }
        matches!(
            self,
            VaultError::KeyMissing { .. }
                | VaultError::KeychainUnavailable(_)
                | VaultError::PassphraseRequired
                | VaultError::PassphraseNotUsed(_)
                | VaultError::EmptyPassphrase
                | VaultError::WrongKey(_)
        )
    }
}

/// Which row a ciphertext belongs to; every field goes into the AAD.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    pub credential_id: &'a str,
    pub connection_id: &'a str,
    pub kind: &'a str,
}

impl Binding<'_> {
    fn aad(&self, key_version: i64) -> Vec<u8> {
        format!(
            "ibridge/credential/v1|{}|{}|{}|{}",
            self.credential_id, self.connection_id, self.kind, key_version
        )
        .into_bytes()
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub ciphertext: Vec<u8>,
    pub nonce: Vec<u8>,
    pub key_version: i64,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Sealed({} bytes, v{})",
            self.ciphertext.len(),
            self.key_version
        )
    }
}

/// An unlocked vault: the data-encryption key and what is derived from it.
pub struct Vault {
    dek: KeyBytes,
    key_version: i64,
    source: KeySource,
}

impl Vault {
    pub(crate) fn new(dek: KeyBytes, key_version: i64, source: KeySource) -> Self {
        Self {
            dek,
            key_version,
            source,
        }
    }

    pub fn key_version(&self) -> i64 {
        self.key_version
    }

    pub fn source(&self) -> KeySource {
        self.source
    }

    pub fn seal(&self, binding: Binding<'_>, secret: &SecretString) -> Sealed {
        let (ciphertext, nonce) = cipher::seal(
            &self.dek,
            &binding.aad(self.key_version),
            secret.expose().as_bytes(),
        );
        Sealed {
            ciphertext,
            nonce,
            key_version: self.key_version,
        }
    }

    pub fn open(&self, binding: Binding<'_>, sealed: &Sealed) -> Result<SecretString, VaultError> {
        if sealed.key_version != self.key_version {
            return Err(VaultError::KeyVersionMismatch {
                connection_id: binding.connection_id.to_owned(),
                kind: binding.kind.to_owned(),
                found: sealed.key_version,
                current: self.key_version,
            });
        }
        let tampered = || VaultError::Tampered {
            connection_id: binding.connection_id.to_owned(),
            kind: binding.kind.to_owned(),
        };
        let mut plain = cipher::open(
            &self.dek,
            &binding.aad(sealed.key_version),
            &sealed.ciphertext,
            &sealed.nonce,
        )
        .ok_or_else(tampered)?;
        // The bytes move into the secret; none is left behind unzeroed.
        let text = String::from_utf8(std::mem::take(&mut *plain)).map_err(|e| {
            zeroize::Zeroize::zeroize(&mut e.into_bytes());
            tampered()
        })?;
        Ok(SecretString::new(text))
    }

    /// A key for another purpose (e.g. signing OAuth state), derived from
    /// the DEK with HMAC-SHA256 so it never needs storing.
    pub fn derive_subkey(&self, label: &str) -> KeyBytes {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.dek.as_ref())
            .expect("HMAC takes a key of any length");
        mac.update(b"ibridge/subkey/v1|");
        mac.update(label.as_bytes());
        let mut out = zeroize::Zeroizing::new([0u8; cipher::KEY_LEN]);
        out.copy_from_slice(&mac.finalize().into_bytes());
        out
    }

    /// HMAC-SHA256 of the secret under a key derived from the DEK, in hex.
    /// It tells two credentials apart for their owner; without the vault's
    /// key nobody can test password guesses against it (a salted hash with
    /// the salt in the same file could be), and it changes on rotation.
    pub fn fingerprint(&self, secret: &SecretString) -> String {
        use hmac::{Hmac, Mac};
        let key = self.derive_subkey("fingerprint/v1");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_ref())
            .expect("HMAC takes a key of any length");
        mac.update(secret.expose().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The key of the audit chain's seal.
    pub fn audit_key(&self) -> KeyBytes {
        self.derive_subkey("audit-seal/v1")
    }

    /// The salted SHA-256 fingerprint vaults used before fingerprints were
    /// keyed: what an attacker holding the file could compute.
    #[cfg(test)]
    pub(crate) fn legacy_fingerprint(salt: &[u8], secret: &SecretString) -> String {
        use sha2::Digest;
        let mut hasher = Sha256::new();
        hasher.update(salt);
        hasher.update(secret.expose().as_bytes());
        hex::encode(hasher.finalize())
    }
}

/// The short form people see: `sha256:` and the first 12 hex digits.
pub fn short_fingerprint(fingerprint: &str) -> String {
    let prefix: String = fingerprint.chars().take(12).collect();
    format!("sha256:{prefix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> Vault {
        Vault::new(cipher::random_key(), 1, KeySource::KeyFile)
    }

    fn binding<'a>(id: &'a str, conn: &'a str, kind: &'a str) -> Binding<'a> {
        Binding {
            credential_id: id,
            connection_id: conn,
            kind,
        }
    }

    #[test]
    fn seal_open_round_trip() {
        let v = vault();
        let s = v.seal(binding("c1", "k1", "pat"), &"tok-123".into());
        assert!(!s.ciphertext.windows(7).any(|w| w == b"tok-123"));
        assert_eq!(
            v.open(binding("c1", "k1", "pat"), &s).unwrap().expose(),
            "tok-123"
        );
    }

    #[test]
    fn any_change_of_binding_fails() {
        let v = vault();
        let s = v.seal(binding("c1", "k1", "pat"), &"tok".into());
        for b in [
            binding("c2", "k1", "pat"),
            binding("c1", "k2", "pat"),
            binding("c1", "k1", "password"),
        ] {
            assert!(matches!(v.open(b, &s), Err(VaultError::Tampered { .. })));
        }
        let mut other_version = s.clone();
        other_version.key_version = 2;
        assert!(matches!(
            v.open(binding("c1", "k1", "pat"), &other_version),
            Err(VaultError::KeyVersionMismatch {
                found: 2,
                current: 1,
                ..
            })
        ));
    }

    #[test]
    fn fingerprints_are_keyed_stable_and_not_a_salted_hash() {
        let v = vault();
        let other = vault();
        let secret: SecretString = "same".into();
        assert_eq!(v.fingerprint(&secret), v.fingerprint(&secret));
        assert_ne!(v.fingerprint(&secret), other.fingerprint(&secret));
        assert_eq!(
            short_fingerprint(&v.fingerprint(&secret)).len(),
            "sha256:".len() + 12
        );
        // What the database holds cannot be recomputed from what the
        // database holds: no salt in the file reproduces it.
        for salt in [&b""[..], b"salt", &[0u8; 16]] {
            assert_ne!(
                v.fingerprint(&secret),
                Vault::legacy_fingerprint(salt, &secret)
            );
        }
    }
}
