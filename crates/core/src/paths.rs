//! Where the database and key file live.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub const DATABASE_FILE: &str = "ibridge.sqlite3";

/// The data directory: an explicit choice (`--data-dir`, which clap also
/// fills from `IBRIDGE_DATA_DIR`) or the OS application-data directory, the
/// same one the desktop app uses.
pub fn resolve_data_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        if dir.as_os_str().is_empty() {
            return Err(Error::invalid("data-dir", "must not be empty"));
        }
        return Ok(dir.to_path_buf());
    }
    directories::ProjectDirs::from("dev", "IncidentBridge", "Incident Bridge")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| {
            Error::missing(
                "data-dir",
                "no home directory found; choose a data directory (IBRIDGE_DATA_DIR)",
            )
        })
}

/// Creates the directory if needed; on Unix only its owner may enter it.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("create {}", dir.display()), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(format!("set permissions of {}", dir.display()), e))?;
    }
    Ok(())
}
