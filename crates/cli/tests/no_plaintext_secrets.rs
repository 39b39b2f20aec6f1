//! Invariant 1: planted secrets never appear in any byte of the data
//! directory (database, WAL, shared memory) or in anything the CLI prints.

mod common;

use base64::Engine;
use common::Cli;

const PLANTED: &[&str] = &[
    "PLANTED-confluence-api-token-7f3a",
    "PLANTED-confluence-pat-19cc",
    "PLANTED-servicenow-password-e2d1",
    "PLANTED-ado-pat-aa90",
    "PLANTED-oauth-client-secret-5b6e",
];

fn encodings(secret: &str) -> Vec<Vec<u8>> {
    let b64 = base64::engine::general_purpose::STANDARD;
    vec![
        secret.as_bytes().to_vec(),
        b64.encode(secret).into_bytes(),
        // Basic auth header forms a client might build and persist.
        b64.encode(format!("a@b.example:{secret}")).into_bytes(),
        b64.encode(format!(":{secret}")).into_bytes(),
        hex::encode(secret).into_bytes(),
    ]
}

fn add_everything(cli: &Cli) {
    cli.ok(
        &[
            "connections",
            "add",
            "confluence",
            "--name",
            "wiki",
            "--url",
            "https://acme.atlassian.net",
            "--auth",
            "api_token",
            "--username",
            "a@b.example",
            "--secret-stdin",
        ],
        &format!("{}\n", PLANTED[0]),
    );
    cli.ok(
        &[
            "connections",
            "add",
            "confluence",
            "--name",
            "dc",
            "--url",
            "https://wiki.corp.example",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        &format!("{}\n", PLANTED[1]),
    );
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
        &format!("{}\n", PLANTED[2]),
    );
    cli.ok(
        &[
            "connections",
            "add",
            "azure_devops",
            "--name",
            "ado",
            "--url",
            "https://dev.azure.com/acme",
            "--auth",
            "pat",
            "--project",
            "Ops",
            "--secret-stdin",
        ],
        &format!("{}\n", PLANTED[3]),
    );
    cli.ok(
        &[
            "connections",
            "add",
            "azure_devops",
            "--name",
            "ado-oauth",
            "--url",
            "https://dev.azure.com/acme",
            "--auth",
            "oauth2",
            "--project",
            "Ops",
            "--client-id",
            "app-1",
            "--client-secret-stdin",
        ],
        &format!("{}\n", PLANTED[4]),
    );
}

fn exercise_outputs(cli: &Cli) {
    for args in [
        vec!["connections", "list"],
        vec!["--json", "connections", "list"],
        vec!["connections", "show", "wiki"],
        vec!["--json", "connections", "show", "ado-oauth"],
        vec!["audit", "list"],
        vec!["--json", "audit", "list"],
        vec!["vault", "rotate"],
        vec!["connections", "default", "dc"],
        vec!["connections", "remove", "dc"],
        vec!["audit", "verify"],
    ] {
        cli.run(&args);
    }
}

fn scan_data_dir(cli: &Cli) -> Vec<String> {
    let mut leaks = Vec::new();
    let mut scanned = 0;
    for entry in std::fs::read_dir(cli.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("master-") && name.ends_with(".key") {
            continue; // the key file holds a key, not a credential
        }
        let bytes = std::fs::read(&path).unwrap();
        scanned += 1;
        for secret in PLANTED {
            for form in encodings(secret) {
                if bytes.windows(form.len()).any(|w| w == form.as_slice()) {
                    leaks.push(format!("{secret} in {name}"));
                }
            }
        }
    }
    assert!(scanned >= 1, "the database file was scanned");
    leaks
}

#[test]
fn planted_secrets_never_reach_disk_or_output() {
    let cli = Cli::new();
    cli.ok(&["connections", "list"], "");
    // Holding a connection open keeps the WAL from being checkpointed and
    // deleted when each CLI run exits, so the scan sees the raw WAL frames.
    let holder = rusqlite::Connection::open(cli.db_path()).unwrap();
    let _: i64 = holder
        .query_row("SELECT count(*) FROM integration_config", [], |r| r.get(0))
        .unwrap();
    add_everything(&cli);
    let wal = cli.data_dir().join("ibridge.sqlite3-wal");
    assert!(
        std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0,
        "the -wal file holds the writes"
    );
    assert_eq!(scan_data_dir(&cli), Vec::<String>::new());

    exercise_outputs(&cli);
    assert_eq!(scan_data_dir(&cli), Vec::<String>::new());
    drop(holder);

    let transcript = cli.transcript.borrow().clone();
    assert!(transcript.contains("sha256:"), "fingerprints are shown");
    for secret in PLANTED {
        for form in encodings(secret) {
            let form = String::from_utf8(form).unwrap();
            assert!(!transcript.contains(&form), "{secret} printed");
        }
    }

    // The secrets are really there, sealed: the credential rows exist.
    let conn = rusqlite::Connection::open(cli.db_path()).unwrap();
    let sealed: i64 = conn
        .query_row("SELECT count(*) FROM credentials", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        sealed, 4,
        "wiki, sn, ado and the oauth client secret remain after removing dc"
    );
}

#[test]
fn passphrase_mode_leaks_neither_secrets_nor_the_passphrase() {
    let passphrase = "PLANTED-master-passphrase-0b1c";
    let cli = Cli::new().with_env("IBRIDGE_MASTER_KEY", passphrase);
    add_everything(&cli);
    exercise_outputs(&cli);
    assert_eq!(scan_data_dir(&cli), Vec::<String>::new());
    let all: Vec<u8> = std::fs::read_dir(cli.data_dir())
        .unwrap()
        .flat_map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert!(!all
        .windows(passphrase.len())
        .any(|w| w == passphrase.as_bytes()));
    assert!(!cli.transcript.borrow().contains(passphrase));
}
