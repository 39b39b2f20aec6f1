//! The OS keychain (macOS Keychain, Windows Credential Manager, Secret
//! Service on Linux) behind a small trait, so tests can use one that is
//! unavailable or in memory and never touch the developer's real keychain.

use std::collections::HashMap;
use std::sync::Mutex;

use zeroize::Zeroizing;

pub const SERVICE: &str = "dev.incidentbridge.vault";

#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No keychain can be reached (headless Linux, locked, no D-Bus).
    #[error("the OS keychain is not available: {0}")]
    Unavailable(String),
}

pub trait Keychain: Send + Sync {
    /// The stored key for `account`, or `None` when there is no entry.
    fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, KeychainError>;
    fn set(&self, account: &str, value: &str) -> Result<(), KeychainError>;
    fn delete(&self, account: &str) -> Result<(), KeychainError>;
}

/// The real OS keychain through the `keyring` crate.
pub struct OsKeychain;

impl Keychain for OsKeychain {
    fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, KeychainError> {
        let entry = entry(account)?;
        match entry.get_password() {
            Ok(value) => Ok(Some(Zeroizing::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(KeychainError::Unavailable(e.to_string())),
        }
    }

    fn set(&self, account: &str, value: &str) -> Result<(), KeychainError> {
        entry(account)?
            .set_password(value)
            .map_err(|e| KeychainError::Unavailable(e.to_string()))
    }

    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        match entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(KeychainError::Unavailable(e.to_string())),
        }
    }
}

fn entry(account: &str) -> Result<keyring::Entry, KeychainError> {
    keyring::Entry::new(SERVICE, account).map_err(|e| KeychainError::Unavailable(e.to_string()))
}

/// A keychain that is never there: `IBRIDGE_KEYCHAIN=off`, and tests of the
/// key-file fallback.
pub struct NoKeychain;

impl Keychain for NoKeychain {
    fn get(&self, _: &str) -> Result<Option<Zeroizing<String>>, KeychainError> {
        Err(KeychainError::Unavailable("turned off".into()))
    }
    fn set(&self, _: &str, _: &str) -> Result<(), KeychainError> {
        Err(KeychainError::Unavailable("turned off".into()))
    }
    fn delete(&self, _: &str) -> Result<(), KeychainError> {
        Err(KeychainError::Unavailable("turned off".into()))
    }
}

/// An in-process keychain for tests.
#[derive(Default)]
pub struct MemoryKeychain {
    entries: Mutex<HashMap<String, String>>,
}

impl MemoryKeychain {
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Keychain for MemoryKeychain {
    fn get(&self, account: &str) -> Result<Option<Zeroizing<String>>, KeychainError> {
        let entries = self
            .entries
            .lock()
            .map_err(|_| KeychainError::Unavailable("poisoned".into()))?;
        Ok(entries.get(account).cloned().map(Zeroizing::new))
    }
    fn set(&self, account: &str, value: &str) -> Result<(), KeychainError> {
        self.entries
            .lock()
            .map_err(|_| KeychainError::Unavailable("poisoned".into()))?
            .insert(account.to_owned(), value.to_owned());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<(), KeychainError> {
        self.entries
            .lock()
            .map_err(|_| KeychainError::Unavailable("poisoned".into()))?
            .remove(account);
        Ok(())
    }
}
