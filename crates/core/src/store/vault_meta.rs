//! The `vault_meta` and `vault_keys` tables: where the master key comes
//! from, and the wrapped data-encryption key.

use rusqlite::{params, Connection, OptionalExtension};

#[derive(Debug, Clone)]
pub struct VaultMeta {
    pub vault_id: String,
    pub kek_source: String,
    pub kek_id: String,
    pub kdf_salt: Option<Vec<u8>>,
    pub fingerprint_salt: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct WrappedKey {
    pub version: i64,
    pub wrapped_key: Vec<u8>,
    pub nonce: Vec<u8>,
}

pub fn load(conn: &Connection) -> rusqlite::Result<Option<VaultMeta>> {
    conn.query_row(
        "SELECT vault_id, kek_source, kek_id, kdf_salt, fingerprint_salt FROM vault_meta WHERE id = 1",
        [],
        |r| {
            Ok(VaultMeta {
                vault_id: r.get(0)?,
                kek_source: r.get(1)?,
                kek_id: r.get(2)?,
                kdf_salt: r.get(3)?,
                fingerprint_salt: r.get(4)?,
            })
        },
    )
    .optional()
}

pub fn insert(conn: &Connection, meta: &VaultMeta, now: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO vault_meta (id, vault_id, kek_source, kek_id, kdf_salt, fingerprint_salt, created_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
        params![meta.vault_id, meta.kek_source, meta.kek_id, meta.kdf_salt, meta.fingerprint_salt, now],
    )?;
    Ok(())
}

pub fn set_kek(
    conn: &Connection,
    kek_id: &str,
    kdf_salt: Option<&[u8]>,
    now: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE vault_meta SET kek_id = ?1, kdf_salt = ?2, rotated_at = ?3 WHERE id = 1",
        params![kek_id, kdf_salt, now],
    )?;
    Ok(())
}

pub fn current_key(conn: &Connection) -> rusqlite::Result<Option<WrappedKey>> {
    conn.query_row(
        "SELECT version, wrapped_key, nonce FROM vault_keys ORDER BY version DESC LIMIT 1",
        [],
        |r| {
            Ok(WrappedKey {
                version: r.get(0)?,
                wrapped_key: r.get(1)?,
                nonce: r.get(2)?,
            })
        },
    )
    .optional()
}

/// The version of the data-encryption key in use (rotation bumps it).
pub fn current_version(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT max(version) FROM vault_keys", [], |r| r.get(0))
}

/// Stores `key` as the only data-encryption key.
pub fn replace_keys(conn: &Connection, key: &WrappedKey, now: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM vault_keys", [])?;
    conn.execute(
        "INSERT INTO vault_keys (version, wrapped_key, nonce, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![key.version, key.wrapped_key, key.nonce, now],
    )?;
    Ok(())
}
