//! Publishing an RCA with its evidence to the stateful fake Confluence:
//! exactly the writes each change needs, and none for no change.

mod common;

use std::collections::BTreeSet;

use ibridge_core::audit::Actor;
use ibridge_core::connections::NewConnection;
use ibridge_core::docs::DocumentMeta;
use ibridge_core::services::PublishOptions;
use ibridge_core::Services;
use ibridge_testkit::FakeServices;

const PASTED: &[u8] = b"\x89PNG\r\n\x1a\npasted screenshot";

fn setup(fake: &FakeServices, dir: &std::path::Path) -> Services {
    let app = common::services(dir, Actor::Cli);
    app.add_connection(NewConnection {
        provider: "confluence".into(),
        name: "wiki".into(),
        url: fake.url(),
        auth: "api_token".into(),
        username: Some("a@b.example".into()),
        secret: Some("tok".into()),
        space: Some("OPS".into()),
        ..NewConnection::default()
    })
    .unwrap();
    app
}

/// An RCA with three local images and two diagrams, beside its images.
fn write_rca(dir: &std::path::Path) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("img")).unwrap();
    std::fs::write(dir.join("img/errors.png"), b"\x89PNG errors v1").unwrap();
    std::fs::write(dir.join("img/latency.png"), b"\x89PNG latency").unwrap();
    std::fs::write(dir.join("pool.jpg"), b"\xff\xd8\xff pool").unwrap();
    let file = dir.join("rca.md");
    std::fs::write(
        &file,
        "---\ntitle: \"RCA: checkout outage\"\nlabels: [rca, payments]\n---\n\
         # Impact\n\n![Errors](img/errors.png)\n\n![Latency](img/latency.png)\n\n![Pool](pool.jpg)\n\n\
         ## Timeline\n\n```mermaid\nflowchart LR\n  A[Deploy] --> B[Errors] --> C[Rollback]\n```\n\n\
         ## Root cause\n\n```mermaid\nsequenceDiagram\n  API->>DB: connect\n  DB-->>API: pool exhausted\n```\n",
    )
    .unwrap();
    file
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// The attachment file names a storage body references.
fn referenced(storage: &str) -> BTreeSet<String> {
    storage
        .split("<ri:attachment ri:filename=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn an_rca_with_images_and_diagrams_publishes_exactly_and_updates_quietly() {
    let fake = FakeServices::start();
    let dir = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let app = setup(&fake, dir.path());
    let file = write_rca(src.path());
    let doc = {
        let core = &app;
        let doc = core.import_markdown_file(&file, None, None).unwrap();
        let pasted = core.paste_asset(&doc.id, PASTED).unwrap();
        let markdown = format!("{}\n\nPasted:\n\n{}\n", doc.markdown, pasted.markdown);
        core.save_document(&doc.id, &doc.title, &markdown).unwrap();
        doc.id
    };
    let pasted_name = app
        .document_assets(&doc)
        .unwrap()
        .into_iter()
        .find(|a| a.origin == "pasted")
        .unwrap()
        .name;

    // First publish: one page create, one upload per asset, the labels.
    let first = block_on(app.publish_document(&doc, "wiki", PublishOptions::default())).unwrap();
    assert!(first.created && !first.unchanged);
    let page_id = first.page.page_id.clone();
    let expected_names: BTreeSet<String> = [
        "errors.png",
        "latency.png",
        "pool.jpg",
        pasted_name.as_str(),
        "diagram-1.png",
        "diagram-2.png",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let writes = fake.confluence_writes();
    assert_eq!(writes[0], "POST page", "{writes:?}");
    let uploads: BTreeSet<String> = writes
        .iter()
        .filter_map(|w| w.strip_prefix(&format!("POST attachment {page_id} ")))
        .map(str::to_owned)
        .collect();
    assert_eq!(uploads, expected_names, "{writes:?}");
    assert_eq!(
        writes.len(),
        1 + 6 + 1,
        "page, six uploads, labels: {writes:?}"
    );
    assert_eq!(writes[7], format!("POST label {page_id} rca,payments"));
    assert_eq!(fake.labels(&page_id), vec!["rca", "payments"]);

    let storage = fake.pages()[0]["storage"].as_str().unwrap().to_owned();
    assert_eq!(referenced(&storage), expected_names, "{storage}");
    let attachments = fake.attachments();
    assert_eq!(attachments.len(), 6);
    let by_name = |n: &str| {
        attachments
            .iter()
            .find(|a| a.file_name == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("errors.png").bytes, b"\x89PNG errors v1");
    assert_eq!(by_name("pool.jpg").media_type, "image/jpeg");
    assert_eq!(by_name(&pasted_name).bytes, PASTED);
    for diagram in ["diagram-1.png", "diagram-2.png"] {
        let d = by_name(diagram);
        assert!(
            d.bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{diagram} is a PNG"
        );
        assert!(d.comment.contains("ibridge-sha256:"), "{}", d.comment);
    }
    assert!(
        storage.contains("flowchart LR"),
        "the diagram source is kept on the page"
    );

    // Unchanged: no write at all.
    let again = block_on(app.publish_document(&doc, "wiki", PublishOptions::default())).unwrap();
    assert!(again.unchanged, "{again:?}");
    assert_eq!(fake.confluence_writes().len(), 8, "nothing was sent");

    // One image changed: one new version of that attachment, one page update.
    app.attach_asset(&doc, "errors.png", b"\x89PNG errors v2")
        .unwrap();
    let changed = block_on(app.publish_document(&doc, "wiki", PublishOptions::default())).unwrap();
    assert_eq!(changed.uploaded, vec!["errors.png"]);
    let writes = fake.confluence_writes();
    assert_eq!(
        writes[8..],
        [
            format!("POST attachment-data {page_id} errors.png"),
            format!("PUT page {page_id}")
        ],
        "{writes:?}"
    );
    let errors = fake
        .attachments()
        .into_iter()
        .find(|a| a.file_name == "errors.png")
        .unwrap();
    assert_eq!(
        (errors.version, errors.bytes.as_slice()),
        (2, &b"\x89PNG errors v2"[..])
    );
    assert_eq!(
        fake.attachments().len(),
        6,
        "a new version, not a second attachment"
    );

    // Labels follow the document: one added, one removed; a minor edit
    // does not notify watchers.
    {
        let core = &app;
        core.set_document_meta(
            &doc,
            &DocumentMeta {
                labels: vec!["rca".into(), "sev1".into()],
                ..DocumentMeta::default()
            },
        )
        .unwrap();
        let d = core.document(&doc).unwrap();
        core.save_document(
            &doc,
            &d.title,
            &format!("{}\nFollow-up added.\n", d.markdown),
        )
        .unwrap();
    }
    let minor = PublishOptions {
        minor_edit: true,
        ..PublishOptions::default()
    };
    block_on(app.publish_document(&doc, "wiki", minor)).unwrap();
    let writes = fake.confluence_writes();
    assert_eq!(
        writes[10..],
        [
            format!("PUT page {page_id}"),
            format!("POST label {page_id} sev1"),
            format!("DELETE label {page_id} payments"),
        ],
        "{writes:?}"
    );
    assert_eq!(fake.labels(&page_id), vec!["rca", "sev1"]);
    assert_eq!(fake.pages()[0]["minor_edit"], true);
    assert!(
        block_on(app.publish_document(&doc, "wiki", PublishOptions::default()))
            .unwrap()
            .unchanged
    );
}

#[test]
fn a_broken_diagram_or_a_missing_image_stops_before_anything_is_sent() {
    let fake = FakeServices::start();
    let dir = tempfile::tempdir().unwrap();
    let app = setup(&fake, dir.path());
    let doc = {
        let core = &app;
        let d = core.new_document("rca", "RCA: broken", None).unwrap();
        core.save_document(
            &d.id,
            &d.title,
            "# T\n\ntext\n\n```mermaid\nflowchart LR\n  A -->\n  --> B\n```\n",
        )
        .unwrap();
        d.id
    };
    let err = block_on(app.publish_document(&doc, "wiki", PublishOptions::default())).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("diagram 1 (line 5)"), "{text}");
    assert!(text.contains("Mermaid does not parse"), "{text}");
    assert!(fake.confluence_writes().is_empty());
    assert!(
        app.outbox_entries().unwrap().is_empty(),
        "nothing journaled"
    );

    app.save_document(&doc, "RCA: broken", "# T\n\n![x](not-attached.png)\n")
        .unwrap();
    let err = block_on(app.publish_document(&doc, "wiki", PublishOptions::default())).unwrap_err();
    assert!(
        err.to_string()
            .contains("'not-attached.png' is not an asset"),
        "{err}"
    );
    assert!(fake.confluence_writes().is_empty());
}

#[test]
fn hostile_mermaid_cannot_inject_markup_into_the_published_page() {
    let fake = FakeServices::start();
    let dir = tempfile::tempdir().unwrap();
    let app = setup(&fake, dir.path());
    let doc = {
        let core = &app;
        let d = core.new_document("rca", "RCA: hostile", None).unwrap();
        core.save_document(
            &d.id,
            &d.title,
            "```mermaid\nflowchart LR\n  A[\"<script>alert(1)</script>\"] --> B[\"]]></ac:plain-text-body><ac:structured-macro ac:name='html'>x\"]\n```\n",
        )
        .unwrap();
        d.id
    };
    block_on(app.publish_document(&doc, "wiki", PublishOptions::default())).unwrap();
    let storage = fake.pages()[0]["storage"].as_str().unwrap().to_owned();
    let outside_cdata: String = storage
        .split("<![CDATA[")
        .map(|chunk| {
            chunk
                .split_once("]]>")
                .map(|(_, after)| after)
                .unwrap_or(chunk)
        })
        .collect();
    assert!(!outside_cdata.contains("<script"), "{storage}");
    assert!(!outside_cdata.contains("ac:name='html'"), "{storage}");
    let diagram = &fake.attachments()[0];
    assert!(
        diagram.bytes.starts_with(b"\x89PNG"),
        "a picture, not markup"
    );
}
