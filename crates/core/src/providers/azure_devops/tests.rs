//! The Work Item Tracking client against a local HTTP server (mockito):
//! paths, api-version, content types, auth headers, WIQL text, JSON Patch
//! documents, batching and error mapping.

use std::sync::Arc;

use base64::Engine;
use mockito::Matcher;
use serde_json::json;

use super::*;
use crate::error::ErrorKind;
use crate::http::{HttpConfig, NoWaitPacer};
use crate::incidents::Severity;
use crate::secret::SecretString;

const PAT: &str = "ado-pat-0123456789";

fn pat_auth() -> AuthHeader {
    AuthHeader::Basic {
        username: String::new(),
        password: SecretString::from(PAT),
    }
}

fn client(server: &mockito::Server, auth: AuthHeader) -> AdoClient {
    let http = HttpClient::with_pacer(HttpConfig::default(), Arc::new(NoWaitPacer)).unwrap();
    AdoClient::new(http, &format!("{}/acme", server.url()), "Ops Team", auth).unwrap()
}

fn basic_pat() -> String {
    // PATs go as Basic with an empty user name: ":<pat>".
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(":{PAT}"))
    )
}

fn items_json(ids: &[u64]) -> String {
    let items: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"id":{id},"rev":1,"fields":{{"System.Id":{id},"System.Title":"Item {id}","System.State":"New","System.WorkItemType":"Bug"}}}}"#))
        .collect();
    format!(r#"{{"count":{},"value":[{}]}}"#, ids.len(), items.join(","))
}

#[tokio::test]
async fn search_posts_escaped_wiql_then_reads_the_ids() {
    let mut server = mockito::Server::new_async().await;
    let hostile = r#"it's "down" \ again"#;
    let wiql = server
        .mock("POST", "/acme/Ops%20Team/_apis/wit/wiql")
        .match_header("authorization", basic_pat().as_str())
        .match_header("content-type", "application/json")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("api-version".into(), "7.1".into()),
            Matcher::UrlEncoded("$top".into(), "50".into()),
        ]))
        .match_body(Matcher::Json(json!({
            "query": "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND ([System.Title] CONTAINS 'it''s \"down\" \\ again' OR [System.Description] CONTAINS WORDS 'it''s \"down\" \\ again') ORDER BY [System.ChangedDate] DESC"
        })))
        .with_body(r#"{"queryType":"flat","workItems":[{"id":7,"url":"x"},{"id":3,"url":"y"}]}"#)
        .expect(1)
        .create_async()
        .await;
    let batch = server
        .mock("GET", "/acme/Ops%20Team/_apis/wit/workitems")
        .match_header("authorization", basic_pat().as_str())
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("api-version".into(), "7.1".into()),
            Matcher::UrlEncoded("ids".into(), "7,3".into()),
            Matcher::UrlEncoded("fields".into(), LIST_FIELDS.join(",")),
        ]))
        .with_body(items_json(&[7, 3]))
        .expect(1)
        .create_async()
        .await;
    let found = client(&server, pat_auth())
        .search(hostile, 50)
        .await
        .unwrap();
    assert_eq!(found.iter().map(|w| w.id).collect::<Vec<_>>(), vec![7, 3]);
    assert_eq!(found[0].title(), "Item 7");
    wiql.assert_async().await;
    batch.assert_async().await;
}

#[tokio::test]
async fn four_hundred_fifty_ids_are_read_as_200_200_50() {
    let mut server = mockito::Server::new_async().await;
    let ids: Vec<u64> = (1..=450).collect();
    let mut mocks = Vec::new();
    for chunk in ids.chunks(200) {
        let list: Vec<String> = chunk.iter().map(u64::to_string).collect();
        mocks.push(
            server
                .mock("GET", "/acme/Ops%20Team/_apis/wit/workitems")
                .match_query(Matcher::UrlEncoded("ids".into(), list.join(",")))
                .with_body(items_json(chunk))
                .expect(1)
                .create_async()
                .await,
        );
    }
    assert_eq!(
        ids.chunks(BATCH_LIMIT)
            .map(<[u64]>::len)
            .collect::<Vec<_>>(),
        vec![200, 200, 50]
    );
    let items = client(&server, pat_auth())
        .read_many(&ids, LIST_FIELDS)
        .await
        .unwrap();
    assert_eq!(items.len(), 450);
    assert_eq!(items[449].id, 450);
    for m in mocks {
        m.assert_async().await;
    }
}

fn created(id: u64) -> String {
    format!(
        r#"{{"id":{id},"rev":1,"fields":{{"System.Title":"Checkout down","System.State":"New"}},"_links":{{"html":{{"href":"https://dev.azure.com/acme/web/wi.aspx?id={id}"}}}}}}"#
    )
}

#[tokio::test]
async fn create_sends_the_exact_json_patch_per_type_and_severity() {
    let mut server = mockito::Server::new_async().await;
    let incident = "7d3c1f2e-0000-4000-8000-000000000001";
    let cases = [
        ("Bug", Severity::P1, Some("1 - Critical"), 1, "$Bug"),
        ("Bug", Severity::P4, Some("4 - Low"), 4, "$Bug"),
        ("Task", Severity::P2, None, 2, "$Task"),
        ("User Story", Severity::P3, None, 3, "$User%20Story"),
        ("Issue", Severity::P1, None, 1, "$Issue"),
        ("Incident", Severity::P2, None, 2, "$Incident"),
    ];
    let mut mocks = Vec::new();
    for (i, (kind, _, severity_label, priority, segment)) in cases.iter().enumerate() {
        let mut expected = vec![
            json!({"op": "add", "path": "/fields/System.Title", "value": "Checkout down"}),
            json!({"op": "add", "path": "/fields/System.Description", "value": "<p>Errors on <strong>pay</strong></p>\n"}),
        ];
        if let Some(label) = severity_label {
            expected.push(json!({"op": "add", "path": "/fields/Microsoft.VSTS.Common.Severity", "value": label}));
        }
        expected.push(json!({"op": "add", "path": "/fields/Microsoft.VSTS.Common.Priority", "value": priority}));
        expected.push(json!({"op": "add", "path": "/fields/System.Tags", "value": format!("Incident Bridge; ibridge-{incident}")}));
        mocks.push(
            server
                .mock(
                    "POST",
                    format!("/acme/Ops%20Team/_apis/wit/workitems/{segment}").as_str(),
                )
                .match_header("authorization", "Bearer entra-access-token")
                .match_header("content-type", "application/json-patch+json")
                .match_query(Matcher::UrlEncoded("api-version".into(), "7.1".into()))
                .match_body(Matcher::Json(serde_json::Value::Array(expected)))
                .with_body(created(100 + i as u64))
                .expect(1)
                .create_async()
                .await,
        );
        let _ = kind;
    }
    let c = client(
        &server,
        AuthHeader::Bearer(SecretString::from("entra-access-token")),
    );
    for (i, (kind, severity, ..)) in cases.iter().enumerate() {
        let ops = incident_operations(
            "Checkout down",
            "Errors on **pay**",
            *severity,
            kind,
            incident,
        );
        let item = c.create(kind, &ops).await.unwrap();
        assert_eq!(item.id, 100 + i as u64);
        assert_eq!(
            item.web_url.as_deref(),
            Some(format!("https://dev.azure.com/acme/web/wi.aspx?id={}", 100 + i).as_str())
        );
    }
    for m in mocks {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn a_type_the_project_lacks_lists_the_ones_it_has() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("POST", "/acme/Ops%20Team/_apis/wit/workitems/$Incident")
        .match_query(Matcher::Any)
        .with_status(404)
        .with_body(r#"{"message":"VS402323: Work item type Incident does not exist in project Ops Team."}"#)
        .expect(1)
        .create_async()
        .await;
    server
        .mock("GET", "/acme/Ops%20Team/_apis/wit/workitemtypes")
        .match_query(Matcher::Any)
        .with_body(r#"{"count":3,"value":[{"name":"Bug"},{"name":"Task"},{"name":"User Story"}]}"#)
        .create_async()
        .await;
    let err = client(&server, pat_auth())
        .create("Incident", &[PatchOp::add_field("System.Title", "x")])
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string().contains("invalid type")
            && err.to_string().contains("Bug, Task, User Story"),
        "{err}"
    );
}

#[tokio::test]
async fn update_patches_named_fields() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("PATCH", "/acme/Ops%20Team/_apis/wit/workitems/42")
        .match_header("content-type", "application/json-patch+json")
        .match_query(Matcher::UrlEncoded("api-version".into(), "7.1".into()))
        .match_body(Matcher::Json(json!([
            {"op": "add", "path": "/fields/Microsoft.VSTS.Common.Priority", "value": "1"},
            {"op": "add", "path": "/fields/System.State", "value": "Active"},
        ])))
        .with_body(created(42))
        .expect(1)
        .create_async()
        .await;
    let mut fields = BTreeMap::new();
    fields.insert("System.State".to_owned(), "Active".to_owned());
    fields.insert("Microsoft.VSTS.Common.Priority".to_owned(), "1".to_owned());
    client(&server, pat_auth())
        .update(42, &fields)
        .await
        .unwrap();
    mock.assert_async().await;
    for bad in [
        "State",
        "System.",
        ".State",
        "System State",
        "System.Sta-te",
    ] {
        assert!(validate_field_reference(bad).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn statuses_map_to_error_kinds() {
    let mut server = mockito::Server::new_async().await;
    for (status, id) in [(401, 1), (403, 2), (404, 3), (429, 4)] {
        let mut m = server
            .mock(
                "GET",
                format!("/acme/Ops%20Team/_apis/wit/workitems/{id}").as_str(),
            )
            .match_query(Matcher::Any)
            .with_status(status)
            .with_body(
                r#"{"message":"TF400813: The user is not authorized to access this resource."}"#,
            );
        if status == 429 {
            m = m.with_header("retry-after", "600");
        }
        m.create_async().await;
    }
    let c = client(&server, pat_auth());
    assert_eq!(c.get(1).await.unwrap_err().kind(), ErrorKind::AuthNeeded);
    assert_eq!(c.get(2).await.unwrap_err().kind(), ErrorKind::AuthNeeded);
    assert_eq!(c.get(3).await.unwrap_err().kind(), ErrorKind::NotFound);
    let limited = c.get(4).await.unwrap_err();
    assert!(limited.to_string().contains("rate limited"), "{limited}");
}

#[tokio::test]
async fn connection_data_and_project_check() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", "/acme/_apis/connectionData")
        .match_header("authorization", basic_pat().as_str())
        .with_body(r#"{"authenticatedUser":{"id":"u1","providerDisplayName":"Jane Doe"},"authorizedUser":{"id":"u1"}}"#)
        .expect(1)
        .create_async()
        .await;
    server
        .mock("GET", "/acme/_apis/projects/Ops%20Team")
        .match_query(Matcher::UrlEncoded("api-version".into(), "7.1".into()))
        .with_status(404)
        .with_body(r#"{"message":"TF200016: The following project does not exist: Ops Team."}"#)
        .create_async()
        .await;
    let c = client(&server, pat_auth());
    assert_eq!(c.authenticated_user().await.unwrap(), "Jane Doe");
    let err = c.check_project().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("Ops Team"), "{err}");
}

#[test]
fn organization_urls_are_normalised() {
    assert_eq!(
        organization_url("https://dev.azure.com/acme/Ops/_workitems").unwrap(),
        "https://dev.azure.com/acme"
    );
    assert_eq!(
        organization_url("https://acme.visualstudio.com/Ops").unwrap(),
        "https://acme.visualstudio.com"
    );
    assert_eq!(
        organization_url("https://tfs.corp.example/tfs/DefaultCollection/").unwrap(),
        "https://tfs.corp.example/tfs/DefaultCollection"
    );
    assert!(organization_url("https://dev.azure.com/")
        .unwrap_err()
        .to_string()
        .contains("organisation"));
}

/// Creates an Incident against an organisation that answers `status`
/// with `body`, once.
async fn refused_create(status: usize, body: &str) -> Error {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("POST", "/acme/Ops%20Team/_apis/wit/workitems/$Incident")
        .match_query(Matcher::Any)
        .match_header("authorization", basic_pat().as_str())
        .match_header("content-type", "application/json-patch+json")
        .match_body(Matcher::PartialJson(json!([
            {"op": "add", "path": "/fields/System.Title", "value": "x"}
        ])))
        .with_status(status)
        .with_body(body)
        .expect(1)
        .create_async()
        .await;
    let err = client(&server, pat_auth())
        .create("Incident", &[PatchOp::add_field("System.Title", "x")])
        .await
        .unwrap_err();
    mock.assert_async().await;
    err
}

fn ado_error(message: &str, type_key: &str) -> String {
    json!({
        "$id": "1",
        "innerException": null,
        "message": message,
        "typeName": format!("Microsoft.TeamFoundation.WorkItemTracking.Server.{type_key}, Microsoft.TeamFoundation.WorkItemTracking.Server"),
        "typeKey": type_key,
        "errorCode": 600171,
        "eventId": 3200
    })
    .to_string()
}

#[tokio::test]
async fn a_tf401320_rule_error_is_a_refusal_naming_the_field() {
    let err = refused_create(
        400,
        &ado_error(
            "TF401320: Rule Error for field Assigned To. Error code: Required, HasValues, LimitedToValues, AllowsOldValue, InvalidEmpty.",
            "RuleValidationException",
        ),
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(
        matches!(&err, Error::Refused { field: Some(f), .. } if f == "Assigned To"),
        "{err:?}"
    );
    assert!(err.to_string().contains("Error code: Required"), "{err}");
}

#[tokio::test]
async fn a_tf401347_invalid_path_is_a_refusal_naming_the_field() {
    let err = refused_create(
        400,
        &ado_error(
            "TF401347: Invalid tree name given for work item -1, field 'System.AreaPath'.",
            "WorkItemTrackingInvalidTreeNameException",
        ),
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(
        matches!(&err, Error::Refused { field: Some(f), .. } if f == "System.AreaPath"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_missing_permission_names_the_permission() {
    let err = refused_create(
        403,
        &ado_error(
            "TF401027: You need the Git 'GenericContribute' permission to perform this action. Details: identity 'Bridge Bot', scope 'repository'.",
            "GitNeedsPermissionException",
        ),
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::AuthNeeded, "{err}");
    let text = err.to_string();
    assert!(
        matches!(&err, Error::PermissionDenied { status: 403, .. })
            && text.contains("You need the Git 'GenericContribute' permission")
            && text.contains("project administrator"),
        "{text}"
    );
}

#[tokio::test]
async fn a_400_the_body_does_not_explain_stays_a_rejected_request() {
    let err = refused_create(
        400,
        r#"{"message":"TF51535: Cannot find field System.Foo."}"#,
    )
    .await;
    assert!(
        matches!(&err, Error::Http(HttpError::Rejected { status: 400, .. })),
        "{err:?}"
    );
}

#[test]
fn filing_fields_replace_ours_in_place_add_new_ones_and_keep_our_tag() {
    let mut ops = incident_operations("Checkout down", "", Severity::P2, "Bug", "i-1");
    let fields: std::collections::BTreeMap<String, String> = [
        ("Microsoft.VSTS.Common.Priority", "1"),
        ("System.AreaPath", "Shop\\Checkout"),
        ("System.Tags", "sev-P2; Incident Bridge"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    apply_fields(&mut ops, &fields);
    let paths: Vec<&str> = ops.iter().map(|o| o.path.as_str()).collect();
    let unique: std::collections::BTreeSet<&&str> = paths.iter().collect();
    assert_eq!(unique.len(), paths.len(), "no field twice: {paths:?}");
    let value = |p: &str| ops.iter().find(|o| o.path == p).unwrap().value.clone();
    assert_eq!(value("/fields/Microsoft.VSTS.Common.Priority"), "1");
    assert_eq!(value("/fields/System.AreaPath"), "Shop\\Checkout");
    assert_eq!(
        value("/fields/System.Tags"),
        "Incident Bridge; ibridge-i-1; sev-P2"
    );
}
