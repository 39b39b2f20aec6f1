//! The `asset_blobs`, `document_assets`, `document_meta`,
//! `page_attachments` and `page_publish_state` tables.

use rusqlite::{params, Connection, OptionalExtension, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRow {
    pub document_id: String,
    pub name: String,
    pub reference: String,
    pub media_type: String,
    pub sha256: String,
    pub size: i64,
    pub origin: String,
    pub added_at: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetaRow {
    pub space_key: Option<String>,
    pub parent_id: Option<String>,
    /// JSON array of label names.
    pub labels: String,
    pub source_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    pub document_id: String,
    pub connection_id: String,
    pub name: String,
    pub attachment_id: String,
    pub version: i64,
    pub sha256: String,
    pub uploaded_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishStateRow {
    pub body_hash: String,
    /// JSON array of the labels the page was left with.
    pub labels: String,
    pub markdown: String,
}

const ASSET_COLUMNS: &str = "a.document_id, a.name, a.reference, a.media_type, a.sha256, \
     b.size, a.origin, a.added_at";

fn asset(r: &Row<'_>) -> rusqlite::Result<AssetRow> {
    Ok(AssetRow {
        document_id: r.get(0)?,
        name: r.get(1)?,
        reference: r.get(2)?,
        media_type: r.get(3)?,
        sha256: r.get(4)?,
        size: r.get(5)?,
        origin: r.get(6)?,
        added_at: r.get(7)?,
    })
}

/// Stores `bytes` under their hash (once per content).
pub fn put_blob(conn: &Connection, sha256: &str, bytes: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO asset_blobs (sha256, size, bytes) VALUES (?1, ?2, ?3)
         ON CONFLICT (sha256) DO NOTHING",
        params![sha256, bytes.len() as i64, bytes],
    )?;
    Ok(())
}

pub fn blob(conn: &Connection, sha256: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row(
        "SELECT bytes FROM asset_blobs WHERE sha256 = ?1",
        [sha256],
        |r| r.get(0),
    )
    .optional()
}

/// Adds the asset, or points the existing one with this name (or this
/// reference) at new content; a blob no asset uses any more is deleted.
pub fn upsert(conn: &Connection, a: &AssetRow) -> rusqlite::Result<()> {
    let replaced: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT sha256 FROM document_assets
             WHERE document_id = ?1 AND (name = ?2 OR reference = ?3)",
        )?;
        let rows = stmt.query_map(params![a.document_id, a.name, a.reference], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    conn.execute(
        "DELETE FROM document_assets WHERE document_id = ?1 AND (name = ?2 OR reference = ?3)",
        params![a.document_id, a.name, a.reference],
    )?;
    conn.execute(
        "INSERT INTO document_assets
         (document_id, name, reference, media_type, sha256, origin, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            a.document_id,
            a.name,
            a.reference,
            a.media_type,
            a.sha256,
            a.origin,
            a.added_at
        ],
    )?;
    for sha in replaced {
        drop_unused_blob(conn, &sha)?;
    }
    Ok(())
}

fn drop_unused_blob(conn: &Connection, sha256: &str) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM asset_blobs WHERE sha256 = ?1
         AND NOT EXISTS (SELECT 1 FROM document_assets WHERE sha256 = ?1)",
        [sha256],
    )?;
    Ok(())
}

/// A document's assets, by name.
pub fn list(conn: &Connection, document_id: &str) -> rusqlite::Result<Vec<AssetRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {ASSET_COLUMNS} FROM document_assets a JOIN asset_blobs b ON b.sha256 = a.sha256
         WHERE a.document_id = ?1 ORDER BY a.name"
    ))?;
    let rows = stmt.query_map([document_id], asset)?;
    rows.collect()
}

pub fn meta(conn: &Connection, document_id: &str) -> rusqlite::Result<MetaRow> {
    Ok(conn
        .query_row(
            "SELECT space_key, parent_id, labels, source_name FROM document_meta
             WHERE document_id = ?1",
            [document_id],
            |r| {
                Ok(MetaRow {
                    space_key: r.get(0)?,
                    parent_id: r.get(1)?,
                    labels: r.get(2)?,
                    source_name: r.get(3)?,
                })
            },
        )
        .optional()?
        .unwrap_or_else(|| MetaRow {
            labels: "[]".into(),
            ..MetaRow::default()
        }))
}

pub fn set_meta(conn: &Connection, document_id: &str, m: &MetaRow) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO document_meta (document_id, space_key, parent_id, labels, source_name)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (document_id) DO UPDATE SET space_key = ?2, parent_id = ?3,
             labels = ?4, source_name = ?5",
        params![
            document_id,
            m.space_key,
            m.parent_id,
            m.labels,
            m.source_name
        ],
    )?;
    Ok(())
}

/// Documents imported from a file named `source_name`.
pub fn documents_from_source(
    conn: &Connection,
    source_name: &str,
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT document_id FROM document_meta WHERE source_name = ?1 ORDER BY document_id",
    )?;
    let rows = stmt.query_map([source_name], |r| r.get(0))?;
    rows.collect()
}

pub fn attachments(
    conn: &Connection,
    document_id: &str,
    connection_id: &str,
) -> rusqlite::Result<Vec<AttachmentRow>> {
    let mut stmt = conn.prepare(
        "SELECT document_id, connection_id, name, attachment_id, version, sha256, uploaded_at
         FROM page_attachments WHERE document_id = ?1 AND connection_id = ?2 ORDER BY name",
    )?;
    let rows = stmt.query_map([document_id, connection_id], |r| {
        Ok(AttachmentRow {
            document_id: r.get(0)?,
            connection_id: r.get(1)?,
            name: r.get(2)?,
            attachment_id: r.get(3)?,
            version: r.get(4)?,
            sha256: r.get(5)?,
            uploaded_at: r.get(6)?,
        })
    })?;
    rows.collect()
}

/// Every upload of a document, to any connection (for `doc assets`).
pub fn attachments_of(
    conn: &Connection,
    document_id: &str,
) -> rusqlite::Result<Vec<AttachmentRow>> {
    let mut stmt = conn.prepare(
        "SELECT document_id, connection_id, name, attachment_id, version, sha256, uploaded_at
         FROM page_attachments WHERE document_id = ?1 ORDER BY name",
    )?;
    let rows = stmt.query_map([document_id], |r| {
        Ok(AttachmentRow {
            document_id: r.get(0)?,
            connection_id: r.get(1)?,
            name: r.get(2)?,
            attachment_id: r.get(3)?,
            version: r.get(4)?,
            sha256: r.get(5)?,
            uploaded_at: r.get(6)?,
        })
    })?;
    rows.collect()
}

pub fn record_attachment(conn: &Connection, a: &AttachmentRow) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO page_attachments
         (document_id, connection_id, name, attachment_id, version, sha256, uploaded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (document_id, connection_id, name) DO UPDATE SET
             attachment_id = ?4, version = ?5, sha256 = ?6, uploaded_at = ?7",
        params![
            a.document_id,
            a.connection_id,
            a.name,
            a.attachment_id,
            a.version,
            a.sha256,
            a.uploaded_at
        ],
    )?;
    Ok(())
}

pub fn publish_state(
    conn: &Connection,
    document_id: &str,
    connection_id: &str,
) -> rusqlite::Result<Option<PublishStateRow>> {
    conn.query_row(
        "SELECT body_hash, labels, markdown FROM page_publish_state
         WHERE document_id = ?1 AND connection_id = ?2",
        [document_id, connection_id],
        |r| {
            Ok(PublishStateRow {
                body_hash: r.get(0)?,
                labels: r.get(1)?,
                markdown: r.get(2)?,
            })
        },
    )
    .optional()
}

/// Records the title + body hash and Markdown of the page write just made.
pub fn set_body_state(
    conn: &Connection,
    document_id: &str,
    connection_id: &str,
    body_hash: &str,
    markdown: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO page_publish_state (document_id, connection_id, body_hash, markdown)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (document_id, connection_id) DO UPDATE SET body_hash = ?3, markdown = ?4",
        params![document_id, connection_id, body_hash, markdown],
    )?;
    Ok(())
}

/// Records the labels (JSON array) the page was left with.
pub fn set_label_state(
    conn: &Connection,
    document_id: &str,
    connection_id: &str,
    labels: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO page_publish_state (document_id, connection_id, body_hash, labels, markdown)
         VALUES (?1, ?2, '', ?3, '')
         ON CONFLICT (document_id, connection_id) DO UPDATE SET labels = ?3",
        params![document_id, connection_id, labels],
    )?;
    Ok(())
}
