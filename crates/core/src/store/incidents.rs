//! The `incidents` and `external_links` tables.

use rusqlite::{params, Connection, OptionalExtension, Row};

#[derive(Debug, Clone)]
pub struct IncidentRow {
    pub id: String,
    pub title: String,
    pub description: String,
    pub severity: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct LinkRow {
    pub id: String,
    pub incident_id: String,
    pub connection_id: String,
    pub connection_name: String,
    pub provider: String,
    pub external_id: String,
    pub external_key: Option<String>,
    pub url: String,
    pub remote_state: Option<String>,
    pub remote_priority: Option<String>,
    pub remote_assignee: Option<String>,
    pub last_synced_at: Option<String>,
}

fn incident(r: &Row<'_>) -> rusqlite::Result<IncidentRow> {
    Ok(IncidentRow {
        id: r.get(0)?,
        title: r.get(1)?,
        description: r.get(2)?,
        severity: r.get(3)?,
        status: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

const INCIDENT_COLUMNS: &str = "id, title, description, severity, status, created_at, updated_at";

pub fn insert(conn: &Connection, row: &IncidentRow) -> rusqlite::Result<()> {
    conn.execute(
        &format!("INSERT INTO incidents ({INCIDENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            row.id,
            row.title,
            row.description,
            row.severity,
            row.status,
            row.created_at,
            row.updated_at
        ],
    )?;
    Ok(())
}

pub fn find(conn: &Connection, id: &str) -> rusqlite::Result<Option<IncidentRow>> {
    conn.query_row(
        &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?1"),
        [id],
        incident,
    )
    .optional()
}

/// Incidents whose id starts with `prefix` (people type the first 8).
pub fn find_by_prefix(conn: &Connection, prefix: &str) -> rusqlite::Result<Vec<IncidentRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE substr(id, 1, length(?1)) = ?1 LIMIT 2"
    ))?;
    let rows = stmt.query_map([prefix], incident)?;
    rows.collect()
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<IncidentRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {INCIDENT_COLUMNS} FROM incidents ORDER BY created_at DESC, id"
    ))?;
    let rows = stmt.query_map([], incident)?;
    rows.collect()
}

pub fn update(conn: &Connection, row: &IncidentRow) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE incidents SET title = ?2, description = ?3, severity = ?4, status = ?5, updated_at = ?6 WHERE id = ?1",
        params![row.id, row.title, row.description, row.severity, row.status, row.updated_at],
    )?;
    Ok(())
}

const LINK_SELECT: &str =
    "SELECT l.id, l.incident_id, l.connection_id, c.display_name, l.provider, l.external_id, \
    l.external_key, l.url, l.remote_state, l.remote_priority, l.last_synced_at, l.remote_assignee \
    FROM external_links l JOIN integration_config c ON c.id = l.connection_id";

fn link(r: &Row<'_>) -> rusqlite::Result<LinkRow> {
    Ok(LinkRow {
        id: r.get(0)?,
        incident_id: r.get(1)?,
        connection_id: r.get(2)?,
        connection_name: r.get(3)?,
        provider: r.get(4)?,
        external_id: r.get(5)?,
        external_key: r.get(6)?,
        url: r.get(7)?,
        remote_state: r.get(8)?,
        remote_priority: r.get(9)?,
        last_synced_at: r.get(10)?,
        remote_assignee: r.get(11)?,
    })
}

pub fn links_for(conn: &Connection, incident_id: &str) -> rusqlite::Result<Vec<LinkRow>> {
    let mut stmt = conn.prepare(&format!(
        "{LINK_SELECT} WHERE l.incident_id = ?1 ORDER BY l.created_at"
    ))?;
    let rows = stmt.query_map([incident_id], link)?;
    rows.collect()
}

pub fn find_link(
    conn: &Connection,
    incident_id: &str,
    connection_id: &str,
) -> rusqlite::Result<Option<LinkRow>> {
    conn.query_row(
        &format!("{LINK_SELECT} WHERE l.incident_id = ?1 AND l.connection_id = ?2"),
        [incident_id, connection_id],
        link,
    )
    .optional()
}

/// Records the link; a second link for the same (incident, connection)
/// is ignored, so a retried write cannot create two.
pub fn insert_link(conn: &Connection, row: &LinkRow, now: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO external_links (id, incident_id, connection_id, provider, external_id, external_key, url,
                                     remote_state, remote_priority, last_synced_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (incident_id, connection_id) DO NOTHING",
        params![
            row.id,
            row.incident_id,
            row.connection_id,
            row.provider,
            row.external_id,
            row.external_key,
            row.url,
            row.remote_state,
            row.remote_priority,
            row.last_synced_at,
            now
        ],
    )?;
    Ok(())
}

pub fn update_link_sync(
    conn: &Connection,
    id: &str,
    state: Option<&str>,
    priority: Option<&str>,
    synced_at: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE external_links SET remote_state = ?2, remote_priority = ?3, last_synced_at = ?4 WHERE id = ?1",
        params![id, state, priority, synced_at],
    )?;
    Ok(())
}

/// What a pull found: state, priority and assignee as the service shows them.
pub fn update_link_remote(
    conn: &Connection,
    id: &str,
    state: Option<&str>,
    priority: Option<&str>,
    assignee: Option<&str>,
    synced_at: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE external_links SET remote_state = ?2, remote_priority = ?3, remote_assignee = ?4, last_synced_at = ?5 WHERE id = ?1",
        params![id, state, priority, assignee, synced_at],
    )?;
    Ok(())
}
