//! `filing_defaults` (fields a connection sets on every filing) and
//! `service_metadata` (what the service says a create needs, cached).

use rusqlite::{params, Connection, OptionalExtension};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultRow {
    pub field: String,
    pub value: String,
    pub display: Option<String>,
    pub updated_at: String,
}

pub fn defaults(conn: &Connection, connection_id: &str) -> rusqlite::Result<Vec<DefaultRow>> {
    let mut stmt = conn.prepare(
        "SELECT field, value, display, updated_at FROM filing_defaults
         WHERE connection_id = ?1 ORDER BY field",
    )?;
    let rows = stmt.query_map([connection_id], |r| {
        Ok(DefaultRow {
            field: r.get(0)?,
            value: r.get(1)?,
            display: r.get(2)?,
            updated_at: r.get(3)?,
        })
    })?;
    rows.collect()
}

pub fn put_default(
    conn: &Connection,
    connection_id: &str,
    row: &DefaultRow,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO filing_defaults (connection_id, field, value, display, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (connection_id, field) DO UPDATE SET value = excluded.value,
             display = excluded.display, updated_at = excluded.updated_at",
        params![
            connection_id,
            row.field,
            row.value,
            row.display,
            row.updated_at
        ],
    )?;
    Ok(())
}

/// True if there was such a default.
pub fn delete_default(
    conn: &Connection,
    connection_id: &str,
    field: &str,
) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM filing_defaults WHERE connection_id = ?1 AND field = ?2",
        params![connection_id, field],
    )? > 0)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataRow {
    pub body: String,
    pub fetched_at: String,
}

pub fn metadata(
    conn: &Connection,
    connection_id: &str,
    scope: &str,
) -> rusqlite::Result<Option<MetadataRow>> {
    conn.query_row(
        "SELECT body, fetched_at FROM service_metadata WHERE connection_id = ?1 AND scope = ?2",
        params![connection_id, scope],
        |r| {
            Ok(MetadataRow {
                body: r.get(0)?,
                fetched_at: r.get(1)?,
            })
        },
    )
    .optional()
}

pub fn put_metadata(
    conn: &Connection,
    connection_id: &str,
    scope: &str,
    row: &MetadataRow,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO service_metadata (connection_id, scope, body, fetched_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (connection_id, scope) DO UPDATE SET body = excluded.body,
             fetched_at = excluded.fetched_at",
        params![connection_id, scope, row.body, row.fetched_at],
    )?;
    Ok(())
}

/// Forgets every cached description of connection `connection_id`.
pub fn forget_metadata(conn: &Connection, connection_id: &str) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM service_metadata WHERE connection_id = ?1",
        [connection_id],
    )?;
    Ok(())
}
