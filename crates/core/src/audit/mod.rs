//! Append-only, hash-chained audit log of every credential use and every
//! connection change. Each row's hash covers its fields and the previous
//! row's hash; `audit_head` holds the newest hash, so an edited, removed or
//! reordered row — including one cut from the end — breaks `verify`.

use std::fmt;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::time::now_rfc3339;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Ui,
    Cli,
    Background,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Ui => "ui",
            Actor::Cli => "cli",
            Actor::Background => "background",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
        }
    }
}

/// One thing to record. `detail` is built by our code from non-secret
/// facts (purpose, kind, salted fingerprint prefix), never from input.
pub struct Event<'a> {
    pub actor: Actor,
    pub action: &'a str,
    pub connection: Option<&'a str>,
    pub outcome: Outcome,
    pub detail: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub connection: Option<String>,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Where the chain breaks first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit log broken at row {seq}: {reason}")]
pub struct ChainBroken {
    pub seq: i64,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Broken(#[from] ChainBroken),
    #[error("audit database error: {0}")]
    Database(#[from] rusqlite::Error),
}

fn entry_hash(e: &Entry) -> String {
    let mut h = Sha256::new();
    // Length-prefixed fields: no two different rows encode the same bytes.
    let conn = e.connection.as_deref().unwrap_or("\u{0}none");
    for field in [
        e.seq.to_string().as_str(),
        &e.at,
        &e.actor,
        &e.action,
        conn,
        &e.outcome,
        &e.detail,
        &e.prev_hash,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends `event`. Inside a caller's transaction it joins it (so the
/// change and its record commit together); otherwise it takes its own.
pub fn append(conn: &Connection, event: &Event<'_>) -> rusqlite::Result<i64> {
    if conn.is_autocommit() {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let seq = append_in(&tx, event)?;
        tx.commit()?;
        Ok(seq)
    } else {
        append_in(conn, event)
    }
}

fn append_in(conn: &Connection, event: &Event<'_>) -> rusqlite::Result<i64> {
    let head: Option<(i64, String)> = conn
        .query_row(
            "SELECT last_seq, hash FROM audit_head WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (last_seq, prev_hash) = head.unwrap_or((0, GENESIS.to_owned()));
    let mut entry = Entry {
        seq: last_seq + 1,
        at: now_rfc3339(),
        actor: event.actor.as_str().to_owned(),
        action: event.action.to_owned(),
        connection: event.connection.map(str::to_owned),
        outcome: event.outcome.as_str().to_owned(),
        detail: event.detail.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, connection, outcome, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.connection,
            entry.outcome,
            entry.detail,
            entry.prev_hash,
            entry.hash
        ],
    )?;
    conn.execute(
        "INSERT INTO audit_head (id, last_seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq, hash = excluded.hash",
        params![entry.seq, entry.hash],
    )?;
    Ok(entry.seq)
}

const SELECT: &str =
    "SELECT seq, at, actor, action, connection, outcome, detail, prev_hash, hash FROM audit_log";

fn read_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        connection: r.get(4)?,
        outcome: r.get(5)?,
        detail: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

/// The newest `limit` entries, newest first.
pub fn list(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<Entry>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY seq DESC LIMIT ?1"))?;
    let rows = stmt.query_map([limit], read_entry)?;
    rows.collect()
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub entries: u64,
}

/// Walks the whole chain; names the first row that breaks it.
pub fn verify(conn: &Connection) -> Result<VerifyReport, AuditError> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY seq ASC"))?;
    let mut rows = stmt.query([])?;
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1i64;
    let mut count = 0u64;
    while let Some(row) = rows.next()? {
        let entry = read_entry(row)?;
        if entry.seq != expected_seq {
            return Err(ChainBroken {
                seq: entry.seq,
                reason: format!(
                    "rows {expected_seq}..{} are missing (removed)",
                    entry.seq - 1
                ),
            }
            .into());
        }
        if entry.prev_hash != expected_prev {
            return Err(ChainBroken {
                seq: entry.seq,
                reason: "it does not follow the row before it (rows were removed or reordered)"
                    .into(),
            }
            .into());
        }
        if entry_hash(&entry) != entry.hash {
            return Err(ChainBroken {
                seq: entry.seq,
                reason: "its contents were changed".into(),
            }
            .into());
        }
        expected_prev = entry.hash;
        expected_seq += 1;
        count += 1;
    }
    let head: Option<(i64, String)> = conn
        .query_row(
            "SELECT last_seq, hash FROM audit_head WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let last_seq = expected_seq - 1;
    match head {
        None if count == 0 => {}
        None => {
            return Err(ChainBroken {
                seq: last_seq,
                reason: "the chain head record is missing".into(),
            }
            .into())
        }
        Some((head_seq, head_hash)) => {
            if head_seq != last_seq || head_hash != expected_prev {
                return Err(ChainBroken {
                    seq: last_seq + 1,
                    reason: format!("the log ends at row {last_seq} but was written up to row {head_seq} (rows removed from the end)"),
                }
                .into());
            }
        }
    }
    Ok(VerifyReport { entries: count })
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "audit log intact: {} entries, hash chain verified",
            self.entries
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open_in_memory;

    fn log(conn: &Connection, n: usize) {
        for i in 0..n {
            append(
                conn,
                &Event {
                    actor: Actor::Cli,
                    action: "credential.open",
                    connection: Some("c1"),
                    outcome: Outcome::Ok,
                    detail: format!("purpose=test {i}"),
                },
            )
            .unwrap();
        }
    }

    fn broken_at(conn: &Connection) -> i64 {
        match verify(conn) {
            Err(AuditError::Broken(b)) => b.seq,
            other => panic!("expected a broken chain, got {other:?}"),
        }
    }

    #[test]
    fn intact_chain_verifies() {
        let conn = open_in_memory().unwrap();
        assert_eq!(verify(&conn).unwrap().entries, 0);
        log(&conn, 5);
        assert_eq!(verify(&conn).unwrap().entries, 5);
        assert_eq!(list(&conn, 2).unwrap()[0].seq, 5);
    }

    #[test]
    fn edited_row_is_named() {
        let conn = open_in_memory().unwrap();
        log(&conn, 5);
        conn.execute("UPDATE audit_log SET detail = 'x' WHERE seq = 3", [])
            .unwrap();
        assert_eq!(broken_at(&conn), 3);
    }

    #[test]
    fn deleted_row_is_found() {
        let conn = open_in_memory().unwrap();
        log(&conn, 5);
        conn.execute("DELETE FROM audit_log WHERE seq = 2", [])
            .unwrap();
        assert_eq!(broken_at(&conn), 3);
    }

    #[test]
    fn deleted_last_row_is_found() {
        let conn = open_in_memory().unwrap();
        log(&conn, 5);
        conn.execute("DELETE FROM audit_log WHERE seq = 5", [])
            .unwrap();
        assert_eq!(broken_at(&conn), 5);
    }

    #[test]
    fn reordered_rows_are_found() {
        let conn = open_in_memory().unwrap();
        log(&conn, 5);
        // Swap the contents of rows 2 and 3, keeping their seq numbers.
        conn.execute_batch(
            "UPDATE audit_log SET seq = -2 WHERE seq = 2;
             UPDATE audit_log SET seq = 2 WHERE seq = 3;
             UPDATE audit_log SET seq = 3 WHERE seq = -2;",
        )
        .unwrap();
        assert_eq!(broken_at(&conn), 2);
    }

    #[test]
    fn append_joins_an_open_transaction() {
        let mut conn = open_in_memory().unwrap();
        let tx = conn.transaction().unwrap();
        log(&tx, 1);
        tx.rollback().unwrap();
        assert_eq!(
            verify(&conn).unwrap().entries,
            0,
            "rolled back with the change"
        );
    }
}
