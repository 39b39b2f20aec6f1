//! Invariant 1 at the IPC boundary: no secret ever travels toward the UI.
//!
//! Two checks. Statically, no type the commands return (the `_Serialize`
//! types of the generated bindings) has a field that could carry a secret.
//! Dynamically, connections are added with planted secrets of every kind,
//! then every read the window makes is run — each command is one call into
//! the core, and the same call is made here — and every response and
//! error, serialised to JSON exactly as IPC does, is scanned for them.

use std::sync::{Arc, Mutex};

use ibridge_core::audit::Actor;
use ibridge_core::connections::NewConnection;
use ibridge_core::incidents::NewIncident;
use ibridge_core::vault::{KeyConfig, NoKeychain};
use ibridge_core::{Core, OpenOptions, Services};
use incident_bridge_lib::AppState;
use serde::Serialize;

const PLANTED: &[&str] = &[
    "PLANTED-ipc-api-token-1f2e",
    "PLANTED-ipc-pat-3c4d",
    "PLANTED-ipc-password-5a6b",
    "PLANTED-ipc-client-secret-7e8f",
];

#[test]
fn response_types_have_no_secret_fields() {
    let bindings =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../src/bindings.ts"))
            .unwrap();
    let forbidden = [
        "secret",
        "password",
        "client_secret",
        "access_token",
        "refresh_token",
        "token",
        "passphrase",
    ];
    let mut current: Option<String> = None;
    let mut checked = 0;
    for line in bindings.lines() {
        if let Some(rest) = line.strip_prefix("export type ") {
            let name = rest.split([' ', '=']).next().unwrap_or_default().to_owned();
            // Inputs (`_Deserialize`) may carry a secret from the form to Rust.
            current = (!name.ends_with("_Deserialize") && !name.contains("Input")).then_some(name);
            continue;
        }
        if let Some(ty) = &current {
            let field = line
                .trim()
                .split(':')
                .next()
                .unwrap_or_default()
                .trim_end_matches('?');
            if line.trim().contains(':') {
                checked += 1;
                assert!(
                    !forbidden.contains(&field),
                    "returned type {ty} has a field '{field}'"
                );
            }
        }
    }
    assert!(
        checked > 50,
        "the bindings were read ({checked} fields checked)"
    );
}

fn scan<T: Serialize>(what: &str, value: &T, transcript: &mut Vec<String>) {
    let json = serde_json::to_string(value).unwrap();
    for secret in PLANTED {
        assert!(
            !json.contains(secret),
            "{what} carried a planted secret: {json}"
        );
    }
    transcript.push(format!("{what}: {} bytes", json.len()));
}

#[test]
fn no_response_or_error_carries_a_planted_secret() {
    let dir = tempfile::tempdir().unwrap();
    let core = Core::open(OpenOptions {
        data_dir: Some(dir.path().to_path_buf()),
        actor: Actor::Ui,
        keys: KeyConfig {
            passphrase: None,
            keychain: Arc::new(NoKeychain),
        },
    })
    .unwrap();
    let state = AppState::new(
        Services::with_http(
            Arc::new(Mutex::new(core)),
            ibridge_core::http::HttpClient::new(Default::default()).unwrap(),
        )
        .unwrap(),
    );
    let add = |provider: &str,
               name: &str,
               url: &str,
               auth: &str,
               username: Option<&str>,
               secret: Option<&str>,
               client: Option<(&str, &str)>| NewConnection {
        provider: provider.into(),
        name: name.into(),
        url: url.into(),
        auth: auth.into(),
        username: username.map(Into::into),
        secret: secret.map(Into::into),
        client_id: client.map(|c| c.0.into()),
        client_secret: client.map(|c| c.1.into()),
        project: (provider == "azure_devops").then(|| "Ops".into()),
        ..NewConnection::default()
    };
    let mut seen = Vec::new();
    // add_connection's own response.
    for input in [
        add(
            "confluence",
            "wiki",
            "https://acme.atlassian.net",
            "api_token",
            Some("a@b.example"),
            Some(PLANTED[0]),
            None,
        ),
        add(
            "azure_devops",
            "ado",
            "https://dev.azure.com/acme",
            "pat",
            None,
            Some(PLANTED[1]),
            None,
        ),
        add(
            "servicenow",
            "sn",
            "http://127.0.0.1:9",
            "basic",
            Some("svc"),
            Some(PLANTED[2]),
            None,
        ),
        add(
            "confluence",
            "cloud",
            "https://acme.atlassian.net",
            "oauth2",
            None,
            None,
            Some(("app", PLANTED[3])),
        ),
    ] {
        let added = state.services.add_connection(input).unwrap();
        scan("add_connection", &added, &mut seen);
    }
    scan(
        "list_connections",
        &state.services.list_connections().unwrap(),
        &mut seen,
    );
    scan(
        "set_default_connection",
        &state.services.set_default_connection("cloud").unwrap(),
        &mut seen,
    );
    scan(
        "set_auto_create",
        &state.services.set_auto_create("sn", true).unwrap(),
        &mut seen,
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        // These reach (unreachable) services: their errors are scanned too.
        for name in ["sn", "wiki", "ado", "cloud"] {
            match state.services.test_connection(name).await {
                Ok(check) => scan("test_connection", &check, &mut seen),
                Err(e) => scan(
                    "test_connection error",
                    &incident_bridge_lib::ui_error(e),
                    &mut seen,
                ),
            }
        }
        let created = state
            .services
            .create_incident(NewIncident {
                title: "Scan".into(),
                severity: "P1".into(),
                description: String::new(),
            })
            .await
            .unwrap();
        // The incident and each automatic filing's error, as the window gets them.
        scan("create_incident", &created, &mut seen);
        let incident = created.incident;
        match state.services.show_incident(&incident.id).await {
            Ok(report) => scan("show_incident", &report, &mut seen),
            Err(e) => scan(
                "show_incident error",
                &incident_bridge_lib::ui_error(e),
                &mut seen,
            ),
        }
        if let Err(e) = state
            .services
            .file_incident(&incident.id, "ado", Some("Bug"))
            .await
        {
            scan(
                "file_incident error",
                &incident_bridge_lib::ui_error(e),
                &mut seen,
            );
        }
        let report = state.services.run_outbox(true).await.unwrap();
        scan("run_outbox", &report, &mut seen);
    });
    scan(
        "list_incidents",
        &state.services.list_incidents().unwrap(),
        &mut seen,
    );
    let doc = state
        .services
        .new_document("rca", "Scan RCA", None)
        .unwrap();
    scan("new_document", &doc, &mut seen);
    scan(
        "list_documents",
        &state.services.list_documents().unwrap(),
        &mut seen,
    );
    scan(
        "list_outbox",
        &state.services.outbox_entries().unwrap(),
        &mut seen,
    );
    scan(
        "list_audit",
        &state.services.audit_list(1000).unwrap(),
        &mut seen,
    );
    scan(
        "verify_audit",
        &state.services.audit_verify().unwrap(),
        &mut seen,
    );
    scan(
        "remove_connection",
        &state.services.remove_connection("wiki").unwrap(),
        &mut seen,
    );
    assert!(seen.len() >= 20, "{seen:?}");
}
