//! Incidents filed to ServiceNow through the real CLI, against a mock
//! instance (mockito): exactly one create for a first filing, none for a
//! repeat; searching, reading, updating and testing the connection.

mod common;

use base64::Engine;
use common::Cli;
use mockito::Matcher;

const SYS_ID: &str = "9d385017c611228701d22104cc95c371";

fn basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("svc.bridge:sn-password")
    )
}

fn add_servicenow(cli: &Cli, server: &mockito::Server, extra: &[&str]) {
    // Pasted with a path: the instance origin is what is stored.
    let url = format!("{}/now/nav/ui/classic", server.url());
    let mut args = vec![
        "connections",
        "add",
        "servicenow",
        "--name",
        "sn",
        "--url",
        url.as_str(),
        "--auth",
        "basic",
        "--username",
        "svc.bridge",
        "--secret-stdin",
    ];
    args.extend_from_slice(extra);
    cli.ok(&args, "sn-password\n");
}

fn create_incident(cli: &Cli, title: &str, severity: &str) -> String {
    let out = cli.ok(
        &[
            "--json",
            "incident",
            "create",
            "--title",
            title,
            "--severity",
            severity,
            "--description",
            "Checkout returns **500**.",
        ],
        "",
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v["incident"]["id"].as_str().unwrap().to_owned()
}

fn record(sys_id: &str, number: &str, state: &str) -> String {
    format!(
        r#"{{"sys_id":"{sys_id}","number":"{number}","short_description":"Checkout down","state":"{state}","priority":"1 - Critical","urgency":"1","impact":"1","sys_updated_on":"2026-11-22 06:00:00"}}"#
    )
}

#[test]
fn filing_creates_once_and_a_repeat_creates_nothing() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_servicenow(&cli, &server, &[]);
    let id = create_incident(&cli, "Checkout down", "P2");

    let lookup = server
        .mock("GET", "/api/now/table/incident")
        .match_header("authorization", basic().as_str())
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("sysparm_query".into(), format!("correlation_id={id}")),
            Matcher::UrlEncoded("sysparm_limit".into(), "1".into()),
        ]))
        .with_body(r#"{"result":[]}"#)
        .expect(1)
        .create();
    let create = server
        .mock("POST", "/api/now/table/incident")
        .match_query(Matcher::Any)
        .match_header("authorization", basic().as_str())
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(serde_json::json!({
            "short_description": "Checkout down",
            "description": "Checkout returns **500**.",
            "urgency": "1",
            "impact": "2",
            "correlation_id": id,
            "correlation_display": "Incident Bridge",
        })))
        .with_status(201)
        .with_body(format!(
            r#"{{"result":{}}}"#,
            record(SYS_ID, "INC0010042", "1")
        ))
        .expect(1)
        .create();

    let first = cli.ok(&["--json", "incident", "file", &id, "--to", "sn"], "");
    let filed: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(filed["created"], true);
    assert_eq!(filed["link"]["external_key"], "INC0010042");
    assert_eq!(filed["link"]["external_id"], SYS_ID);
    assert_eq!(
        filed["link"]["url"],
        format!("{}/nav_to.do?uri=incident.do?sys_id={SYS_ID}", server.url())
    );

    // The same filing again, by full id and by prefix: nothing is sent.
    for reference in [id.as_str(), &id[..8]] {
        let again = cli.ok(&["--json", "incident", "file", reference, "--to", "sn"], "");
        let again: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
        assert_eq!(again["created"], false);
        assert_eq!(again["link"]["external_key"], "INC0010042");
    }
    let human = cli.ok(&["incident", "file", &id, "--to", "sn"], "").stdout;
    assert!(
        human.contains("already filed") && human.contains("INC0010042"),
        "{human}"
    );
    lookup.assert();
    create.assert();

    let outbox = cli.ok(&["--json", "outbox", "list"], "").stdout;
    let outbox: serde_json::Value = serde_json::from_str(&outbox).unwrap();
    assert_eq!(outbox.as_array().unwrap().len(), 1);
    assert_eq!(outbox[0]["state"], "done");
    assert_eq!(outbox[0]["attempts"], 1);
}

#[test]
fn a_record_already_at_the_service_is_linked_not_duplicated() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_servicenow(&cli, &server, &[]);
    let id = create_incident(&cli, "Checkout down", "P1");
    // E.g. the answer to an earlier create was lost: the service has it.
    let lookup = server
        .mock("GET", "/api/now/table/incident")
        .match_query(Matcher::UrlEncoded(
            "sysparm_query".into(),
            format!("correlation_id={id}"),
        ))
        .with_body(format!(
            r#"{{"result":[{}]}}"#,
            record(SYS_ID, "INC0010007", "2")
        ))
        .expect(1)
        .create();
    let create = server.mock("POST", Matcher::Any).expect(0).create();
    let out = cli.ok(&["--json", "incident", "file", &id, "--to", "sn"], "");
    let filed: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(filed["created"], false);
    assert_eq!(filed["link"]["external_key"], "INC0010007");
    lookup.assert();
    create.assert();
}

#[test]
fn a_failed_filing_stays_in_the_outbox_with_its_reason() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_servicenow(&cli, &server, &[]);
    let id = create_incident(&cli, "Checkout down", "P3");
    server
        .mock("GET", "/api/now/table/incident")
        .match_query(Matcher::Any)
        .with_body(r#"{"result":[]}"#)
        .create();
    server
        .mock("POST", "/api/now/table/incident")
        .match_query(Matcher::Any)
        .with_status(403)
        .with_body(r#"{"error":{"message":"Operation Failed","detail":"ACL Exception Insert Failed due to security constraints"},"status":"failure"}"#)
        .expect(1)
        .create();
    let run = cli.run(&["incident", "file", &id, "--to", "sn"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("denied the permission")
            && run
                .stderr
                .contains("ACL Exception Insert Failed due to security constraints")
            && run.stderr.contains("role")
            && run.stderr.contains("itil"),
        "{}",
        run.stderr
    );
    let outbox: serde_json::Value = cli.json(&["outbox", "list"]);
    assert_eq!(
        outbox[0]["state"], "failed",
        "403 needs the user: not retried"
    );
    assert!(outbox[0]["last_error"].as_str().unwrap().contains("403"));
    let shown: serde_json::Value = cli.json(&["incident", "list"]);
    assert_eq!(
        shown[0]["links"].as_array().unwrap().len(),
        0,
        "no link without a record"
    );
}

/// A data policy refuses the record: ServiceNow answers 403, but nothing is
/// wrong with the sign-in.
#[test]
fn a_data_policy_refusal_exits_2_naming_the_field_and_leaves_the_connection_alone() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_servicenow(&cli, &server, &[]);
    let id = create_incident(&cli, "Checkout down", "P3");
    let before: serde_json::Value = cli.json(&["connections", "show", "sn"]);
    server
        .mock("GET", "/api/now/table/incident")
        .match_query(Matcher::Any)
        .with_body(r#"{"result":[]}"#)
        .create();
    let create = server
        .mock("POST", "/api/now/table/incident")
        .match_header("authorization", basic().as_str())
        .match_query(Matcher::UrlEncoded(
            "sysparm_exclude_reference_link".into(),
            "true".into(),
        ))
        .match_body(Matcher::PartialJson(serde_json::json!({
            "short_description": "Checkout down",
            "correlation_id": id,
        })))
        .with_status(403)
        .with_body(r#"{"error":{"message":"Operation Failed","detail":"Data Policy Exception: \n The following fields are mandatory: Assignment group"},"status":"failure"}"#)
        .expect(1)
        .create();
    let run = cli.run(&["incident", "file", &id, "--to", "sn"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("ServiceNow refused the data (field 'Assignment group')")
            && run.stderr.contains("Data Policy Exception")
            && !run.stderr.contains("credentials"),
        "{}",
        run.stderr
    );
    create.assert();
    let outbox: serde_json::Value = cli.json(&["outbox", "list"]);
    assert_eq!(outbox[0]["state"], "failed", "bad data is not retried");
    assert!(
        outbox[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("field 'Assignment group'"),
        "{}",
        outbox[0]
    );
    let after: serde_json::Value = cli.json(&["connections", "show", "sn"]);
    assert_eq!(after["status"], before["status"]);
    assert_eq!(after["status_detail"], before["status_detail"]);
}

#[test]
fn auto_create_files_new_incidents() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_servicenow(&cli, &server, &[]);
    cli.ok(&["connections", "auto-create", "sn", "on"], "");
    server
        .mock("GET", "/api/now/table/incident")
        .match_query(Matcher::Any)
        .with_body(r#"{"result":[]}"#)
        .create();
    let create = server
        .mock("POST", "/api/now/table/incident")
        .match_query(Matcher::Any)
        .match_body(Matcher::PartialJson(
            serde_json::json!({"urgency": "3", "impact": "2"}),
        ))
        .with_status(201)
        .with_body(format!(
            r#"{{"result":{}}}"#,
            record(SYS_ID, "INC0010100", "1")
        ))
        .expect(1)
        .create();
    let out = cli.ok(
        &[
            "--json",
            "incident",
            "create",
            "--title",
            "Slow search",
            "--severity",
            "P4",
        ],
        "",
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        v["auto_filed"][0]["filed"]["link"]["external_key"],
        "INC0010100"
    );
    assert_eq!(v["incident"]["links"][0]["external_key"], "INC0010100");
    create.assert();
}

#[test]
fn show_refreshes_state_online_and_says_when_it_last_synced_offline() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_servicenow(&cli, &server, &[]);
    let id = create_incident(&cli, "Checkout down", "P1");
    server
        .mock("GET", "/api/now/table/incident")
        .match_query(Matcher::Any)
        .with_body(r#"{"result":[]}"#)
        .create();
    server
        .mock("POST", "/api/now/table/incident")
        .match_query(Matcher::Any)
        .with_status(201)
        .with_body(format!(
            r#"{{"result":{}}}"#,
            record(SYS_ID, "INC0010042", "1")
        ))
        .create();
    cli.ok(&["incident", "file", &id, "--to", "sn"], "");
    let get = server
        .mock("GET", format!("/api/now/table/incident/{SYS_ID}").as_str())
        .match_query(Matcher::UrlEncoded(
            "sysparm_display_value".into(),
            "true".into(),
        ))
        .with_body(format!(
            r#"{{"result":{}}}"#,
            record(SYS_ID, "INC0010042", "In Progress")
        ))
        .expect(1)
        .create();
    // Showing also pulls new work notes and comments.
    let journal = server
        .mock("GET", "/api/now/table/sys_journal_field")
        .match_query(Matcher::UrlEncoded(
            "sysparm_query".into(),
            format!("element_id={SYS_ID}^elementINwork_notes,comments^ORDERBYsys_created_on"),
        ))
        .with_body(r#"{"result":[]}"#)
        .expect(1)
        .create();
    let shown = cli.ok(&["incident", "show", &id], "").stdout;
    assert!(
        shown.contains("INC0010042") && shown.contains("state In Progress"),
        "{shown}"
    );
    get.assert();
    journal.assert();

    // The instance goes away: the last known state and its time are shown.
    drop(server);
    let shown = cli.ok(&["incident", "show", &id], "").stdout;
    assert!(shown.contains("state In Progress"), "{shown}");
    assert!(
        shown.contains("Not synced:") && shown.contains("last synced 20"),
        "{shown}"
    );
}

#[test]
fn search_get_and_update_through_the_cli() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_servicenow(&cli, &server, &[]);
    let search = server
        .mock("GET", "/api/now/table/incident")
        .match_header("authorization", basic().as_str())
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded(
                "sysparm_query".into(),
                "short_descriptionLIKEa^^NQb^ORdescriptionLIKEa^^NQb^ORDERBYDESCsys_updated_on"
                    .into(),
            ),
            Matcher::UrlEncoded("sysparm_limit".into(), "5".into()),
            Matcher::UrlEncoded("sysparm_offset".into(), "10".into()),
        ]))
        .with_header("x-total-count", "30")
        .with_body(format!(
            r#"{{"result":[{}]}}"#,
            record(SYS_ID, "INC0010042", "New")
        ))
        .expect(1)
        .create();
    let found = cli
        .ok(
            &[
                "servicenow",
                "search",
                "sn",
                "a^NQb",
                "--limit",
                "5",
                "--offset",
                "10",
            ],
            "",
        )
        .stdout;
    assert!(
        found.contains("INC0010042") && found.contains("--offset 11"),
        "{found}"
    );
    search.assert();

    let by_number = server
        .mock("GET", "/api/now/table/incident")
        .match_query(Matcher::UrlEncoded(
            "sysparm_query".into(),
            "number=INC0010042".into(),
        ))
        .with_body(format!(
            r#"{{"result":[{}]}}"#,
            record(SYS_ID, "INC0010042", "New")
        ))
        .expect(1)
        .create();
    let got = cli
        .ok(&["servicenow", "get", "sn", "INC0010042"], "")
        .stdout;
    assert!(got.contains(SYS_ID), "{got}");
    by_number.assert();

    let update = server
        .mock(
            "PATCH",
            format!("/api/now/table/incident/{SYS_ID}").as_str(),
        )
        .match_query(Matcher::Any)
        .match_body(Matcher::Json(
            serde_json::json!({"state": "2", "work_notes": "a=b"}),
        ))
        .with_body(format!(
            r#"{{"result":{}}}"#,
            record(SYS_ID, "INC0010042", "In Progress")
        ))
        .expect(1)
        .create();
    let updated = cli.ok(
        &[
            "servicenow",
            "update",
            "sn",
            SYS_ID,
            "--field",
            "state=2",
            "--field",
            "work_notes=a=b",
        ],
        "",
    );
    assert!(
        updated.stdout.contains("Updated INC0010042"),
        "{}",
        updated.stdout
    );
    update.assert();
}

#[test]
fn connection_test_reports_the_user_and_401_needs_attention() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_servicenow(&cli, &server, &[]);
    let me = server
        .mock("GET", "/api/now/table/sys_user")
        .match_header("authorization", basic().as_str())
        .match_query(Matcher::UrlEncoded(
            "sysparm_query".into(),
            "user_name=svc.bridge".into(),
        ))
        .with_body(r#"{"result":[{"user_name":"svc.bridge","name":"Bridge Service"}]}"#)
        .expect(1)
        .create();
    let out = cli.ok(&["connections", "test", "sn"], "").stdout;
    assert!(out.contains("as Bridge Service (svc.bridge)"), "{out}");
    me.assert();
    let shown: serde_json::Value = cli.json(&["connections", "show", "sn"]);
    assert_eq!(shown["status"], "connected");
    assert_eq!(shown["status_detail"], "as Bridge Service (svc.bridge)");

    server.reset();
    server
        .mock("GET", "/api/now/table/sys_user")
        .match_query(Matcher::Any)
        .with_status(401)
        .with_body(r#"{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}"#)
        .create();
    let run = cli.run(&["connections", "test", "sn"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("401") && run.stderr.contains("User Not Authenticated"),
        "{}",
        run.stderr
    );
    let shown: serde_json::Value = cli.json(&["connections", "show", "sn"]);
    assert_eq!(shown["status"], "error");
}

#[test]
fn bad_incident_and_servicenow_input_exits_2_naming_the_field() {
    let server = mockito::Server::new();
    let cli = Cli::new();
    add_servicenow(&cli, &server, &[]);
    let id = create_incident(&cli, "Kept", "P3");
    let long_title = "x".repeat(161);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["incident", "create", "--title", " ", "--severity", "P1"],
            "title",
        ),
        (
            vec![
                "incident",
                "create",
                "--title",
                &long_title,
                "--severity",
                "P1",
            ],
            "title",
        ),
        (
            vec!["incident", "create", "--title", "t", "--severity", "P5"],
            "severity",
        ),
        (
            vec!["incident", "create", "--title", "t", "--severity", "high"],
            "severity",
        ),
        (
            vec![
                "incident",
                "create",
                "--title",
                "t",
                "--severity",
                "P1",
                "--description-file",
                "/nonexistent/rca.md",
            ],
            "description-file",
        ),
        (
            vec![
                "incident",
                "create",
                "--title",
                "t",
                "--severity",
                "P1",
                "--description",
                "a",
                "--description-file",
                "b",
            ],
            "--description",
        ),
        (vec!["incident", "create", "--severity", "P1"], "--title"),
        (
            vec!["incident", "file", &id, "--to", "sn", "--type", "Bug"],
            "type",
        ),
        (vec!["incident", "file", "", "--to", "sn"], "id"),
        (vec!["servicenow", "get", "sn", "12345"], "record"),
        (vec!["servicenow", "search", "sn", "  "], "query"),
        (
            vec!["servicenow", "search", "sn", "x", "--limit", "0"],
            "--limit",
        ),
        (
            vec!["servicenow", "update", "sn", SYS_ID, "--field", "novalue"],
            "field",
        ),
        (
            vec!["servicenow", "update", "sn", SYS_ID, "--field", "sys_id=x"],
            "field",
        ),
        (
            vec!["servicenow", "update", "sn", SYS_ID, "--field", "State=2"],
            "field",
        ),
        (
            vec![
                "servicenow",
                "update",
                "sn",
                "not-a-sys-id",
                "--field",
                "state=2",
            ],
            "sys_id",
        ),
        (vec!["servicenow", "update", "sn", SYS_ID], "--field"),
        (vec!["connections", "auto-create", "sn", "maybe"], "maybe"),
    ];
    for (args, field) in &cases {
        let run = cli.run(args);
        assert_eq!(run.code, 2, "{args:?} exited {}: {}", run.code, run.stderr);
        assert!(
            run.stderr.contains(field),
            "{args:?}: stderr does not name '{field}': {}",
            run.stderr
        );
    }
    assert_eq!(
        cli.run(&["incident", "show", "00000000-0000-4000-8000-000000000000"])
            .code,
        3
    );
    assert_eq!(cli.run(&["incident", "file", &id, "--to", "nope"]).code, 3);
    let list: serde_json::Value = cli.json(&["incident", "list"]);
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "nothing stored was lost or added"
    );
    assert_eq!(list[0]["title"], "Kept");
}
