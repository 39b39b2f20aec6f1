//! `doc actions`: an RCA's action items filed as work items or tasks, each
//! once (also across a SIGKILL in the middle of a run), linked to the
//! incident's record, and shown with their state on the next publish —
//! against the real CLI process and the stateful fake (`ibridge-testkit`).

mod common;

use std::time::Duration;

use common::Cli;
use ibridge_testkit::{CreateMode, Customisation, FakeServices};
use serde_json::Value;

const RCA: &str = "# RCA: queue stall\n\n## Summary\n\nThe consumer pool stalled.\n\n## Action items\n\n- [ ] Add alert on queue depth — @alice, due 2026-12-20\n- [ ] Runbook for the failover - @bob\n- [ ] Load test the consumer pool, @carol due: 2027-01-05\n- [ ] Review the retry budget (@dave, due 2026-12-31)\n\n## Lessons\n\n- [ ] not an action item — @zed\n";

const TITLES: [&str; 4] = [
    "Add alert on queue depth",
    "Runbook for the failover",
    "Load test the consumer pool",
    "Review the retry budget",
];

fn setup(fake: &FakeServices) -> Cli {
    let cli = Cli::new();
    let url = fake.url();
    cli.ok(
        &[
            "connections",
            "add",
            "servicenow",
            "--name",
            "sn",
            "--url",
            &url,
            "--auth",
            "basic",
            "--username",
            "svc",
            "--secret-stdin",
        ],
        "pw\n",
    );
    cli.ok(
        &[
            "connections",
            "add",
            "azure_devops",
            "--name",
            "ado",
            "--url",
            &format!("{url}/acme"),
            "--project",
            "Ops",
            "--auth",
            "pat",
            "--secret-stdin",
        ],
        "pat\n",
    );
    cli.ok(
        &[
            "connections",
            "add",
            "confluence",
            "--name",
            "wiki",
            "--url",
            &url,
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

/// An incident filed on `filed_on`, and an RCA about it holding [`RCA`]:
/// (incident id, document id).
fn rca(cli: &Cli, filed_on: &str, markdown: &str) -> (String, String) {
    let incident: Value = cli.json(&[
        "incident",
        "create",
        "--title",
        "Queue stall",
        "--severity",
        "P2",
    ]);
    let incident = incident["incident"]["id"].as_str().unwrap().to_owned();
    cli.ok(&["incident", "file", &incident, "--to", filed_on], "");
    let doc: Value = cli.json(&[
        "doc",
        "new",
        "--kind",
        "rca",
        "--title",
        "RCA: queue stall",
        "--incident",
        &incident,
    ]);
    let doc = doc["id"].as_str().unwrap().to_owned();
    let file = cli.data_dir().join("rca.md");
    std::fs::write(&file, markdown).unwrap();
    cli.ok(&["doc", "edit", &doc, "--file", file.to_str().unwrap()], "");
    (incident, doc)
}

/// The work items filed for action items, by title.
fn action_work_items(fake: &FakeServices) -> Vec<Value> {
    fake.work_items()
        .into_iter()
        .filter(|w| {
            w["tag"]
                .as_str()
                .unwrap_or_default()
                .starts_with("ibridge-action-")
        })
        .collect()
}

fn outbox_states(cli: &Cli) -> Vec<String> {
    let v: Value = cli.json(&["outbox", "list"]);
    let mut states: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["operation"] == "action_items.file")
        .map(|e| e["state"].as_str().unwrap().to_owned())
        .collect();
    states.sort();
    states
}

fn published_storage(fake: &FakeServices) -> String {
    let pages = fake.pages();
    assert_eq!(pages.len(), 1, "one page");
    pages[0]["storage"].as_str().unwrap().to_owned()
}

/// The storage-format task whose body starts with `title`.
fn task_of<'a>(storage: &'a str, title: &str) -> &'a str {
    let at = storage
        .find(&format!("<ac:task-body>{title}"))
        .unwrap_or_else(|| panic!("no task '{title}' in {storage}"));
    let start = storage[..at].rfind("<ac:task>").unwrap();
    let end = at + storage[at..].find("</ac:task>").unwrap();
    &storage[start..end]
}

#[derive(Clone, Copy, Debug)]
enum Kill {
    /// The third create never reached the service.
    BeforeRequest,
    /// The service stored the third, its answer never came back.
    AfterServerStored,
    /// No kill: the run finished, then everything is run again.
    AfterStoring,
}

fn kill_case(kill: Kill) {
    let fake = FakeServices::start();
    let cli = setup(&fake);
    let (incident, doc) = rca(&cli, "ado", RCA);
    let incident_item = fake
        .work_items()
        .into_iter()
        .find(|w| w["tag"] == format!("ibridge-{incident}"))
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let args = ["doc", "actions", doc.as_str(), "--to", "ado"];
    match kill {
        Kill::BeforeRequest | Kill::AfterServerStored => {
            fake.set_create_mode_after(
                2,
                if matches!(kill, Kill::BeforeRequest) {
                    CreateMode::HangThenDiscard
                } else {
                    CreateMode::StoreThenHang
                },
            );
            let mut child = cli.spawn(&args);
            assert!(
                fake.wait_for_hang(Duration::from_secs(60)),
                "{kill:?}: the third create is held"
            );
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            let stored = 2 + usize::from(matches!(kill, Kill::AfterServerStored));
            assert_eq!(
                action_work_items(&fake).len(),
                stored,
                "{kill:?}: right after the kill"
            );
            assert_eq!(
                outbox_states(&cli),
                vec!["done", "done", "in_flight", "pending"],
                "{kill:?}: every item was journaled before the first was sent"
            );
            fake.set_create_mode(CreateMode::Normal);
            let run = cli.run(&["outbox", "run"]);
            assert_eq!(run.code, 0, "{kill:?}: outbox run: {}", run.stderr);
        }
        Kill::AfterStoring => {
            cli.ok(&args, "");
            cli.ok(&["outbox", "run"], "");
        }
    }
    assert_eq!(outbox_states(&cli), vec!["done"; 4], "{kill:?}");
    let items = action_work_items(&fake);
    assert_eq!(
        items.len(),
        4,
        "{kill:?}: four work items, each created once"
    );
    for title in TITLES {
        let item = items
            .iter()
            .find(|w| w["title"] == title)
            .unwrap_or_else(|| panic!("{kill:?}: no work item '{title}'"));
        assert_eq!(
            fake.records(&item["tag"].as_str().unwrap()["ibridge-".len()..]),
            1
        );
        assert_eq!(item["type"], "Task");
        let relations = item["relations"].as_array().unwrap();
        assert_eq!(relations.len(), 1, "{kill:?}: {item}");
        assert_eq!(relations[0]["rel"], "System.LinkTypes.Related");
        assert_eq!(
            relations[0]["url"],
            format!("{}/acme/_apis/wit/workItems/{incident_item}", fake.url())
        );
    }
    let alert = items.iter().find(|w| w["title"] == TITLES[0]).unwrap();
    assert_eq!(alert["fields"]["System.AssignedTo"], "alice");
    assert_eq!(
        alert["fields"]["Microsoft.VSTS.Scheduling.DueDate"],
        "2026-12-20T00:00:00Z"
    );
    let runbook = items.iter().find(|w| w["title"] == TITLES[1]).unwrap();
    assert_eq!(runbook["fields"]["System.AssignedTo"], "bob");
    assert!(runbook["fields"]
        .get("Microsoft.VSTS.Scheduling.DueDate")
        .is_none());

    // Running it again files nothing and reports where each one is.
    let again: Value = cli.json(&args);
    let again = again.as_array().unwrap();
    assert_eq!(again.len(), 4);
    assert!(again.iter().all(|f| f["created"] == false), "{again:?}");
    assert_eq!(action_work_items(&fake).len(), 4, "{kill:?}: still four");
}

#[test]
fn four_items_file_four_work_items_once_across_a_kill_in_the_middle() {
    for kill in [
        Kill::BeforeRequest,
        Kill::AfterServerStored,
        Kill::AfterStoring,
    ] {
        kill_case(kill);
    }
}

#[test]
fn republishing_shows_each_item_with_its_work_item_and_state_and_ticks_closed_ones() {
    let fake = FakeServices::start();
    let cli = setup(&fake);
    let (_, doc) = rca(&cli, "ado", RCA);
    cli.ok(&["doc", "publish", &doc, "--to", "wiki"], "");
    let first = published_storage(&fake);
    assert!(
        !first.contains("_workitems") && !first.contains("wi.aspx"),
        "{first}"
    );

    let filed: Value = cli.json(&["doc", "actions", &doc, "--to", "ado"]);
    assert_eq!(filed.as_array().unwrap().len(), 4);
    let items = action_work_items(&fake);
    let id_of = |title: &str| {
        items.iter().find(|w| w["title"] == title).unwrap()["id"]
            .as_u64()
            .unwrap()
    };

    cli.ok(&["doc", "publish", &doc, "--to", "wiki"], "");
    let second = published_storage(&fake);
    for title in TITLES {
        let id = id_of(title);
        let task = task_of(&second, title);
        assert!(
            task.contains("<ac:task-status>incomplete</ac:task-status>"),
            "{task}"
        );
        assert!(
            task.contains(&format!(
                "<a href=\"https://dev.azure.com/fake/web/wi.aspx?id={id}\">#{id}</a> (New)"
            )),
            "{task}"
        );
    }
    // Not an action item: untouched.
    let lessons = task_of(&second, "not an action item");
    assert!(!lessons.contains("<a href"), "{lessons}");

    // Closing one work item ticks its box on the next publish.
    fake.set_work_item_state(id_of(TITLES[1]), "Closed");
    fake.set_work_item_state(id_of(TITLES[2]), "Active");
    cli.ok(&["doc", "publish", &doc, "--to", "wiki"], "");
    let third = published_storage(&fake);
    let runbook = task_of(&third, TITLES[1]);
    assert!(
        runbook.contains("<ac:task-status>complete</ac:task-status>"),
        "{runbook}"
    );
    assert!(
        runbook.contains(") (Closed)") || runbook.contains("</a> (Closed)"),
        "{runbook}"
    );
    let load = task_of(&third, TITLES[2]);
    assert!(
        load.contains("<ac:task-status>incomplete</ac:task-status>"),
        "{load}"
    );
    assert!(load.contains("</a> (Active)"), "{load}");

    // The document itself is unchanged: the links live on the page only.
    let shown: Value = cli.json(&["doc", "show", &doc]);
    assert_eq!(shown["markdown"], RCA);
    // Nothing changed at the services: publishing again writes nothing.
    let writes = fake.confluence_writes().len();
    cli.ok(&["doc", "publish", &doc, "--to", "wiki"], "");
    assert_eq!(fake.confluence_writes().len(), writes);
}

#[test]
fn dry_run_prints_the_creates_and_sends_nothing() {
    let fake = FakeServices::start();
    let cli = setup(&fake);
    let (_, doc) = rca(&cli, "ado", RCA);
    let before = fake.create_requests();
    let run = cli.ok(&["doc", "actions", &doc, "--to", "ado", "--dry-run"], "");
    assert_eq!(fake.create_requests(), before, "nothing sent");
    assert!(action_work_items(&fake).is_empty());
    assert!(outbox_states(&cli).is_empty(), "nothing journaled");
    // Each item: the lookup by its tag, then the create.
    assert_eq!(
        run.stdout.matches("/_apis/wit/wiql").count(),
        4,
        "{}",
        run.stdout
    );
    assert_eq!(
        run.stdout.matches("/_apis/wit/workitems/$Task").count(),
        4,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("/acme/Ops/_apis/wit/workitems/$Task?api-version=7.1"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.to_ascii_lowercase().contains("authorization"),
        "{}",
        run.stdout
    );

    // The dry run's bodies are what a real run sends.
    let planned: Value = cli.json(&["doc", "actions", &doc, "--to", "ado", "--dry-run"]);
    cli.ok(&["doc", "actions", &doc, "--to", "ado"], "");
    let creates: Vec<&Value> = planned
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["url"].as_str().unwrap().contains("$Task"))
        .collect();
    assert_eq!(creates.len(), 4);
    for (request, title) in creates.into_iter().zip(TITLES) {
        let ops: Value = serde_json::from_str(request["body"].as_str().unwrap()).unwrap();
        let item = action_work_items(&fake)
            .into_iter()
            .find(|w| w["title"] == title)
            .unwrap();
        for op in ops.as_array().unwrap() {
            match op["path"].as_str().unwrap().strip_prefix("/fields/") {
                Some(field) => assert_eq!(item["fields"][field], op["value"], "{field}"),
                None => assert_eq!(item["relations"][0], op["value"]),
            }
        }
    }
    // Once filed, a dry run has nothing to send.
    let run = cli.ok(&["doc", "actions", &doc, "--to", "ado", "--dry-run"], "");
    assert!(
        run.stdout.contains("nothing would be sent"),
        "{}",
        run.stdout
    );
}

#[test]
fn servicenow_incident_tasks_and_problem_tasks() {
    let fake = FakeServices::start();
    let cli = setup(&fake);
    let (incident, doc) = rca(&cli, "sn", RCA);
    let sys_id = fake
        .servicenow_incidents()
        .into_iter()
        .find(|r| r["correlation_id"] == incident.as_str())
        .unwrap()["sys_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let filed: Value = cli.json(&["doc", "actions", &doc, "--to", "sn"]);
    assert_eq!(filed.as_array().unwrap().len(), 4);
    let tasks = fake.servicenow_tasks();
    assert_eq!(tasks.len(), 4);
    for (task, title) in tasks.iter().zip(TITLES) {
        assert_eq!(task["table"], "incident_task");
        assert_eq!(task["short_description"], title);
        assert_eq!(task["incident"], sys_id.as_str());
        assert_eq!(fake.records(task["correlation_id"].as_str().unwrap()), 1);
    }
    assert_eq!(tasks[0]["assigned_to"], "alice");
    assert_eq!(tasks[0]["due_date"], "2026-12-20 00:00:00");
    assert_eq!(tasks[1]["due_date"], "");
    // Again: nothing new.
    cli.ok(&["doc", "actions", &doc, "--to", "sn"], "");
    assert_eq!(fake.servicenow_tasks().len(), 4);

    let number = tasks[0]["number"].as_str().unwrap().to_owned();
    fake.set_task_state(&number, "3", false);
    cli.ok(&["doc", "publish", &doc, "--to", "wiki"], "");
    let storage = published_storage(&fake);
    let alert = task_of(&storage, TITLES[0]);
    assert!(
        alert.contains("<ac:task-status>complete</ac:task-status>"),
        "{alert}"
    );
    assert!(
        alert.contains(&format!(">{number}</a> (Closed Complete)")),
        "{alert}"
    );
    let runbook = task_of(&storage, TITLES[1]);
    assert!(
        runbook.contains("<ac:task-status>incomplete</ac:task-status>"),
        "{runbook}"
    );
    assert!(runbook.contains("</a> (Open)"), "{runbook}");
}

#[test]
fn bad_action_items_are_refused_before_anything_is_journaled() {
    let fake = FakeServices::start();
    let cli = setup(&fake);
    let bad = RCA.replace("due 2026-12-31", "due 2026-02-30");
    let (_, doc) = rca(&cli, "ado", &bad);
    let run = cli.run(&["doc", "actions", &doc, "--to", "ado"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("action item 4 (line 12)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("'Review the retry budget'"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("'2026-02-30' is not a date"),
        "{}",
        run.stderr
    );
    assert!(outbox_states(&cli).is_empty());

    // ServiceNow tasks belong to the incident's record: not filed there yet.
    let (_, doc) = rca(&cli, "ado", RCA);
    let run = cli.run(&["doc", "actions", &doc, "--to", "sn"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not filed on 'sn'"), "{}", run.stderr);
    let run = cli.run(&["doc", "actions", &doc, "--to", "wiki"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(outbox_states(&cli).is_empty());
    assert!(fake.servicenow_tasks().is_empty());
}

#[test]
fn each_connection_says_what_action_items_become() {
    let fake = FakeServices::start();
    let cli = setup(&fake);
    // A value the connection cannot take is refused, naming the setting.
    let run = cli.run(&[
        "connections",
        "fields",
        "ado",
        "--set",
        "action_items.type=Epic",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("action_items.type"), "{}", run.stderr);
    let run = cli.run(&[
        "connections",
        "fields",
        "sn",
        "--set",
        "action_items.type=Task",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("action_items.table"), "{}", run.stderr);
    // It is a setting, not a field of an incident filing.
    let incident: Value = cli.json(&["incident", "create", "--title", "X", "--severity", "P3"]);
    let id = incident["incident"]["id"].as_str().unwrap().to_owned();
    let run = cli.run(&[
        "incident",
        "file",
        &id,
        "--to",
        "ado",
        "--field",
        "action_items.type=Issue",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);

    cli.ok(
        &[
            "connections",
            "fields",
            "ado",
            "--set",
            "action_items.type=issue",
        ],
        "",
    );
    let listed = cli.ok(&["connections", "fields", "ado"], "").stdout;
    assert!(
        listed.contains("action_items.type") && listed.contains("Issue"),
        "{listed}"
    );
    let (_, doc) = rca(&cli, "ado", RCA);
    cli.ok(&["doc", "actions", &doc, "--to", "ado"], "");
    let items = action_work_items(&fake);
    assert_eq!(items.len(), 4);
    assert!(items.iter().all(|w| w["type"] == "Issue"), "{items:?}");
    // The incident filed after the setting is still a Bug, with no such field.
    let bug = fake
        .work_items()
        .into_iter()
        .find(|w| w["type"] == "Bug")
        .unwrap();
    assert!(bug["fields"].get("action_items.type").is_none(), "{bug}");

    // ServiceNow: problem tasks of the incident's problem.
    cli.ok(
        &[
            "connections",
            "fields",
            "sn",
            "--set",
            "action_items.table=problem_task",
        ],
        "",
    );
    let (incident, doc) = rca(&cli, "sn", RCA);
    let run = cli.run(&["doc", "actions", &doc, "--to", "sn"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("linked to none"), "{}", run.stderr);
    assert!(fake.servicenow_tasks().is_empty());
    let sys_id = fake
        .servicenow_incidents()
        .into_iter()
        .find(|r| r["correlation_id"] == incident.as_str())
        .unwrap()["sys_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let problem = "f".repeat(32);
    fake.set_incident_problem(&sys_id, &problem);
    cli.ok(&["doc", "actions", &doc, "--to", "sn"], "");
    let tasks = fake.servicenow_tasks();
    assert_eq!(tasks.len(), 4);
    for task in &tasks {
        assert_eq!(task["table"], "problem_task");
        assert_eq!(task["problem"], problem.as_str());
        assert!(task["number"].as_str().unwrap().starts_with("PTASK"));
    }
}

#[test]
fn a_type_without_a_due_date_field_gets_the_date_in_its_description() {
    let fake = FakeServices::start();
    let mut custom = Customisation::out_of_the_box();
    custom
        .ado_fields
        .retain(|f| !f.reference.starts_with("Microsoft.VSTS.Scheduling."));
    // Owners are sent as written, not resolved to identities (see the
    // wiki): this project takes any name in Assigned To.
    for f in &mut custom.ado_fields {
        f.is_identity = false;
    }
    fake.customise(custom);
    let cli = setup(&fake);
    let (_, doc) = rca(&cli, "ado", RCA);
    cli.ok(&["doc", "actions", &doc, "--to", "ado"], "");
    let items = action_work_items(&fake);
    let alert = items.iter().find(|w| w["title"] == TITLES[0]).unwrap();
    assert!(
        alert["fields"]
            .get("Microsoft.VSTS.Scheduling.DueDate")
            .is_none(),
        "{alert}"
    );
    let description = alert["fields"]["System.Description"].as_str().unwrap();
    assert!(description.contains("Due 2026-12-20."), "{description}");
}
