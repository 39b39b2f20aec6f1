//! `doc attach` and `doc assets`.

use std::path::Path;

use ibridge_core::docs::{Asset, MAX_ASSET_BYTES};
use ibridge_core::{Error, Result, Services};

use crate::output;

/// Reads `file` (refusing one over the asset limit before reading it all)
/// and stores it as an asset of document `id`.
pub fn attach(services: &Services, id: &str, file: &Path, name: Option<&str>) -> Result<Asset> {
    let read_err =
        |e: std::io::Error| Error::invalid("file", format!("cannot read {}: {e}", file.display()));
    let size = std::fs::metadata(file).map_err(read_err)?.len();
    if size > MAX_ASSET_BYTES as u64 {
        return Err(Error::invalid(
            "file",
            format!(
                "{} is {:.1} MiB; an asset may be at most {} MiB",
                file.display(),
                size as f64 / (1024.0 * 1024.0),
                MAX_ASSET_BYTES / (1024 * 1024)
            ),
        ));
    }
    let bytes = std::fs::read(file).map_err(read_err)?;
    let name = match name {
        Some(n) => n.to_owned(),
        None => file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::invalid("file", "has no file name; pass --name"))?,
    };
    services.attach_asset(id, &name, &bytes)
}

pub fn table(assets: &[Asset]) -> String {
    if assets.is_empty() {
        return "No assets.".into();
    }
    let rows = assets
        .iter()
        .map(|a| {
            let uploaded = if a.uploads.is_empty() {
                "not uploaded".to_owned()
            } else {
                a.uploads
                    .iter()
                    .map(|u| {
                        format!(
                            "{} v{}{}",
                            u.connection,
                            u.version,
                            if u.current { "" } else { " (changed since)" }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            vec![
                a.name.clone(),
                a.size.to_string(),
                a.sha256.clone(),
                a.media_type.clone(),
                uploaded,
            ]
        })
        .collect();
    output::table(&["NAME", "BYTES", "SHA-256", "TYPE", "UPLOADED"], rows)
}
