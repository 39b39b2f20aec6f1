//! The key-file fallback: a random key in `<data-dir>/master-<kek_id>.key`,
//! created with mode 0600 (owner read/write only) and never rewritten.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use zeroize::Zeroizing;

use super::cipher::{KeyBytes, KEY_LEN};
use super::VaultError;

pub fn path_for(data_dir: &Path, kek_id: &str) -> PathBuf {
    data_dir.join(format!("master-{kek_id}.key"))
}

pub fn create(path: &Path, key: &KeyBytes) -> Result<(), VaultError> {
    let encoded = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(key.as_ref()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| VaultError::KeyFile {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    file.write_all(encoded.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| VaultError::KeyFile {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

pub fn read(path: &Path) -> Result<KeyBytes, VaultError> {
    let text = std::fs::read_to_string(path).map_err(|e| VaultError::KeyMissing {
        place: format!("key file {}", path.display()),
        reason: e.to_string(),
    })?;
    let text = Zeroizing::new(text);
    decode_key(text.trim()).ok_or_else(|| VaultError::KeyFile {
        path: path.to_path_buf(),
        reason: "it does not hold a base64-encoded 256-bit key".into(),
    })
}

pub fn decode_key(encoded: &str) -> Option<KeyBytes> {
    let bytes = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()?,
    );
    if bytes.len() != KEY_LEN {
        return None;
    }
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    key.copy_from_slice(&bytes);
    Some(key)
}

pub fn encode_key(key: &KeyBytes) -> Zeroizing<String> {
    Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(key.as_ref()))
}
