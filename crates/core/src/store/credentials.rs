//! The `credentials` table: sealed secrets, one per (connection, kind).

use rusqlite::{params, Connection, OptionalExtension, Row};

#[derive(Debug, Clone)]
pub struct CredentialRow {
    pub id: String,
    pub connection_id: String,
    pub kind: String,
    pub ciphertext: Vec<u8>,
    pub nonce: Vec<u8>,
    pub key_version: i64,
    pub fingerprint: String,
    pub created_at: String,
    pub expires_at: Option<String>,
}

const COLUMNS: &str =
    "id, connection_id, kind, ciphertext, nonce, key_version, fingerprint, created_at, expires_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<CredentialRow> {
    Ok(CredentialRow {
        id: row.get(0)?,
        connection_id: row.get(1)?,
        kind: row.get(2)?,
        ciphertext: row.get(3)?,
        nonce: row.get(4)?,
        key_version: row.get(5)?,
        fingerprint: row.get(6)?,
        created_at: row.get(7)?,
        expires_at: row.get(8)?,
    })
}

/// Inserts, replacing any credential of the same kind on the connection.
pub fn replace(conn: &Connection, row: &CredentialRow) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM credentials WHERE connection_id = ?1 AND kind = ?2",
        params![row.connection_id, row.kind],
    )?;
    conn.execute(
        &format!("INSERT INTO credentials ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
        params![
            row.id,
            row.connection_id,
            row.kind,
            row.ciphertext,
            row.nonce,
            row.key_version,
            row.fingerprint,
            row.created_at,
            row.expires_at
        ],
    )?;
    Ok(())
}

pub fn find(
    conn: &Connection,
    connection_id: &str,
    kind: &str,
) -> rusqlite::Result<Option<CredentialRow>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM credentials WHERE connection_id = ?1 AND kind = ?2"),
        params![connection_id, kind],
        from_row,
    )
    .optional()
}

pub fn for_connection(
    conn: &Connection,
    connection_id: &str,
) -> rusqlite::Result<Vec<CredentialRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM credentials WHERE connection_id = ?1 ORDER BY kind"
    ))?;
    let rows = stmt.query_map([connection_id], from_row)?;
    rows.collect()
}

pub fn all(conn: &Connection) -> rusqlite::Result<Vec<CredentialRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM credentials ORDER BY id"))?;
    let rows = stmt.query_map([], from_row)?;
    rows.collect()
}

pub fn update_sealed(
    conn: &Connection,
    id: &str,
    ciphertext: &[u8],
    nonce: &[u8],
    key_version: i64,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE credentials SET ciphertext = ?2, nonce = ?3, key_version = ?4 WHERE id = ?1",
        params![id, ciphertext, nonce, key_version],
    )?;
    Ok(())
}

/// A credential's fingerprint, re-computed when the fingerprint key changes.
pub fn update_fingerprint(conn: &Connection, id: &str, fingerprint: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE credentials SET fingerprint = ?2 WHERE id = ?1",
        rusqlite::params![id, fingerprint],
    )?;
    Ok(())
}
