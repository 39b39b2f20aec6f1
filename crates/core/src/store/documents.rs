//! The `documents` and `published_pages` tables.

use rusqlite::{params, Connection, OptionalExtension, Row};

#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub markdown: String,
    pub incident_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct PageRow {
    pub id: String,
    pub document_id: String,
    pub connection_id: String,
    pub page_id: String,
    pub space_key: String,
    pub title: String,
    pub version: i64,
    pub url: String,
    pub published_at: String,
}

const DOC_COLUMNS: &str = "id, kind, title, markdown, incident_id, created_at, updated_at";
const PAGE_COLUMNS: &str =
    "id, document_id, connection_id, page_id, space_key, title, version, url, published_at";

fn document(r: &Row<'_>) -> rusqlite::Result<DocumentRow> {
    Ok(DocumentRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        title: r.get(2)?,
        markdown: r.get(3)?,
        incident_id: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

fn page(r: &Row<'_>) -> rusqlite::Result<PageRow> {
    Ok(PageRow {
        id: r.get(0)?,
        document_id: r.get(1)?,
        connection_id: r.get(2)?,
        page_id: r.get(3)?,
        space_key: r.get(4)?,
        title: r.get(5)?,
        version: r.get(6)?,
        url: r.get(7)?,
        published_at: r.get(8)?,
    })
}

pub fn insert(conn: &Connection, d: &DocumentRow) -> rusqlite::Result<()> {
    conn.execute(
        &format!("INSERT INTO documents ({DOC_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            d.id,
            d.kind,
            d.title,
            d.markdown,
            d.incident_id,
            d.created_at,
            d.updated_at
        ],
    )?;
    Ok(())
}

pub fn update_content(
    conn: &Connection,
    id: &str,
    title: &str,
    markdown: &str,
    now: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE documents SET title = ?2, markdown = ?3, updated_at = ?4 WHERE id = ?1",
        params![id, title, markdown, now],
    )?;
    Ok(())
}

pub fn find(conn: &Connection, id: &str) -> rusqlite::Result<Option<DocumentRow>> {
    conn.query_row(
        &format!("SELECT {DOC_COLUMNS} FROM documents WHERE id = ?1"),
        [id],
        document,
    )
    .optional()
}

pub fn find_by_prefix(conn: &Connection, prefix: &str) -> rusqlite::Result<Vec<DocumentRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {DOC_COLUMNS} FROM documents WHERE substr(id, 1, length(?1)) = ?1 LIMIT 2"
    ))?;
    let rows = stmt.query_map([prefix], document)?;
    rows.collect()
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<DocumentRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {DOC_COLUMNS} FROM documents ORDER BY updated_at DESC, id"
    ))?;
    let rows = stmt.query_map([], document)?;
    rows.collect()
}

pub fn pages_for(conn: &Connection, document_id: &str) -> rusqlite::Result<Vec<PageRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {PAGE_COLUMNS} FROM published_pages WHERE document_id = ?1 ORDER BY published_at"
    ))?;
    let rows = stmt.query_map([document_id], page)?;
    rows.collect()
}

pub fn find_page(
    conn: &Connection,
    document_id: &str,
    connection_id: &str,
) -> rusqlite::Result<Option<PageRow>> {
    conn.query_row(
        &format!("SELECT {PAGE_COLUMNS} FROM published_pages WHERE document_id = ?1 AND connection_id = ?2"),
        [document_id, connection_id],
        page,
    )
    .optional()
}

/// Records (or updates) where a document is published on a connection.
pub fn upsert_page(conn: &Connection, p: &PageRow) -> rusqlite::Result<()> {
    conn.execute(
        &format!(
            "INSERT INTO published_pages ({PAGE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (document_id, connection_id) DO UPDATE SET
               page_id = excluded.page_id, space_key = excluded.space_key, title = excluded.title,
               version = excluded.version, url = excluded.url, published_at = excluded.published_at"
        ),
        params![p.id, p.document_id, p.connection_id, p.page_id, p.space_key, p.title, p.version, p.url, p.published_at],
    )?;
    Ok(())
}
