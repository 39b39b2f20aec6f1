//! `ibridge connect` and token refresh end to end against a real OAuth 2.0
//! authorization server (oidc-provider on loopback: PKCE S256 required,
//! refresh tokens rotated). Only Atlassian's accessible-resources endpoint,
//! which no open server provides, is a mock (mockito).
//!
//! Each test uses its own callback port in 18710..18799, so tests run in
//! parallel; the test server accepts `http://127.0.0.1:<port>/callback/<name>`.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::process::Child;
use std::sync::{Arc, Mutex};

use common::oidc::{self, AuthServer, Consent};
use common::Cli;
use ibridge_core::app::SharedCore;
use ibridge_core::audit::Actor;
use ibridge_core::oauth::TokenBroker;
use ibridge_core::vault::{KeyConfig, NoKeychain};
use ibridge_core::{Core, ErrorKind, OpenOptions};

fn add_ado(cli: &Cli, server: &AuthServer, name: &str) {
    add_ado_with_api(cli, server, name, None);
}

/// `api` stands in for https://dev.azure.com/acme (a mock organisation).
fn add_ado_with_api(cli: &Cli, server: &AuthServer, name: &str, api: Option<&str>) {
    let (auth, token) = (server.url("/auth"), server.url("/token"));
    let mut args = vec![
        "connections",
        "add",
        "azure_devops",
        "--name",
        name,
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
    ];
    if let Some(api) = api {
        args.extend_from_slice(&["--api-url", api]);
    }
    cli.ok(&args, "");
}

fn add_confluence(cli: &Cli, server: &AuthServer, name: &str, resources_url: &str) {
    cli.ok(
        &[
            "connections",
            "add",
            "confluence",
            "--name",
            name,
            "--url",
            "https://acme.atlassian.net",
            "--auth",
            "oauth2",
            "--client-id",
            oidc::CLIENT_ID,
            "--client-secret-stdin",
            "--auth-url",
            &server.url("/auth"),
            "--token-url",
            &server.url("/token"),
            "--resources-url",
            resources_url,
        ],
        &format!("{}\n", oidc::CLIENT_SECRET),
    );
}

struct Connecting {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
    url: String,
}

struct Finished {
    code: i32,
    stdout: String,
    stderr: String,
}

fn start_connect(cli: &Cli, name: &str, port: u16, extra: &[&str]) -> Connecting {
    let port = port.to_string();
    let mut args = vec![
        "--json",
        "connect",
        name,
        "--no-browser",
        "--port",
        &port,
        "--timeout",
        "60",
    ];
    args.extend_from_slice(extra);
    let mut child = cli.spawn(&args);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    let url = url.trim().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "the first stdout line is the authorization URL alone: {url:?}"
    );
    Connecting { child, stdout, url }
}

impl Connecting {
    fn finish(mut self) -> Finished {
        let mut stdout = String::new();
        self.stdout.read_to_string(&mut stdout).unwrap();
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = self.child.wait().unwrap();
        Finished {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        }
    }
}

fn data_dir_bytes(cli: &Cli) -> Vec<u8> {
    std::fs::read_dir(cli.data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().ends_with(".key"))
        .flat_map(|p| std::fs::read(p).unwrap())
        .collect()
}

fn sql_value(cli: &Cli, sql: &str) -> String {
    rusqlite::Connection::open(cli.db_path())
        .unwrap()
        .query_row(sql, [], |r| r.get::<_, String>(0))
        .unwrap()
}

#[test]
fn connect_completes_against_the_real_server_and_seals_the_tokens() {
    let server = AuthServer::start();
    let cli = Cli::new();
    add_ado(&cli, &server, "ado");
    let flow = start_connect(&cli, "ado", 18710, &[]);
    assert!(
        flow.url.contains("code_challenge_method=S256"),
        "{}",
        flow.url
    );
    assert!(flow.url.contains("code_challenge="));
    assert!(
        flow.url
            .contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A18710%2Fcallback%2Fado&"),
        "{}",
        flow.url
    );
    assert!(flow.url.contains("offline_access"));

    let callback = oidc::sign_in(&flow.url, Consent::Approve);
    let code = reqwest::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let (status, page) = oidc::visit(&callback, None);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("connected"), "{page}");
    assert!(!page.contains(&code), "the page never echoes the code");

    let done = flow.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
    let view: serde_json::Value = serde_json::from_str(&done.stdout).unwrap();
    assert_eq!(view["status"], "connected");
    let kinds: Vec<&str> = view["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["access_token", "refresh_token"]);
    assert!(view["credentials"][0]["expires_at"].is_string());

    // The receiver stopped after the first valid callback.
    assert!(reqwest::blocking::get("http://127.0.0.1:18710/callback/ado").is_err());

    // Tokens are sealed: none of the issued values is anywhere on disk or in output.
    let issued = server.issued_tokens();
    assert!(issued.len() >= 2);
    let bytes = data_dir_bytes(&cli);
    for token in &issued {
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "token in plaintext on disk"
        );
        assert!(!done.stdout.contains(token.as_str()) && !done.stderr.contains(token.as_str()));
    }
    assert_eq!(
        sql_value(&cli, "SELECT outcome FROM audit_log WHERE action = 'oauth.connect' ORDER BY seq DESC LIMIT 1"),
        "ok"
    );
}

fn sites_json(sites: &[(&str, &str)]) -> String {
    let items: Vec<String> = sites
        .iter()
        .map(|(id, name)| {
            format!(
                r#"{{"id":"{id}","url":"https://{name}.atlassian.net","name":"{name}","scopes":["write:confluence-content"],"avatarUrl":"https://x/a.png"}}"#
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

#[test]
fn atlassian_with_one_site_stores_its_cloud_id() {
    let server = AuthServer::start();
    let mut resources = mockito::Server::new();
    let listed = resources
        .mock("GET", "/oauth/token/accessible-resources")
        .match_header(
            "authorization",
            mockito::Matcher::Regex("^Bearer [A-Za-z0-9_-]{20,}$".into()),
        )
        .with_header("content-type", "application/json")
        .with_body(sites_json(&[(
            "11111111-aaaa-4bbb-8ccc-000000000001",
            "acme",
        )]))
        .expect(1)
        .create();
    let cli = Cli::new();
    add_confluence(
        &cli,
        &server,
        "wiki",
        &format!("{}/oauth/token/accessible-resources", resources.url()),
    );
    let flow = start_connect(&cli, "wiki", 18711, &[]);
    assert!(
        flow.url.contains("audience=api.atlassian.com") && flow.url.contains("prompt=consent"),
        "{}",
        flow.url
    );
    let (status, page) = oidc::visit(&oidc::sign_in(&flow.url, Consent::Approve), None);
    assert_eq!(status, 200, "{page}");
    let done = flow.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
    let view: serde_json::Value = serde_json::from_str(&done.stdout).unwrap();
    assert_eq!(
        view["config"]["cloud_id"],
        "11111111-aaaa-4bbb-8ccc-000000000001"
    );
    assert_eq!(view["config"]["site_url"], "https://acme.atlassian.net");
    listed.assert();
}

#[test]
fn atlassian_with_several_sites_needs_a_choice() {
    let server = AuthServer::start();
    let mut resources = mockito::Server::new();
    resources
        .mock("GET", "/r")
        .with_header("content-type", "application/json")
        .with_body(sites_json(&[("id-one", "one"), ("id-two", "two")]))
        .create();
    let cli = Cli::new();
    add_confluence(&cli, &server, "wiki", &format!("{}/r", resources.url()));

    // No --site and no terminal to ask on: refused, naming the sites and the flag.
    let flow = start_connect(&cli, "wiki", 18712, &[]);
    let (status, page) = oidc::visit(&oidc::sign_in(&flow.url, Consent::Approve), None);
    assert_eq!(status, 502);
    assert!(page.contains("several Atlassian sites"), "{page}");
    let done = flow.finish();
    assert_eq!(done.code, 2, "{}", done.stderr);
    assert!(
        done.stderr.contains("one (https://one.atlassian.net") && done.stderr.contains("--site"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr
            .contains("--json connect wiki --no-browser --port 18712 --timeout 60 --site SITE`"),
        "the same command with the site: {}",
        done.stderr
    );
    assert_eq!(
        sql_value(&cli, "SELECT status FROM integration_config"),
        "needs_reconnect"
    );

    // Never the first by default: with --site the chosen one is stored.
    let flow = start_connect(&cli, "wiki", 18713, &["--site", "two"]);
    oidc::visit(&oidc::sign_in(&flow.url, Consent::Approve), None);
    let done = flow.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
    let view: serde_json::Value = serde_json::from_str(&done.stdout).unwrap();
    assert_eq!(view["config"]["cloud_id"], "id-two");
}

fn open_core(cli: &Cli) -> SharedCore {
    Arc::new(Mutex::new(
        Core::open(OpenOptions {
            data_dir: Some(cli.data_dir().to_path_buf()),
            actor: Actor::Background,
            keys: KeyConfig {
                passphrase: None,
                keychain: Arc::new(NoKeychain),
            },
        })
        .unwrap(),
    ))
}

fn expire_access_token(cli: &Cli) {
    rusqlite::Connection::open(cli.db_path())
        .unwrap()
        .execute(
            "UPDATE credentials SET expires_at = '2000-01-01T00:00:00Z' WHERE kind = 'access_token'",
            [],
        )
        .unwrap();
}

fn concurrent_tokens(
    broker: &Arc<TokenBroker>,
    callers: usize,
) -> Vec<Result<String, ibridge_core::Error>> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let tasks: Vec<_> = (0..callers)
            .map(|_| {
                let broker = broker.clone();
                tokio::spawn(async move {
                    broker
                        .access_token("ado", "test call")
                        .await
                        .map(|t| t.expose().to_owned())
                })
            })
            .collect();
        let mut out = Vec::new();
        for task in tasks {
            out.push(task.await.unwrap());
        }
        out
    })
}

#[test]
fn refresh_after_expiry_is_single_flight_rotated_and_invalid_grant_keeps_the_connection() {
    let server = AuthServer::start();
    let cli = Cli::new();
    // A mock organisation that only answers the OAuth access token.
    let mut organisation = mockito::Server::new();
    let bearer = mockito::Matcher::Regex("^Bearer [A-Za-z0-9_-]{20,}$".into());
    let who = organisation
        .mock("GET", "/acme/_apis/connectionData")
        .match_header("authorization", bearer.clone())
        .with_body(r#"{"authenticatedUser":{"providerDisplayName":"alice"}}"#)
        .expect(1)
        .create();
    let project = organisation
        .mock("GET", "/acme/_apis/projects/Ops")
        .match_query(mockito::Matcher::Any)
        .match_header("authorization", bearer)
        .with_body(r#"{"id":"p","name":"Ops"}"#)
        .expect(1)
        .create();
    add_ado_with_api(
        &cli,
        &server,
        "ado",
        Some(&format!("{}/acme", organisation.url())),
    );
    let flow = start_connect(&cli, "ado", 18714, &[]);
    oidc::visit(&oidc::sign_in(&flow.url, Consent::Approve), None);
    assert_eq!(flow.finish().code, 0);

    let refresh_row = |cli: &Cli| -> (String, Vec<u8>, Vec<u8>, i64, String) {
        rusqlite::Connection::open(cli.db_path())
            .unwrap()
            .query_row(
                "SELECT id, ciphertext, nonce, key_version, fingerprint FROM credentials WHERE kind = 'refresh_token'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap()
    };
    let original_refresh = refresh_row(&cli);
    let issued_before = server.issued_tokens();
    expire_access_token(&cli);

    let core = open_core(&cli);
    let broker = Arc::new(TokenBroker::new(core.clone()).unwrap());
    let tokens = concurrent_tokens(&broker, 50);
    let tokens: Vec<String> = tokens.into_iter().map(Result::unwrap).collect();
    assert_eq!(
        server.refresh_grants(),
        1,
        "50 concurrent callers, one refresh"
    );
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "everyone got the same new token"
    );
    assert!(!issued_before.contains(&tokens[0]), "a new access token");
    assert!(server.issued_tokens().contains(&tokens[0]));
    let rotated = refresh_row(&cli);
    assert_ne!(
        rotated.4, original_refresh.4,
        "the rotated refresh token was stored"
    );

    // Fresh now: no further refresh however many ask.
    concurrent_tokens(&broker, 50)
        .into_iter()
        .for_each(|t| assert_eq!(t.unwrap(), tokens[0]));
    assert_eq!(server.refresh_grants(), 1);
    let refreshes = sql_value(
        &cli,
        "SELECT count(*) || '' FROM audit_log WHERE action = 'oauth.refresh' AND outcome = 'ok'",
    );
    assert_eq!(refreshes, "1");
    let uses = sql_value(&cli, "SELECT count(*) || '' FROM audit_log WHERE action = 'credential.open' AND detail LIKE 'kind=access_token%purpose=test call'");
    assert_eq!(uses, "100", "every token use is audited");

    let tested = cli.ok(&["--json", "connections", "test", "ado"], "").stdout;
    let tested: serde_json::Value = serde_json::from_str(&tested).unwrap();
    assert_eq!(tested["signed_in_as"], "alice", "{tested}");
    assert_eq!(server.refresh_grants(), 1, "a fresh token needs no refresh");
    who.assert();
    project.assert();

    // Put the already-used refresh token back: the server refuses it
    // (invalid_grant); the connection is kept and marked for reconnect.
    rusqlite::Connection::open(cli.db_path())
        .unwrap()
        .execute(
            "UPDATE credentials SET id = ?1, ciphertext = ?2, nonce = ?3, key_version = ?4, fingerprint = ?5 WHERE kind = 'refresh_token'",
            rusqlite::params![original_refresh.0, original_refresh.1, original_refresh.2, original_refresh.3, original_refresh.4],
        )
        .unwrap();
    expire_access_token(&cli);
    let results = concurrent_tokens(&broker, 5);
    for r in &results {
        let e = r.as_ref().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AuthNeeded, "{e}");
        assert!(e.to_string().contains("invalid_grant"), "{e}");
    }
    let shown = cli.ok(&["--json", "connections", "show", "ado"], "").stdout;
    let view: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(view["status"], "needs_reconnect");
    assert!(view["status_detail"]
        .as_str()
        .unwrap()
        .contains("invalid_grant"));
    assert_eq!(view["fix"], "run `ibridge connect ado`");
}

#[test]
fn denied_consent_is_shown_to_the_user() {
    let server = AuthServer::start();
    let cli = Cli::new();
    add_ado(&cli, &server, "ado");
    let flow = start_connect(&cli, "ado", 18715, &[]);
    let (status, page) = oidc::visit(&oidc::sign_in(&flow.url, Consent::Deny), None);
    assert_eq!(status, 200);
    assert!(
        page.contains("access_denied") && page.contains("End-User aborted interaction"),
        "{page}"
    );
    let done = flow.finish();
    assert_eq!(done.code, 4);
    assert!(
        done.stderr.contains("denied: access_denied"),
        "{}",
        done.stderr
    );
    assert_eq!(
        sql_value(&cli, "SELECT status FROM integration_config"),
        "needs_reconnect"
    );
}

#[test]
fn a_tampered_state_is_refused_and_the_sign_in_goes_on() {
    let server = AuthServer::start();
    let cli = Cli::new();
    add_ado(&cli, &server, "ado");
    let flow = start_connect(&cli, "ado", 18716, &[]);
    let callback = oidc::sign_in(&flow.url, Consent::Approve);
    let tampered = oidc::with_state(&callback, |s| {
        let (payload, tag) = s.split_once('.').unwrap();
        let flipped = if tag.starts_with('A') { "B" } else { "A" };
        format!("{payload}.{flipped}{}", &tag[1..])
    });
    let (status, page) = oidc::visit(&tampered, None);
    assert_eq!(status, 400);
    assert!(page.contains("altered"), "{page}");
    assert_eq!(server.stats()["code_grants"], 0, "no code was exchanged");
    // The flow still waits: the genuine answer completes it.
    let (status, page) = oidc::visit(&callback, None);
    assert_eq!(status, 200, "{page}");
    let done = flow.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(done.stderr.contains("altered"), "{}", done.stderr);
    assert_eq!(server.stats()["code_grants"], 1);
}

/// DESIGN.md invariant 3: only a valid callback ends the wait. A page that
/// loads the callback address with a made-up state cannot cancel it.
#[test]
fn a_web_page_cannot_abort_the_sign_in() {
    let server = AuthServer::start();
    let cli = Cli::new();
    add_ado(&cli, &server, "ado");
    let flow = start_connect(&cli, "ado", 18722, &[]);
    let base = "http://127.0.0.1:18722/callback/ado";
    for junk in [
        format!("{base}?state=x"),
        format!("{base}?error=access_denied&state=x"),
        format!("{base}?code=abc"),
    ] {
        let (status, page) = oidc::visit(&junk, None);
        assert_eq!(status, 400, "{junk}: {page}");
    }
    let callback = oidc::sign_in(&flow.url, Consent::Approve);
    assert_eq!(oidc::visit(&callback, None).0, 200);
    let done = flow.finish();
    assert_eq!(done.code, 0, "{}", done.stderr);
    let view: serde_json::Value = serde_json::from_str(&done.stdout).unwrap();
    assert_eq!(view["status"], "connected");
}

/// RFC 9207 / RFC 9700 §4.4: an answer naming another authorization server
/// (or none, when this one says it always names itself) is refused.
#[test]
fn an_answer_from_another_issuer_is_refused() {
    let server = AuthServer::start();
    for (port, iss) in [(18723u16, Some("https://evil.example")), (18724, None)] {
        let cli = Cli::new();
        add_ado(&cli, &server, "ado");
        let flow = start_connect(&cli, "ado", port, &[]);
        let callback = oidc::sign_in(&flow.url, Consent::Approve);
        let issued_by = reqwest::Url::parse(&callback)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "iss")
            .map(|(_, v)| v.into_owned());
        assert_eq!(issued_by.as_deref(), Some(server.url("").as_str()));
        let mixed_up = oidc::with_param(&callback, "iss", iss);
        let (status, page) = oidc::visit(&mixed_up, None);
        assert_eq!(status, 400, "{page}");
        let done = flow.finish();
        assert_eq!(done.code, 4, "{}", done.stderr);
        assert!(done.stderr.contains("mix-up"), "{}", done.stderr);
    }
    assert_eq!(server.stats()["code_grants"], 0, "no code was exchanged");
}

/// Each connection has its own redirect path: the receiver of one
/// connection's sign-in does not take an answer sent to another's.
#[test]
fn another_connections_callback_path_is_not_answered() {
    let server = AuthServer::start();
    let cli = Cli::new();
    add_ado(&cli, &server, "ado");
    add_ado(&cli, &server, "other");
    let flow = start_connect(&cli, "ado", 18725, &[]);
    let callback = oidc::sign_in(&flow.url, Consent::Approve);
    let elsewhere = callback.replace("/callback/ado?", "/callback/other?");
    assert_ne!(elsewhere, callback);
    assert_eq!(oidc::visit(&elsewhere, None).0, 404);
    assert_eq!(oidc::visit(&callback, None).0, 200);
    assert_eq!(flow.finish().code, 0);
}

#[test]
fn a_replayed_callback_is_refused() {
    let server = AuthServer::start();
    let cli = Cli::new();
    add_ado(&cli, &server, "ado");
    let flow = start_connect(&cli, "ado", 18717, &[]);
    let callback = oidc::sign_in(&flow.url, Consent::Approve);
    let again = callback.clone();
    let first = std::thread::spawn(move || oidc::visit(&again, None));
    let second = oidc::visit(&callback, None);
    let first = first.join().unwrap();
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [200, 400], "{first:?} / {second:?}");
    let refused = if first.0 == 400 { &first.1 } else { &second.1 };
    assert!(refused.contains("already used"), "{refused}");
    assert_eq!(flow.finish().code, 0);
    assert_eq!(server.stats()["code_grants"], 1);
}

#[test]
fn a_wrong_pkce_verifier_is_rejected_by_the_server() {
    use ibridge_core::oauth::tokens;
    use ibridge_core::oauth::{OAuthProfile, ProfileKind};

    let server = AuthServer::start();
    let profile = OAuthProfile {
        kind: ProfileKind::Generic,
        client_id: oidc::PUBLIC_CLIENT_ID.into(),
        auth_url: server.url("/auth"),
        token_url: server.url("/token"),
        resources_url: None,
        scopes: vec!["api".into(), "useraccount".into()],
        extra_auth_params: vec![],
    };
    let redirect = "http://127.0.0.1:18718/callback/ado";
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let http = tokens::http_client().unwrap();
    let attempt = |use_right_verifier: bool| {
        let request = tokens::authorization_request(&profile, redirect, "s".into()).unwrap();
        let callback = oidc::sign_in(&request.url, Consent::Approve);
        let code = reqwest::Url::parse(&callback)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned();
        let verifier = if use_right_verifier {
            request.verifier
        } else {
            oauth2::PkceCodeVerifier::new(
                "a-verifier-that-was-never-sent-to-the-server-0123".into(),
            )
        };
        runtime.block_on(tokens::exchange_code(
            &http,
            &profile,
            None,
            redirect,
            &code.as_str().into(),
            verifier,
        ))
    };
    let err = match attempt(false) {
        Err(e) => e,
        Ok(_) => panic!("the server accepted a wrong verifier"),
    };
    // oidc-provider does not say which check failed ("grant request is
    // invalid"); the code was valid, so the verifier is what it refused.
    assert!(
        matches!(&err, ibridge_core::oauth::OAuthError::InvalidGrant { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("invalid_grant"), "{err}");
    // The same exchange with the right verifier succeeds: the test can tell.
    assert!(attempt(true).is_ok());
}

/// `--port` is remembered for the connection; when the remembered port is
/// busy, an Entra sign-in (any loopback port accepted, RFC 8252 §7.3)
/// takes a free one instead of failing.
#[test]
fn the_chosen_port_is_remembered_and_entra_falls_back_when_it_is_busy() {
    let server = AuthServer::start();
    let cli = Cli::new();
    add_ado(&cli, &server, "ado");
    let flow = start_connect(&cli, "ado", 18726, &[]);
    assert_eq!(
        oidc::visit(&oidc::sign_in(&flow.url, Consent::Approve), None).0,
        200
    );
    assert_eq!(flow.finish().code, 0);
    let shown = cli.ok(&["connections", "show", "ado"], "");
    assert!(
        shown
            .stdout
            .contains("Redirect URI: http://127.0.0.1:18726/callback/ado"),
        "{}",
        shown.stdout
    );

    let _holder = std::net::TcpListener::bind("127.0.0.1:18726").unwrap();
    let mut child = cli.spawn(&[
        "--json",
        "connect",
        "ado",
        "--no-browser",
        "--timeout",
        "60",
    ]);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    assert!(
        url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"),
        "{url}"
    );
    assert!(!url.contains("%3A18726%2F"), "a free port instead: {url}");
    assert_eq!(
        oidc::visit(&oidc::sign_in(url.trim(), Consent::Approve), None).0,
        200
    );
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn a_busy_port_is_named() {
    let server = AuthServer::start();
    let cli = Cli::new();
    add_ado(&cli, &server, "ado");
    let _holder = std::net::TcpListener::bind("127.0.0.1:18719").unwrap();
    let run = cli.run(&[
        "connect",
        "ado",
        "--no-browser",
        "--port",
        "18719",
        "--timeout",
        "5",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("port 18719") && run.stderr.contains("--port"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(" connect ado --no-browser --timeout 5 --port PORT`"),
        "the same command with another port: {}",
        run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "no URL is shown when the receiver cannot start"
    );
}

#[test]
fn foreign_hosts_and_other_paths_are_refused_and_the_wait_times_out() {
    let server = AuthServer::start();
    let cli = Cli::new();
    add_ado(&cli, &server, "ado");
    let mut child = cli.spawn(&[
        "connect",
        "ado",
        "--no-browser",
        "--port",
        "18720",
        "--timeout",
        "3",
    ]);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    let base = "http://127.0.0.1:18720";
    let (status, page) = oidc::visit(
        &format!("{base}/callback/ado?code=SECRETCODE&state=x"),
        Some("evil.example:18720"),
    );
    assert_eq!(status, 403);
    assert!(!page.contains("SECRETCODE"));
    // The name `localhost` is not the address the redirect URI names.
    assert_eq!(
        oidc::visit(&format!("{base}/callback/ado"), Some("localhost:18720")).0,
        403
    );
    assert_eq!(oidc::visit(&format!("{base}/other"), None).0, 404);
    assert_eq!(oidc::visit(&format!("{base}/callback"), None).0, 404);
    assert_eq!(oidc::visit(&format!("{base}/callback/x"), None).0, 404);
    let post = reqwest::blocking::Client::new()
        .post(format!("{base}/callback/ado"))
        .send()
        .unwrap();
    assert_eq!(post.status().as_u16(), 404);
    assert_eq!(oidc::visit(&format!("{base}/callback/ado"), None).0, 400);
    assert_eq!(
        oidc::visit(
            &format!("{base}/callback/ado?code=SECRETCODE&state=x"),
            None
        )
        .0,
        400
    );
    // None of those ended the wait; the timeout does.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("did not finish within 3 s"), "{stderr}");
    assert_eq!(
        sql_value(
            &cli,
            "SELECT detail FROM audit_log WHERE action = 'oauth.connect' ORDER BY seq DESC LIMIT 1"
        ),
        "reason=timeout"
    );
}
