//! A provider client is made from a connection by one call that checks
//! the provider before it opens any secret: a wrong-provider call opens
//! nothing and writes no credential-use row. An update opens its
//! credential once, to deliver (not once to validate and again to send).

mod common;

use ibridge_core::audit::Actor;
use ibridge_core::connections::NewConnection;
use ibridge_core::{ErrorKind, Services};

fn connection(provider: &str, name: &str, url: &str, auth: &str) -> NewConnection {
    NewConnection {
        provider: provider.into(),
        name: name.into(),
        url: url.into(),
        auth: auth.into(),
        username: Some("svc@example.com".into()),
        project: (provider == "azure_devops").then(|| "Ops".into()),
        secret: Some("s3cret-value".into()),
        ..NewConnection::default()
    }
}

fn credential_opens(app: &Services) -> Vec<String> {
    app.audit_list(1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "credential.open")
        .map(|e| format!("{} {}", e.connection.unwrap_or_default(), e.detail))
        .collect()
}

#[test]
fn a_wrong_provider_call_opens_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let app = common::services(dir.path(), Actor::Cli);
    app.add_connection(connection(
        "confluence",
        "wiki",
        "https://acme.atlassian.net",
        "api_token",
    ))
    .unwrap();
    app.add_connection(connection(
        "servicenow",
        "sn",
        "https://acme.service-now.com",
        "basic",
    ))
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sys_id = "0123456789abcdef0123456789abcdef";
    let field = |name: &str| [(name.to_owned(), "2".to_owned())].into();
    let calls = runtime.block_on(async {
        vec![
            (
                "servicenow search",
                app.servicenow_search("wiki", "db", 10, 0).await.err(),
            ),
            (
                "servicenow get",
                app.servicenow_get("wiki", "INC0010001").await.err(),
            ),
            (
                "servicenow update",
                app.servicenow_update("wiki", sys_id, field("state"))
                    .await
                    .err(),
            ),
            ("ado search", app.ado_search("sn", "db", 10).await.err()),
            (
                "ado update",
                app.ado_update("sn", "7", field("System.State")).await.err(),
            ),
            ("confluence spaces", app.confluence_spaces("sn").await.err()),
            (
                "confluence search",
                app.confluence_search("sn", "db", None, 10, 0).await.err(),
            ),
        ]
    });
    for (what, error) in calls {
        let error = error.unwrap_or_else(|| panic!("{what} was refused"));
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{what}: {error}");
        assert!(
            error.to_string().contains("connection, not"),
            "{what}: {error}"
        );
    }
    assert_eq!(
        credential_opens(&app),
        Vec::<String>::new(),
        "no secret opened"
    );
    assert!(
        app.outbox_entries().unwrap().is_empty(),
        "a refused update is not journaled"
    );
}

#[test]
fn an_update_opens_its_credential_once() {
    let mut server = mockito::Server::new();
    let sys_id = "0123456789abcdef0123456789abcdef";
    let patch = server
        .mock(
            "PATCH",
            format!("/api/now/table/incident/{sys_id}").as_str(),
        )
        .match_query(mockito::Matcher::Any)
        .match_body(mockito::Matcher::Json(serde_json::json!({ "state": "2" })))
        .with_body(format!(
            r#"{{"result":{{"sys_id":"{sys_id}","number":"INC0010001","state":"In Progress"}}}}"#
        ))
        .expect(1)
        .create();
    let dir = tempfile::tempdir().unwrap();
    let app = common::services(dir.path(), Actor::Cli);
    app.add_connection(connection("servicenow", "sn", &server.url(), "basic"))
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let updated = runtime
        .block_on(app.servicenow_update(
            "sn",
            sys_id,
            [("state".to_owned(), "2".to_owned())].into(),
        ))
        .unwrap();
    assert_eq!(updated.number.as_deref(), Some("INC0010001"));
    patch.assert();
    let opens = credential_opens(&app);
    assert_eq!(opens.len(), 1, "{opens:?}");
    assert!(opens[0].starts_with("sn "), "{opens:?}");
}
