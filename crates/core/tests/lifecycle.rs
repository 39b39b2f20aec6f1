//! An incident's timeline through the `Services` front door against the
//! stateful fakes: each event reaches each linked record once, however
//! often it is posted.

mod common;

use ibridge_core::audit::Actor;
use ibridge_core::connections::NewConnection;
use ibridge_core::incidents::{NewEvent, NewIncident};
use ibridge_core::Services;
use ibridge_testkit::FakeServices;

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn setup(fake: &FakeServices, dir: &std::path::Path) -> Services {
    let app = common::services(dir, Actor::Cli);
    app.add_connection(NewConnection {
        provider: "servicenow".into(),
        name: "sn".into(),
        url: fake.url(),
        auth: "basic".into(),
        username: Some("svc.bridge".into()),
        secret: Some("pw".into()),
        ..NewConnection::default()
    })
    .unwrap();
    app.add_connection(NewConnection {
        provider: "azure_devops".into(),
        name: "ado".into(),
        url: format!("{}/acme", fake.url()),
        auth: "pat".into(),
        project: Some("Ops".into()),
        secret: Some("pat".into()),
        ..NewConnection::default()
    })
    .unwrap();
    app
}

#[test]
fn a_note_posted_twice_reaches_each_record_once() {
    let fake = FakeServices::start();
    let dir = tempfile::tempdir().unwrap();
    let app = setup(&fake, dir.path());
    block_on(async {
        let created = app
            .create_incident(NewIncident {
                title: "Checkout down".into(),
                severity: "P2".into(),
                description: String::new(),
            })
            .await
            .unwrap();
        let id = created.incident.id;
        let sn = app.file_incident(&id, "sn", None).await.unwrap();
        let ado = app.file_incident(&id, "ado", Some("Task")).await.unwrap();
        let added = app
            .add_incident_event(
                &id,
                NewEvent {
                    text: "Rolled back release 42".into(),
                    kind: Some("mitigated".into()),
                    at: None,
                    post: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(added.posts.len(), 2);
        assert!(
            added.posts.iter().all(|p| p.error.is_none()),
            "{:?}",
            added.posts
        );
        assert_eq!(added.event.posted.len(), 2);

        // Posting it again (the window's "post" button, a second click).
        for _ in 0..2 {
            let again = app
                .post_incident_event(&added.event.id, "work_notes")
                .await
                .unwrap();
            assert!(
                again.posts.is_empty(),
                "nothing left to post: {:?}",
                again.posts
            );
            assert_eq!(again.event.posted.len(), 2);
        }
        assert_eq!(fake.journal(&sn.link.external_id).len(), 1);
        let item: u64 = ado.link.external_id.parse().unwrap();
        assert_eq!(fake.comments(item).len(), 1);
        assert_eq!(fake.lifecycle_writes().len(), 2);

        // The write itself, retried from the outbox after it was done,
        // is recognised as posted and not sent.
        let entries = app.outbox_entries().unwrap();
        let note = entries
            .iter()
            .find(|e| e.operation.map(|k| k.as_str()) == Some("servicenow.post_journal"))
            .unwrap();
        assert!(
            app.retry_outbox(&note.id).await.is_err(),
            "already delivered"
        );
        assert_eq!(fake.journal(&sn.link.external_id).len(), 1);

        // A pulled event is not ours to post.
        fake.add_journal_entry(
            &sn.link.external_id,
            "work_notes",
            "beth",
            "seen",
            "2026-03-01 10:00:00",
        );
        let sync = app.sync_incident(&id).await.unwrap();
        let pulled = sync.added.iter().find(|e| e.author == "beth").unwrap();
        let refused = app
            .post_incident_event(&pulled.id, "work_notes")
            .await
            .unwrap_err();
        assert!(
            refused.to_string().starts_with("invalid event:"),
            "{refused}"
        );
    });
}
