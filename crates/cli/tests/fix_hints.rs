//! The CLI renders each suggested action of a core error as the command to
//! run, with the real names, on the error's one line; a rendered command
//! runs as printed.

mod common;

use common::{Cli, Run};

/// The command between the last pair of backticks on stderr.
fn suggested(run: &Run) -> String {
    let line = run.stderr.lines().find(|l| l.starts_with("error:"));
    let line = line.unwrap_or_else(|| panic!("no error line: {}", run.stderr));
    let mut parts = line.rsplit('`');
    parts.next();
    parts.next().unwrap_or_default().to_owned()
}

/// The words of a suggested command after `ibridge`, with the placeholder
/// filled in (the names in these tests need no shell quoting), without the
/// `--data-dir` the test harness adds to every run again.
fn words(command: &str, placeholder: &str, value: &str) -> Vec<String> {
    let rest = command
        .strip_prefix("ibridge ")
        .unwrap_or_else(|| panic!("not an ibridge command: {command}"));
    let mut words: Vec<String> = rest
        .split(' ')
        .map(|w| if w == placeholder { value } else { w }.to_owned())
        .collect();
    if words.first().map(String::as_str) == Some("--data-dir") {
        words.drain(..2);
    }
    words
}

fn add_wiki(cli: &Cli, url: &str) {
    cli.ok(
        &[
            "connections",
            "add",
            "confluence",
            "--name",
            "wiki",
            "--url",
            url,
            "--auth",
            "api_token",
            "--username",
            "ana@acme.example",
            "--secret-stdin",
        ],
        "atl-token\n",
    );
}

fn new_rca(cli: &Cli) -> String {
    cli.json(&["doc", "new", "--kind", "rca", "--title", "RCA: checkout"])["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_missing_space_prints_the_same_command_with_it_and_that_command_works() {
    let mut server = mockito::Server::new();
    let cli = Cli::new();
    add_wiki(&cli, &format!("{}/wiki", server.url()));
    let doc = new_rca(&cli);
    let run = cli.run(&["doc", "publish", &doc, "--to", "wiki"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let command = suggested(&run);
    assert!(
        command.ends_with(&format!("doc publish {doc} --to wiki --space KEY")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("pass --space"), "{}", run.stderr);

    let created = server
        .mock("POST", "/wiki/rest/api/content")
        .match_body(mockito::Matcher::PartialJsonString(
            r#"{"space":{"key":"OPS"}}"#.into(),
        ))
        .with_body(
            r#"{"id":"555","type":"page","title":"RCA: checkout","space":{"key":"OPS"},"version":{"number":1},"_links":{"base":"https://acme.atlassian.net/wiki","webui":"/spaces/OPS/pages/555"}}"#,
        )
        .expect(1)
        .create();
    let again = words(&command, "KEY", "OPS");
    let args: Vec<&str> = again.iter().map(String::as_str).collect();
    let published = cli.run(&args);
    assert_eq!(published.code, 0, "{}", published.stderr);
    created.assert();
}

#[test]
fn a_missing_image_prints_the_attach_command() {
    let cli = Cli::new();
    add_wiki(&cli, "https://acme.atlassian.invalid/wiki");
    let doc = new_rca(&cli);
    let file = cli.data_dir().join("edit.md");
    std::fs::write(&file, "# RCA\n\n![graph](<graph 1.png>)\n").unwrap();
    cli.ok(&["doc", "edit", &doc, "--file", file.to_str().unwrap()], "");
    let run = cli.run(&["doc", "publish", &doc, "--to", "wiki", "--space", "OPS"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        suggested(&run),
        format!("ibridge doc attach {doc} FILE --name 'graph 1.png'"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_file_without_a_title_prints_the_import_with_one() {
    let cli = Cli::new();
    let file = cli.data_dir().join("notes.md");
    std::fs::write(&file, "no heading\n").unwrap();
    let run = cli.run(&["doc", "import", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        suggested(&run).ends_with(&format!(
            "doc import {} --title TITLE",
            file.to_str().unwrap()
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_secret_prints_the_add_with_stdin() {
    let cli = Cli::new();
    let run = cli.run(&[
        "connections",
        "add",
        "servicenow",
        "--name",
        "my sn",
        "--url",
        "https://acme.service-now.invalid",
        "--auth",
        "basic",
        "--username",
        "svc",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        suggested(&run).ends_with(
            "connections add servicenow --name 'my sn' --url https://acme.service-now.invalid --auth basic --username svc --secret-stdin"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_connection_missing_its_project_says_how_to_add_it_again() {
    let cli = Cli::new();
    cli.ok(
        &[
            "connections",
            "add",
            "azure_devops",
            "--name",
            "team ado",
            "--url",
            "https://dev.azure.com/acme",
            "--project",
            "Ops",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        "pat\n",
    );
    rusqlite::Connection::open(cli.db_path())
        .unwrap()
        .execute(
            "UPDATE integration_config SET provider_config = json_remove(provider_config, '$.project')",
            [],
        )
        .unwrap();
    let run = cli.run(&[
        "ado",
        "update",
        "team ado",
        "7",
        "--field",
        "System.Title=x",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "remove the connection and add it again with --project PROJECT: `ibridge connections remove 'team ado'`"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unreadable_entry_prints_the_discard_command() {
    let cli = Cli::new();
    add_wiki(&cli, "https://acme.atlassian.invalid/wiki");
    let db = rusqlite::Connection::open(cli.db_path()).unwrap();
    db.execute(
        "INSERT INTO outbox (id, idempotency_key, connection_id, operation, subject_id, payload, state, created_at, updated_at)
         SELECT 'e-unknown', 'k', id, 'confluence.teleport', 's', '{}', 'pending', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' FROM integration_config",
        [],
    )
    .unwrap();
    let run = cli.run(&["outbox", "retry", "e-unknown"]);
    assert_eq!(
        run.code, 1,
        "a local failure, not bad input: {}",
        run.stderr
    );
    assert_eq!(suggested(&run), "ibridge outbox discard e-unknown");
    let discard = words(&suggested(&run), "", "");
    let args: Vec<&str> = discard.iter().map(String::as_str).collect();
    cli.ok(&args, "");
    assert_eq!(cli.json(&["outbox", "list"]), serde_json::json!([]));
}
