//! The `incident_events` and `event_posts` tables.

use rusqlite::{params, Connection, OptionalExtension, Row};

#[derive(Debug, Clone)]
pub struct EventRow {
    pub id: String,
    pub incident_id: String,
    pub kind: String,
    /// UTC, RFC 3339 with milliseconds (sorts as text).
    pub occurred_at: String,
    pub author: String,
    pub text: String,
    pub source: String,
    pub connection_id: Option<String>,
    /// The connection's name, when it still exists (read only).
    pub connection_name: Option<String>,
    pub external_id: Option<String>,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct PostRow {
    pub event_id: String,
    pub connection_id: String,
    pub connection_name: String,
    pub remote_id: String,
    pub channel: String,
    pub posted_at: String,
}

const SELECT: &str =
    "SELECT e.id, e.incident_id, e.kind, e.occurred_at, e.author, e.text, e.source, \
     e.connection_id, c.display_name, e.external_id, e.created_at \
     FROM incident_events e LEFT JOIN integration_config c ON c.id = e.connection_id";

fn event(r: &Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: r.get(0)?,
        incident_id: r.get(1)?,
        kind: r.get(2)?,
        occurred_at: r.get(3)?,
        author: r.get(4)?,
        text: r.get(5)?,
        source: r.get(6)?,
        connection_id: r.get(7)?,
        connection_name: r.get(8)?,
        external_id: r.get(9)?,
        created_at: r.get(10)?,
    })
}

/// Inserts the event; a pulled entry already stored (same connection and
/// external id) is ignored. True when a row was added.
pub fn insert(conn: &Connection, row: &EventRow) -> rusqlite::Result<bool> {
    let added = conn.execute(
        "INSERT INTO incident_events (id, incident_id, kind, occurred_at, author, text, source, connection_id, external_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT DO NOTHING",
        params![
            row.id,
            row.incident_id,
            row.kind,
            row.occurred_at,
            row.author,
            row.text,
            row.source,
            row.connection_id,
            row.external_id,
            row.created_at
        ],
    )?;
    Ok(added == 1)
}

/// An incident's events, oldest first (ties in the order recorded).
pub fn for_incident(conn: &Connection, incident_id: &str) -> rusqlite::Result<Vec<EventRow>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE e.incident_id = ?1 ORDER BY e.occurred_at, e.created_at, e.rowid"
    ))?;
    let rows = stmt.query_map([incident_id], event)?;
    rows.collect()
}

pub fn find(conn: &Connection, id: &str) -> rusqlite::Result<Option<EventRow>> {
    conn.query_row(&format!("{SELECT} WHERE e.id = ?1"), [id], event)
        .optional()
}

/// Events whose id starts with `prefix` (people type the first 8).
pub fn find_by_prefix(conn: &Connection, prefix: &str) -> rusqlite::Result<Vec<EventRow>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE substr(e.id, 1, length(?1)) = ?1 LIMIT 2"
    ))?;
    let rows = stmt.query_map([prefix], event)?;
    rows.collect()
}

pub fn record_post(conn: &Connection, post: &PostRow) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO event_posts (event_id, connection_id, remote_id, channel, posted_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (event_id, connection_id) DO NOTHING",
        params![
            post.event_id,
            post.connection_id,
            post.remote_id,
            post.channel,
            post.posted_at
        ],
    )?;
    Ok(())
}

pub fn posts_for_incident(conn: &Connection, incident_id: &str) -> rusqlite::Result<Vec<PostRow>> {
    let mut stmt = conn.prepare(
        "SELECT p.event_id, p.connection_id, c.display_name, p.remote_id, p.channel, p.posted_at
         FROM event_posts p
         JOIN incident_events e ON e.id = p.event_id
         JOIN integration_config c ON c.id = p.connection_id
         WHERE e.incident_id = ?1 ORDER BY p.posted_at",
    )?;
    let rows = stmt.query_map([incident_id], |r| {
        Ok(PostRow {
            event_id: r.get(0)?,
            connection_id: r.get(1)?,
            connection_name: r.get(2)?,
            remote_id: r.get(3)?,
            channel: r.get(4)?,
            posted_at: r.get(5)?,
        })
    })?;
    rows.collect()
}

pub fn find_post(
    conn: &Connection,
    event_id: &str,
    connection_id: &str,
) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT remote_id FROM event_posts WHERE event_id = ?1 AND connection_id = ?2",
        [event_id, connection_id],
        |r| r.get(0),
    )
    .optional()
}

/// The remote ids of entries we posted to `connection_id` (a pull skips them).
pub fn posted_remote_ids(
    conn: &Connection,
    connection_id: &str,
) -> rusqlite::Result<std::collections::HashSet<String>> {
    let mut stmt = conn.prepare("SELECT remote_id FROM event_posts WHERE connection_id = ?1")?;
    let rows = stmt.query_map([connection_id], |r| r.get(0))?;
    rows.collect()
}
