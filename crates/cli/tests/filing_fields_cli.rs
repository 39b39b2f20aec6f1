//! Filing to customised services through the real CLI, against the fake
//! serving the customisation's metadata and refusing creates that break
//! it: pre-flight refusals before anything is sent or journaled, connection
//! defaults and per-filing fields in the body, references by display name,
//! and `--dry-run` printing exactly the body a real run then sends.

mod common;

use common::Cli;
use ibridge_testkit::{Customisation, FakeServices};
use serde_json::Value;

fn add_servicenow(cli: &Cli, fake: &FakeServices) {
    common::add_servicenow_basic(cli, "sn", &fake.url());
}

fn add_ado(cli: &Cli, fake: &FakeServices) {
    common::add_ado_pat(cli, "ado", &format!("{}/acme", fake.url()));
}

fn create_incident(cli: &Cli) -> String {
    let v = cli.json(&[
        "incident",
        "create",
        "--title",
        "Checkout down",
        "--severity",
        "P1",
    ]);
    v["incident"]["id"].as_str().unwrap().to_owned()
}

fn outbox_len(cli: &Cli) -> usize {
    cli.json(&["outbox", "list"]).as_array().unwrap().len()
}

/// The bodies of the creates the fake received at `path`.
fn create_bodies(fake: &FakeServices, path_end: &str) -> Vec<String> {
    fake.received()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with(path_end))
        .map(|r| r.body)
        .collect()
}

#[test]
fn servicenow_required_group_is_refused_before_sending_then_a_default_carries_it() {
    let fake = FakeServices::start();
    fake.customise(Customisation::customised());
    let cli = Cli::new();
    add_servicenow(&cli, &fake);
    let id = create_incident(&cli);

    // Missing the mandatory assignment group: refused by pre-flight.
    let refused = cli.run(&["incident", "file", &id, "--to", "sn"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("assignment_group"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains(&format!(
            "incident file {id} --to sn --field assignment_group=VALUE` for this filing, \
             or `ibridge connections fields sn --set assignment_group=VALUE` for every filing"
        )),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("Assignment group"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("sys_user_group"),
        "{}",
        refused.stderr
    );
    assert_eq!(fake.create_requests(), 0, "nothing was sent");
    assert_eq!(outbox_len(&cli), 0, "nothing was journaled");

    // A value outside the instance's choice list: named, with the list.
    let outside = cli.run(&[
        "incident",
        "file",
        &id,
        "--to",
        "sn",
        "--field",
        "category=hardware",
        "--field",
        "assignment_group=Service Desk",
    ]);
    assert_eq!(outside.code, 2, "{}", outside.stderr);
    assert!(outside.stderr.contains("category"), "{}", outside.stderr);
    assert!(
        outside
            .stderr
            .contains("software (Software), network (Network), database (Database)"),
        "{}",
        outside.stderr
    );
    assert_eq!(fake.create_requests(), 0);

    // An ambiguous group name is refused when set as a default.
    let ambiguous = cli.run(&[
        "connections",
        "fields",
        "sn",
        "--set",
        "assignment_group=Database",
    ]);
    assert_eq!(ambiguous.code, 2, "{}", ambiguous.stderr);
    assert!(
        ambiguous.stderr.contains("ambiguous"),
        "{}",
        ambiguous.stderr
    );
    // And an unknown caller for one filing.
    let unknown = cli.run(&[
        "incident",
        "file",
        &id,
        "--to",
        "sn",
        "--field",
        "caller_id=Nobody Here",
        "--field",
        "assignment_group=Service Desk",
    ]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    assert!(
        unknown
            .stderr
            .contains("no sys_user record is named 'Nobody Here'"),
        "{}",
        unknown.stderr
    );

    // The group as a connection default, by display name: resolved once.
    let set = cli.json(&[
        "connections",
        "fields",
        "sn",
        "--set",
        "assignment_group=Payments SRE",
        "--set",
        "category=Software",
    ]);
    let group_id = set["defaults"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["field"] == "assignment_group")
        .map(|d| d["value"].as_str().unwrap().to_owned())
        .unwrap();
    assert_eq!(group_id.len(), 32, "{set}");
    let listed = cli.ok(&["connections", "fields", "sn"], "").stdout;
    assert!(
        listed.contains("Payments SRE") && listed.contains(&group_id),
        "{listed}"
    );
    assert!(
        listed.contains("category") && listed.contains("software"),
        "{listed}"
    );

    // Dry run: the exact requests, nothing sent or journaled.
    let planned = cli.json(&[
        "incident",
        "file",
        &id,
        "--to",
        "sn",
        "--dry-run",
        "--field",
        "caller_id=Ana Lima",
        "--field",
        "short_description=[{severity}] {title}",
    ]);
    assert_eq!(fake.create_requests(), 0, "a dry run sends no create");
    assert_eq!(outbox_len(&cli), 0, "a dry run journals nothing");
    let planned = planned.as_array().unwrap();
    let post = planned.iter().find(|r| r["method"] == "POST").unwrap();
    assert!(post["url"].as_str().unwrap().ends_with("/api/now/table/incident?sysparm_display_value=true&sysparm_exclude_reference_link=true"), "{post}");
    let dry_body = post["body"].as_str().unwrap().to_owned();
    let text = cli.ok(
        &[
            "incident",
            "file",
            &id,
            "--to",
            "sn",
            "--dry-run",
            "--field",
            "caller_id=Ana Lima",
            "--field",
            "short_description=[{severity}] {title}",
        ],
        "",
    );
    assert!(text.stdout.contains(&dry_body), "{}", text.stdout);
    assert!(
        !text.stdout.to_ascii_lowercase().contains("authorization"),
        "{}",
        text.stdout
    );

    // The real run sends exactly that body, and the instance accepts it.
    cli.ok(
        &[
            "incident",
            "file",
            &id,
            "--to",
            "sn",
            "--field",
            "caller_id=Ana Lima",
            "--field",
            "short_description=[{severity}] {title}",
        ],
        "",
    );
    let sent = create_bodies(&fake, "/api/now/table/incident");
    assert_eq!(sent, vec![dry_body.clone()]);
    let body: Value = serde_json::from_str(&dry_body).unwrap();
    assert_eq!(body["assignment_group"], group_id.as_str());
    assert_eq!(body["category"], "software");
    assert_eq!(body["short_description"], "[P1] Checkout down");
    assert_eq!(body["caller_id"].as_str().unwrap().len(), 32);
    assert_eq!(body["correlation_id"], id.as_str());
    assert_eq!(fake.records(&id), 1);

    // Removing a default.
    let after = cli.json(&["connections", "fields", "sn", "--unset", "category"]);
    assert_eq!(after["defaults"].as_array().unwrap().len(), 1, "{after}");
}

#[test]
fn azure_devops_required_custom_field_names_its_allowed_values_and_identities_resolve() {
    let fake = FakeServices::start();
    fake.customise(Customisation::customised());
    let cli = Cli::new();
    add_ado(&cli, &fake);
    let id = create_incident(&cli);

    let refused = cli.run(&["incident", "file", &id, "--to", "ado"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("Custom.ServiceArea"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("Checkout, Payments, Search"),
        "{}",
        refused.stderr
    );
    assert_eq!(fake.create_requests(), 0);
    assert_eq!(outbox_len(&cli), 0);

    let ambiguous = cli.run(&[
        "incident",
        "file",
        &id,
        "--to",
        "ado",
        "--field",
        "Custom.ServiceArea=Checkout",
        "--field",
        "System.AssignedTo=Sam Park",
    ]);
    assert_eq!(ambiguous.code, 2, "{}", ambiguous.stderr);
    assert!(
        ambiguous.stderr.contains("ambiguous"),
        "{}",
        ambiguous.stderr
    );
    assert!(
        ambiguous.stderr.contains("sam.p@fake.example"),
        "{}",
        ambiguous.stderr
    );

    cli.ok(
        &[
            "connections",
            "fields",
            "ado",
            "--set",
            "Custom.ServiceArea=Checkout",
            "--set",
            "System.AssignedTo=Ana Lima",
            "--set",
            "System.Tags=sev-{severity}",
        ],
        "",
    );
    let planned = cli.json(&["incident", "file", &id, "--to", "ado", "--dry-run"]);
    let post = planned
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["url"].as_str().unwrap().contains("/workitems/$Bug"))
        .cloned()
        .unwrap();
    let dry_body = post["body"].as_str().unwrap().to_owned();
    assert_eq!(fake.create_requests(), 0);

    cli.ok(&["incident", "file", &id, "--to", "ado"], "");
    assert_eq!(create_bodies(&fake, "Bug"), vec![dry_body.clone()]);
    let ops: Value = serde_json::from_str(&dry_body).unwrap();
    let value = |field: &str| {
        ops.as_array()
            .unwrap()
            .iter()
            .find(|o| o["path"] == format!("/fields/{field}"))
            .map(|o| o["value"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(value("Custom.ServiceArea"), "Checkout");
    assert_eq!(value("System.AssignedTo"), "Ana Lima <ana@fake.example>");
    assert_eq!(
        value("System.Tags"),
        format!("Incident Bridge; ibridge-{id}; sev-P1").as_str()
    );
    assert_eq!(fake.records(&id), 1);
}

#[test]
fn an_update_dry_run_prints_the_patch_and_sends_nothing() {
    let fake = FakeServices::start();
    let cli = Cli::new();
    add_servicenow(&cli, &fake);
    add_ado(&cli, &fake);
    let sys_id = "0123456789abcdef0123456789abcdef";
    let sn = cli.json(&[
        "servicenow",
        "update",
        "sn",
        sys_id,
        "--field",
        "state=2",
        "--dry-run",
    ]);
    assert_eq!(sn[0]["method"], "PATCH");
    assert!(sn[0]["url"]
        .as_str()
        .unwrap()
        .contains(&format!("/api/now/table/incident/{sys_id}")));
    assert_eq!(sn[0]["body"], r#"{"state":"2"}"#);
    let ado = cli.json(&[
        "ado",
        "update",
        "ado",
        "42",
        "--field",
        "System.State=Resolved",
        "--dry-run",
    ]);
    assert_eq!(ado[0]["method"], "PATCH");
    assert_eq!(
        ado[0]["body"],
        r#"[{"op":"add","path":"/fields/System.State","value":"Resolved"}]"#
    );
    assert!(
        fake.received().iter().all(|r| r.method == "GET"),
        "{:?}",
        fake.received()
    );
    assert_eq!(outbox_len(&cli), 0);
}
