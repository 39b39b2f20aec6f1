//! Each error that has one clear way out carries it as a typed `Action`,
//! reached through the real code paths; and no message a person reads
//! names a front end's command or flag.

mod common;

use std::collections::BTreeMap;

use ibridge_core::audit::Actor;
use ibridge_core::connections::NewConnection;
use ibridge_core::services::PublishOptions;
use ibridge_core::{Action, Error, ErrorKind, Services};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The message says what is wrong in words both front ends can show.
fn assert_no_cli_wording(e: &Error) {
    let text = e.to_string();
    assert!(
        !text.contains("ibridge ") && !text.contains("--") && !text.contains('`'),
        "CLI wording in a core message: {text}"
    );
}

fn action_of(e: &Error) -> Action {
    assert_no_cli_wording(e);
    e.action().unwrap_or_else(|| panic!("no action on: {e}"))
}

fn supply(field: &str) -> Action {
    Action::SupplyInput {
        field: field.into(),
    }
}

fn wiki(services: &Services, url: &str, space: Option<&str>) {
    services
        .add_connection(NewConnection {
            provider: "confluence".into(),
            name: "team wiki".into(),
            url: url.into(),
            auth: "api_token".into(),
            username: Some("ana@acme.example".into()),
            secret: Some("atl-token".into()),
            space: space.map(str::to_owned),
            ..NewConnection::default()
        })
        .unwrap();
}

fn servicenow(services: &Services) {
    services
        .add_connection(NewConnection {
            provider: "servicenow".into(),
            name: "sn".into(),
            url: "https://acme.service-now.invalid".into(),
            auth: "basic".into(),
            username: Some("svc".into()),
            secret: Some("pw".into()),
            ..NewConnection::default()
        })
        .unwrap();
}

fn ado(services: &Services, auth: &str) {
    let oauth = auth == "oauth2";
    services
        .add_connection(NewConnection {
            provider: "azure_devops".into(),
            name: "ado".into(),
            url: "https://dev.azure.com/acme".into(),
            auth: auth.into(),
            project: Some("Ops".into()),
            secret: (!oauth).then(|| "pat".into()),
            client_id: oauth.then(|| "client-1".into()),
            ..NewConnection::default()
        })
        .unwrap();
}

fn db(dir: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("ibridge.sqlite3")).unwrap()
}

#[test]
fn a_secret_left_out_is_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let services = common::services(dir.path(), Actor::Cli);
    let e = services
        .add_connection(NewConnection {
            provider: "servicenow".into(),
            name: "sn".into(),
            url: "https://acme.service-now.invalid".into(),
            auth: "basic".into(),
            username: Some("svc".into()),
            ..NewConnection::default()
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(action_of(&e), supply("secret"));
}

#[test]
fn an_oauth_connection_never_signed_in_is_reconnected() {
    let dir = tempfile::tempdir().unwrap();
    let services = common::services(dir.path(), Actor::Cli);
    ado(&services, "oauth2");
    let e = block_on(services.test_connection("ado")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthNeeded, "{e}");
    assert_eq!(
        action_of(&e),
        Action::Reconnect {
            connection: "ado".into()
        }
    );
    // The connection says the same through its status.
    let view = services.show_connection("ado").unwrap();
    assert_eq!(
        view.action(),
        Some(Action::Reconnect {
            connection: "ado".into()
        })
    );
    assert!(!view.status_detail.unwrap_or_default().contains("ibridge"));
}

#[test]
fn a_connection_missing_a_setting_is_opened_for_editing() {
    let dir = tempfile::tempdir().unwrap();
    let services = common::services(dir.path(), Actor::Cli);
    ado(&services, "pat");
    // A row from before the project was required.
    db(dir.path())
        .execute(
            "UPDATE integration_config SET provider_config = json_remove(provider_config, '$.project')",
            [],
        )
        .unwrap();
    let fields = BTreeMap::from([("System.Title".to_owned(), "x".to_owned())]);
    let e = block_on(services.ado_update("ado", "1", fields)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert_eq!(
        action_of(&e),
        Action::EditConnection {
            connection: "ado".into(),
            setting: "project".into()
        }
    );
}

#[test]
fn a_stored_secret_that_vanished_is_given_again() {
    let dir = tempfile::tempdir().unwrap();
    let services = common::services(dir.path(), Actor::Cli);
    ado(&services, "pat");
    db(dir.path())
        .execute("DELETE FROM credentials", [])
        .unwrap();
    let e = block_on(services.test_connection("ado")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthNeeded, "{e}");
    assert_eq!(
        action_of(&e),
        Action::EditConnection {
            connection: "ado".into(),
            setting: "secret".into()
        }
    );
}

#[test]
fn an_update_without_fields_asks_for_one() {
    let dir = tempfile::tempdir().unwrap();
    let services = common::services(dir.path(), Actor::Cli);
    servicenow(&services);
    ado(&services, "pat");
    let sys_id = "0123456789abcdef0123456789abcdef";
    let e = block_on(services.servicenow_update("sn", sys_id, BTreeMap::new())).unwrap_err();
    assert_eq!(action_of(&e), supply("field"));
    let e = block_on(services.ado_update("ado", "7", BTreeMap::new())).unwrap_err();
    assert_eq!(action_of(&e), supply("field"));
}

#[test]
fn a_file_without_a_title_asks_for_one() {
    let dir = tempfile::tempdir().unwrap();
    let services = common::services(dir.path(), Actor::Cli);
    let src = tempfile::tempdir().unwrap();
    let file = src.path().join("notes.md");
    std::fs::write(&file, "no heading here\n").unwrap();
    let e = services
        .import_markdown_file(&file, None, None)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(action_of(&e), supply("title"));
}

#[test]
fn publishing_without_a_space_asks_for_one_and_a_missing_image_for_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let services = common::services(dir.path(), Actor::Cli);
    wiki(&services, "https://acme.atlassian.invalid/wiki", None);
    let doc = services.new_document("rca", "RCA: checkout", None).unwrap();
    let e = block_on(services.publish_document(&doc.id, "team wiki", PublishOptions::default()))
        .unwrap_err();
    assert_eq!(action_of(&e), supply("space"));

    services
        .save_document(&doc.id, "RCA: checkout", "# T\n\n![graph](graph.png)\n")
        .unwrap();
    let with_space = PublishOptions {
        space: Some("OPS".into()),
        ..PublishOptions::default()
    };
    let e = block_on(services.publish_document(&doc.id, "team wiki", with_space)).unwrap_err();
    assert_eq!(
        action_of(&e),
        Action::AttachAsset {
            document: doc.id.clone(),
            name: "graph.png".into()
        }
    );
}

fn page_json(id: &str, version: i64) -> String {
    format!(
        r#"{{"id":"{id}","type":"page","title":"RCA: checkout","space":{{"key":"OPS"}},"version":{{"number":{version}}},"_links":{{"base":"https://acme.atlassian.net/wiki","webui":"/spaces/OPS/pages/{id}/RCA+checkout"}}}}"#
    )
}

#[test]
fn a_page_edited_in_confluence_offers_the_overwrite() {
    let mut server = mockito::Server::new();
    let dir = tempfile::tempdir().unwrap();
    let services = common::services(dir.path(), Actor::Cli);
    wiki(&services, &format!("{}/wiki", server.url()), Some("OPS"));
    let doc = services.new_document("rca", "RCA: checkout", None).unwrap();
    server
        .mock("POST", "/wiki/rest/api/content")
        .with_body(page_json("555", 1))
        .create();
    block_on(services.publish_document(&doc.id, "team wiki", PublishOptions::default())).unwrap();
    services
        .save_document(&doc.id, "RCA: checkout", "# RCA\n\nOur change.\n")
        .unwrap();
    server.reset();
    server
        .mock("GET", "/wiki/rest/api/content/555")
        .match_query(mockito::Matcher::Any)
        .with_body(page_json("555", 3))
        .create();
    let e = block_on(services.publish_document(&doc.id, "team wiki", PublishOptions::default()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert!(e.to_string().contains("version 3 there, 1 here"), "{e}");
    assert_eq!(
        action_of(&e),
        Action::Overwrite {
            document: doc.id.clone(),
            connection: "team wiki".into()
        }
    );
}

/// Puts a row in the outbox as another build or an interrupted send left it.
fn outbox_row(dir: &std::path::Path, id: &str, operation: &str, state: &str) {
    let db = db(dir);
    let connection: String = db
        .query_row("SELECT id FROM integration_config", [], |r| r.get(0))
        .unwrap();
    db.execute(
        "INSERT INTO outbox (id, idempotency_key, connection_id, operation, subject_id, payload, state, created_at, updated_at)
         VALUES (?1, ?1, ?2, ?3, 'subject', '{}', ?4, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        rusqlite::params![id, connection, operation, state],
    )
    .unwrap();
}

#[test]
fn an_entry_that_may_have_been_sent_is_reconciled_before_a_discard() {
    let dir = tempfile::tempdir().unwrap();
    let services = common::services(dir.path(), Actor::Cli);
    servicenow(&services);
    outbox_row(
        dir.path(),
        "e-inflight",
        "servicenow.update_incident",
        "in_flight",
    );
    let e = services.discard_outbox("e-inflight").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
    assert_eq!(action_of(&e), Action::RunOutbox);
}

#[test]
fn an_entry_this_build_cannot_read_can_be_discarded() {
    let dir = tempfile::tempdir().unwrap();
    let services = common::services(dir.path(), Actor::Cli);
    servicenow(&services);
    outbox_row(dir.path(), "e-unknown", "servicenow.teleport", "pending");
    let e = block_on(services.retry_outbox("e-unknown")).unwrap_err();
    // Not the user's input: a local failure (exit 1), never "invalid".
    assert_eq!(e.kind(), ErrorKind::Internal, "{e}");
    assert_eq!(
        action_of(&e),
        Action::DiscardEntry {
            entry: "e-unknown".into()
        }
    );
    services.discard_outbox("e-unknown").unwrap();
}

#[test]
fn a_stored_row_changed_outside_the_app_is_an_internal_failure_not_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let services = common::services(dir.path(), Actor::Cli);
    servicenow(&services);
    // Enumerated columns have CHECK constraints; JSON columns do not.
    for (column, value) in [("provider_config", "{not json"), ("provider_config", "42")] {
        let db = db(dir.path());
        let before: String = db
            .query_row(
                &format!("SELECT {column} FROM integration_config"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        db.execute(
            &format!("UPDATE integration_config SET {column} = ?1"),
            [value],
        )
        .unwrap();
        let e = services.show_connection("sn").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Internal, "{column}: {e}");
        assert!(e.to_string().contains("cannot be read"), "{e}");
        db.execute(
            &format!("UPDATE integration_config SET {column} = ?1"),
            [before],
        )
        .unwrap();
        services.show_connection("sn").unwrap();
    }
}
