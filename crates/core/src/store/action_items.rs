//! The `action_items` table: each action item journaled for filing on a
//! connection, and the work item or task it became.

use rusqlite::{params, Connection, OptionalExtension, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemRow {
    pub document_id: String,
    pub connection_id: String,
    pub item_key: String,
    pub title: String,
    pub owner: String,
    pub due: Option<String>,
    pub filed_as: String,
    pub external_id: Option<String>,
    pub external_key: Option<String>,
    pub url: Option<String>,
    pub remote_state: Option<String>,
    pub remote_done: bool,
    pub last_synced_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// What the service answered for an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteItem {
    pub external_id: String,
    pub external_key: String,
    pub url: String,
    pub state: Option<String>,
    pub done: bool,
}

const COLUMNS: &str = "document_id, connection_id, item_key, title, owner, due, filed_as, \
    external_id, external_key, url, remote_state, remote_done, last_synced_at, created_at, updated_at";

fn row(r: &Row<'_>) -> rusqlite::Result<ActionItemRow> {
    Ok(ActionItemRow {
        document_id: r.get(0)?,
        connection_id: r.get(1)?,
        item_key: r.get(2)?,
        title: r.get(3)?,
        owner: r.get(4)?,
        due: r.get(5)?,
        filed_as: r.get(6)?,
        external_id: r.get(7)?,
        external_key: r.get(8)?,
        url: r.get(9)?,
        remote_state: r.get(10)?,
        remote_done: r.get(11)?,
        last_synced_at: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
    })
}

/// Records an item about to be filed; an item already recorded keeps its
/// row (and whatever it was filed as).
pub fn insert_if_new(conn: &Connection, item: &ActionItemRow) -> rusqlite::Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO action_items ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (document_id, connection_id, item_key) DO NOTHING"
        ),
        params![
            item.document_id,
            item.connection_id,
            item.item_key,
            item.title,
            item.owner,
            item.due,
            item.filed_as,
            item.external_id,
            item.external_key,
            item.url,
            item.remote_state,
            item.remote_done,
            item.last_synced_at,
            item.created_at,
            item.updated_at
        ],
    )?;
    Ok(())
}

pub fn find(
    conn: &Connection,
    document_id: &str,
    connection_id: &str,
    item_key: &str,
) -> rusqlite::Result<Option<ActionItemRow>> {
    conn.query_row(
        &format!(
            "SELECT {COLUMNS} FROM action_items
             WHERE document_id = ?1 AND connection_id = ?2 AND item_key = ?3"
        ),
        [document_id, connection_id, item_key],
        row,
    )
    .optional()
}

/// Every item of `document_id`, on every connection, oldest first.
pub fn for_document(conn: &Connection, document_id: &str) -> rusqlite::Result<Vec<ActionItemRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM action_items WHERE document_id = ?1 ORDER BY created_at, item_key"
    ))?;
    let rows = stmt.query_map([document_id], row)?;
    rows.collect()
}

/// Where the item now is at the service (filed, or found by its key).
pub fn set_filed(
    conn: &Connection,
    document_id: &str,
    connection_id: &str,
    item_key: &str,
    remote: &RemoteItem,
    now: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE action_items SET external_id = ?4, external_key = ?5, url = ?6, remote_state = ?7,
                remote_done = ?8, last_synced_at = ?9, updated_at = ?9
         WHERE document_id = ?1 AND connection_id = ?2 AND item_key = ?3",
        params![
            document_id,
            connection_id,
            item_key,
            remote.external_id,
            remote.external_key,
            remote.url,
            remote.state,
            remote.done,
            now
        ],
    )?;
    Ok(())
}

/// The state last read from the service.
pub fn set_state(
    conn: &Connection,
    document_id: &str,
    connection_id: &str,
    item_key: &str,
    state: Option<&str>,
    done: bool,
    now: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE action_items SET remote_state = ?4, remote_done = ?5, last_synced_at = ?6
         WHERE document_id = ?1 AND connection_id = ?2 AND item_key = ?3",
        params![document_id, connection_id, item_key, state, done, now],
    )?;
    Ok(())
}
