//! Property: whatever the interleaving of filings and outbox runs by two
//! deliverers sharing one database (the desktop app and the CLI), and
//! whatever the service does (answers, times out after storing, 503, 429),
//! the service never holds two records for one incident, and once it
//! answers normally the incident ends linked to its one record.

mod common;

use std::time::Duration;

use ibridge_core::audit::Actor;
use ibridge_core::connections::NewConnection;
use ibridge_core::incidents::NewIncident;
use ibridge_core::Services;
use ibridge_testkit::{CreateMode, FakeServices, Scripted};
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
enum Action {
    File,
    Run,
    Idle,
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    None,
    /// Stored, but the answer comes after the client gave up.
    LostAnswer,
    Unavailable,
    RateLimited,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![Just(Action::File), Just(Action::Run), Just(Action::Idle)]
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::None),
        Just(Fault::LostAnswer),
        Just(Fault::Unavailable),
        Just(Fault::RateLimited)
    ]
}

fn services(dir: &std::path::Path) -> Services {
    common::services(dir, Actor::Background)
}

async fn act(s: &Services, incident: &str, action: Action) {
    // Failures are expected here; what matters is what the service holds.
    match action {
        Action::File => drop(s.file_incident(incident, "sn", None).await),
        Action::Run => drop(s.run_outbox(true).await),
        Action::Idle => {}
    }
}

fn check(steps: Vec<(Action, Action, Fault)>) -> Result<(), TestCaseError> {
    let fake = FakeServices::start();
    let dir = tempfile::tempdir().unwrap();
    let app = services(dir.path());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    app.add_connection(NewConnection {
        provider: "servicenow".into(),
        name: "sn".into(),
        url: fake.url(),
        auth: "basic".into(),
        username: Some("svc".into()),
        secret: Some("pw".into()),
        ..NewConnection::default()
    })
    .unwrap();
    // Auto-create is off: this only records the incident.
    let incident = runtime
        .block_on(app.create_incident(NewIncident {
            title: "Property".into(),
            severity: "P1".into(),
            description: String::new(),
        }))
        .unwrap()
        .incident
        .id;
    let cli = services(dir.path());
    for (a, b, f) in steps {
        match f {
            Fault::None => fake.set_create_mode(CreateMode::Normal),
            Fault::LostAnswer => {
                fake.set_create_mode(CreateMode::StoreThenDelay(Duration::from_millis(900)))
            }
            Fault::Unavailable => fake.script_creates(&[Scripted {
                status: 503,
                retry_after: None,
            }]),
            Fault::RateLimited => fake.script_creates(&[Scripted {
                status: 429,
                retry_after: Some(0),
            }]),
        }
        runtime.block_on(async { tokio::join!(act(&app, &incident, a), act(&cli, &incident, b)) });
        prop_assert!(
            fake.records(&incident) <= 1,
            "two records after {a:?}/{b:?}/{f:?}"
        );
    }
    // The service recovers; the outbox drains.
    fake.set_create_mode(CreateMode::Normal);
    fake.script_creates(&[]);
    runtime.block_on(async {
        let _ = app.file_incident(&incident, "sn", None).await;
        for _ in 0..3 {
            let _ = app.run_outbox(true).await;
        }
    });
    prop_assert_eq!(fake.records(&incident), 1);
    let linked = app.incident(&incident).unwrap().links;
    prop_assert_eq!(linked.len(), 1);
    let sys_id = fake
        .servicenow_incidents()
        .into_iter()
        .find(|r| r["correlation_id"] == incident.as_str())
        .map(|r| r["sys_id"].as_str().unwrap().to_owned())
        .unwrap();
    prop_assert_eq!(&linked[0].external_id, &sys_id);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn one_record_per_incident_whatever_the_interleaving(steps in proptest::collection::vec((action(), action(), fault()), 1..8)) {
        check(steps)?;
    }
}
