//! Several processes on one data directory, as a user runs them: many
//! `ibridge` runs at once, and the desktop app's outbox worker (its core,
//! in a process of its own) beside them. Against the real OAuth 2.0
//! authorization server (oidc-provider, refresh tokens rotated on every
//! use, each token request held 300 ms so racers overlap) and a mock Azure
//! DevOps organisation (mockito):
//!
//! - an expired access token is refreshed once across all processes, every
//!   run succeeds, and the connection works afterwards;
//! - a revoked grant leaves the connection `needs_reconnect` through
//!   `connections test` and `connections show`;
//! - `vault rotate` while other processes hold the vault unlocked: those
//!   processes then open, seal and complete a sign-in under the new key.
//!
//! Callback ports 18740..18749 (the server registers 18700..18799).

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use common::oidc::{self, AuthServer, Consent};
use common::Cli;
use ibridge_core::audit::Actor;
use ibridge_core::connections::{CredentialKind, NewConnection};
use ibridge_core::oauth::TokenBroker;
use ibridge_core::vault::{KeyConfig, NoKeychain};
use ibridge_core::{Core, OpenOptions, Services};
use mockito::Matcher;

/// Separate `ibridge` processes in each race.
const RACERS: usize = 8;
/// Set for the child process that plays the desktop app's outbox worker.
const WORKER_ENV: &str = "IBRIDGE_TEST_OUTBOX_WORKER_DIR";

fn bearer() -> Matcher {
    Matcher::Regex("^Bearer [A-Za-z0-9_-]{20,}$".into())
}

/// Adds the OAuth Azure DevOps connection `ado` (not yet signed in) whose
/// API is `organisation`, authorised by the real server.
fn add_oauth_ado(cli: &Cli, server: &AuthServer, organisation: &mockito::Server) {
    let (auth, token) = (server.url("/auth"), server.url("/token"));
    let api = format!("{}/acme", organisation.url());
    cli.ok(
        &[
            "connections",
            "add",
            "azure_devops",
            "--name",
            "ado",
            "--url",
            "https://dev.azure.com/acme",
            "--project",
            "Ops",
            "--auth",
            "oauth2",
            "--client-id",
            oidc::PUBLIC_CLIENT_ID,
            "--auth-url",
            &auth,
            "--token-url",
            &token,
            "--api-url",
            &api,
        ],
        "",
    );
}

/// An OAuth Azure DevOps connection `ado` whose API is `organisation`,
/// signed in through the real server on callback `port`.
fn signed_in_ado(cli: &Cli, server: &AuthServer, organisation: &mockito::Server, port: u16) {
    add_oauth_ado(cli, server, organisation);
    let (flow, url) = start_connect(cli, port);
    let (status, page) = oidc::visit(&oidc::sign_in(&url, Consent::Approve), None);
    assert_eq!(status, 200, "{page}");
    let (code, _, stderr) = finish(flow);
    assert_eq!(code, 0, "{stderr}");
}

/// `ibridge connect ado` waiting on the browser, and its authorization URL.
fn start_connect(cli: &Cli, port: u16) -> (Child, String) {
    let port = port.to_string();
    let mut child = cli.spawn(&[
        "--json",
        "connect",
        "ado",
        "--no-browser",
        "--port",
        &port,
        "--timeout",
        "120",
    ]);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    child.stdout = Some(stdout.into_inner());
    let url = url.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
    (child, url)
}

fn finish(mut child: Child) -> (i32, String, String) {
    let (mut stdout, mut stderr) = (String::new(), String::new());
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout).unwrap();
    }
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    (status.code().unwrap_or(-1), stdout, stderr)
}

fn sql(cli: &Cli, statement: &str) {
    rusqlite::Connection::open(cli.db_path())
        .unwrap()
        .execute(statement, [])
        .unwrap();
}

fn sql_value(cli: &Cli, query: &str) -> String {
    rusqlite::Connection::open(cli.db_path())
        .unwrap()
        .query_row(query, [], |r| r.get::<_, String>(0))
        .unwrap()
}

fn expire_access_token(cli: &Cli) {
    sql(
        cli,
        "UPDATE credentials SET expires_at = '2000-01-01T00:00:00Z' WHERE kind = 'access_token'",
    );
}

/// The mock organisation's answers to `connections test`, `expected` times.
fn who_am_i(organisation: &mut mockito::Server, expected: usize) -> [mockito::Mock; 2] {
    [
        organisation
            .mock("GET", "/acme/_apis/connectionData")
            .match_header("authorization", bearer())
            .with_body(r#"{"authenticatedUser":{"providerDisplayName":"alice"}}"#)
            .expect(expected)
            .create(),
        organisation
            .mock("GET", "/acme/_apis/projects/Ops")
            .match_query(Matcher::Any)
            .match_header("authorization", bearer())
            .with_body(r#"{"id":"p","name":"Ops"}"#)
            .expect(expected)
            .create(),
    ]
}

fn start_tests(cli: &Cli, count: usize) -> Vec<Child> {
    (0..count)
        .map(|_| cli.spawn(&["--json", "connections", "test", "ado"]))
        .collect()
}

fn assert_all_signed_in(runs: Vec<Child>) {
    for run in runs {
        let (code, stdout, stderr) = finish(run);
        assert_eq!(code, 0, "a racing run failed: {stderr}");
        let check: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(check["signed_in_as"], "alice", "{stdout}");
    }
}

fn status_of(cli: &Cli) -> (String, String) {
    let view = cli.json(&["connections", "show", "ado"]);
    (
        view["status"].as_str().unwrap().to_owned(),
        view["status_detail"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[test]
fn separate_cli_runs_racing_on_an_expired_token_refresh_it_once() {
    let server = AuthServer::start_with_token_delay(300);
    let mut organisation = mockito::Server::new();
    let cli = Cli::new();
    signed_in_ado(&cli, &server, &organisation, 18740);
    let checks = who_am_i(&mut organisation, RACERS + 1);
    let token_requests = server.token_requests();
    expire_access_token(&cli);

    assert_all_signed_in(start_tests(&cli, RACERS));
    assert_eq!(
        server.refresh_requests(),
        1,
        "{RACERS} processes, one refresh_token grant"
    );
    assert_eq!(server.token_requests(), token_requests + 1);
    assert_eq!(server.refresh_grants(), 1);

    // The connection works afterwards, with the token that refresh stored.
    assert_all_signed_in(start_tests(&cli, 1));
    assert_eq!(server.refresh_requests(), 1);
    assert_eq!(status_of(&cli).0, "connected");
    checks.iter().for_each(mockito::Mock::assert);
    assert_eq!(
        sql_value(
            &cli,
            "SELECT count(*) || '' FROM audit_log WHERE action = 'oauth.refresh' AND outcome = 'ok'"
        ),
        "1"
    );
    assert_eq!(
        sql_value(&cli, "SELECT count(*) || '' FROM refresh_leases"),
        "0",
        "the lease is given up"
    );
}

/// The desktop app's outbox worker, in a process of its own: what the app
/// runs every 30 s (`Services::run_outbox(false)`, actor `ui`), on the data
/// directory in `IBRIDGE_TEST_OUTBOX_WORKER_DIR`. The race test below
/// starts this test binary for it; run on its own it does nothing.
#[test]
fn outbox_worker_process() {
    let Some(dir) = std::env::var_os(WORKER_ENV) else {
        return;
    };
    let core = Core::open(OpenOptions {
        data_dir: Some(dir.into()),
        actor: Actor::Ui,
        keys: KeyConfig::from_env(),
    })
    .unwrap();
    let services = Services::new(core).unwrap();
    let report = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(services.run_outbox(false))
        .unwrap();
    assert_eq!(report.delivered.len(), 1, "{report:?}");
    assert!(
        report.failed.is_empty() && report.retrying.is_empty(),
        "{report:?}"
    );
}

fn start_outbox_worker(cli: &Cli) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "outbox_worker_process",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(WORKER_ENV, cli.data_dir())
        .env("IBRIDGE_KEYCHAIN", "off")
        .env_remove("IBRIDGE_MASTER_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn the_desktop_apps_outbox_worker_and_cli_runs_refresh_once() {
    let server = AuthServer::start_with_token_delay(300);
    let mut organisation = mockito::Server::new();
    let cli = Cli::new();
    signed_in_ado(&cli, &server, &organisation, 18741);

    // A filing that could not go out (the organisation said "later") waits
    // in the outbox for the app's worker.
    let incident = cli.json(&[
        "incident",
        "create",
        "--title",
        "Checkout down",
        "--severity",
        "P2",
    ]);
    let incident = incident["incident"]["id"].as_str().unwrap().to_owned();
    let wiql = "/acme/Ops/_apis/wit/wiql";
    let busy = organisation
        .mock("POST", wiql)
        .match_query(Matcher::Any)
        .with_status(429)
        .with_header("retry-after", "3600")
        .expect(1)
        .create();
    let filed = cli.run(&["incident", "file", &incident, "--to", "ado"]);
    assert_ne!(filed.code, 0, "the filing waits: {}", filed.stdout);
    busy.assert();
    busy.remove();
    assert_eq!(
        sql_value(&cli, "SELECT state FROM outbox"),
        "pending",
        "{}",
        filed.stderr
    );
    sql(&cli, "UPDATE outbox SET next_attempt_at = NULL");

    let lookup = organisation
        .mock("POST", wiql)
        .match_query(Matcher::Any)
        .match_header("authorization", bearer())
        .with_body(r#"{"workItems":[]}"#)
        .expect(1)
        .create();
    let create = organisation
        .mock(
            "POST",
            Matcher::Regex(r"^/acme/Ops/_apis/wit/workitems/\$Bug".into()),
        )
        .match_query(Matcher::Any)
        .match_header("authorization", bearer())
        .with_body(
            r#"{"id":314,"rev":1,"fields":{"System.Title":"Checkout down","System.State":"New","System.WorkItemType":"Bug"},"_links":{"html":{"href":"https://dev.azure.com/acme/web/wi.aspx?id=314"}}}"#,
        )
        .expect(1)
        .create();
    let checks = who_am_i(&mut organisation, RACERS);
    let token_requests = server.token_requests();
    expire_access_token(&cli);

    let worker = start_outbox_worker(&cli);
    let racers = start_tests(&cli, RACERS - 1);
    let (code, stdout, stderr) = finish(worker);
    assert_eq!(code, 0, "the outbox worker failed:\n{stdout}\n{stderr}");
    assert_all_signed_in(racers);
    assert_eq!(
        server.refresh_requests(),
        1,
        "the app's worker and {} CLI runs, one refresh_token grant",
        RACERS - 1
    );
    assert_eq!(server.token_requests(), token_requests + 1);
    lookup.assert();
    create.assert();
    assert_eq!(sql_value(&cli, "SELECT state FROM outbox"), "done");

    assert_all_signed_in(start_tests(&cli, 1));
    assert_eq!(server.refresh_requests(), 1);
    checks.iter().for_each(mockito::Mock::assert);
}

#[test]
fn a_revoked_grant_stays_needs_reconnect_through_test_and_show() {
    let server = AuthServer::start();
    let organisation = mockito::Server::new();
    let cli = Cli::new();
    signed_in_ado(&cli, &server, &organisation, 18742);
    server.revoke_everything();
    expire_access_token(&cli);

    let tested = cli.run(&["connections", "test", "ado"]);
    assert_eq!(tested.code, 4, "{}", tested.stderr);
    assert!(tested.stderr.contains("invalid_grant"), "{}", tested.stderr);
    let (status, detail) = status_of(&cli);
    assert_eq!(
        status, "needs_reconnect",
        "the test's result did not replace it"
    );
    assert!(detail.contains("invalid_grant"), "{detail}");
    let fix = cli.json(&["connections", "show", "ado"])["fix"].to_string();
    assert!(fix.contains("ibridge connect ado"), "{fix}");
    let shown = cli.run(&["connections", "show", "ado"]);
    assert!(
        shown
            .stdout
            .contains("Fix:         run `ibridge connect ado`"),
        "{}",
        shown.stdout
    );
    assert_eq!(server.refresh_requests(), 1);

    // Testing again: still needs_reconnect, and the refused refresh token
    // is not sent again.
    let again = cli.run(&["connections", "test", "ado"]);
    assert_eq!(again.code, 4, "{}", again.stderr);
    assert!(
        again.stderr.contains("ibridge connect ado"),
        "{}",
        again.stderr
    );
    assert_eq!(status_of(&cli).0, "needs_reconnect");
    assert_eq!(server.refresh_requests(), 1);
    let list = cli.json(&["connections", "list"]);
    assert_eq!(list[0]["status"], "needs_reconnect", "{list}");
    assert!(
        sql_value(
            &cli,
            "SELECT count(*) || '' FROM credentials WHERE kind = 'refresh_token'"
        ) == "1",
        "the connection and its grant are kept for the next sign-in"
    );
}

fn open_core(cli: &Cli) -> Core {
    Core::open(OpenOptions {
        data_dir: Some(cli.data_dir().to_path_buf()),
        actor: Actor::Ui,
        keys: KeyConfig {
            passphrase: None,
            keychain: Arc::new(NoKeychain),
        },
    })
    .unwrap()
}

fn servicenow(name: &str, password: &str) -> NewConnection {
    NewConnection {
        provider: "servicenow".into(),
        name: name.into(),
        url: "https://acme.service-now.com".into(),
        auth: "basic".into(),
        username: Some("svc".into()),
        secret: Some(password.into()),
        ..Default::default()
    }
}

fn key_files(cli: &Cli) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cli.data_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".key"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_rotation_while_other_processes_hold_the_vault_open_loses_nothing() {
    let server = AuthServer::start();
    let cli = Cli::new();
    cli.ok(
        &[
            "connections",
            "add",
            "servicenow",
            "--name",
            "sn",
            "--url",
            "https://acme.service-now.com",
            "--auth",
            "basic",
            "--username",
            "svc",
            "--secret-stdin",
        ],
        "first-password\n",
    );
    let organisation = mockito::Server::new();
    add_oauth_ado(&cli, &server, &organisation);

    // Two processes with the vault unlocked: a long-lived one (as the app
    // is) that has opened a secret, and a sign-in waiting on the browser.
    let mut app = open_core(&cli);
    assert_eq!(
        app.open_credential("sn", CredentialKind::Password, "test")
            .unwrap()
            .expose(),
        "first-password"
    );
    let (connect, url) = start_connect(&cli, 18743);
    let keys_before = key_files(&cli);
    assert_eq!(keys_before.len(), 1);

    let rotated = cli.json(&["vault", "rotate"]);
    assert_eq!(rotated["key_version"], 2, "{rotated}");
    assert_ne!(key_files(&cli), keys_before, "the old key is gone");

    // The long-lived process opens and seals under the new key.
    assert_eq!(
        app.open_credential("sn", CredentialKind::Password, "test")
            .unwrap()
            .expose(),
        "first-password",
        "not reported as altered after another process rotated"
    );
    app.add_connection(servicenow("sn2", "second-password"))
        .unwrap();
    // The waiting sign-in completes and seals its tokens.
    let (status, page) = oidc::visit(&oidc::sign_in(&url, Consent::Approve), None);
    assert_eq!(status, 200, "{page}");
    let (code, _, stderr) = finish(connect);
    assert_eq!(code, 0, "{stderr}");
    drop(app);

    assert_eq!(
        sql_value(
            &cli,
            "SELECT group_concat(DISTINCT key_version) || '' FROM credentials"
        ),
        "2",
        "nothing sealed under the retired key"
    );
    // Everything opens in a fresh process…
    let mut fresh = open_core(&cli);
    for (name, kind, expected) in [
        ("sn", CredentialKind::Password, "first-password"),
        ("sn2", CredentialKind::Password, "second-password"),
    ] {
        assert_eq!(
            fresh.open_credential(name, kind, "test").unwrap().expose(),
            expected
        );
    }
    let broker = TokenBroker::new(Arc::new(Mutex::new(fresh))).unwrap();
    let token = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(broker.access_token("ado", "test"))
        .unwrap();
    assert!(server.issued_tokens().contains(&token.expose().to_owned()));
    // …and a second rotation, which opens every credential, succeeds.
    let again = cli.json(&["vault", "rotate"]);
    assert_eq!(again["resealed"], 4, "{again}");
    assert_eq!(again["key_version"], 3, "{again}");
}
