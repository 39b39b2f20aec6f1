//! The `vault_meta` and `vault_keys` tables: where the master key comes
//! from, and the wrapped data-encryption key.

use rusqlite::{params, Connection, OptionalExtension};

use crate::vault::KdfParams;

#[derive(Debug, Clone)]
pub struct VaultMeta {
    pub vault_id: String,
    pub kek_source: String,
    pub kek_id: String,
    pub kdf_salt: Option<Vec<u8>>,
    /// The Argon2id parameters of a passphrase vault; `None` when not
    /// stored (a vault made before they were).
    pub kdf_params: Option<KdfParams>,
    /// Salted the SHA-256 fingerprints of vaults made before fingerprints
    /// became keyed HMACs; kept because the column is NOT NULL.
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
        "SELECT vault_id, kek_source, kek_id, kdf_salt, fingerprint_salt,
                kdf_memory_kib, kdf_passes, kdf_lanes
         FROM vault_meta WHERE id = 1",
        [],
        |r| {
            let params: (Option<u32>, Option<u32>, Option<u32>) = (r.get(5)?, r.get(6)?, r.get(7)?);
            Ok(VaultMeta {
                vault_id: r.get(0)?,
                kek_source: r.get(1)?,
                kek_id: r.get(2)?,
                kdf_salt: r.get(3)?,
                fingerprint_salt: r.get(4)?,
                kdf_params: match params {
                    (Some(memory_kib), Some(passes), Some(lanes)) => Some(KdfParams {
                        memory_kib,
                        passes,
                        lanes,
                    }),
                    _ => None,
                },
            })
        },
    )
    .optional()
}

pub fn insert(conn: &Connection, meta: &VaultMeta, now: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO vault_meta (id, vault_id, kek_source, kek_id, kdf_salt, fingerprint_salt, created_at,
                                 kdf_memory_kib, kdf_passes, kdf_lanes)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            meta.vault_id,
            meta.kek_source,
            meta.kek_id,
            meta.kdf_salt,
            meta.fingerprint_salt,
            now,
            meta.kdf_params.map(|p| p.memory_kib),
            meta.kdf_params.map(|p| p.passes),
            meta.kdf_params.map(|p| p.lanes),
        ],
    )?;
    Ok(())
}

/// A new key-encryption key: its id, and for a passphrase its salt and
/// Argon2id parameters.
pub fn set_kek(
    conn: &Connection,
    kek_id: &str,
    kdf_salt: Option<&[u8]>,
    kdf_params: Option<KdfParams>,
    now: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE vault_meta SET kek_id = ?1, kdf_salt = ?2, rotated_at = ?3,
                kdf_memory_kib = ?4, kdf_passes = ?5, kdf_lanes = ?6
         WHERE id = 1",
        params![
            kek_id,
            kdf_salt,
            now,
            kdf_params.map(|p| p.memory_kib),
            kdf_params.map(|p| p.passes),
            kdf_params.map(|p| p.lanes),
        ],
    )?;
    Ok(())
}

/// The same key-encryption key under new passphrase parameters.
pub fn set_kdf(conn: &Connection, kdf_salt: &[u8], kdf_params: KdfParams) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE vault_meta SET kdf_salt = ?1, kdf_memory_kib = ?2, kdf_passes = ?3, kdf_lanes = ?4
         WHERE id = 1",
        params![
            kdf_salt,
            kdf_params.memory_kib,
            kdf_params.passes,
            kdf_params.lanes
        ],
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
