//! RCAs published to a mock Confluence (mockito) through the real CLI:
//! exactly one request for a create, two for an update; conflicts exit 5.

mod common;

use base64::Engine;
use common::Cli;
use mockito::Matcher;
use serde_json::json;

fn basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("ana@acme.example:atl-token")
    )
}

fn add_cloud(cli: &Cli, server: &mockito::Server, extra: &[&str]) {
    // Pasted as a page URL: the site's /wiki is what is stored.
    let url = format!("{}/wiki/spaces/OPS/pages/1/Home", server.url());
    let mut args = vec![
        "connections",
        "add",
        "confluence",
        "--name",
        "wiki",
        "--url",
        url.as_str(),
        "--auth",
        "api_token",
        "--username",
        "ana@acme.example",
        "--secret-stdin",
    ];
    args.extend_from_slice(extra);
    cli.ok(&args, "atl-token\n");
}

fn new_rca(cli: &Cli) -> String {
    let out = cli.ok(
        &[
            "--json",
            "doc",
            "new",
            "--kind",
            "rca",
            "--title",
            "RCA: checkout",
        ],
        "",
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v["id"].as_str().unwrap().to_owned()
}

/// Replaces the document's Markdown, so the next publish has a change.
fn edit(cli: &Cli, doc: &str, markdown: &str) {
    let file = cli.data_dir().join("edit.md");
    std::fs::write(&file, markdown).unwrap();
    cli.ok(&["doc", "edit", doc, "--file", file.to_str().unwrap()], "");
}

fn page_json(id: &str, version: i64) -> String {
    format!(
        r#"{{"id":"{id}","type":"page","title":"RCA: checkout","space":{{"key":"OPS"}},"version":{{"number":{version}}},"_links":{{"base":"https://acme.atlassian.net/wiki","webui":"/spaces/OPS/pages/{id}/RCA+checkout"}}}}"#
    )
}

/// Catches any request other than the ones mocked before it; `assert`
/// fails the test if one arrived.
struct NothingElse(Vec<mockito::Mock>);

impl NothingElse {
    fn assert(&self) {
        for m in &self.0 {
            m.assert();
        }
    }
}

fn nothing_else(server: &mut mockito::Server) -> NothingElse {
    NothingElse(
        ["GET", "POST", "PUT", "PATCH", "DELETE"]
            .into_iter()
            .map(|method| {
                server
                    .mock(method, Matcher::Any)
                    .match_query(Matcher::Any)
                    .expect(0)
                    .create()
            })
            .collect(),
    )
}

#[test]
fn publish_creates_with_one_request_then_updates_with_two() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_cloud(&cli, &server, &["--space", "OPS"]);
    let doc = new_rca(&cli);
    let storage = cli.ok(&["doc", "render", &doc], "").stdout;
    let create = server
        .mock("POST", "/wiki/rest/api/content")
        .match_header("authorization", basic().as_str())
        .match_body(Matcher::Json(json!({
            "type": "page",
            "title": "RCA: checkout",
            "space": {"key": "OPS"},
            "ancestors": [{"id": "4242"}],
            "body": {"storage": {"value": storage.trim_end_matches('\n'), "representation": "storage"}},
            "metadata": {"properties": {"incident-bridge": {"key": "incident-bridge", "value": {"key": doc}}}},
        })))
        .with_body(page_json("555", 1))
        .expect(1)
        .create();
    let guard = nothing_else(&mut server);
    let first = cli.ok(
        &[
            "--json", "doc", "publish", &doc, "--to", "wiki", "--parent", "4242",
        ],
        "",
    );
    let first: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(first["created"], true);
    assert_eq!(
        first["page"]["url"],
        "https://acme.atlassian.net/wiki/spaces/OPS/pages/555/RCA+checkout"
    );
    assert_eq!(first["page"]["version"], 1);
    create.assert();
    guard.assert();

    // Edit the Markdown, publish again: read the version, write version 2.
    server.reset();
    let file = cli.data_dir().join("edited.md");
    std::fs::write(&file, "# RCA: checkout\n\nRoot cause: empty `POOL_SIZE`.\n").unwrap();
    cli.ok(&["doc", "edit", &doc, "--file", file.to_str().unwrap()], "");
    let read = server
        .mock("GET", "/wiki/rest/api/content/555")
        .match_query(Matcher::UrlEncoded("expand".into(), "version,space".into()))
        .with_body(page_json("555", 1))
        .expect(1)
        .create();
    let write = server
        .mock("PUT", "/wiki/rest/api/content/555")
        .match_body(Matcher::Json(json!({
            "id": "555",
            "type": "page",
            "title": "RCA: checkout",
            "version": {"number": 2},
            "body": {"storage": {"value": "<h1>RCA: checkout</h1><p>Root cause: empty <code>POOL_SIZE</code>.</p>", "representation": "storage"}},
        })))
        .with_body(page_json("555", 2))
        .expect(1)
        .create();
    let guard = nothing_else(&mut server);
    let second = cli.ok(&["--json", "doc", "publish", &doc, "--to", "wiki"], "");
    let second: serde_json::Value = serde_json::from_str(&second.stdout).unwrap();
    assert_eq!(second["created"], false);
    assert_eq!(second["page"]["version"], 2);
    read.assert();
    write.assert();
    guard.assert();
    let shown = cli.ok(&["doc", "show", &doc], "").stdout;
    assert!(shown.contains("page 555 version 2"), "{shown}");
}

#[test]
fn edits_made_in_confluence_are_not_overwritten_without_force() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_cloud(&cli, &server, &[]);
    let doc = new_rca(&cli);
    server
        .mock("POST", "/wiki/rest/api/content")
        .with_body(page_json("555", 1))
        .create();
    cli.ok(
        &["doc", "publish", &doc, "--to", "wiki", "--space", "OPS"],
        "",
    );
    edit(&cli, &doc, "# RCA: checkout\n\nOur change.\n");
    server.reset();
    // Someone edited the page twice in Confluence.
    server
        .mock("GET", "/wiki/rest/api/content/555")
        .match_query(Matcher::Any)
        .with_body(page_json("555", 3))
        .create();
    let no_put = server
        .mock("PUT", "/wiki/rest/api/content/555")
        .expect(0)
        .create();
    let run = cli.run(&["doc", "publish", &doc, "--to", "wiki"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr.contains("version 3 there, 1 here") && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "to replace those edits, run `ibridge doc publish {doc} --to wiki --force`"
        )),
        "{}",
        run.stderr
    );
    no_put.assert();

    server.reset();
    server
        .mock("GET", "/wiki/rest/api/content/555")
        .match_query(Matcher::Any)
        .with_body(page_json("555", 3))
        .create();
    let put = server
        .mock("PUT", "/wiki/rest/api/content/555")
        .match_body(Matcher::PartialJson(json!({"version": {"number": 4}})))
        .with_body(page_json("555", 4))
        .expect(1)
        .create();
    cli.ok(&["doc", "publish", &doc, "--to", "wiki", "--force"], "");
    put.assert();
}

#[test]
fn a_409_while_writing_reports_both_versions() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_cloud(&cli, &server, &["--space", "OPS"]);
    let doc = new_rca(&cli);
    server
        .mock("POST", "/wiki/rest/api/content")
        .with_body(page_json("555", 1))
        .create();
    cli.ok(&["doc", "publish", &doc, "--to", "wiki"], "");
    edit(&cli, &doc, "# RCA: checkout\n\nOur change.\n");
    server.reset();
    let reads = server
        .mock("GET", "/wiki/rest/api/content/555")
        .match_query(Matcher::Any)
        .with_body(page_json("555", 1))
        .expect(1)
        .create();
    server
        .mock("PUT", "/wiki/rest/api/content/555")
        .with_status(409)
        .with_body(r#"{"statusCode":409,"message":"Version must be incremented on update. Current Version is: 2"}"#)
        .create();
    let reread = server
        .mock("GET", "/wiki/rest/api/content/555")
        .match_query(Matcher::Any)
        .with_body(page_json("555", 2))
        .expect(1)
        .create();
    let run = cli.run(&["doc", "publish", &doc, "--to", "wiki"]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Confluence has version 2, this publish would have been version 2"),
        "{}",
        run.stderr
    );
    reads.assert();
    reread.assert();
    let outbox: serde_json::Value = cli.json(&["outbox", "list"]);
    let update = outbox
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == "confluence.update_page")
        .unwrap();
    assert_eq!(update["state"], "failed");
}

#[test]
fn a_lost_create_is_adopted_by_its_key_and_a_stranger_page_is_a_conflict() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_cloud(&cli, &server, &["--space", "OPS"]);
    let doc = new_rca(&cli);
    server
        .mock("POST", "/wiki/rest/api/content")
        .with_status(400)
        .with_body(r#"{"statusCode":400,"message":"A page with this title already exists: A page already exists with the same TITLE in this space"}"#)
        .create();
    let search = server
        .mock("GET", "/wiki/rest/api/content/search")
        .match_query(Matcher::UrlEncoded("cql".into(), r#"type = page AND space = "OPS" AND title = "RCA: checkout""#.into()))
        .with_body(format!(
            r#"{{"results":[{{"id":"555","title":"RCA: checkout","space":{{"key":"OPS"}},"version":{{"number":1}},"metadata":{{"properties":{{"incident-bridge":{{"key":"incident-bridge","value":{{"key":"{doc}"}}}}}}}},"_links":{{"webui":"/spaces/OPS/pages/555"}}}}],"_links":{{"base":"https://acme.atlassian.net/wiki"}}}}"#
        ))
        .expect(1)
        .create();
    server
        .mock("GET", "/wiki/rest/api/content/555")
        .match_query(Matcher::Any)
        .with_body(page_json("555", 1))
        .create();
    let put = server
        .mock("PUT", "/wiki/rest/api/content/555")
        .match_body(Matcher::PartialJson(json!({"version": {"number": 2}})))
        .with_body(page_json("555", 2))
        .expect(1)
        .create();
    let adopted: serde_json::Value = cli.json(&["doc", "publish", &doc, "--to", "wiki"]);
    assert_eq!(adopted["page"]["page_id"], "555");
    assert_eq!(adopted["page"]["version"], 2);
    search.assert();
    put.assert();

    // Another document with a title someone else already uses.
    let other = cli
        .ok(
            &[
                "--json",
                "doc",
                "new",
                "--kind",
                "postmortem",
                "--title",
                "Weekly notes",
            ],
            "",
        )
        .stdout;
    let other: serde_json::Value = serde_json::from_str(&other).unwrap();
    server.reset();
    server
        .mock("POST", "/wiki/rest/api/content")
        .with_status(400)
        .with_body(r#"{"statusCode":400,"message":"A page with this title already exists"}"#)
        .create();
    server
        .mock("GET", "/wiki/rest/api/content/search")
        .match_query(Matcher::Any)
        .with_body(r#"{"results":[{"id":"777","title":"Weekly notes","_links":{"webui":"/spaces/OPS/pages/777"}}],"_links":{"base":"https://acme.atlassian.net/wiki"}}"#)
        .create();
    let run = cli.run(&[
        "doc",
        "publish",
        other["id"].as_str().unwrap(),
        "--to",
        "wiki",
    ]);
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr.contains("already exists in space OPS") && run.stderr.contains("pages/777"),
        "{}",
        run.stderr
    );
}

#[test]
fn spaces_search_and_test_through_the_cli() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_cloud(&cli, &server, &[]);
    server
        .mock("GET", "/wiki/rest/api/space")
        .match_query(Matcher::UrlEncoded("start".into(), "0".into()))
        .with_body(r#"{"results":[{"key":"OPS","name":"Operations","_links":{"webui":"/spaces/OPS"}}],"_links":{"base":"https://acme.atlassian.net/wiki","next":"/rest/api/space?limit=100&start=100"}}"#)
        .create();
    server
        .mock("GET", "/wiki/rest/api/space")
        .match_query(Matcher::UrlEncoded("start".into(), "100".into()))
        .with_body(r#"{"results":[{"key":"SRE","name":"SRE"}],"_links":{"base":"https://acme.atlassian.net/wiki"}}"#)
        .create();
    let spaces = cli.ok(&["confluence", "spaces", "wiki"], "").stdout;
    assert!(spaces.contains("OPS") && spaces.contains("SRE"), "{spaces}");

    server
        .mock("GET", "/wiki/rest/api/content/search")
        .match_query(Matcher::UrlEncoded(
            "cql".into(),
            r#"type = page AND text ~ "pool \"size\"" AND space = "OPS" ORDER BY lastmodified DESC"#.into(),
        ))
        .with_body(r#"{"results":[{"id":"555","title":"RCA: checkout","space":{"key":"OPS"},"_links":{"webui":"/spaces/OPS/pages/555"}}],"_links":{"base":"https://acme.atlassian.net/wiki"}}"#)
        .create();
    let found = cli
        .ok(
            &[
                "confluence",
                "search",
                "wiki",
                "pool \"size\"",
                "--space",
                "OPS",
            ],
            "",
        )
        .stdout;
    assert!(
        found.contains("https://acme.atlassian.net/wiki/spaces/OPS/pages/555"),
        "{found}"
    );

    server
        .mock("GET", "/wiki/rest/api/user/current")
        .match_header("authorization", basic().as_str())
        .with_body(r#"{"displayName":"Ana","email":"ana@acme.example"}"#)
        .create();
    let tested = cli.ok(&["connections", "test", "wiki"], "").stdout;
    assert!(tested.contains("as Ana (ana@acme.example)"), "{tested}");
}

#[test]
fn bad_document_input_exits_2_naming_the_field() {
    let server = mockito::Server::new();
    let cli = Cli::new();
    add_cloud(&cli, &server, &[]);
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
            "u",
            "--secret-stdin",
        ],
        "pw\n",
    );
    let doc = new_rca(&cli);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["doc", "new", "--kind", "memo", "--title", "x"], "kind"),
        (vec!["doc", "new", "--kind", "rca", "--title", ""], "title"),
        (
            vec![
                "doc",
                "new",
                "--kind",
                "rca",
                "--title",
                "x",
                "--incident",
                "nope-nope-nope",
            ],
            "incident",
        ),
        (
            vec!["doc", "import", "/nonexistent.md", "--title", "x"],
            "file",
        ),
        (vec!["doc", "publish", &doc, "--to", "wiki"], "space"),
        (
            vec!["doc", "publish", &doc, "--to", "wiki", "--space", "O PS"],
            "space",
        ),
        (
            vec![
                "doc", "publish", &doc, "--to", "wiki", "--space", "OPS", "--parent", "abc",
            ],
            "parent",
        ),
        (
            vec!["doc", "publish", &doc, "--to", "sn", "--space", "OPS"],
            "to",
        ),
        (
            vec!["confluence", "search", "wiki", "x", "--space", "a b"],
            "space",
        ),
        (vec!["confluence", "search", "wiki", " "], "query"),
        (
            vec![
                "connections",
                "add",
                "confluence",
                "--name",
                "x",
                "--url",
                "https://a.example",
                "--auth",
                "pat",
                "--space",
                "no spaces",
                "--secret-stdin",
            ],
            "space",
        ),
    ];
    for (args, field) in &cases {
        let run = cli.run_with_stdin(args, "t\n");
        let expected = if *field == "incident" { 3 } else { 2 };
        assert_eq!(
            run.code, expected,
            "{args:?} exited {}: {}",
            run.code, run.stderr
        );
        assert!(
            run.stderr.contains(field),
            "{args:?}: stderr does not name '{field}': {}",
            run.stderr
        );
    }
}
