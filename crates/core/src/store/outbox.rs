//! The `outbox` table: one row per outbound write, keyed by an
//! idempotency key that names the write (e.g. `servicenow.create_incident:
//! <connection>:<incident>`), so the same write is journaled once.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

/// Where an entry is in its life (see `outbox`): the `state` column.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Journaled, not sent yet, or due for another try.
    Pending,
    /// Marked just before sending; left so by a crash or a kill.
    InFlight,
    Done,
    /// Waits for the user.
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::InFlight => "in_flight",
            OutboxState::Done => "done",
            OutboxState::Failed => "failed",
        }
    }
}

impl std::fmt::Display for OutboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromSql for OutboxState {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value.as_str()? {
            "pending" => Ok(OutboxState::Pending),
            "in_flight" => Ok(OutboxState::InFlight),
            "done" => Ok(OutboxState::Done),
            "failed" => Ok(OutboxState::Failed),
            other => Err(FromSqlError::Other(
                format!("unknown outbox state '{other}'").into(),
            )),
        }
    }
}

impl ToSql for OutboxState {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: String,
    pub idempotency_key: String,
    pub connection_id: String,
    pub operation: String,
    pub subject_id: String,
    /// The serde-tagged `outbox::Write`, as JSON.
    pub payload: String,
    pub state: OutboxState,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The process delivering it, while `in_flight`.
    pub claimed_by: Option<String>,
    pub claimed_at: Option<String>,
}

const COLUMNS: &str =
    "id, idempotency_key, connection_id, operation, subject_id, payload, state, attempts, \
                       next_attempt_at, last_error, created_at, updated_at, claimed_by, claimed_at";
/// The columns a new entry is written with (no claim yet).
const INSERT_COLUMNS: &str =
    "id, idempotency_key, connection_id, operation, subject_id, payload, state, attempts, \
                              next_attempt_at, last_error, created_at, updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get(0)?,
        idempotency_key: r.get(1)?,
        connection_id: r.get(2)?,
        operation: r.get(3)?,
        subject_id: r.get(4)?,
        payload: r.get(5)?,
        state: r.get(6)?,
        attempts: r.get(7)?,
        next_attempt_at: r.get(8)?,
        last_error: r.get(9)?,
        created_at: r.get(10)?,
        updated_at: r.get(11)?,
        claimed_by: r.get(12)?,
        claimed_at: r.get(13)?,
    })
}

/// Journals `row` unless its idempotency key is already there (then a
/// not-yet-sent entry takes the new payload); returns the stored entry.
pub fn journal(conn: &Connection, row: &OutboxRow) -> rusqlite::Result<OutboxRow> {
    conn.execute(
        &format!(
            "INSERT INTO outbox ({INSERT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (idempotency_key) DO UPDATE SET payload = excluded.payload
               WHERE outbox.state IN ('pending', 'failed')"
        ),
        params![
            row.id,
            row.idempotency_key,
            row.connection_id,
            row.operation,
            row.subject_id,
            row.payload,
            row.state,
            row.attempts,
            row.next_attempt_at,
            row.last_error,
            row.created_at,
            row.updated_at
        ],
    )?;
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM outbox WHERE idempotency_key = ?1"),
        [&row.idempotency_key],
        from_row,
    )
}

pub fn find(conn: &Connection, id: &str) -> rusqlite::Result<Option<OutboxRow>> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM outbox WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM outbox ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    rows.collect()
}

/// Claims the entry for sending, if its claim is still `expected` (a
/// compare-and-swap, so two processes cannot both claim it). From here a
/// crash leaves it `in_flight`, to be reconciled before any re-send.
pub fn claim(
    conn: &Connection,
    id: &str,
    me: &str,
    expected: Option<&str>,
    now: &str,
) -> rusqlite::Result<bool> {
    let changed = conn.execute(
        "UPDATE outbox SET state = 'in_flight', attempts = attempts + 1, claimed_by = ?2, claimed_at = ?4, updated_at = ?4
         WHERE id = ?1 AND state != 'done' AND claimed_by IS ?3",
        params![id, me, expected, now],
    )?;
    Ok(changed == 1)
}

pub fn mark_done(conn: &Connection, id: &str, now: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'done', last_error = NULL, next_attempt_at = NULL, claimed_by = NULL, claimed_at = NULL,
                           updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// `retry_at` set: transient failure, back to `pending`; unset: `failed`.
pub fn mark_failed(
    conn: &Connection,
    id: &str,
    error: &str,
    retry_at: Option<&str>,
    now: &str,
) -> rusqlite::Result<()> {
    let state = if retry_at.is_some() {
        OutboxState::Pending
    } else {
        OutboxState::Failed
    };
    // A done entry stays done: its result is stored.
    conn.execute(
        "UPDATE outbox SET state = ?2, last_error = ?3, next_attempt_at = ?4, claimed_by = NULL, claimed_at = NULL,
                           updated_at = ?5 WHERE id = ?1 AND state != 'done'",
        params![id, state, error, retry_at, now],
    )?;
    Ok(())
}

/// Entries to deliver now: pending ones that are due (or all pending when
/// `include_not_due`), and every `in_flight` one (left by a crash), oldest
/// first.
pub fn deliverable(
    conn: &Connection,
    now: &str,
    include_not_due: bool,
) -> rusqlite::Result<Vec<OutboxRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM outbox
         WHERE state = 'in_flight'
            OR (state = 'pending' AND (?2 OR next_attempt_at IS NULL OR next_attempt_at <= ?1))
         ORDER BY created_at, id"
    ))?;
    let rows = stmt.query_map(params![now, include_not_due], from_row)?;
    rows.collect()
}

/// The earliest time a pending entry is due, if any is waiting.
pub fn next_due(conn: &Connection) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending' AND next_attempt_at IS NOT NULL",
        [],
        |r| r.get(0),
    )
}

/// Back to `pending`, due now (the user's `outbox retry`).
pub fn reset_to_pending(conn: &Connection, id: &str, now: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'pending', next_attempt_at = NULL, updated_at = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
    Ok(())
}

/// A done entry whose result was lost locally (e.g. a link row removed)
/// is opened again; delivery's lookup-before-create finds the record.
pub fn reopen(conn: &Connection, id: &str, now: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE outbox SET state = 'pending', next_attempt_at = NULL, updated_at = ?2 WHERE id = ?1 AND state = 'done'",
        params![id, now],
    )?;
    Ok(())
}
