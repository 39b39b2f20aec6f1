//! The `integration_config` table: one row per connection.

use rusqlite::{params, Connection, OptionalExtension, Row};

#[derive(Debug, Clone)]
pub struct ConnectionRow {
    pub id: String,
    pub provider: String,
    pub display_name: String,
    pub base_url: String,
    pub auth_type: String,
    pub provider_config: String,
    pub is_default: bool,
    pub auto_create_enabled: bool,
    pub status: String,
    pub status_detail: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str =
    "id, provider, display_name, base_url, auth_type, provider_config, is_default, \
                       auto_create_enabled, status, status_detail, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ConnectionRow> {
    Ok(ConnectionRow {
        id: r.get(0)?,
        provider: r.get(1)?,
        display_name: r.get(2)?,
        base_url: r.get(3)?,
        auth_type: r.get(4)?,
        provider_config: r.get(5)?,
        is_default: r.get(6)?,
        auto_create_enabled: r.get(7)?,
        status: r.get(8)?,
        status_detail: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
    })
}

pub fn insert(conn: &Connection, row: &ConnectionRow) -> rusqlite::Result<()> {
    conn.execute(
        &format!("INSERT INTO integration_config ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"),
        params![
            row.id,
            row.provider,
            row.display_name,
            row.base_url,
            row.auth_type,
            row.provider_config,
            row.is_default,
            row.auto_create_enabled,
            row.status,
            row.status_detail,
            row.created_at,
            row.updated_at
        ],
    )?;
    Ok(())
}

/// By display name, case-insensitively (the column is `COLLATE NOCASE`).
pub fn find_by_name(conn: &Connection, name: &str) -> rusqlite::Result<Option<ConnectionRow>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM integration_config WHERE display_name = ?1"),
        [name],
        from_row,
    )
    .optional()
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<ConnectionRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM integration_config ORDER BY provider, display_name"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    rows.collect()
}

pub fn has_default(conn: &Connection, provider: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM integration_config WHERE provider = ?1 AND is_default = 1)",
        [provider],
        |r| r.get(0),
    )
}

/// Makes `id` the only default of its provider.
pub fn set_default(conn: &Connection, provider: &str, id: &str, now: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE integration_config SET is_default = 0, updated_at = ?2 WHERE provider = ?1 AND is_default = 1",
        params![provider, now],
    )?;
    conn.execute(
        "UPDATE integration_config SET is_default = 1, updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// The oldest remaining connection of `provider`, to inherit the default.
pub fn oldest_of(conn: &Connection, provider: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT id FROM integration_config WHERE provider = ?1 ORDER BY created_at, id LIMIT 1",
        [provider],
        |r| r.get(0),
    )
    .optional()
}

pub fn delete(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM integration_config WHERE id = ?1", [id])?;
    Ok(())
}

pub fn update_config(
    conn: &Connection,
    id: &str,
    provider_config: &str,
    now: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE integration_config SET provider_config = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, provider_config, now],
    )?;
    Ok(())
}

pub fn find_by_id(conn: &Connection, id: &str) -> rusqlite::Result<Option<ConnectionRow>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM integration_config WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

pub fn set_auto_create(
    conn: &Connection,
    id: &str,
    enabled: bool,
    now: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE integration_config SET auto_create_enabled = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, enabled, now],
    )?;
    Ok(())
}
