//! RCA evidence through the real CLI: `doc import` with front matter and
//! the files a document references beside it, `doc attach`, `doc assets`.

mod common;

use std::path::Path;

use common::Cli;
use sha2::{Digest, Sha256};

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A folder with an RCA, three images (one in a subfolder, one with a
/// space in its name) and a log it links.
fn write_rca(dir: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("img")).unwrap();
    std::fs::write(dir.join("img/errors.png"), b"\x89PNG errors").unwrap();
    std::fs::write(dir.join("latency.png"), b"\x89PNG latency").unwrap();
    std::fs::write(dir.join("img/pool size.png"), b"\x89PNG pool").unwrap();
    std::fs::write(dir.join("run.log"), b"10:02 pool exhausted\n").unwrap();
    let file = dir.join("checkout-rca.md");
    std::fs::write(
        &file,
        "---\ntitle: \"RCA: checkout outage\"\nspace: OPS\nparent: 4242\nlabels: [rca, Payments]\nauthor: ana\n---\n\
         # Impact\n\n![Errors](img/errors.png)\n\n![Latency](./latency.png)\n\n![Pool](<img/pool size.png>)\n\n\
         See [the log](run.log) and [the timeline](timeline.md).\n",
    )
    .unwrap();
    file
}

#[test]
fn import_reads_front_matter_and_the_files_beside_it() {
    let cli = Cli::new();
    let src = tempfile::tempdir().unwrap();
    let file = write_rca(src.path());
    let doc = cli.json(&["doc", "import", file.to_str().unwrap()]);
    assert_eq!(doc["title"], "RCA: checkout outage");
    assert_eq!(doc["space"], "OPS");
    assert_eq!(doc["parent"], "4242");
    assert_eq!(doc["labels"], serde_json::json!(["rca", "payments"]));
    let markdown = doc["markdown"].as_str().unwrap();
    assert!(
        markdown.starts_with("# Impact"),
        "front matter is not body text: {markdown}"
    );
    let id = doc["id"].as_str().unwrap();

    let assets = cli.json(&["doc", "assets", id]);
    let mut got: Vec<(String, String, String, i64)> = assets
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["name"].as_str().unwrap().to_owned(),
                a["reference"].as_str().unwrap().to_owned(),
                a["sha256"].as_str().unwrap().to_owned(),
                a["size"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "errors.png".into(),
                "img/errors.png".into(),
                sha(b"\x89PNG errors"),
                11
            ),
            (
                "latency.png".into(),
                "./latency.png".into(),
                sha(b"\x89PNG latency"),
                12
            ),
            (
                "pool size.png".into(),
                "img/pool size.png".into(),
                sha(b"\x89PNG pool"),
                9
            ),
            (
                "run.log".into(),
                "run.log".into(),
                sha(b"10:02 pool exhausted\n"),
                21
            ),
        ]
    );
    let table = cli.ok(&["doc", "assets", id], "").stdout;
    assert!(table.contains("not uploaded"), "{table}");

    // The storage body references exactly those attachments.
    let storage = cli.ok(&["doc", "render", id], "").stdout;
    for name in ["errors.png", "latency.png", "pool size.png"] {
        assert!(
            storage.contains(&format!("<ri:attachment ri:filename=\"{name}\"/>")),
            "{name}: {storage}"
        );
    }
    assert!(storage.contains("<ac:link><ri:attachment ri:filename=\"run.log\"/>"));

    // --title overrides the front matter.
    let again = cli.json(&["doc", "import", file.to_str().unwrap(), "--title", "Other"]);
    assert_eq!(again["title"], "Other");
}

#[test]
fn import_refuses_what_it_cannot_publish_exactly() {
    let cli = Cli::new();
    let root = tempfile::tempdir().unwrap();
    let src = root.path().join("rca");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(root.path().join("secret.txt"), "not for the wiki").unwrap();
    let cases = [
        ("# T\n\n![x](missing.png)\n", "not found beside"),
        (
            "# T\n\n[k](../secret.txt)\n",
            "outside the Markdown file's folder",
        ),
        ("---\nlabels: [two words]\n---\n# T\n", "invalid labels"),
        ("---\nspace: O PS\n---\n# T\n", "invalid space"),
        ("---\nparent: home\n---\n# T\n", "invalid parent"),
        ("no title here\n", "invalid title"),
    ];
    for (text, expected) in cases {
        let file = src.join("doc.md");
        std::fs::write(&file, text).unwrap();
        let run = cli.run(&["doc", "import", file.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{text}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{text}: {}", run.stderr);
    }
    let list = cli.json(&["doc", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing was stored");
}

#[test]
fn attach_adds_and_replaces_within_the_size_limit() {
    let cli = Cli::new();
    let doc = cli.json(&["doc", "new", "--kind", "rca", "--title", "RCA: attach"]);
    let id = doc["id"].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("graph.png");
    std::fs::write(&first, b"\x89PNG one").unwrap();
    let a = cli.json(&["doc", "attach", id, first.to_str().unwrap()]);
    assert_eq!(a["name"], "graph.png");
    assert_eq!(a["sha256"], sha(b"\x89PNG one"));

    let second = dir.path().join("new-graph.png");
    std::fs::write(&second, b"\x89PNG two").unwrap();
    let b = cli.json(&[
        "doc",
        "attach",
        id,
        second.to_str().unwrap(),
        "--name",
        "graph.png",
    ]);
    assert_eq!(b["sha256"], sha(b"\x89PNG two"));
    let assets = cli.json(&["doc", "assets", id]);
    assert_eq!(
        assets.as_array().unwrap().len(),
        1,
        "replaced, not added: {assets}"
    );

    let big = dir.path().join("big.bin");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(25 * 1024 * 1024 + 1).unwrap();
    let run = cli.run(&["doc", "attach", id, big.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("at most 25 MiB"), "{}", run.stderr);
}

mod faults {
    use std::time::Duration;

    use ibridge_testkit::{CreateMode, FakeServices};

    use super::common::Cli;

    fn setup(fake: &FakeServices) -> (Cli, String, tempfile::TempDir) {
        let cli = Cli::new();
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
        let src = tempfile::tempdir().unwrap();
        std::fs::write(src.path().join("graph.png"), b"\x89PNG the graph").unwrap();
        let file = src.path().join("rca.md");
        std::fs::write(&file, "# RCA: upload killed\n\n![Graph](graph.png)\n").unwrap();
        let doc = cli.json(&["doc", "import", file.to_str().unwrap()]);
        (cli, doc["id"].as_str().unwrap().to_owned(), src)
    }

    fn states(cli: &Cli) -> Vec<(String, String)> {
        cli.json(&["outbox", "list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["operation"].as_str().unwrap_or_default().to_owned(),
                    e["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// SIGKILL while the upload is at the service, stored (or not), then
    /// `outbox run`: one attachment of that name, uploaded once.
    fn killed_during_upload(mode: CreateMode, stored: usize) {
        let fake = FakeServices::start();
        let (cli, doc, _src) = setup(&fake);
        fake.set_upload_mode(mode);
        let mut child = cli.spawn(&["doc", "publish", &doc, "--to", "wiki"]);
        assert!(
            fake.wait_for_hang(Duration::from_secs(60)),
            "the upload reached the service"
        );
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_eq!(
            fake.attachments().len(),
            stored,
            "{mode:?}: right after the kill"
        );
        let journal = states(&cli);
        assert!(
            journal.contains(&("confluence.upload_attachment".into(), "in_flight".into())),
            "{mode:?}: {journal:?}"
        );

        fake.set_upload_mode(CreateMode::Normal);
        let run = cli.run(&["outbox", "run"]);
        assert_eq!(run.code, 0, "{mode:?}: {}", run.stderr);
        let attachments = fake.attachments();
        assert_eq!(attachments.len(), 1, "{mode:?}: one attachment");
        assert_eq!(attachments[0].file_name, "graph.png");
        assert_eq!(attachments[0].version, 1, "{mode:?}: not uploaded twice");
        assert_eq!(attachments[0].bytes, b"\x89PNG the graph");
        let uploads = fake
            .confluence_writes()
            .iter()
            .filter(|w| w.contains("attachment"))
            .count();
        assert_eq!(uploads, 1, "{mode:?}: {:?}", fake.confluence_writes());
        assert!(states(&cli).iter().all(|(_, s)| s == "done"), "{mode:?}");

        let again = cli.ok(&["doc", "publish", &doc, "--to", "wiki"], "").stdout;
        assert!(again.contains("Nothing changed"), "{mode:?}: {again}");
        let table = cli.ok(&["doc", "assets", &doc], "").stdout;
        assert!(table.contains("wiki v1"), "{table}");
    }

    #[test]
    fn a_kill_after_the_service_stored_the_upload_leaves_one_attachment() {
        killed_during_upload(CreateMode::StoreThenHang, 1);
    }

    #[test]
    fn a_kill_before_the_upload_arrived_leaves_one_attachment() {
        killed_during_upload(CreateMode::HangThenDiscard, 0);
    }

    #[test]
    fn dry_run_prints_the_requests_and_sends_nothing() {
        let fake = FakeServices::start();
        let (cli, doc, _src) = setup(&fake);
        let run = cli.ok(&["doc", "publish", &doc, "--to", "wiki", "--dry-run"], "");
        assert!(run.stdout.contains("POST http://"), "{}", run.stdout);
        assert!(
            run.stdout.contains("/wiki/rest/api/content\n{"),
            "{}",
            run.stdout
        );
        assert!(
            run.stdout.contains(
                "/child/attachment\nmultipart/form-data: file \"graph.png\" (14 bytes, image/png"
            ),
            "{}",
            run.stdout
        );
        assert!(!run.stdout.to_lowercase().contains("authorization"));
        assert!(!run.stdout.contains("tok"), "no secret");
        assert!(fake.confluence_writes().is_empty());
        assert!(states(&cli).is_empty(), "nothing journaled");
    }
}

/// A large RCA is written out as it is converted, piece by piece: what
/// arrives is the same body `--json` gives whole, every diagram numbered
/// through the document once.
#[test]
fn a_large_rca_renders_streamed_exactly_as_whole() {
    let cli = Cli::new();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.md");
    let section = "## Timeline\n\n| Time | Event |\n|---|---|\n| 10:02 | Alert |\n\n\
                   ```mermaid\nflowchart LR\n  A --> B\n```\n\n- [ ] Add a canary (owner: Ana)\n\n";
    let sections = 3000;
    std::fs::write(&file, section.repeat(sections)).unwrap();
    let doc = cli.json(&["doc", "import", file.to_str().unwrap(), "--title", "Big"]);
    let id = doc["id"].as_str().unwrap();
    let streamed = cli.ok(&["doc", "render", id], "").stdout;
    let whole = cli.json(&["doc", "render", id]);
    let whole = whole["storage"].as_str().unwrap();
    assert!(streamed.len() > 200_000, "{}", streamed.len());
    assert_eq!(streamed, format!("{whole}\n"));
    let last = format!("diagram-{sections}.png");
    assert_eq!(streamed.matches(&last).count(), 1, "{last}");
    assert!(!streamed.contains(&format!("diagram-{}.png", sections + 1)));
}
