//! The key-file fallback: a random key in `<data-dir>/master-<kek_id>.key`,
//! created with mode 0600 (owner read/write only; on Windows an ACL that
//! grants only the current user) and never rewritten. Reading it checks
//! that it is still the user's own and private, as ssh does for its keys.

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
        })?;
    restrict_to_user(path)
}

/// Windows has no mode bits: replace the inherited ACL with one entry
/// granting the current user full control.
#[cfg(windows)]
fn restrict_to_user(path: &Path) -> Result<(), VaultError> {
    let user = std::env::var("USERNAME").map_err(|_| VaultError::KeyFile {
        path: path.to_path_buf(),
        reason: "USERNAME is not set, so the file's access cannot be limited to you".into(),
    })?;
    let status = std::process::Command::new("icacls")
        .arg(path)
        .args(["/inheritance:r", "/grant:r"])
        .arg(format!("{user}:F"))
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| VaultError::KeyFile {
            path: path.to_path_buf(),
            reason: format!("could not run icacls to limit access to you: {e}"),
        })?;
    if status.success() {
        Ok(())
    } else {
        let _ = std::fs::remove_file(path);
        Err(VaultError::KeyFile {
            path: path.to_path_buf(),
            reason: format!("icacls could not limit access to you ({status})"),
        })
    }
}

#[cfg(not(windows))]
fn restrict_to_user(_path: &Path) -> Result<(), VaultError> {
    // The mode was set when the file was created.
    Ok(())
}

/// Reads the key after checking the file is owned by this user and not
/// readable or writable by anyone else (Unix).
pub fn read_private(path: &Path) -> Result<KeyBytes, VaultError> {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::MetadataExt;
        let mode = meta.mode() & 0o777;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err(VaultError::KeyFile {
                path: path.to_path_buf(),
                reason: format!(
                    "it belongs to user id {}, not to you (user id {me}); someone may have replaced it",
                    meta.uid()
                ),
            });
        }
        if mode & 0o077 != 0 {
            return Err(VaultError::KeyFile {
                path: path.to_path_buf(),
                reason: format!(
                    "its mode {mode:04o} lets other users read or change it; restore it with `chmod 600 {}`",
                    path.display()
                ),
            });
        }
    }
    read(path)
}

fn read(path: &Path) -> Result<KeyBytes, VaultError> {
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_key_file_others_can_read_is_refused_until_it_is_private_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_for(dir.path(), "k1");
        let key = super::super::cipher::random_key();
        create(&path, &key).unwrap();
        assert_eq!(*read_private(&path).unwrap(), *key);
        for mode in [0o644, 0o640, 0o604, 0o660] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let err = read_private(&path).unwrap_err();
            assert!(err.to_string().contains("chmod 600"), "{mode:o}: {err}");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(read_private(&path).is_ok());
        // Another owner (only root can make one here).
        if unsafe { libc::geteuid() } == 0 {
            std::os::unix::fs::chown(&path, Some(4242), None).unwrap();
            let err = read_private(&path).unwrap_err();
            assert!(err.to_string().contains("belongs to user id 4242"), "{err}");
        }
    }
}
