//! Numbered SQL files from `crates/core/migrations`, embedded at build time and applied
//! in order by `rusqlite_migration` (tracked in SQLite's `user_version`).

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use super::StoreError;

const SOURCES: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_incidents_links_outbox.sql"),
    include_str!("../../migrations/0003_documents.sql"),
    include_str!("../../migrations/0004_outbox_claims.sql"),
    include_str!("../../migrations/0005_typed_outbox.sql"),
    include_str!("../../migrations/0006_refresh_leases.sql"),
    include_str!("../../migrations/0007_vault_hardening.sql"),
    include_str!("../../migrations/0008_document_assets.sql"),
    include_str!("../../migrations/0009_filing_fields.sql"),
    include_str!("../../migrations/0010_action_items.sql"),
    LIFECYCLE,
    include_str!("../../migrations/0012_status_notes_without_commands.sql"),
];

const LIFECYCLE: &str = include_str!("../../migrations/0011_incident_lifecycle.sql");

pub const MIGRATION_COUNT: usize = SOURCES.len();

pub(super) fn apply(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > MIGRATION_COUNT as i64 {
        return Err(StoreError::TooNew {
            found,
            known: MIGRATION_COUNT,
        });
    }
    migrations().to_latest(conn)?;
    Ok(())
}

fn migrations() -> Migrations<'static> {
    Migrations::new(steps())
}

/// Every migration in order, each with its hook.
fn steps() -> Vec<M<'static>> {
    SOURCES
        .iter()
        .map(|sql| {
            if *sql == LIFECYCLE {
                M::up_with_hook(sql, lifecycle_statuses)
            } else {
                M::up(sql)
            }
        })
        .collect()
}

const OLD_STATUS_CHECK: &str = "CHECK (status IN ('open', 'mitigated', 'resolved', 'closed'))";
const NEW_STATUS_CHECK: &str =
    "CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved', 'closed'))";

/// Rewrites the CHECK on `incidents.status` in place and maps the stored
/// rows, inside the migration's transaction. SQLite documents this way of
/// changing a CHECK ("Making Other Kinds Of Table Schema Changes": edit
/// `sqlite_schema` with `writable_schema`, then bump `schema_version` so
/// every connection re-reads it); the usual rebuild (new table, copy,
/// drop, rename) cannot be used while foreign keys are on, because
/// dropping `incidents` would cascade-delete its links and timeline.
fn lifecycle_statuses(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    let version: i64 = tx.pragma_query_value(None, "schema_version", |r| r.get(0))?;
    tx.pragma_update(None, "writable_schema", "ON")?;
    let changed = tx.execute(
        "UPDATE sqlite_schema SET sql = replace(sql, ?1, ?2) WHERE type = 'table' AND name = 'incidents'",
        [OLD_STATUS_CHECK, NEW_STATUS_CHECK],
    )?;
    tx.pragma_update(None, "schema_version", version + 1)?;
    // RESET turns writable_schema off and makes this connection re-read
    // the schema now (the bumped schema_version tells the others).
    tx.pragma_update(None, "writable_schema", "RESET")?;
    let sql: String = tx.query_row(
        "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'incidents'",
        [],
        |r| r.get(0),
    )?;
    if changed != 1 || !sql.contains(NEW_STATUS_CHECK) {
        return Err(rusqlite_migration::HookError::Hook(
            "the incidents table does not have the expected status constraint".into(),
        ));
    }
    tx.execute_batch(
        "UPDATE incidents SET status = CASE status
             WHEN 'open' THEN 'investigating'
             WHEN 'mitigated' THEN 'monitoring'
             ELSE status END;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows journaled before 0005 (untyped payloads), one per kind and a
    /// few that cannot be read, then the rest of the migrations.
    #[test]
    fn stored_status_notes_lose_the_command_earlier_builds_wrote_into_them() {
        let mut conn = Connection::open_in_memory().unwrap();
        let mut first_eleven = steps();
        first_eleven.truncate(11);
        Migrations::new(first_eleven).to_latest(&mut conn).unwrap();
        let notes = [
            ("a", Some("not connected yet: run `ibridge connect`")),
            (
                "b",
                Some("the refresh token was refused: run `ibridge connect b`"),
            ),
            (
                "c",
                Some("no Atlassian site chosen yet; run `ibridge connect c`"),
            ),
            ("d", Some("signed in")),
            ("e", None),
        ];
        for (name, note) in notes {
            conn.execute(
                "INSERT INTO integration_config (id, provider, display_name, base_url, auth_type, status, status_detail, created_at, updated_at)
                 VALUES (?1, 'confluence', ?1, 'https://x.example', 'oauth2', 'needs_reconnect', ?2, 't', 't')",
                rusqlite::params![name, note],
            )
            .unwrap();
        }
        migrations().to_latest(&mut conn).unwrap();
        let stored = |id: &str| -> Option<String> {
            conn.query_row(
                "SELECT status_detail FROM integration_config WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(stored("a").as_deref(), Some("not connected yet: sign in"));
        assert_eq!(
            stored("b").as_deref(),
            Some("the refresh token was refused")
        );
        assert_eq!(stored("c").as_deref(), Some("no Atlassian site chosen yet"));
        assert_eq!(stored("d").as_deref(), Some("signed in"));
        assert_eq!(stored("e"), None);
    }

    #[test]
    fn existing_outbox_rows_become_typed_writes_and_unreadable_ones_fail_visibly() {
        use crate::outbox::{
            PageCreate, PageUpdate, ServiceNowCreate, ServiceNowUpdate, WorkItemCreate,
            WorkItemUpdate, Write,
        };
        let mut conn = Connection::open_in_memory().unwrap();
        Migrations::new(SOURCES[..4].iter().map(|sql| M::up(sql)).collect())
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO integration_config (id, provider, display_name, base_url, auth_type, status, created_at, updated_at)
             VALUES ('c1', 'servicenow', 'sn', 'https://x.example', 'basic', 'connected', 't', 't');",
        )
        .unwrap();
        let sys_id = "0123456789abcdef0123456789abcdef";
        let old_rows: &[(&str, &str, &str, &str)] = &[
            (
                "sn",
                "servicenow.create_incident",
                "inc1",
                r#"{"incident":"inc1"}"#,
            ),
            (
                "wi",
                "azure_devops.create_work_item",
                "inc1",
                r#"{"incident":"inc1","type":"Task"}"#,
            ),
            (
                "pc",
                "confluence.create_page",
                "doc1",
                r#"{"document":"doc1","space":"OPS","parent":null}"#,
            ),
            (
                "pc2",
                "confluence.create_page",
                "doc2",
                r#"{"document":"doc2","space":"OPS","parent":"42"}"#,
            ),
            (
                "pu",
                "confluence.update_page",
                "doc1",
                r#"{"document":"doc1","force":true}"#,
            ),
            (
                "su",
                "servicenow.update_incident",
                sys_id,
                r#"{"record":"0123456789abcdef0123456789abcdef","fields":{"state":"2"}}"#,
            ),
            (
                "wu",
                "azure_devops.update_work_item",
                "77",
                r#"{"record":"77","fields":{"System.State":"Active"}}"#,
            ),
            ("bad_json", "confluence.create_page", "doc3", "{not json"),
            (
                "no_space",
                "confluence.create_page",
                "doc4",
                r#"{"document":"doc4"}"#,
            ),
            ("unknown", "teams.post_message", "x", r#"{"text":"hi"}"#),
        ];
        for (id, operation, subject, payload) in old_rows {
            conn.execute(
                "INSERT INTO outbox (id, idempotency_key, connection_id, operation, subject_id, payload, state, attempts, created_at, updated_at, claimed_by)
                 VALUES (?1, ?1, 'c1', ?2, ?3, ?4, 'in_flight', 1, 't', 't', 'pid:1:x')",
                rusqlite::params![id, operation, subject, payload],
            )
            .unwrap();
        }
        apply(&mut conn).unwrap();

        let row = |id: &str| crate::store::outbox::find(&conn, id).unwrap().unwrap();
        let fields = |k: &str, v: &str| [(k.to_owned(), v.to_owned())].into();
        let expected: Vec<(&str, Write)> = vec![
            (
                "sn",
                ServiceNowCreate {
                    incident: "inc1".into(),
                    fields: Default::default(),
                }
                .into(),
            ),
            (
                "wi",
                WorkItemCreate {
                    incident: "inc1".into(),
                    work_item_type: "Task".into(),
                    fields: Default::default(),
                }
                .into(),
            ),
            (
                "pc",
                PageCreate {
                    document: "doc1".into(),
                    space: "OPS".into(),
                    parent: None,
                }
                .into(),
            ),
            (
                "pc2",
                PageCreate {
                    document: "doc2".into(),
                    space: "OPS".into(),
                    parent: Some("42".into()),
                }
                .into(),
            ),
            (
                "pu",
                PageUpdate {
                    document: "doc1".into(),
                    force: true,
                    minor_edit: false,
                }
                .into(),
            ),
            (
                "su",
                ServiceNowUpdate {
                    sys_id: sys_id.into(),
                    fields: fields("state", "2"),
                }
                .into(),
            ),
            (
                "wu",
                WorkItemUpdate {
                    id: 77,
                    fields: fields("System.State", "Active"),
                }
                .into(),
            ),
        ];
        for (id, write) in expected {
            let r = row(id);
            assert_eq!(
                Write::from_stored(&r.operation, &r.payload),
                Ok(write),
                "{id}: {}",
                r.payload
            );
            assert_eq!(
                r.state,
                crate::store::outbox::OutboxState::InFlight,
                "{id}: still to be reconciled"
            );
        }
        for (id, payload) in [
            ("bad_json", "{not json"),
            ("no_space", r#"{"document":"doc4"}"#),
            ("unknown", r#"{"text":"hi"}"#),
        ] {
            let r = row(id);
            assert_eq!(r.state, crate::store::outbox::OutboxState::Failed, "{id}");
            assert_eq!(r.payload, payload, "{id}: kept as it was");
            assert_eq!(r.claimed_by, None);
            let reason = r.last_error.unwrap_or_default();
            assert!(reason.contains("cannot be read"), "{id}: {reason}");
            assert!(reason.contains(&r.operation), "{id}: {reason}");
        }
    }

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    /// Incidents stored with the first statuses keep their links and
    /// documents and read as the lifecycle statuses; the new ones are
    /// accepted and the old ones refused from then on.
    #[test]
    fn stored_statuses_become_lifecycle_statuses_and_nothing_cascades() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        Migrations::new(SOURCES[..10].iter().map(|sql| M::up(sql)).collect())
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO integration_config (id, provider, display_name, base_url, auth_type, status, created_at, updated_at)
             VALUES ('c1', 'servicenow', 'sn', 'https://x.example', 'basic', 'connected', 't', 't');
             INSERT INTO incidents (id, title, severity, status, created_at, updated_at) VALUES
               ('a', 'A', 'P1', 'open', 't', 't'), ('b', 'B', 'P2', 'mitigated', 't', 't'),
               ('c', 'C', 'P3', 'resolved', 't', 't'), ('d', 'D', 'P4', 'closed', 't', 't');
             INSERT INTO external_links (id, incident_id, connection_id, provider, external_id, url, created_at)
               VALUES ('l1', 'a', 'c1', 'servicenow', 'x', 'https://x.example/1', 't');
             INSERT INTO documents (id, kind, title, markdown, incident_id, created_at, updated_at)
               VALUES ('d1', 'rca', 'RCA', '# RCA', 'b', 't', 't');",
        )
        .unwrap();
        apply(&mut conn).unwrap();
        let statuses: Vec<(String, String)> = conn
            .prepare("SELECT id, status FROM incidents ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let expected = [
            ("a", "investigating"),
            ("b", "monitoring"),
            ("c", "resolved"),
            ("d", "closed"),
        ];
        assert_eq!(
            statuses,
            expected.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec()
        );
        let links: i64 = conn
            .query_row("SELECT count(*) FROM external_links", [], |r| r.get(0))
            .unwrap();
        assert_eq!(links, 1);
        let doc_incident: Option<String> = conn
            .query_row(
                "SELECT incident_id FROM documents WHERE id = 'd1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(doc_incident.as_deref(), Some("b"));
        conn.execute(
            "UPDATE incidents SET status = 'identified' WHERE id = 'a'",
            [],
        )
        .unwrap();
        assert!(conn
            .execute("UPDATE incidents SET status = 'open' WHERE id = 'a'", [])
            .is_err());
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
    }
}
