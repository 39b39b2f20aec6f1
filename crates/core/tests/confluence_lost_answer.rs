//! A Confluence page create whose answer was lost: the service stored the
//! page, the client gave up waiting. The next delivery looks the page up
//! by its key (the `incident-bridge` content property) before sending
//! anything, so exactly one create request ever reaches the service and
//! the page is adopted as the document's own.

mod common;

use std::time::Duration;

use ibridge_core::audit::Actor;
use ibridge_core::connections::NewConnection;
use ibridge_core::outbox::OutboxState;
use ibridge_core::services::PublishOptions;
use ibridge_core::Services;
use ibridge_testkit::{CreateMode, FakeServices};

fn services(dir: &std::path::Path) -> Services {
    common::services(dir, Actor::Cli)
}

#[test]
fn a_lost_create_answer_is_reconciled_with_one_create_request() {
    let fake = FakeServices::start();
    let dir = tempfile::tempdir().unwrap();
    let app = services(dir.path());
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
    let doc = app
        .new_document("rca", "RCA: lost answer", None)
        .unwrap()
        .id;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // Stored at the service; the answer comes after the client gave up.
    fake.set_create_mode(CreateMode::StoreThenDelay(Duration::from_millis(900)));
    let lost = runtime.block_on(app.publish_document(&doc, "wiki", PublishOptions::default()));
    assert!(lost.is_err(), "the client timed out: {lost:?}");
    assert_eq!(fake.records(&doc), 1, "the service stored the page");
    assert_eq!(fake.create_requests(), 1);
    let entries = app.outbox_entries().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        entries[0].state,
        OutboxState::Pending,
        "a timeout is tried again"
    );

    fake.set_create_mode(CreateMode::Normal);
    let report = runtime.block_on(app.run_outbox(true)).unwrap();
    assert_eq!(report.delivered, vec![entries[0].id.clone()], "{report:?}");
    assert_eq!(fake.create_requests(), 1, "no second create was sent");
    assert_eq!(fake.records(&doc), 1);

    let page_id = fake.pages()[0]["id"].as_str().unwrap().to_owned();
    let shown = app.document(&doc).unwrap();
    assert_eq!(shown.pages.len(), 1);
    assert_eq!(shown.pages[0].page_id, page_id, "the page is adopted");
    assert_eq!(shown.pages[0].version, 1);
    let entries = app.outbox_entries().unwrap();
    assert_eq!(entries[0].state, OutboxState::Done);
}
