//! The Table API client against a local HTTP server (mockito): methods,
//! paths, encoded queries, credentials and JSON bodies.

use std::collections::BTreeMap;
use std::sync::Arc;

use base64::Engine;
use mockito::Matcher;

use super::*;
use crate::error::ErrorKind;
use crate::http::{HttpConfig, NoWaitPacer};
use crate::secret::SecretString;

fn client(server: &mockito::Server) -> ServiceNowClient {
    let http = HttpClient::with_pacer(HttpConfig::default(), Arc::new(NoWaitPacer)).unwrap();
    let auth = AuthHeader::Basic {
        username: "svc.bridge".into(),
        password: SecretString::from("p@ss:word"),
    };
    // A pasted URL with a path: only the origin is kept.
    ServiceNowClient::new(http, &format!("{}/now/nav/ui/classic", server.url()), auth).unwrap()
}

fn basic_header() -> String {
    // Decoded form "svc.bridge:p@ss:word": user name, then everything after
    // the first colon is the password.
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("svc.bridge:p@ss:word")
    )
}

const SYS_ID: &str = "0123456789abcdef0123456789abcdef";

fn incident_json(sys_id: &str, number: &str) -> String {
    format!(
        r#"{{"sys_id":"{sys_id}","number":"{number}","short_description":"DB down","state":"New","priority":"1 - Critical","urgency":"1 - High","impact":"1 - High","correlation_id":"c-1","sys_updated_on":"2026-11-20 10:00:00"}}"#
    )
}

#[tokio::test]
async fn search_sends_the_escaped_query_fields_and_basic_credentials() {
    let mut server = mockito::Server::new_async().await;
    let hostile = "disk ^ORsys_idISNOTEMPTY = LIKE \"quoted\"";
    let mock = server
        .mock("GET", "/api/now/table/incident")
        .match_header("authorization", basic_header().as_str())
        .match_header("accept", "application/json")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded(
                "sysparm_query".into(),
                "short_descriptionLIKEdisk ^^ORsys_idISNOTEMPTY = LIKE \"quoted\"^ORdescriptionLIKEdisk ^^ORsys_idISNOTEMPTY = LIKE \"quoted\"^ORDERBYDESCsys_updated_on".into(),
            ),
            Matcher::UrlEncoded("sysparm_fields".into(), LIST_FIELDS.into()),
            Matcher::UrlEncoded("sysparm_limit".into(), "20".into()),
            Matcher::UrlEncoded("sysparm_offset".into(), "40".into()),
            Matcher::UrlEncoded("sysparm_display_value".into(), "true".into()),
        ]))
        .with_header("x-total-count", "41")
        .with_body(format!(r#"{{"result":[{}]}}"#, incident_json(SYS_ID, "INC0010001")))
        .expect(1)
        .create_async()
        .await;
    let page = client(&server).search(hostile, 20, 40).await.unwrap();
    mock.assert_async().await;
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].number.as_deref(), Some("INC0010001"));
    assert_eq!(
        page.items[0].url,
        format!("{}/nav_to.do?uri=incident.do?sys_id={SYS_ID}", server.url())
    );
    assert_eq!(page.total, Some(41));
    assert!(!page.has_more());
}

#[tokio::test]
async fn search_all_walks_three_pages() {
    let mut server = mockito::Server::new_async().await;
    let mut mocks = Vec::new();
    for (offset, count) in [(0u32, 100usize), (100, 100), (200, 50)] {
        let items: Vec<String> = (0..count)
            .map(|i| {
                incident_json(
                    &format!("{:032x}", offset as usize + i),
                    &format!("INC{:07}", offset as usize + i),
                )
            })
            .collect();
        mocks.push(
            server
                .mock("GET", "/api/now/table/incident")
                .match_query(Matcher::AllOf(vec![
                    Matcher::UrlEncoded("sysparm_limit".into(), "100".into()),
                    Matcher::UrlEncoded("sysparm_offset".into(), offset.to_string()),
                ]))
                .with_header("x-total-count", "250")
                .with_body(format!(r#"{{"result":[{}]}}"#, items.join(",")))
                .expect(1)
                .create_async()
                .await,
        );
    }
    let all = client(&server).search_all("db", 100, 1000).await.unwrap();
    assert_eq!(all.len(), 250);
    assert_eq!(all[249].number.as_deref(), Some("INC0000249"));
    for m in mocks {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn get_by_sys_id_and_by_number_use_different_requests() {
    let mut server = mockito::Server::new_async().await;
    let by_id = server
        .mock("GET", format!("/api/now/table/incident/{SYS_ID}").as_str())
        .match_query(Matcher::UrlEncoded(
            "sysparm_display_value".into(),
            "true".into(),
        ))
        .with_body(format!(
            r#"{{"result":{}}}"#,
            incident_json(SYS_ID, "INC0010001")
        ))
        .expect(1)
        .create_async()
        .await;
    let by_number = server
        .mock("GET", "/api/now/table/incident")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("sysparm_query".into(), "number=INC0010002".into()),
            Matcher::UrlEncoded("sysparm_limit".into(), "1".into()),
        ]))
        .with_body(format!(
            r#"{{"result":[{}]}}"#,
            incident_json(&"f".repeat(32), "INC0010002")
        ))
        .expect(1)
        .create_async()
        .await;
    let missing = server
        .mock("GET", "/api/now/table/incident")
        .match_query(Matcher::UrlEncoded(
            "sysparm_query".into(),
            "number=INC0099999".into(),
        ))
        .with_body(r#"{"result":[]}"#)
        .create_async()
        .await;
    let c = client(&server);
    let a = c
        .get(&RecordRef::parse(&SYS_ID.to_uppercase()).unwrap())
        .await
        .unwrap();
    assert_eq!(a.sys_id, SYS_ID);
    let b = c
        .get(&RecordRef::parse("inc0010002").unwrap())
        .await
        .unwrap();
    assert_eq!(b.sys_id, "f".repeat(32));
    let err = c
        .get(&RecordRef::parse("INC0099999").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    by_id.assert_async().await;
    by_number.assert_async().await;
    missing.assert_async().await;
    for bad in ["", "INC", "12345", "INCx1", &"g".repeat(32)] {
        let e = RecordRef::parse(bad).unwrap_err();
        assert!(e.to_string().contains("invalid record"), "{bad}: {e}");
    }
}

#[tokio::test]
async fn create_posts_urgency_impact_and_correlation_once() {
    use crate::incidents::Severity;
    let mut server = mockito::Server::new_async().await;
    let mut mocks = Vec::new();
    for severity in [Severity::P1, Severity::P2, Severity::P3, Severity::P4] {
        let (urgency, impact) = severity.servicenow_urgency_impact();
        mocks.push(
            server
                .mock("POST", "/api/now/table/incident")
                .match_query(Matcher::Any)
                .match_header("authorization", basic_header().as_str())
                .match_header("content-type", "application/json")
                .match_body(Matcher::Json(serde_json::json!({
                    "short_description": format!("{severity} outage"),
                    "description": "details",
                    "urgency": urgency.to_string(),
                    "impact": impact.to_string(),
                    "correlation_id": "7d3c1f2e-0000-4000-8000-000000000001",
                    "correlation_display": "Incident Bridge",
                })))
                .with_status(201)
                .with_body(format!(
                    r#"{{"result":{}}}"#,
                    incident_json(SYS_ID, "INC0010003")
                ))
                .expect(1)
                .create_async()
                .await,
        );
    }
    let c = client(&server);
    for severity in [Severity::P1, Severity::P2, Severity::P3, Severity::P4] {
        let (urgency, impact) = severity.servicenow_urgency_impact();
        let created = c
            .create(&NewSnIncident {
                short_description: format!("{severity} outage"),
                description: "details".into(),
                urgency: urgency.to_string(),
                impact: impact.to_string(),
                correlation_id: "7d3c1f2e-0000-4000-8000-000000000001".into(),
                correlation_display: "Incident Bridge".into(),
                fields: Default::default(),
            })
            .await
            .unwrap();
        assert_eq!(created.number.as_deref(), Some("INC0010003"));
    }
    for m in mocks {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn a_failed_create_is_not_retried() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("POST", "/api/now/table/incident")
        .match_query(Matcher::Any)
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let err = client(&server)
        .create(&NewSnIncident {
            short_description: "x".into(),
            description: String::new(),
            urgency: "1".into(),
            impact: "1".into(),
            correlation_id: "c".into(),
            correlation_display: "Incident Bridge".into(),
            fields: Default::default(),
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Remote);
    mock.assert_async().await;
}

#[tokio::test]
async fn update_patches_only_the_named_fields() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock(
            "PATCH",
            format!("/api/now/table/incident/{SYS_ID}").as_str(),
        )
        .match_query(Matcher::Any)
        .match_body(Matcher::Json(
            serde_json::json!({"state": "2", "work_notes": "looking ^ into it"}),
        ))
        .with_body(format!(
            r#"{{"result":{}}}"#,
            incident_json(SYS_ID, "INC0010001")
        ))
        .expect(1)
        .create_async()
        .await;
    let mut fields = BTreeMap::new();
    fields.insert("state".to_owned(), "2".to_owned());
    fields.insert("work_notes".to_owned(), "looking ^ into it".to_owned());
    client(&server).update(SYS_ID, &fields).await.unwrap();
    mock.assert_async().await;
    let mut bad = BTreeMap::new();
    bad.insert("sys_id".to_owned(), "x".to_owned());
    assert!(client(&server)
        .update(SYS_ID, &bad)
        .await
        .unwrap_err()
        .to_string()
        .contains("field"));
    assert!(client(&server)
        .update("nope", &fields)
        .await
        .unwrap_err()
        .to_string()
        .contains("sys_id"));
}

#[tokio::test]
async fn statuses_map_to_error_kinds() {
    let mut server = mockito::Server::new_async().await;
    for (status, sys_id) in [(401, "1"), (403, "2"), (404, "3"), (429, "4")] {
        let mut m = server
            .mock("GET", format!("/api/now/table/incident/{}", sys_id.repeat(32)).as_str())
            .match_query(Matcher::Any)
            .with_status(status)
            .with_body(r#"{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}"#);
        if status == 429 {
            m = m.with_header("retry-after", "3600");
        }
        m.create_async().await;
    }
    let c = client(&server);
    let kind = |e: Error| e.kind();
    assert_eq!(
        kind(c.get(&RecordRef::SysId("1".repeat(32))).await.unwrap_err()),
        ErrorKind::AuthNeeded
    );
    assert_eq!(
        kind(c.get(&RecordRef::SysId("2".repeat(32))).await.unwrap_err()),
        ErrorKind::AuthNeeded
    );
    assert_eq!(
        kind(c.get(&RecordRef::SysId("3".repeat(32))).await.unwrap_err()),
        ErrorKind::NotFound
    );
    let limited = c.get(&RecordRef::SysId("4".repeat(32))).await.unwrap_err();
    assert_eq!(limited.kind(), ErrorKind::Remote);
    assert!(limited.to_string().contains("rate limited"), "{limited}");
}

#[tokio::test]
async fn current_user_by_name_or_by_session() {
    let mut server = mockito::Server::new_async().await;
    let by_name = server
        .mock("GET", "/api/now/table/sys_user")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("sysparm_query".into(), "user_name=svc.bridge".into()),
            Matcher::UrlEncoded("sysparm_limit".into(), "1".into()),
        ]))
        .with_body(
            r#"{"result":[{"user_name":"svc.bridge","name":"Bridge Service","email":"b@x"}]}"#,
        )
        .expect(1)
        .create_async()
        .await;
    let by_session = server
        .mock("GET", "/api/now/table/sys_user")
        .match_query(Matcher::UrlEncoded(
            "sysparm_query".into(),
            "sys_id=javascript:gs.getUserID()".into(),
        ))
        .with_body(r#"{"result":[{"user_name":"jane","name":"Jane Doe"}]}"#)
        .expect(1)
        .create_async()
        .await;
    let c = client(&server);
    assert_eq!(
        c.current_user(Some("svc.bridge"))
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("Bridge Service")
    );
    assert_eq!(
        c.current_user(None).await.unwrap().user_name.as_deref(),
        Some("jane")
    );
    by_name.assert_async().await;
    by_session.assert_async().await;
}

#[test]
fn instance_urls_keep_only_the_origin() {
    assert_eq!(
        instance_origin("https://acme.service-now.com/").unwrap(),
        "https://acme.service-now.com"
    );
    assert_eq!(
        instance_origin(
            "https://acme.service-now.com/now/nav/ui/classic/params/target/incident_list.do"
        )
        .unwrap(),
        "https://acme.service-now.com"
    );
    assert_eq!(
        instance_origin("http://127.0.0.1:9000/x").unwrap(),
        "http://127.0.0.1:9000"
    );
}

fn fake_client(fake: &ibridge_testkit::FakeServices) -> ServiceNowClient {
    let http = HttpClient::with_pacer(HttpConfig::default(), Arc::new(NoWaitPacer)).unwrap();
    let auth = AuthHeader::Basic {
        username: "svc.bridge".into(),
        password: SecretString::from("pw"),
    };
    ServiceNowClient::new(http, &fake.url(), auth).unwrap()
}

fn new_incident(short: &str, key: &str) -> NewSnIncident {
    NewSnIncident {
        short_description: short.into(),
        description: String::new(),
        urgency: "2".into(),
        impact: "2".into(),
        correlation_id: key.into(),
        correlation_display: "Incident Bridge".into(),
        fields: Default::default(),
    }
}

/// Against the stateful fake, which reads encoded queries as the instance
/// does: a caret typed by the user arrives as `^^` and is matched as a
/// literal caret, not as the start of another condition.
#[test]
fn a_caret_in_the_search_reaches_the_instance_as_a_literal_caret() {
    let fake = ibridge_testkit::FakeServices::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let c = fake_client(&fake);
        for (short, key) in [
            ("cpu^spike on db-1", "k1"),
            ("cpu on db-2", "k2"),
            ("spike", "k3"),
        ] {
            c.create(&new_incident(short, key)).await.unwrap();
        }
        let found = c.search("cpu^spike", 10, 0).await.unwrap();
        let titles: Vec<_> = found
            .items
            .iter()
            .map(|i| i.short_description.clone().unwrap_or_default())
            .collect();
        assert_eq!(titles, vec!["cpu^spike on db-1".to_owned()]);
        // An OR smuggled in through the text stays text.
        let found = c
            .search("nothing^ORshort_descriptionLIKEcpu", 10, 0)
            .await
            .unwrap();
        assert!(found.items.is_empty(), "{:?}", found.items);
    });
}

#[tokio::test]
async fn a_script_value_is_refused_before_any_request() {
    let mut server = mockito::Server::new_async().await;
    let any = server
        .mock("GET", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let c = client(&server);
    let err = c
        .search("javascript:gs.getUserID()", 10, 0)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("javascript:"), "{err}");
    let err = c
        .get(&RecordRef::Number("javascript:gs.sleep(1)".into()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = c.current_user(Some("JavaScript:x")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    any.assert_async().await;
}

/// Creates against an instance that answers `status` with `body`, once.
async fn refused_create(status: usize, body: &str) -> Error {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("POST", "/api/now/table/incident")
        .match_header("authorization", basic_header().as_str())
        .match_query(Matcher::UrlEncoded(
            "sysparm_exclude_reference_link".into(),
            "true".into(),
        ))
        .match_body(Matcher::PartialJson(serde_json::json!({
            "short_description": "DB down",
            "correlation_id": "c-1"
        })))
        .with_status(status)
        .with_body(body)
        .expect(1)
        .create_async()
        .await;
    let err = client(&server)
        .create(&new_incident("DB down", "c-1"))
        .await
        .unwrap_err();
    mock.assert_async().await;
    err
}

#[tokio::test]
async fn a_data_policy_403_is_a_refusal_of_the_data_naming_the_fields() {
    let err = refused_create(
        403,
        r#"{"error":{"message":"Operation Failed","detail":"Data Policy Exception: \n The following fields are mandatory: Assignment group, Category"},"status":"failure"}"#,
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(
        matches!(&err, Error::Refused { field: Some(f), .. } if f == "Assignment group, Category"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("refused the data (field 'Assignment group, Category')")
            && text.contains("Data Policy Exception")
            && !text.contains("credentials"),
        "{text}"
    );
}

#[tokio::test]
async fn a_business_rule_abort_is_a_refusal_of_the_data_without_a_field() {
    let err = refused_create(
        403,
        r#"{"error":{"message":"Operation Failed","detail":"Operation against file 'incident' was aborted by Business Rule 'Require CI on P1^4c3f'. Business Rule Stack:Require CI on P1"},"status":"failure"}"#,
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::Remote, "{err}");
    assert!(
        matches!(&err, Error::Refused { field: None, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("Business Rule 'Require CI on P1"),
        "{err}"
    );
}

#[tokio::test]
async fn an_acl_403_is_a_missing_permission_that_says_so() {
    let err = refused_create(
        403,
        r#"{"error":{"message":"Operation Failed","detail":"ACL Exception Insert Failed due to security constraints"},"status":"failure"}"#,
    )
    .await;
    assert_eq!(err.kind(), ErrorKind::AuthNeeded, "{err}");
    let text = err.to_string();
    assert!(
        matches!(&err, Error::PermissionDenied { status: 403, .. })
            && text.contains("ACL Exception Insert Failed due to security constraints")
            && text.contains("itil"),
        "{text}"
    );
}

#[tokio::test]
async fn a_403_the_body_does_not_explain_stays_a_credentials_refusal() {
    let err = refused_create(403, r#"{"error":{"message":"Forbidden"}}"#).await;
    assert!(
        matches!(&err, Error::Http(HttpError::Auth { status: 403, .. })),
        "{err:?}"
    );
}

#[test]
fn filing_fields_take_our_columns_in_place_and_never_the_correlation() {
    let fields: BTreeMap<String, String> = [
        ("short_description", "[P1] Checkout down"),
        ("assignment_group", "0123456789abcdef0123456789abcdef"),
        ("correlation_id", "someone-else"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let body =
        serde_json::to_value(new_incident("Checkout down", "i-1").with_fields(&fields)).unwrap();
    assert_eq!(body["short_description"], "[P1] Checkout down");
    assert_eq!(body["assignment_group"], "0123456789abcdef0123456789abcdef");
    assert_eq!(body["correlation_id"], "i-1");
    let text = serde_json::to_string(&new_incident("x", "i-1").with_fields(&fields)).unwrap();
    assert_eq!(text.matches("short_description").count(), 1, "{text}");
}
