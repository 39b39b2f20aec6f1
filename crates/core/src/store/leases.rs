//! The `refresh_leases` table: which process is refreshing a connection's
//! OAuth tokens right now.

use rusqlite::{params, Connection, OptionalExtension};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRow {
    pub holder: String,
    pub taken_at: String,
    pub expires_at: String,
}

pub fn find(conn: &Connection, connection_id: &str) -> rusqlite::Result<Option<LeaseRow>> {
    conn.query_row(
        "SELECT holder, taken_at, expires_at FROM refresh_leases WHERE connection_id = ?1",
        [connection_id],
        |r| {
            Ok(LeaseRow {
                holder: r.get(0)?,
                taken_at: r.get(1)?,
                expires_at: r.get(2)?,
            })
        },
    )
    .optional()
}

/// Takes (or takes over) the lease for `holder`.
pub fn put(
    conn: &Connection,
    connection_id: &str,
    holder: &str,
    taken_at: &str,
    expires_at: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO refresh_leases (connection_id, holder, taken_at, expires_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (connection_id) DO UPDATE SET holder = excluded.holder,
             taken_at = excluded.taken_at, expires_at = excluded.expires_at",
        params![connection_id, holder, taken_at, expires_at],
    )?;
    Ok(())
}

/// Gives the lease up, if `holder` still has it.
pub fn release(conn: &Connection, connection_id: &str, holder: &str) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM refresh_leases WHERE connection_id = ?1 AND holder = ?2",
        params![connection_id, holder],
    )?;
    Ok(())
}
