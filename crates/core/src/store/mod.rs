//! SQLite: opening the database file, migrations, and the repositories
//! (one module per table family).

pub mod action_items;
pub mod assets;
pub mod connections;
pub mod credentials;
pub mod documents;
pub mod filing;
pub mod incidents;
pub mod leases;
mod migrations;
pub(crate) mod outbox;
pub mod timeline;
pub mod vault_meta;

use std::path::Path;

use rusqlite::Connection;

pub use migrations::MIGRATION_COUNT;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("the database was written by a newer Incident Bridge (schema {found}, this build knows {known}); upgrade the app")]
    TooNew { found: i64, known: usize },
}

/// Opens (creating if needed) the database at `path`, with WAL journaling,
/// foreign keys enforced, and every migration applied.
pub fn open(path: &Path) -> Result<Connection, StoreError> {
    let mut conn = Connection::open(path)?;
    configure(&conn)?;
    migrations::apply(&mut conn)?;
    Ok(conn)
}

/// An in-memory database with the full schema, for tests and benchmarks.
pub fn open_in_memory() -> Result<Connection, StoreError> {
    let mut conn = Connection::open_in_memory()?;
    configure(&conn)?;
    migrations::apply(&mut conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    // WAL lets the desktop app and the CLI read while the other writes;
    // busy_timeout makes a writer wait for the other instead of failing.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Deleted pages are overwritten, so a removed credential's ciphertext
    // does not linger in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Appends seal the audit chain only once the vault installs its key.
    crate::audit::install_key(conn, None)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_with_wal_foreign_keys_and_all_tables() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("t.sqlite3")).unwrap();
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        for table in [
            "integration_config",
            "credentials",
            "audit_log",
            "vault_meta",
            "vault_keys",
        ] {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?1",
                    [table],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "table {table} missing");
        }
    }

    #[test]
    fn reopening_keeps_data_and_does_not_reapply() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite3");
        {
            let conn = open(&path).unwrap();
            conn.execute(
                "INSERT INTO audit_head (id, last_seq, hash) VALUES (1, 7, 'x')",
                [],
            )
            .unwrap();
        }
        let conn = open(&path).unwrap();
        let seq: i64 = conn
            .query_row("SELECT last_seq FROM audit_head", [], |r| r.get(0))
            .unwrap();
        assert_eq!(seq, 7);
    }

    #[test]
    fn refuses_a_database_from_a_newer_build() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.sqlite3");
        {
            let conn = open(&path).unwrap();
            conn.pragma_update(None, "user_version", 999).unwrap();
        }
        let err = open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::TooNew { found: 999, .. }),
            "{err}"
        );
    }
}
