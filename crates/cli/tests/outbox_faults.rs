//! The outbox under faults, with the real CLI process and a stateful fake
//! of the three services (`ibridge-testkit`).
//!
//! Fault matrix: for publish-page, file-incident and create-work-item, the
//! CLI is killed with SIGKILL (a) before the create reached the service,
//! (b) after the service stored it but before the answer was stored
//! locally, (c) after storing. Then `outbox run`: in every case exactly one
//! record exists at the service and the local link points at it.

mod common;

use std::time::Duration;

use common::Cli;
use ibridge_testkit::{CreateMode, FakeServices, Scripted};

#[derive(Clone, Copy, Debug)]
enum Write {
    FileIncident,
    CreateWorkItem,
    PublishPage,
}

#[derive(Clone, Copy, Debug)]
enum Kill {
    BeforeRequest,
    AfterServerStored,
    AfterStoring,
}

fn setup(fake: &FakeServices) -> Cli {
    let cli = Cli::new();
    cli.ok(
        &[
            "connections",
            "add",
            "servicenow",
            "--name",
            "sn",
            "--url",
            &fake.url(),
            "--auth",
            "basic",
            "--username",
            "svc",
            "--secret-stdin",
        ],
        "pw\n",
    );
    common::add_ado_pat(&cli, "ado", &format!("{}/acme", fake.url()));
    cli.ok(
        &[
            "connections",
            "add",
            "confluence",
            "--name",
            "wiki",
            "--url",
            &fake.url(),
            "--auth",
            "api_token",
            "--username",
            "a@b.example",
            "--space",
            "OPS",
            "--secret-stdin",
        ],
        "tok\n",
    );
    cli
}

/// Creates the local record the write is for; returns its id (the key the
/// fake counts records by).
fn subject(cli: &Cli, write: Write) -> String {
    let out = match write {
        Write::PublishPage => cli.ok(
            &[
                "--json",
                "doc",
                "new",
                "--kind",
                "rca",
                "--title",
                "RCA: fault test",
            ],
            "",
        ),
        _ => cli.ok(
            &[
                "--json",
                "incident",
                "create",
                "--title",
                "Fault test",
                "--severity",
                "P2",
            ],
            "",
        ),
    };
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v.get("incident")
        .map(|i| i["id"].clone())
        .unwrap_or_else(|| v["id"].clone())
        .as_str()
        .unwrap()
        .to_owned()
}

fn command(write: Write, id: &str) -> Vec<String> {
    let args: Vec<&str> = match write {
        Write::FileIncident => vec!["incident", "file", id, "--to", "sn"],
        Write::CreateWorkItem => vec!["incident", "file", id, "--to", "ado", "--type", "Bug"],
        Write::PublishPage => vec!["doc", "publish", id, "--to", "wiki"],
    };
    args.into_iter().map(str::to_owned).collect()
}

/// The external id the local side links to, if any.
fn local_link(cli: &Cli, write: Write, id: &str) -> Option<String> {
    let out = match write {
        Write::PublishPage => cli.ok(&["--json", "doc", "show", id], "").stdout,
        _ => cli.ok(&["--json", "incident", "list"], "").stdout,
    };
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    match write {
        Write::PublishPage => v["pages"]
            .as_array()?
            .first()
            .map(|p| p["page_id"].as_str().unwrap().to_owned()),
        _ => {
            let incident = v.as_array()?.iter().find(|i| i["id"] == id)?.clone();
            incident["links"]
                .as_array()?
                .first()
                .map(|l| l["external_id"].as_str().unwrap().to_owned())
        }
    }
}

/// The id the service gave the record for `key`.
fn remote_id(fake: &FakeServices, write: Write, key: &str) -> String {
    match write {
        Write::FileIncident => fake
            .servicenow_incidents()
            .into_iter()
            .find(|r| r["correlation_id"] == key)
            .map(|r| r["sys_id"].as_str().unwrap().to_owned())
            .unwrap(),
        Write::CreateWorkItem => fake
            .work_items()
            .into_iter()
            .find(|w| w["tag"] == format!("ibridge-{key}"))
            .map(|w| w["id"].to_string())
            .unwrap(),
        Write::PublishPage => fake
            .pages()
            .into_iter()
            .find(|p| p["key"] == key)
            .map(|p| p["id"].as_str().unwrap().to_owned())
            .unwrap(),
    }
}

fn outbox_states(cli: &Cli) -> Vec<String> {
    let v: serde_json::Value = cli.json(&["outbox", "list"]);
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap().to_owned())
        .collect()
}

fn run_case(write: Write, kill: Kill) {
    let fake = FakeServices::start();
    let cli = setup(&fake);
    let key = subject(&cli, write);
    let args = command(write, &key);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match kill {
        Kill::BeforeRequest | Kill::AfterServerStored => {
            fake.set_create_mode(if matches!(kill, Kill::BeforeRequest) {
                CreateMode::HangThenDiscard
            } else {
                CreateMode::StoreThenHang
            });
            let mut child = cli.spawn(&args);
            assert!(
                fake.wait_for_hang(Duration::from_secs(30)),
                "{write:?}/{kill:?}: the create reached the service"
            );
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            let expected = usize::from(matches!(kill, Kill::AfterServerStored));
            assert_eq!(
                fake.records(&key),
                expected,
                "{write:?}/{kill:?}: records right after the kill"
            );
            assert_eq!(
                outbox_states(&cli),
                vec!["in_flight"],
                "{write:?}/{kill:?}: the journal shows the write in flight"
            );
            assert_eq!(local_link(&cli, write, &key), None);
            fake.set_create_mode(CreateMode::Normal);
        }
        Kill::AfterStoring => {
            cli.ok(&args, "");
        }
    }
    let run = cli.run(&["outbox", "run"]);
    assert_eq!(
        run.code, 0,
        "{write:?}/{kill:?}: outbox run: {}",
        run.stderr
    );
    assert_eq!(
        fake.records(&key),
        1,
        "{write:?}/{kill:?}: exactly one record at the service"
    );
    assert_eq!(outbox_states(&cli), vec!["done"], "{write:?}/{kill:?}");
    assert_eq!(
        local_link(&cli, write, &key),
        Some(remote_id(&fake, write, &key)),
        "{write:?}/{kill:?}: the link points at it"
    );
    // And doing it all again changes nothing.
    cli.ok(&args, "");
    cli.ok(&["outbox", "run"], "");
    assert_eq!(
        fake.records(&key),
        1,
        "{write:?}/{kill:?}: still one record"
    );
}

#[test]
fn fault_matrix_file_incident() {
    for kill in [
        Kill::BeforeRequest,
        Kill::AfterServerStored,
        Kill::AfterStoring,
    ] {
        run_case(Write::FileIncident, kill);
    }
}

#[test]
fn fault_matrix_create_work_item() {
    for kill in [
        Kill::BeforeRequest,
        Kill::AfterServerStored,
        Kill::AfterStoring,
    ] {
        run_case(Write::CreateWorkItem, kill);
    }
}

#[test]
fn fault_matrix_publish_page() {
    for kill in [
        Kill::BeforeRequest,
        Kill::AfterServerStored,
        Kill::AfterStoring,
    ] {
        run_case(Write::PublishPage, kill);
    }
}

#[test]
fn rate_limited_then_unavailable_then_delivered() {
    let fake = FakeServices::start();
    let cli = setup(&fake);
    let key = subject(&cli, Write::FileIncident);
    fake.script_creates(&[
        Scripted {
            status: 429,
            retry_after: Some(1),
        },
        Scripted {
            status: 503,
            retry_after: None,
        },
    ]);
    let first = cli.run(&["incident", "file", &key, "--to", "sn"]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    assert!(
        first.stderr.contains("rate limited") && first.stderr.contains("retry after 1 s"),
        "{}",
        first.stderr
    );
    let v: serde_json::Value = cli.json(&["outbox", "list"]);
    assert_eq!(v[0]["state"], "pending");
    assert!(
        v[0]["next_attempt_at"].is_string(),
        "scheduled by Retry-After"
    );
    // Waits out Retry-After, meets the 503, backs off, then succeeds.
    let run = cli.run(&["--json", "outbox", "run", "--wait", "60"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = cli.json(&["outbox", "list"]);
    assert_eq!(v[0]["state"], "done");
    assert_eq!(v[0]["attempts"], 3);
    assert_eq!(fake.records(&key), 1);
    assert_eq!(fake.create_requests(), 3);
}

#[test]
fn a_service_that_is_down_for_a_while() {
    let mut fake = FakeServices::start();
    let cli = setup(&fake);
    let key = subject(&cli, Write::CreateWorkItem);
    fake.stop();
    let run = cli.run(&["incident", "file", &key, "--to", "ado"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);
    let run = cli.run(&["outbox", "run"]);
    assert_eq!(run.code, 1, "still down: not delivered");
    assert!(run.stderr.contains("not delivered"), "{}", run.stderr);
    fake.restart();
    cli.ok(&["outbox", "run"], "");
    assert_eq!(fake.records(&key), 1);
    assert_eq!(outbox_states(&cli), vec!["done"]);
}

#[test]
fn a_bad_request_fails_with_its_reason_and_is_not_retried() {
    let fake = FakeServices::start();
    let cli = setup(&fake);
    let key = subject(&cli, Write::FileIncident);
    fake.script_creates(&[Scripted {
        status: 400,
        retry_after: None,
    }]);
    let run = cli.run(&["incident", "file", &key, "--to", "sn"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let v: serde_json::Value = cli.json(&["outbox", "list"]);
    assert_eq!(v[0]["state"], "failed");
    assert!(
        v[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("scripted 400"),
        "{v}"
    );
    assert!(v[0]["next_attempt_at"].is_null());
    // outbox run leaves it alone.
    cli.ok(&["outbox", "run"], "");
    assert_eq!(fake.create_requests(), 1, "not retried");
    let listed = cli.ok(&["outbox", "list"], "").stdout;
    assert!(
        listed.contains("failed") && listed.contains("scripted 400"),
        "{listed}"
    );
    // The user retries it (the cause fixed): delivered.
    let id = v[0]["id"].as_str().unwrap();
    cli.ok(&["outbox", "retry", &id[..8]], "");
    assert_eq!(fake.records(&key), 1);
    assert_eq!(outbox_states(&cli), vec!["done"]);
}

/// A customised instance refuses a create that lacks a field it requires:
/// a refusal of the data, journaled as failed with the field named, never
/// retried on its own, and no mark on the connection.
#[test]
fn a_create_refused_for_a_required_field_is_bad_data_not_bad_credentials() {
    let fake = FakeServices::start();
    fake.require_servicenow_field("assignment_group", "Assignment group");
    fake.require_work_item_field("Custom.Team", "Team");
    let cli = setup(&fake);
    let cases = [
        (
            Write::FileIncident,
            "sn",
            "ServiceNow refused the data (field 'Assignment group')",
        ),
        (
            Write::CreateWorkItem,
            "ado",
            "Azure DevOps refused the data (field 'Team')",
        ),
    ];
    for (n, (write, connection, refusal)) in cases.into_iter().enumerate() {
        let key = subject(&cli, write);
        let before: serde_json::Value = cli.json(&["connections", "show", connection]);
        let args = command(write, &key);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = cli.run(&args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stderr.contains(refusal), "{}", run.stderr);
        assert_eq!(fake.records(&key), 0, "nothing stored");
        cli.ok(&["outbox", "run"], "");
        assert_eq!(fake.create_requests(), n + 1, "not retried");
        let entries: serde_json::Value = cli.json(&["outbox", "list"]);
        let entry = &entries[n];
        assert_eq!(entry["state"], "failed", "{entry}");
        assert!(entry["next_attempt_at"].is_null(), "{entry}");
        assert!(
            entry["last_error"].as_str().unwrap().contains(refusal),
            "{entry}"
        );
        let after: serde_json::Value = cli.json(&["connections", "show", connection]);
        assert_eq!(after["status"], before["status"]);
        assert_eq!(after["status_detail"], before["status_detail"]);
    }
}

#[test]
fn a_failed_entry_can_be_discarded_and_an_in_flight_one_cannot() {
    let fake = FakeServices::start();
    let cli = setup(&fake);
    let key = subject(&cli, Write::FileIncident);
    fake.script_creates(&[Scripted {
        status: 400,
        retry_after: None,
    }]);
    cli.run(&["incident", "file", &key, "--to", "sn"]);
    let v: serde_json::Value = cli.json(&["outbox", "list"]);
    let id = v[0]["id"].as_str().unwrap().to_owned();
    cli.ok(&["outbox", "discard", &id], "");
    assert!(outbox_states(&cli).is_empty());
    let audit = cli.ok(&["audit", "list"], "").stdout;
    assert!(audit.contains("outbox.discard"), "{audit}");

    fake.set_create_mode(CreateMode::HangThenDiscard);
    let mut child = cli.spawn(&["incident", "file", &key, "--to", "sn"]);
    assert!(fake.wait_for_hang(Duration::from_secs(30)));
    child.kill().unwrap();
    child.wait().unwrap();
    let v: serde_json::Value = cli.json(&["outbox", "list"]);
    let run = cli.run(&["outbox", "discard", v[0]["id"].as_str().unwrap()]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(run.stderr.contains("may have been sent"), "{}", run.stderr);
    assert!(
        run.stderr.contains("; run `ibridge outbox run`"),
        "{}",
        run.stderr
    );
}

/// An entry that fails for good during `outbox run` is reported with its
/// reason and the retry (a cause with a typed fix adds it: see the unit
/// test of `output::run_report`).
#[test]
fn a_run_reports_how_to_fix_an_entry_that_failed_for_good() {
    let mut fake = FakeServices::start();
    let cli = setup(&fake);
    let key = subject(&cli, Write::FileIncident);
    fake.stop();
    let run = cli.run(&["incident", "file", &key, "--to", "sn"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    fake.restart();
    fake.script_creates(&[Scripted {
        status: 401,
        retry_after: None,
    }]);
    let run = cli.run(&["outbox", "run"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let id = outbox_id(&cli);
    assert!(
        run.stdout.contains(&format!("failed {}: ", &id[..8])),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("the service refused the credentials (HTTP 401)")
            && run.stdout.contains(&format!(
                "(`ibridge outbox retry {}` after fixing it)",
                &id[..8]
            )),
        "{}",
        run.stdout
    );
    let report: serde_json::Value = cli.json(&["outbox", "list"]);
    assert_eq!(report[0]["state"], "failed");
}

fn outbox_id(cli: &Cli) -> String {
    let v: serde_json::Value = cli.json(&["outbox", "list"]);
    v[0]["id"].as_str().unwrap().to_owned()
}
