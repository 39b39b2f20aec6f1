//! An incident's whole life through the real CLI against the stateful
//! fakes (`ibridge-testkit`): timeline events, notes posted once to every
//! linked record, status changes mapped to ServiceNow states and Azure
//! DevOps transitions, notes written at the services pulled back in, and
//! every pre-flight refusal (exit 2, nothing journaled or sent).

mod common;

use std::time::Duration;

use common::Cli;
use ibridge_testkit::{CreateMode, FakeServices};
use serde_json::{json, Value};

fn with_servicenow(fake: &FakeServices) -> Cli {
    let cli = Cli::new()
        .with_env("IBRIDGE_AUTHOR", "ana")
        .with_env("TZ", "Asia/Kolkata");
    common::add_servicenow_basic(&cli, "sn", &fake.url());
    cli
}

fn with_azure_devops(fake: &FakeServices) -> Cli {
    let cli = Cli::new().with_env("IBRIDGE_AUTHOR", "ana");
    common::add_ado_pat(&cli, "ado", &format!("{}/acme", fake.url()));
    cli
}

fn new_incident(cli: &Cli) -> String {
    let v = cli.json(&[
        "incident",
        "create",
        "--title",
        "Checkout returns 500",
        "--severity",
        "P1",
    ]);
    v["incident"]["id"].as_str().unwrap().to_owned()
}

fn file(cli: &Cli, id: &str, to: &str) -> Value {
    let mut args = vec!["incident", "file", id, "--to", to];
    if to == "ado" {
        args.extend(["--type", "Bug"]);
    }
    cli.json(&args)
}

fn note(cli: &Cli, id: &str, text: &str, kind: &str) -> Value {
    cli.json(&["incident", "note", id, text, "--kind", kind])
}

fn timeline(cli: &Cli, id: &str) -> Vec<Value> {
    cli.json(&["incident", "timeline", id])["events"]
        .as_array()
        .unwrap()
        .clone()
}

fn outbox_len(cli: &Cli) -> usize {
    cli.json(&["outbox", "list"]).as_array().unwrap().len()
}

fn marker(event: &Value) -> String {
    format!("[ibridge-event {}]", event["event"]["id"].as_str().unwrap())
}

#[test]
fn a_servicenow_incident_lives_from_filing_to_closed() {
    let fake = FakeServices::start();
    let cli = with_servicenow(&fake);
    let id = new_incident(&cli);
    let filed = file(&cli, &id, "sn");
    let sys_id = filed["link"]["external_id"].as_str().unwrap().to_owned();
    let path = format!("api/now/table/incident/{sys_id}");

    let notes = [
        note(
            &cli,
            &id,
            "Paged; looking at the **checkout** pods",
            "acknowledged",
        ),
        note(&cli, &id, "Release 42 correlates with the errors", "update"),
        note(&cli, &id, "Rolling back release 42", "note"),
    ];
    for n in &notes {
        assert_eq!(n["posts"][0]["connection"], "sn");
        assert_eq!(n["posts"][0]["posted"]["channel"], "work_notes");
        assert_eq!(n["posts"][0]["error"], Value::Null);
    }
    let mitigated = cli.json(&["incident", "status", &id, "monitoring"]);
    assert_eq!(mitigated["incident"]["status"], "monitoring");
    assert_eq!(mitigated["moves"][0]["state"], "In Progress");
    let resolved = cli.json(&[
        "incident",
        "status",
        &id,
        "resolved",
        "--close-code",
        "solution provided",
        "--close-notes",
        "Rolled back release 42",
    ]);
    assert_eq!(resolved["moves"][0]["state"], "Resolved");
    assert_eq!(resolved["moves"][0]["error"], Value::Null);
    let closed = cli.json(&["incident", "status", &id, "closed"]);
    assert_eq!(closed["moves"][0]["state"], "Closed");

    // Every request body, in order.
    let writes = fake.lifecycle_writes();
    assert_eq!(writes.len(), 6, "{writes:#?}");
    for (write, n) in writes.iter().zip(&notes) {
        assert_eq!(
            (write.method.as_str(), write.path.as_str()),
            ("PATCH", path.as_str())
        );
        let body = write.body.as_object().unwrap();
        assert_eq!(body.keys().collect::<Vec<_>>(), ["work_notes"]);
        let text = body["work_notes"].as_str().unwrap();
        assert!(text.contains(" by ana\n\n"), "{text}");
        assert!(text.ends_with(&format!("\n\n{}", marker(n))), "{text}");
    }
    assert!(writes[0].body["work_notes"]
        .as_str()
        .unwrap()
        .starts_with("Acknowledged at "));
    assert!(writes[0].body["work_notes"]
        .as_str()
        .unwrap()
        .contains("Paged; looking at the **checkout** pods"));
    assert_eq!(writes[3].body, json!({ "state": "2" }));
    assert_eq!(
        writes[4].body,
        json!({ "state": "6", "close_code": "Solution provided", "close_notes": "Rolled back release 42" })
    );
    assert_eq!(writes[5].body, json!({ "state": "7" }));
    assert!(writes[3..].iter().all(|w| w.path == path));

    // The instance's journal holds each note once, by the connection's user.
    let journal = fake.journal(&sys_id);
    assert_eq!(journal.len(), 3);
    assert!(journal
        .iter()
        .all(|j| j["sys_created_by"] == "svc.bridge" && j["element"] == "work_notes"));

    // The timeline: creation, the notes, and the status changes by themselves.
    let events = timeline(&cli, &id);
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "detected",
            "acknowledged",
            "update",
            "note",
            "mitigated",
            "resolved",
            "update"
        ]
    );
    assert_eq!(events[4]["text"], "Status investigating → monitoring");
    assert!(events[5]["text"]
        .as_str()
        .unwrap()
        .contains("Resolution code: Solution provided"));
    for e in &events[1..4] {
        assert_eq!(e["posted"][0]["connection"], "sn");
        assert_eq!(e["author"], "ana");
        assert_eq!(e["source"], "local");
    }
    let show = cli.json(&["incident", "show", &id]);
    assert_eq!(show["incident"]["links"][0]["remote_state"], "Closed");
    assert_eq!(show["incident"]["status"], "closed");
    // Closed is final.
    let again = cli.run(&["incident", "status", &id, "investigating"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("closed is final"), "{}", again.stderr);
}

#[test]
fn an_azure_devops_work_item_lives_from_filing_to_closed() {
    let fake = FakeServices::start();
    let cli = with_azure_devops(&fake);
    let id = new_incident(&cli);
    let filed = file(&cli, &id, "ado");
    let item: u64 = filed["link"]["external_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let notes = [
        note(&cli, &id, "Paged", "acknowledged"),
        note(&cli, &id, "Errors follow *release 42*", "update"),
        note(&cli, &id, "Rolling back", "note"),
    ];
    cli.json(&["incident", "status", &id, "monitoring"]);
    cli.json(&["incident", "status", &id, "resolved"]);
    cli.json(&["incident", "status", &id, "closed"]);

    let writes = fake.lifecycle_writes();
    assert_eq!(writes.len(), 6, "{writes:#?}");
    let comments = format!("acme/Ops/_apis/wit/workItems/{item}/comments");
    for (write, n) in writes.iter().zip(&notes) {
        assert_eq!(
            (write.method.as_str(), write.path.as_str()),
            ("POST", comments.as_str())
        );
        let html = write.body["text"].as_str().unwrap();
        assert_eq!(write.body.as_object().unwrap().len(), 1);
        assert!(html.starts_with("<p><strong>"), "{html}");
        assert!(html.contains(&marker(n)), "{html}");
    }
    assert!(writes[1].body["text"]
        .as_str()
        .unwrap()
        .contains("<em>release 42</em>"));
    let patch = format!("acme/Ops/_apis/wit/workitems/{item}");
    let state = |s: &str| json!([{ "op": "add", "path": "/fields/System.State", "value": s }]);
    assert_eq!(
        (writes[3].method.as_str(), writes[3].path.as_str()),
        ("PATCH", patch.as_str())
    );
    assert_eq!(writes[3].body, state("Active"));
    assert_eq!(writes[4].body, state("Resolved"));
    assert_eq!(writes[5].body, state("Closed"));
    assert_eq!(fake.comments(item).len(), 3);
    let show = cli.json(&["incident", "show", &id]);
    assert_eq!(show["incident"]["links"][0]["remote_state"], "Closed");
}

#[test]
fn an_invalid_azure_devops_transition_is_refused_before_sending() {
    let fake = FakeServices::start();
    let cli = with_azure_devops(&fake);
    let id = new_incident(&cli);
    let filed = file(&cli, &id, "ado");
    let item: u64 = filed["link"]["external_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // Someone removed the work item in Azure DevOps: Removed → Resolved is
    // not a transition a Bug has.
    fake.set_work_item_state(item, "Removed");
    let journaled = outbox_len(&cli);
    let run = cli.run(&["incident", "status", &id, "resolved"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "invalid status: work item {item} in 'ado' (Bug) cannot go from 'Removed' to 'Resolved'; from 'Removed' it can go to: New"
        )),
        "{}",
        run.stderr
    );
    assert!(fake.lifecycle_writes().is_empty());
    assert_eq!(outbox_len(&cli), journaled);
    let shown = cli.json(&["incident", "show", &id]);
    assert_eq!(shown["incident"]["status"], "investigating");
    // Showing pulled the removal in; no status event was recorded.
    let events = timeline(&cli, &id);
    let local: Vec<&Value> = events.iter().filter(|e| e["source"] == "local").collect();
    assert_eq!(local.len(), 1, "{events:#?}");
    assert!(events
        .iter()
        .any(|e| e["source"] == "azure_devops"
            && e["text"] == format!("{item}: state New → Removed")));
}

#[test]
fn pre_flight_refusals_name_the_field_and_the_allowed_values() {
    let fake = FakeServices::start();
    fake.set_close_codes(&[
        ("fixed", "Fixed by change"),
        ("workaround", "Workaround given"),
    ]);
    let cli = with_servicenow(&fake);
    let id = new_incident(&cli);
    file(&cli, &id, "sn");
    let journaled = outbox_len(&cli);
    let cases: &[(&[&str], &str)] = &[
        (
            &["incident", "status", &id, "resolved", "--close-notes", "done"],
            "invalid close-code: resolving sets the resolution code of INC",
        ),
        (&["incident", "status", &id, "resolved", "--close-notes", "done"], "give --close-code, one of: fixed, workaround"),
        (
            &["incident", "status", &id, "resolved", "--close-code", "Solution provided", "--close-notes", "x"],
            "invalid close-code: 'Solution provided' is not a resolution code of 'sn'; allowed: fixed, workaround",
        ),
        (
            &["incident", "status", &id, "resolved", "--close-code", "fixed"],
            "invalid close-notes: resolving sets the resolution notes of INC",
        ),
        (
            &["incident", "status", &id, "closed"],
            "invalid status: the incident is investigating; it can become identified, monitoring, resolved (not closed)",
        ),
        (&["incident", "status", &id, "fixed"], "invalid status: 'fixed' is not one of investigating, identified, monitoring, resolved, closed"),
        (&["incident", "note", &id, "x", "--kind", "fixed"], "invalid kind: 'fixed' is not one of detected"),
        (&["incident", "note", &id, "x", "--at", "yesterday"], "invalid at: 'yesterday' is not a time"),
        (&["incident", "note", &id, "x", "--at", "2099-01-01T00:00:00Z"], "invalid at: '2099-01-01T00:00:00Z' is in the future"),
        (&["incident", "note", &id, "x", "--post", "slack"], "invalid post: 'slack' is not one of none, work_notes, comments"),
        (&["incident", "note", &id, "  "], "invalid text: must not be empty"),
    ];
    for (args, message) in cases {
        let run = cli.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
    }
    assert!(fake.lifecycle_writes().is_empty(), "nothing sent");
    assert_eq!(outbox_len(&cli), journaled, "nothing journaled");
    assert_eq!(timeline(&cli, &id).len(), 1, "nothing recorded");

    // A label of the instance's own choices is sent as its value.
    cli.json(&[
        "incident",
        "status",
        &id,
        "resolved",
        "--close-code",
        "Fixed by change",
        "--close-notes",
        "Reverted",
    ]);
    assert_eq!(
        fake.lifecycle_writes()[0].body,
        json!({ "state": "6", "close_code": "fixed", "close_notes": "Reverted" })
    );
}

#[test]
fn a_dry_run_prints_the_request_and_sends_nothing() {
    let fake = FakeServices::start();
    let cli = with_servicenow(&fake);
    let id = new_incident(&cli);
    let sys_id = file(&cli, &id, "sn")["link"]["external_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let journaled = outbox_len(&cli);
    let run = cli.ok(
        &[
            "incident",
            "status",
            &id,
            "resolved",
            "--close-code",
            "Duplicate",
            "--close-notes",
            "Same as INC0001",
            "--dry-run",
        ],
        "",
    );
    assert!(run.stdout.contains(&format!(
        "PATCH {}/api/now/table/incident/{sys_id}?sysparm_display_value=true&sysparm_exclude_reference_link=true",
        fake.url()
    )), "{}", run.stdout);
    assert!(
        run.stdout
            .contains(r#"{"close_code":"Duplicate","close_notes":"Same as INC0001","state":"6"}"#),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.to_lowercase().contains("authorization"));
    assert!(fake.lifecycle_writes().is_empty());
    assert_eq!(outbox_len(&cli), journaled);
    assert_eq!(
        cli.json(&["incident", "show", &id])["incident"]["status"],
        "investigating"
    );
}

#[test]
fn a_lost_answer_on_a_note_is_reconciled_without_a_second_post() {
    for provider in ["sn", "ado"] {
        let fake = FakeServices::start();
        let cli = if provider == "sn" {
            with_servicenow(&fake)
        } else {
            with_azure_devops(&fake)
        };
        let id = new_incident(&cli);
        let remote = file(&cli, &id, provider)["link"]["external_id"]
            .as_str()
            .unwrap()
            .to_owned();
        fake.set_note_mode(CreateMode::StoreThenHang);
        let mut child = cli.spawn(&["incident", "note", &id, "Failover started"]);
        assert!(
            fake.wait_for_hang(Duration::from_secs(30)),
            "{provider}: the note arrived"
        );
        child.kill().unwrap();
        child.wait().unwrap();
        fake.set_note_mode(CreateMode::Normal);
        let stored = |fake: &FakeServices| match provider {
            "sn" => fake.journal(&remote).len(),
            _ => fake.comments(remote.parse().unwrap()).len(),
        };
        assert_eq!(stored(&fake), 1, "{provider}: stored, answer lost");
        let states: Vec<Value> = cli.json(&["outbox", "list"]).as_array().unwrap().clone();
        assert_eq!(states.last().unwrap()["state"], "in_flight", "{provider}");

        let run = cli.run(&["outbox", "run"]);
        assert_eq!(run.code, 0, "{provider}: {}", run.stderr);
        assert_eq!(stored(&fake), 1, "{provider}: not posted again");
        assert_eq!(
            fake.lifecycle_writes().len(),
            1,
            "{provider}: one write only"
        );
        let events = timeline(&cli, &id);
        let posted = &events.last().unwrap()["posted"][0];
        assert_eq!(posted["connection"], provider);
        let expected_id = match provider {
            "sn" => fake.journal(&remote)[0]["sys_id"]
                .as_str()
                .unwrap()
                .to_owned(),
            _ => fake.comments(remote.parse().unwrap())[0]["id"].to_string(),
        };
        assert_eq!(posted["remote_id"], expected_id.as_str(), "{provider}");
        // Pulling does not bring our own note back in.
        let sync = cli.json(&["incident", "sync", &id]);
        assert_eq!(sync["records"][0]["new_events"], 0, "{provider}: {sync}");
    }
}

#[test]
fn notes_written_at_the_services_come_into_the_timeline_with_their_authors() {
    let fake = FakeServices::start();
    let cli = with_servicenow(&fake);
    common::add_ado_pat(&cli, "ado", &format!("{}/acme", fake.url()));
    let id = new_incident(&cli);
    let sys_id = file(&cli, &id, "sn")["link"]["external_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let item: u64 = file(&cli, &id, "ado")["link"]["external_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    note(&cli, &id, "Our own note", "update");
    fake.add_journal_entry(
        &sys_id,
        "work_notes",
        "beth.dba",
        "Failover of the primary finished",
        "2026-03-01 14:05:00",
    );
    fake.add_journal_entry(
        &sys_id,
        "comments",
        "carl.support",
        "Customers report recovery",
        "2026-03-01 14:20:00",
    );
    fake.set_servicenow_field(&sys_id, "assigned_to", "Beth Dba");
    fake.set_servicenow_field(&sys_id, "state", "2");
    fake.add_work_item_comment(
        item,
        "Dana Dev",
        "<div>Hotfix <b>merged</b> &amp; deployed</div>",
        "2026-03-01T14:10:00Z",
    );
    fake.set_work_item_assignee(item, "Dana Dev");

    let sync = cli.json(&["incident", "sync", &id]);
    let sn = &sync["records"][0];
    assert_eq!(
        (sn["state"].as_str(), sn["priority"].as_str()),
        (Some("In Progress"), Some("1 - Critical"))
    );
    assert_eq!(sn["assignee"], "Beth Dba");
    assert_eq!(
        sn["new_events"], 3,
        "two notes and the state change: {sync}"
    );
    assert_eq!(sync["records"][1]["assignee"], "Dana Dev");
    assert_eq!(sync["records"][1]["new_events"], 1);

    let events = timeline(&cli, &id);
    let pulled: Vec<(String, String, String, String)> = events
        .iter()
        .filter(|e| e["source"] != "local")
        .map(|e| {
            (
                e["author"].as_str().unwrap().to_owned(),
                e["source"].as_str().unwrap().to_owned(),
                e["occurred_at"].as_str().unwrap().to_owned(),
                e["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = |a: &str, s: &str, t: &str, x: &str| {
        (a.to_owned(), s.to_owned(), t.to_owned(), x.to_owned())
    };
    assert!(
        pulled.contains(&expected(
            "beth.dba",
            "servicenow",
            "2026-03-01T14:05:00.000Z",
            "Failover of the primary finished"
        )),
        "{pulled:#?}"
    );
    assert!(
        pulled.contains(&expected(
            "carl.support",
            "servicenow",
            "2026-03-01T14:20:00.000Z",
            "(additional comment) Customers report recovery"
        )),
        "{pulled:#?}"
    );
    assert!(
        pulled.contains(&expected(
            "Dana Dev",
            "azure_devops",
            "2026-03-01T14:10:00.000Z",
            "Hotfix merged & deployed"
        )),
        "{pulled:#?}"
    );
    assert!(
        pulled
            .iter()
            .any(|p| p.3.ends_with("state New → In Progress")),
        "{pulled:#?}"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| e["text"] == "Our own note")
            .count(),
        1
    );

    // Shown in local time (the run's TZ is Asia/Kolkata, +05:30).
    let text = cli.ok(&["incident", "timeline", &id], "").stdout;
    assert!(
        text.contains("2026-03-01 19:35:00 +05:30  note         beth.dba ('sn')"),
        "{text}"
    );

    // A second pull adds nothing.
    let again = cli.json(&["incident", "sync", &id]);
    assert_eq!(again["added"].as_array().unwrap().len(), 0, "{again}");
}

#[test]
fn event_times_take_an_offset_and_are_shown_in_local_time() {
    let fake = FakeServices::start();
    let cli = with_servicenow(&fake);
    let id = new_incident(&cli);
    let added = cli.json(&[
        "incident",
        "note",
        &id,
        "Error rate rising",
        "--kind",
        "detected",
        "--at",
        "2026-03-01T14:05:00+01:00",
    ]);
    assert_eq!(added["event"]["occurred_at"], "2026-03-01T13:05:00.000Z");
    assert_eq!(
        added["posts"].as_array().unwrap().len(),
        0,
        "not filed: nowhere to post"
    );
    let local = cli.json(&[
        "incident",
        "note",
        &id,
        "Local wall clock",
        "--at",
        "2026-03-01 18:40",
    ]);
    assert_eq!(local["event"]["occurred_at"], "2026-03-01T13:10:00.000Z");
    let text = cli.ok(&["incident", "timeline", &id], "").stdout;
    let first = text.lines().nth(1).unwrap();
    assert_eq!(first, "2026-03-01 18:35:00 +05:30  detected     ana (here)");
}

#[test]
fn an_rca_from_an_incident_carries_its_timeline_and_takes_later_changes() {
    let fake = FakeServices::start();
    let cli = with_servicenow(&fake);
    let id = new_incident(&cli);
    for (kind, at, text) in [
        ("update", "2026-03-01T14:00:00Z", "Errors began"),
        ("detected", "2026-03-01T14:08:00Z", "Alert fired"),
        ("mitigated", "2026-03-01T15:17:00Z", "Rolled back"),
    ] {
        cli.json(&[
            "incident", "note", &id, text, "--kind", kind, "--at", at, "--post", "none",
        ]);
    }
    let doc = cli.json(&[
        "doc",
        "new",
        "--kind",
        "rca",
        "--title",
        "RCA: checkout",
        "--incident",
        &id,
    ]);
    let markdown = doc["markdown"].as_str().unwrap();
    assert!(
        markdown.contains("| Detected | 2026-03-01 14:08 UTC |\n| Time to detect | 8 min |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| Time to mitigate | 1 h 17 min |"),
        "{markdown}"
    );
    assert!(markdown.contains("| Resolved | not yet |"), "{markdown}");
    assert!(
        markdown.contains("| 2026-03-01 15:17 | Mitigated: Rolled back | ana | local |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("## Root cause"),
        "the rest of the template stays"
    );

    let doc_id = doc["id"].as_str().unwrap().to_owned();
    cli.json(&[
        "incident",
        "note",
        &id,
        "Fixed for good",
        "--kind",
        "resolved",
        "--at",
        "2026-03-01T16:00:00Z",
        "--post",
        "none",
    ]);
    let refreshed = cli.json(&["doc", "timeline", &doc_id]);
    let markdown = refreshed["markdown"].as_str().unwrap();
    assert!(
        markdown.contains("| Resolved | 2026-03-01 16:00 UTC |\n| Time to resolve | 2 h 00 min |"),
        "{markdown}"
    );
    assert_eq!(markdown.matches("## Timeline").count(), 1);

    let plain = cli.json(&["doc", "new", "--kind", "rca", "--title", "No incident"]);
    let run = cli.run(&["doc", "timeline", plain["id"].as_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("invalid document: it was not made from an incident"),
        "{}",
        run.stderr
    );
}
