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
