//! The broker against a mock token endpoint (mockito), on a real SQLite
//! file: what a refused refresh does depending on whether the stored
//! refresh token changed meanwhile, and how the lease makes callers wait.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mockito::Matcher;

use super::*;
use crate::audit::Actor;
use crate::connections::NewConnection;
use crate::oauth::tokens::TokenSet;
use crate::vault::{KeyConfig, NoKeychain};
use crate::{Core, ErrorKind, OpenOptions};

struct Fixture {
    _dir: tempfile::TempDir,
    db_path: std::path::PathBuf,
    core: SharedCore,
    connection_id: String,
}

/// An OAuth connection signed in with `refresh-1` and an expired access
/// token, whose authorization server is at `base`.
fn signed_in(base: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut core = Core::open(OpenOptions {
        data_dir: Some(dir.path().to_path_buf()),
        actor: Actor::Cli,
        keys: KeyConfig {
            passphrase: None,
            keychain: Arc::new(NoKeychain),
        },
    })
    .unwrap();
    let view = core
        .add_connection(NewConnection {
            provider: "azure_devops".into(),
            name: "ado".into(),
            url: "https://dev.azure.com/acme".into(),
            auth: "oauth2".into(),
            project: Some("Ops".into()),
            client_id: Some("ibridge-public".into()),
            auth_url: Some(format!("{base}/auth")),
            token_url: Some(format!("{base}/token")),
            ..Default::default()
        })
        .unwrap();
    core.store_sign_in(
        &view.id,
        &TokenSet {
            access_token: "access-1".into(),
            refresh_token: Some("refresh-1".into()),
            expires_in: Some(Duration::ZERO),
            scopes: vec![],
        },
        None,
        None,
    )
    .unwrap();
    Fixture {
        db_path: dir.path().join(crate::paths::DATABASE_FILE),
        _dir: dir,
        core: Arc::new(Mutex::new(core)),
        connection_id: view.id,
    }
}

fn refresh_with(token: &str) -> Matcher {
    Matcher::AllOf(vec![
        Matcher::UrlEncoded("grant_type".into(), "refresh_token".into()),
        Matcher::UrlEncoded("refresh_token".into(), token.into()),
    ])
}

const INVALID_GRANT: &str =
    r#"{"error":"invalid_grant","error_description":"grant request is invalid"}"#;
const GRANTED: &str = r#"{"access_token":"access-2","token_type":"Bearer","expires_in":3600,"refresh_token":"refresh-2"}"#;

fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn status(core: &SharedCore) -> ConnectionStatus {
    lock(core).unwrap().show_connection("ado").unwrap().status
}

#[test]
fn a_refusal_of_a_refresh_token_someone_replaced_is_retried_not_marked() {
    let mut server = mockito::Server::new();
    let fixture = signed_in(&server.url());
    let db_path = fixture.db_path.clone();
    // While our refresh is in flight another process stores a newer
    // refresh token (seen here as a new fingerprint on the row); the server
    // refuses ours.
    let refused = server
        .mock("POST", "/token")
        .match_body(refresh_with("refresh-1"))
        .with_status(400)
        .with_header("content-type", "application/json")
        .with_body_from_request(move |_| {
            rusqlite::Connection::open(&db_path)
                .unwrap()
                .execute(
                    "UPDATE credentials SET fingerprint = 'stored-by-another-process' WHERE kind = 'refresh_token'",
                    [],
                )
                .unwrap();
            INVALID_GRANT.into()
        })
        .expect(1)
        .create();
    let granted = server
        .mock("POST", "/token")
        .match_body(refresh_with("refresh-1"))
        .with_header("content-type", "application/json")
        .with_body(GRANTED)
        .expect(1)
        .create();
    let broker = TokenBroker::new(fixture.core.clone()).unwrap();
    let token = block_on(broker.access_token("ado", "test")).unwrap();
    assert_eq!(token.expose(), "access-2");
    refused.assert();
    granted.assert();
    assert_eq!(status(&fixture.core), ConnectionStatus::Connected);
}

#[test]
fn a_refusal_of_the_stored_refresh_token_marks_needs_reconnect_once() {
    let mut server = mockito::Server::new();
    let fixture = signed_in(&server.url());
    let refused = server
        .mock("POST", "/token")
        .match_body(refresh_with("refresh-1"))
        .with_status(400)
        .with_header("content-type", "application/json")
        .with_body(INVALID_GRANT)
        .expect(1)
        .create();
    let broker = TokenBroker::new(fixture.core.clone()).unwrap();
    let e = block_on(broker.access_token("ado", "test")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthNeeded, "{e}");
    assert!(e.to_string().contains("invalid_grant"), "{e}");
    assert_eq!(status(&fixture.core), ConnectionStatus::NeedsReconnect);
    // Asked again: refused at once, the refused token is not sent again.
    let e = block_on(broker.access_token("ado", "test")).unwrap_err();
    assert_eq!(
        e.action(),
        Some(crate::error::Action::Reconnect {
            connection: "ado".into()
        }),
        "{e}"
    );
    assert!(e.to_string().contains("a new sign-in is needed"), "{e}");
    refused.assert();
    let kept: i64 = rusqlite::Connection::open(&fixture.db_path)
        .unwrap()
        .query_row("SELECT count(*) FROM credentials", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 2, "the connection keeps its tokens");
}

fn plant_lease(fixture: &Fixture, holder: &str) {
    let expires = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    rusqlite::Connection::open(&fixture.db_path)
        .unwrap()
        .execute(
            "INSERT INTO refresh_leases (connection_id, holder, taken_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![fixture.connection_id, holder, crate::time::now_rfc3339(), expires],
        )
        .unwrap();
}

#[test]
fn a_lease_held_by_a_live_process_makes_callers_wait_then_give_up_clearly() {
    let mut server = mockito::Server::new();
    let fixture = signed_in(&server.url());
    let never = server.mock("POST", "/token").expect(0).create();
    plant_lease(
        &fixture,
        &format!("pid:{}:another-holder", std::process::id()),
    );
    let broker = TokenBroker::new(fixture.core.clone())
        .unwrap()
        .with_lease_wait(Duration::from_millis(300));
    let e = block_on(broker.access_token("ado", "test")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("another Incident Bridge process")
            && text.contains(&format!("pid {}", std::process::id()))
            && text.contains("'ado'"),
        "{text}"
    );
    assert!(
        crate::outbox::is_transient(&e),
        "the outbox tries again later"
    );
    never.assert();
}

#[test]
fn a_lease_released_while_waiting_hands_over_the_stored_token() {
    let server = mockito::Server::new();
    let fixture = signed_in(&server.url());
    let holder = format!("pid:{}:another-holder", std::process::id());
    plant_lease(&fixture, &holder);
    // The other holder finishes: it stores fresh tokens and gives the
    // lease up. The waiter uses them without a token request of its own.
    let other = {
        let core = fixture.core.clone();
        let id = fixture.connection_id.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            lock(&core)
                .unwrap()
                .store_refresh(
                    &id,
                    "ado",
                    &TokenSet {
                        access_token: "access-from-the-other".into(),
                        refresh_token: Some("refresh-from-the-other".into()),
                        expires_in: Some(Duration::from_secs(3600)),
                        scopes: vec![],
                    },
                    &holder,
                )
                .unwrap();
        })
    };
    let broker = TokenBroker::new(fixture.core.clone()).unwrap();
    let token = block_on(broker.access_token("ado", "test")).unwrap();
    other.join().unwrap();
    assert_eq!(token.expose(), "access-from-the-other");
}

#[cfg(target_os = "linux")]
#[test]
fn a_lease_left_by_a_dead_process_is_taken_over() {
    let mut server = mockito::Server::new();
    let fixture = signed_in(&server.url());
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    plant_lease(&fixture, &format!("pid:{dead}:gone"));
    let granted = server
        .mock("POST", "/token")
        .match_body(refresh_with("refresh-1"))
        .with_header("content-type", "application/json")
        .with_body(GRANTED)
        .expect(1)
        .create();
    let broker = TokenBroker::new(fixture.core.clone())
        .unwrap()
        .with_lease_wait(Duration::from_millis(300));
    assert_eq!(
        block_on(broker.access_token("ado", "test"))
            .unwrap()
            .expose(),
        "access-2"
    );
    granted.assert();
}
