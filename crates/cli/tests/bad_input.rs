//! Invariant 6 at the CLI: each invalid input exits 2 with one stderr line
//! naming the field, and nothing stored is lost. Other exit codes of CLI.md.

mod common;

use common::Cli;

struct Case {
    args: &'static [&'static str],
    stdin: &'static str,
    field: &'static str,
}

const CASES: &[Case] = &[
    Case {
        args: &[
            "connections",
            "add",
            "jira",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "provider",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "  ",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "name",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "existing",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "name",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "EXISTING",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "name",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "not a url",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "url",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "http://wiki.example",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "url",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://u:p@wiki.example",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "url",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "magic",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "auth",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "basic",
            "--username",
            "u",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "auth",
    },
    Case {
        args: &[
            "connections",
            "add",
            "azure_devops",
            "--name",
            "x",
            "--url",
            "https://dev.azure.com/o",
            "--auth",
            "api_token",
            "--project",
            "p",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "auth",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
        ],
        stdin: "",
        field: "secret",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        stdin: "",
        field: "secret",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        stdin: "\n",
        field: "secret",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "api_token",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "username",
    },
    Case {
        args: &[
            "connections",
            "add",
            "servicenow",
            "--name",
            "x",
            "--url",
            "https://a.service-now.com",
            "--auth",
            "basic",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "username",
    },
    Case {
        args: &[
            "connections",
            "add",
            "azure_devops",
            "--name",
            "x",
            "--url",
            "https://dev.azure.com/o",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "project",
    },
    Case {
        args: &[
            "connections",
            "add",
            "azure_devops",
            "--name",
            "x",
            "--url",
            "https://dev.azure.com/o",
            "--auth",
            "oauth2",
            "--project",
            "p",
        ],
        stdin: "",
        field: "client-id",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
            "--tenant",
            "t",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "tenant",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "oauth2",
            "--client-id",
            "c",
            "--token-url",
            "http://evil.example/token",
        ],
        stdin: "",
        field: "token-url",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "oauth2",
            "--client-id",
            "c",
            "--secret-stdin",
        ],
        stdin: "s\n",
        field: "secret",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "oauth2",
            "--client-id",
            "c",
            "--client-secret-stdin",
        ],
        stdin: "",
        field: "client-secret",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
            "--secret-stdin",
            "--space",
            "",
        ],
        stdin: "s\n",
        field: "space",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--name",
            "x",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
            "--secret",
        ],
        stdin: "",
        field: "--secret",
    },
    Case {
        args: &[
            "connections",
            "add",
            "confluence",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
        ],
        stdin: "",
        field: "--name",
    },
    Case {
        args: &["audit", "list", "--limit", "0"],
        stdin: "",
        field: "--limit",
    },
];

#[test]
fn every_bad_input_exits_2_naming_its_field_and_keeps_what_was_stored() {
    let cli = Cli::new();
    cli.ok(
        &[
            "connections",
            "add",
            "confluence",
            "--name",
            "existing",
            "--url",
            "https://a.example",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        "keep-me\n",
    );
    let before = cli.ok(&["--json", "connections", "list"], "").stdout;
    for case in CASES {
        let run = cli.run_with_stdin(case.args, case.stdin);
        assert_eq!(
            run.code, 2,
            "{:?} exited {}: {}",
            case.args, run.code, run.stderr
        );
        assert!(
            run.stderr.contains(case.field),
            "{:?}: stderr does not name '{}': {}",
            case.args,
            case.field,
            run.stderr
        );
        assert!(
            run.stdout.is_empty(),
            "{:?} printed on stdout: {}",
            case.args,
            run.stdout
        );
    }
    // Our own errors are one line; clap's usage errors may add a usage hint.
    let own = cli.run_with_stdin(CASES[4].args, CASES[4].stdin);
    assert_eq!(own.stderr.trim().lines().count(), 1, "{}", own.stderr);
    assert!(
        own.stderr.starts_with("error: invalid url:"),
        "{}",
        own.stderr
    );
    assert_eq!(
        cli.ok(&["--json", "connections", "list"], "").stdout,
        before,
        "nothing stored changed"
    );
}

#[test]
fn exit_codes_follow_the_contract() {
    let cli = Cli::new();
    assert_eq!(cli.run(&["connections", "show", "missing"]).code, 3);
    assert_eq!(cli.run(&["connections", "remove", "missing"]).code, 3);
    // A service that refuses the request: exit 1, its reason on stderr.
    let mut server = mockito::Server::new();
    server
        .mock("GET", "/rest/api/user/current")
        .with_status(400)
        .with_body(r#"{"message":"Bad request from the wiki"}"#)
        .create();
    cli.ok(
        &[
            "connections",
            "add",
            "confluence",
            "--name",
            "wiki",
            "--url",
            &server.url(),
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        "pat\n",
    );
    let run = cli.run(&["connections", "test", "wiki"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("Bad request from the wiki"),
        "{}",
        run.stderr
    );
}

#[test]
fn wrong_passphrase_exits_4_and_names_the_variable() {
    let cli = Cli::new().with_env("IBRIDGE_MASTER_KEY", "right one");
    cli.ok(
        &[
            "connections",
            "add",
            "servicenow",
            "--name",
            "sn",
            "--url",
            "https://a.service-now.com",
            "--auth",
            "basic",
            "--username",
            "u",
            "--secret-stdin",
        ],
        "pw\n",
    );
    let wrong = Cli {
        env: vec![
            ("IBRIDGE_KEYCHAIN".into(), "off".into()),
            ("IBRIDGE_MASTER_KEY".into(), "wrong one".into()),
        ],
        ..cli
    };
    let run = wrong.run(&["vault", "rotate"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("IBRIDGE_MASTER_KEY") && run.stderr.contains("does not open"),
        "{}",
        run.stderr
    );
    // Listing needs no key and still works.
    assert_eq!(wrong.run(&["connections", "list"]).code, 0);
}

#[test]
fn audit_verify_names_the_tampered_row_and_exits_1() {
    let cli = Cli::new();
    for name in ["a", "b", "c"] {
        cli.ok(
            &[
                "connections",
                "add",
                "azure_devops",
                "--name",
                name,
                "--url",
                "https://dev.azure.com/o",
                "--auth",
                "pat",
                "--project",
                "p",
                "--secret-stdin",
            ],
            "pat\n",
        );
    }
    assert!(cli
        .ok(&["audit", "verify"], "")
        .stdout
        .contains("3 entries"));
    let conn = rusqlite::Connection::open(cli.db_path()).unwrap();
    conn.execute("UPDATE audit_log SET outcome = 'failed' WHERE seq = 2", [])
        .unwrap();
    let run = cli.run(&["audit", "verify"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("row 2"), "{}", run.stderr);
}

/// Emptying the log used to verify as "intact: 0 entries"; with
/// credentials stored, the keyed seal says rows were removed.
#[test]
fn an_emptied_audit_log_fails_verification_while_credentials_exist() {
    let cli = Cli::new();
    cli.ok(
        &[
            "connections",
            "add",
            "azure_devops",
            "--name",
            "a",
            "--url",
            "https://dev.azure.com/o",
            "--auth",
            "pat",
            "--project",
            "p",
            "--secret-stdin",
        ],
        "pat\n",
    );
    assert!(cli
        .ok(&["audit", "verify"], "")
        .stdout
        .contains("sealed under the vault key"));
    let conn = rusqlite::Connection::open(cli.db_path()).unwrap();
    conn.execute_batch("DELETE FROM audit_log; DELETE FROM audit_head;")
        .unwrap();
    let run = cli.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains("rows removed"), "{}", run.stderr);
    conn.execute("DELETE FROM audit_seal", []).unwrap();
    let run = cli.run(&["audit", "verify"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("seal of the log is missing"),
        "{}",
        run.stderr
    );
}

#[test]
fn default_moves_and_survives_removal() {
    let cli = Cli::new();
    let add = |name: &str, extra: &[&str]| {
        let mut args = vec![
            "connections",
            "add",
            "confluence",
            "--name",
            name,
            "--url",
            "https://a.example",
            "--auth",
            "pat",
            "--secret-stdin",
        ];
        args.extend_from_slice(extra);
        cli.ok(&args, "t\n");
    };
    add("one", &[]);
    add("two", &[]);
    add("three", &["--default"]);
    let list = |cli: &Cli| -> Vec<(String, bool)> {
        let v: serde_json::Value = cli.json(&["connections", "list"]);
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_owned(),
                    c["is_default"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let defaults: Vec<String> = list(&cli)
        .into_iter()
        .filter(|(_, d)| *d)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(defaults, vec!["three"]);
    cli.ok(&["connections", "default", "two"], "");
    cli.ok(&["connections", "remove", "two"], "");
    let defaults: Vec<String> = list(&cli)
        .into_iter()
        .filter(|(_, d)| *d)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        defaults,
        vec!["one"],
        "the oldest remaining connection inherits the default"
    );
}
