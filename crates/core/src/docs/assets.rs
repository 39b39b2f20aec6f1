//! A document's assets: images and files it shows or links, stored in the
//! database by content (SHA-256) under the file name they are attached to
//! the page with.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::app::Core;
use crate::audit::{self, Event, Outcome};
use crate::error::{Error, Result};
use crate::store::assets::{self as repo, AssetRow};
use crate::time::now_rfc3339;

/// One asset may be at most this large (Confluence's own attachment limit
/// is usually higher; this keeps the database small and uploads quick).
pub const MAX_ASSET_BYTES: usize = 25 * 1024 * 1024;
/// Confluence keeps file names to this many characters.
const MAX_NAME_CHARS: usize = 200;

/// Where an asset came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetOrigin {
    /// Read from beside an imported Markdown file.
    File,
    /// Pasted or dropped into the editor.
    Pasted,
    /// Added with `doc attach`.
    Attached,
}

impl AssetOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetOrigin::File => "file",
            AssetOrigin::Pasted => "pasted",
            AssetOrigin::Attached => "attached",
        }
    }
}

/// An asset as the CLI and the app show it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Asset {
    /// The attachment's file name on the page.
    pub name: String,
    /// How the Markdown refers to it.
    pub reference: String,
    pub media_type: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub size: i64,
    pub sha256: String,
    pub origin: String,
    /// Pages it is attached to, and whether that copy is this content.
    pub uploads: Vec<AssetUpload>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssetUpload {
    pub connection: String,
    pub attachment_id: String,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub version: i64,
    /// False when the asset changed since it was uploaded.
    pub current: bool,
}

/// A pasted image, and the Markdown that shows it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PastedAsset {
    pub asset: Asset,
    pub markdown: String,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The media type for a file name, from its extension.
pub fn media_type_for(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "bmp" => "image/bmp",
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "har" => "application/json",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// The extension for an image's bytes, from their signature.
fn image_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("jpg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else {
        None
    }
}

/// A file name Confluence and every file system accept: no path, no
/// control or reserved characters.
pub fn clean_name(name: &str) -> Result<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|' | '#' | '&') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches(['.', ' ']).to_owned();
    if cleaned.is_empty() {
        return Err(Error::invalid(
            "name",
            format!("'{name}' is not a usable file name"),
        ));
    }
    if cleaned.chars().count() > MAX_NAME_CHARS {
        return Err(Error::invalid(
            "name",
            format!("'{name}' is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(cleaned)
}

pub(crate) fn check_size(name: &str, len: usize) -> Result<()> {
    if len > MAX_ASSET_BYTES {
        return Err(Error::invalid(
            "file",
            format!(
                "'{name}' is {:.1} MiB; an asset may be at most {} MiB",
                len as f64 / (1024.0 * 1024.0),
                MAX_ASSET_BYTES / (1024 * 1024)
            ),
        ));
    }
    if len == 0 {
        return Err(Error::invalid("file", format!("'{name}' is empty")));
    }
    Ok(())
}

/// `name`, or `name-2.ext`, `name-3.ext` … whichever `taken` does not hold.
pub(crate) fn unique_name(name: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(name) {
        return name.to_owned();
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    (2..)
        .map(|n| format!("{stem}-{n}{ext}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| name.to_owned())
}

/// Stores `bytes` as the asset `name` of `document_id` (replacing the
/// content of an asset with that name or reference).
pub(crate) fn store(
    conn: &Connection,
    document_id: &str,
    name: &str,
    reference: &str,
    bytes: &[u8],
    origin: AssetOrigin,
) -> Result<AssetRow> {
    check_size(name, bytes.len())?;
    let sha256 = sha256_hex(bytes);
    repo::put_blob(conn, &sha256, bytes)?;
    let row = AssetRow {
        document_id: document_id.to_owned(),
        name: name.to_owned(),
        reference: reference.to_owned(),
        media_type: media_type_for(name).to_owned(),
        sha256,
        size: bytes.len() as i64,
        origin: origin.as_str().to_owned(),
        added_at: now_rfc3339(),
    };
    repo::upsert(conn, &row)?;
    Ok(row)
}

impl Core {
    /// Adds `bytes` as an asset named `name` (or replaces the content of
    /// the asset with that name), for `doc attach`.
    pub fn attach_asset(&mut self, document: &str, name: &str, bytes: &[u8]) -> Result<Asset> {
        let doc = self.find_document(document)?;
        let name = clean_name(name)?;
        check_size(&name, bytes.len())?;
        let existing = repo::list(self.db(), &doc.id)?
            .into_iter()
            .find(|a| a.name == name);
        let reference = existing
            .as_ref()
            .map(|a| a.reference.clone())
            .unwrap_or_else(|| name.clone());
        let origin = match existing.as_ref().map(|a| a.origin.as_str()) {
            Some("file") => AssetOrigin::File,
            Some("pasted") => AssetOrigin::Pasted,
            _ => AssetOrigin::Attached,
        };
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        let row = store(&tx, &doc.id, &name, &reference, bytes, origin)?;
        audit::append(
            &tx,
            &Event {
                actor: self.actor(),
                action: "document.asset",
                connection: None,
                outcome: Outcome::Ok,
                detail: format!(
                    "document={} asset={} sha256={} size={}",
                    doc.id, row.name, row.sha256, row.size
                ),
            },
        )?;
        tx.commit()?;
        self.asset_view(&doc.id, row)
    }

    /// A pasted or dropped image: stored under a name from its content,
    /// with the Markdown to insert where it was pasted.
    pub fn paste_asset(&mut self, document: &str, bytes: &[u8]) -> Result<PastedAsset> {
        let doc = self.find_document(document)?;
        let ext = image_extension(bytes).ok_or_else(|| {
            Error::invalid(
                "image",
                "the pasted data is not a PNG, JPEG, GIF or WebP image",
            )
        })?;
        check_size("the pasted image", bytes.len())?;
        let hash = sha256_hex(bytes);
        let name = format!("pasted-{}.{ext}", &hash[..12]);
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        let row = store(&tx, &doc.id, &name, &name, bytes, AssetOrigin::Pasted)?;
        audit::append(
            &tx,
            &Event {
                actor: self.actor(),
                action: "document.asset",
                connection: None,
                outcome: Outcome::Ok,
                detail: format!(
                    "document={} asset={} sha256={} size={} pasted",
                    doc.id, row.name, row.sha256, row.size
                ),
            },
        )?;
        tx.commit()?;
        let markdown = format!("![pasted image]({name})");
        Ok(PastedAsset {
            asset: self.asset_view(&doc.id, row)?,
            markdown,
        })
    }

    /// The document's assets with what was uploaded of each.
    pub fn document_assets(&self, document: &str) -> Result<Vec<Asset>> {
        let doc = self.find_document(document)?;
        repo::list(self.db(), &doc.id)?
            .into_iter()
            .map(|row| self.asset_view(&doc.id, row))
            .collect()
    }

    /// An asset's media type and bytes (for the editor's preview).
    pub fn asset_content(&self, document: &str, name: &str) -> Result<(String, Vec<u8>)> {
        let doc = self.find_document(document)?;
        let row = repo::list(self.db(), &doc.id)?
            .into_iter()
            .find(|a| a.name == name || a.reference == name)
            .ok_or_else(|| Error::NotFound {
                what: "asset",
                name: name.to_owned(),
            })?;
        let bytes = repo::blob(self.db(), &row.sha256)?.ok_or_else(|| Error::NotFound {
            what: "asset content",
            name: row.sha256.clone(),
        })?;
        Ok((row.media_type, bytes))
    }

    fn asset_view(&self, document_id: &str, row: AssetRow) -> Result<Asset> {
        let uploads = repo::attachments_of(self.db(), document_id)?
            .into_iter()
            .filter(|u| u.name == row.name)
            .map(|u| {
                let connection = self
                    .view_by_id(&u.connection_id)
                    .map(|v| v.name)
                    .unwrap_or_else(|_| u.connection_id.clone());
                AssetUpload {
                    connection,
                    attachment_id: u.attachment_id,
                    version: u.version,
                    current: u.sha256 == row.sha256,
                }
            })
            .collect();
        Ok(Asset {
            name: row.name,
            reference: row.reference,
            media_type: row.media_type,
            size: row.size,
            sha256: row.sha256,
            origin: row.origin,
            uploads,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_made_unique() {
        assert_eq!(clean_name("img/a:b?.png").unwrap(), "a-b-.png");
        assert!(clean_name("../..").is_err());
        let taken = ["a.png", "a-2.png"];
        assert_eq!(unique_name("a.png", |n| taken.contains(&n)), "a-3.png");
        assert_eq!(unique_name("b.png", |n| taken.contains(&n)), "b.png");
    }

    #[test]
    fn size_limit_names_the_file() {
        let err = check_size("big.png", MAX_ASSET_BYTES + 1).unwrap_err();
        assert!(
            err.to_string()
                .contains("invalid file: 'big.png' is 25.0 MiB"),
            "{err}"
        );
    }
}
