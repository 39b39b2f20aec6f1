//! Work items filed from incidents through the real CLI, against a mock
//! organisation (mockito): one work item per incident however often the
//! filing is repeated; search, get, update and the connection test.

mod common;

use base64::Engine;
use common::Cli;
use mockito::Matcher;
use serde_json::json;

const PAT: &str = "ado-cli-pat-42";

fn basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(":{PAT}"))
    )
}

fn add_ado(cli: &Cli, server: &mockito::Server) {
    let url = format!("{}/acme", server.url());
    cli.ok(
        &[
            "connections",
            "add",
            "azure_devops",
            "--name",
            "ado",
            "--url",
            &url,
            "--project",
            "Ops",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        &format!("{PAT}\n"),
    );
}

fn create_incident(cli: &Cli) -> String {
    let out = cli.ok(
        &[
            "--json",
            "incident",
            "create",
            "--title",
            "Checkout down",
            "--severity",
            "P2",
            "--description",
            "Errors on **pay**",
        ],
        "",
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v["incident"]["id"].as_str().unwrap().to_owned()
}

fn work_item(id: u64) -> String {
    format!(
        r#"{{"id":{id},"rev":1,"fields":{{"System.Title":"Checkout down","System.State":"New","System.WorkItemType":"Bug","Microsoft.VSTS.Common.Priority":2}},"_links":{{"html":{{"href":"https://dev.azure.com/acme/web/wi.aspx?id={id}"}}}}}}"#
    )
}

fn tag_query(id: &str) -> String {
    format!(
        "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.Tags] CONTAINS 'ibridge-{id}' ORDER BY [System.Id]"
    )
}

#[test]
fn filing_creates_one_work_item_however_often_it_is_repeated() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_ado(&cli, &server);
    let id = create_incident(&cli);
    let lookup = server
        .mock("POST", "/acme/Ops/_apis/wit/wiql")
        .match_header("authorization", basic().as_str())
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("api-version".into(), "7.1".into()),
            Matcher::UrlEncoded("$top".into(), "1".into()),
        ]))
        .match_body(Matcher::Json(json!({ "query": tag_query(&id) })))
        .with_body(r#"{"workItems":[]}"#)
        .expect(1)
        .create();
    let create = server
        .mock("POST", "/acme/Ops/_apis/wit/workitems/$Bug")
        .match_header("authorization", basic().as_str())
        .match_header("content-type", "application/json-patch+json")
        .match_query(Matcher::UrlEncoded("api-version".into(), "7.1".into()))
        .match_body(Matcher::Json(json!([
            {"op": "add", "path": "/fields/System.Title", "value": "Checkout down"},
            {"op": "add", "path": "/fields/System.Description", "value": "<p>Errors on <strong>pay</strong></p>\n"},
            {"op": "add", "path": "/fields/Microsoft.VSTS.Common.Severity", "value": "2 - High"},
            {"op": "add", "path": "/fields/Microsoft.VSTS.Common.Priority", "value": 2},
            {"op": "add", "path": "/fields/System.Tags", "value": format!("Incident Bridge; ibridge-{id}")},
        ])))
        .with_body(work_item(314))
        .expect(1)
        .create();
    let first = cli.ok(
        &[
            "--json", "incident", "file", &id, "--to", "ado", "--type", "bug",
        ],
        "",
    );
    let filed: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(filed["created"], true);
    assert_eq!(filed["link"]["external_id"], "314");
    assert_eq!(
        filed["link"]["url"],
        "https://dev.azure.com/acme/web/wi.aspx?id=314"
    );
    for _ in 0..3 {
        let again: serde_json::Value = cli.json(&["incident", "file", &id, "--to", "ado"]);
        assert_eq!(again["created"], false);
        assert_eq!(again["link"]["external_id"], "314");
    }
    lookup.assert();
    create.assert();

    // The local link lost (e.g. a restore from backup): the tag finds the
    // work item; still no second create.
    rusqlite::Connection::open(cli.db_path())
        .unwrap()
        .execute("DELETE FROM external_links", [])
        .unwrap();
    server.reset();
    let found = server
        .mock("POST", "/acme/Ops/_apis/wit/wiql")
        .match_query(Matcher::Any)
        .with_body(r#"{"workItems":[{"id":314,"url":"x"}]}"#)
        .expect(1)
        .create();
    let get = server
        .mock("GET", "/acme/Ops/_apis/wit/workitems/314")
        .match_query(Matcher::Any)
        .with_body(work_item(314))
        .expect(1)
        .create();
    let no_create = server
        .mock("POST", "/acme/Ops/_apis/wit/workitems/$Bug")
        .match_query(Matcher::Any)
        .expect(0)
        .create();
    let again: serde_json::Value = cli.json(&["incident", "file", &id, "--to", "ado"]);
    assert_eq!(again["created"], false);
    assert_eq!(again["link"]["external_id"], "314");
    found.assert();
    get.assert();
    no_create.assert();
}

#[test]
fn a_missing_type_lists_the_project_types() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_ado(&cli, &server);
    let id = create_incident(&cli);
    server
        .mock("POST", "/acme/Ops/_apis/wit/wiql")
        .match_query(Matcher::Any)
        .with_body(r#"{"workItems":[]}"#)
        .create();
    server
        .mock("POST", "/acme/Ops/_apis/wit/workitems/$Incident")
        .match_query(Matcher::Any)
        .with_status(404)
        .with_body(
            r#"{"message":"VS402323: Work item type Incident does not exist in project Ops."}"#,
        )
        .create();
    server
        .mock("GET", "/acme/Ops/_apis/wit/workitemtypes")
        .match_query(Matcher::Any)
        .with_body(r#"{"count":2,"value":[{"name":"Bug"},{"name":"Task"}]}"#)
        .create();
    let run = cli.run(&["incident", "file", &id, "--to", "ado", "--type", "Incident"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("invalid type") && run.stderr.contains("it has: Bug, Task"),
        "{}",
        run.stderr
    );
}

#[test]
fn search_get_update_and_test_through_the_cli() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_ado(&cli, &server);
    server
        .mock("POST", "/acme/Ops/_apis/wit/wiql")
        .match_query(Matcher::UrlEncoded("$top".into(), "5".into()))
        .match_body(Matcher::Regex("CONTAINS 'O''Brien''s disk'".into()))
        .with_body(r#"{"workItems":[{"id":314,"url":"x"}]}"#)
        .expect(1)
        .create();
    server
        .mock("GET", "/acme/Ops/_apis/wit/workitems")
        .match_query(Matcher::UrlEncoded("ids".into(), "314".into()))
        .with_body(format!(r#"{{"count":1,"value":[{}]}}"#, work_item(314)))
        .expect(1)
        .create();
    let found = cli
        .ok(
            &["ado", "search", "ado", "O'Brien's disk", "--top", "5"],
            "",
        )
        .stdout;
    assert!(
        found.contains("314") && found.contains("Checkout down"),
        "{found}"
    );

    server
        .mock("GET", "/acme/Ops/_apis/wit/workitems/314")
        .match_query(Matcher::Any)
        .with_body(work_item(314))
        .create();
    let got = cli.ok(&["ado", "get", "ado", "314"], "").stdout;
    assert!(
        got.contains("https://dev.azure.com/acme/web/wi.aspx?id=314"),
        "{got}"
    );

    let update = server
        .mock("PATCH", "/acme/Ops/_apis/wit/workitems/314")
        .match_query(Matcher::Any)
        .match_header("content-type", "application/json-patch+json")
        .match_body(Matcher::Json(
            json!([{"op": "add", "path": "/fields/System.State", "value": "Active"}]),
        ))
        .with_body(work_item(314))
        .expect(1)
        .create();
    cli.ok(
        &[
            "ado",
            "update",
            "ado",
            "314",
            "--field",
            "System.State=Active",
        ],
        "",
    );
    update.assert();

    server
        .mock("GET", "/acme/_apis/connectionData")
        .match_header("authorization", basic().as_str())
        .with_body(r#"{"authenticatedUser":{"providerDisplayName":"Jane Doe"}}"#)
        .create();
    server
        .mock("GET", "/acme/_apis/projects/Ops")
        .match_query(Matcher::Any)
        .with_body(r#"{"id":"p1","name":"Ops"}"#)
        .create();
    let tested = cli.ok(&["connections", "test", "ado"], "").stdout;
    assert!(
        tested.contains("as Jane Doe") && tested.contains("project 'Ops'"),
        "{tested}"
    );
}

#[test]
fn bad_azure_devops_input_exits_2_naming_the_field() {
    let server = mockito::Server::new();
    let cli = Cli::new();
    add_ado(&cli, &server);
    let id = create_incident(&cli);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["incident", "file", &id, "--to", "ado", "--type", "Epic"],
            "type",
        ),
        (vec!["ado", "get", "ado", "abc"], "id"),
        (vec!["ado", "get", "ado", "0"], "id"),
        (vec!["ado", "search", "ado", " "], "query"),
        (vec!["ado", "search", "ado", "x", "--top", "0"], "--top"),
        (
            vec!["ado", "update", "ado", "1", "--field", "State=Active"],
            "field",
        ),
        (
            vec!["ado", "update", "ado", "1", "--field", "System.State"],
            "field",
        ),
        (vec!["ado", "update", "ado", "1"], "--field"),
        (
            vec![
                "connections",
                "add",
                "azure_devops",
                "--name",
                "x",
                "--url",
                "https://dev.azure.com/",
                "--project",
                "p",
                "--auth",
                "pat",
                "--secret-stdin",
            ],
            "url",
        ),
    ];
    for (args, field) in &cases {
        let run = cli.run_with_stdin(args, "pat\n");
        assert_eq!(run.code, 2, "{args:?} exited {}: {}", run.code, run.stderr);
        assert!(
            run.stderr.contains(field),
            "{args:?}: stderr does not name '{field}': {}",
            run.stderr
        );
    }
}

/// Mocks a lookup that finds nothing and a create answered with `status`
/// and an Azure DevOps error `message`, sent exactly once.
fn refusing_create(
    server: &mut mockito::Server,
    id: &str,
    status: usize,
    message: &str,
) -> mockito::Mock {
    server
        .mock("POST", "/acme/Ops/_apis/wit/wiql")
        .match_query(Matcher::Any)
        .with_body(r#"{"workItems":[]}"#)
        .create();
    server
        .mock("POST", "/acme/Ops/_apis/wit/workitems/$Bug")
        .match_header("authorization", basic().as_str())
        .match_query(Matcher::UrlEncoded("api-version".into(), "7.1".into()))
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex("/fields/System.Title".into()),
            Matcher::Regex(format!("ibridge-{id}")),
        ]))
        .with_status(status)
        .with_body(
            json!({"$id": "1", "innerException": null, "message": message, "typeKey": "RuleValidationException", "errorCode": 600171, "eventId": 3200})
                .to_string(),
        )
        .expect(1)
        .create()
}

#[test]
fn a_rule_error_exits_2_naming_the_field_and_leaves_the_connection_alone() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_ado(&cli, &server);
    let id = create_incident(&cli);
    let before: serde_json::Value = cli.json(&["connections", "show", "ado"]);
    let create = refusing_create(
        &mut server,
        &id,
        400,
        "TF401320: Rule Error for field Assigned To. Error code: Required, HasValues, LimitedToValues, AllowsOldValue, InvalidEmpty.",
    );
    let run = cli.run(&["incident", "file", &id, "--to", "ado", "--type", "bug"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Azure DevOps refused the data (field 'Assigned To')")
            && run.stderr.contains("TF401320"),
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
            .contains("field 'Assigned To'"),
        "{}",
        outbox[0]
    );
    let after: serde_json::Value = cli.json(&["connections", "show", "ado"]);
    assert_eq!(after["status"], before["status"]);
    assert_eq!(after["status_detail"], before["status_detail"]);
}

#[test]
fn a_missing_permission_exits_4_naming_the_permission() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_ado(&cli, &server);
    let id = create_incident(&cli);
    let create = refusing_create(
        &mut server,
        &id,
        403,
        "TF237111: The current user does not have permissions to save work items under the specified area path.",
    );
    let run = cli.run(&["incident", "file", &id, "--to", "ado", "--type", "bug"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Azure DevOps denied the permission (HTTP 403)")
            && run.stderr.contains(
                "does not have permissions to save work items under the specified area path"
            ),
        "{}",
        run.stderr
    );
    create.assert();
    let outbox: serde_json::Value = cli.json(&["outbox", "list"]);
    assert_eq!(outbox[0]["state"], "failed");
}
