//! Contract tests: the requests our clients build are sent to Prism serving
//! the vendors' specifications (`shared/contracts/`): Azure DevOps Work
//! Item Tracking 7.1 and Confluence Cloud REST v1 (their `derived/` mock
//! copies), and the ServiceNow Table API. Prism answers 4xx with the
//! violated rule for any request the specification does not allow.
//!
//! Needs `npm ci --prefix tests/contract-mock` (scripts/test.sh runs it) and
//! the shared contracts folder beside the repository.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ibridge_core::http::{HttpClient, HttpConfig};
use ibridge_core::incidents::Severity;
use ibridge_core::providers::azure_devops::{self as ado, AdoClient, PatchOp};
use ibridge_core::providers::confluence::{cql, ConfluenceClient, NewPage};
use ibridge_core::providers::servicenow::{query as sn_query, NewSnIncident, ServiceNowClient};
use ibridge_core::providers::AuthHeader;
use ibridge_core::SecretString;

struct Prism(Child);

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn start_prism(spec: &str) -> (Prism, u16) {
    let bin = repo_root().join("tests/contract-mock/node_modules/.bin/prism");
    assert!(
        bin.exists(),
        "Prism is not installed: run `npm ci --prefix tests/contract-mock` (scripts/test.sh does)"
    );
    let spec = repo_root().join("../shared/contracts").join(spec);
    assert!(
        spec.exists(),
        "the vendor contracts are expected at {}",
        spec.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(bin)
        .args(["mock", "--host", "127.0.0.1", "-p", &port.to_string()])
        .arg(&spec)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Prism starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("Prism is listening") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(90))
        .expect("Prism is listening");
    (Prism(child), port)
}

/// Sends a request the client built; returns (status, violations).
async fn send(request: reqwest::RequestBuilder) -> (u16, String) {
    let response = request.send().await.expect("Prism answers");
    let status = response.status().as_u16();
    let violations = response
        .headers()
        .get("sl-violations")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await.unwrap_or_default();
    (
        status,
        if violations.is_empty() && status >= 400 {
            body
        } else {
            violations
        },
    )
}

/// Every request gets a 2xx and no violation from the mock.
async fn assert_all_accepted<W: std::fmt::Display>(requests: Vec<(W, reqwest::RequestBuilder)>) {
    for (what, request) in requests {
        let (status, violations) = send(request).await;
        assert!(
            (200..300).contains(&status),
            "{what}: HTTP {status}: {violations}"
        );
        assert!(violations.is_empty(), "{what}: {violations}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn work_item_requests_satisfy_the_vendor_specification() {
    let (_prism, port) = start_prism("derived/ado-wit-7.1.mock.json");
    let http = HttpClient::new(HttpConfig::default()).unwrap();
    let pat = AuthHeader::Basic {
        username: String::new(),
        password: SecretString::from("contract-test-pat"),
    };
    let client = AdoClient::new(
        http,
        &format!("http://127.0.0.1:{port}/acme"),
        "Ops Team",
        pat,
    )
    .unwrap();

    let mut requests: Vec<(String, reqwest::RequestBuilder)> = vec![
        (
            "wiql text search".into(),
            client.wiql_request(&ado::wiql::text_search(r#"it's "down" \ again"#), 50),
        ),
        (
            "wiql by tag".into(),
            client.wiql_request(&ado::wiql::by_tag("ibridge-7d3c1f2e"), 1),
        ),
        (
            "batch read of 200".into(),
            client.batch_request(&(1..=200).collect::<Vec<u64>>(), ado::LIST_FIELDS),
        ),
        ("get one".into(), client.get_request(42)),
        ("work item types".into(), client.types_request()),
        (
            "update".into(),
            client.update_request(
                42,
                &[
                    PatchOp::add_field("System.State", "Active"),
                    PatchOp::add_field("Microsoft.VSTS.Common.Priority", "1"),
                ],
            ),
        ),
    ];
    for kind in ado::FILING_TYPES {
        for severity in [Severity::P1, Severity::P4] {
            let ops = ado::incident_operations(
                "Checkout down",
                "Errors on **pay**",
                severity,
                kind,
                "7d3c1f2e",
            );
            requests.push((
                format!("create {kind} {severity}"),
                client.create_request(kind, &ops),
            ));
        }
    }
    assert_all_accepted(requests).await;

    // The mock does validate: requests that break the specification fail.
    let raw = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}/acme/Ops%20Team/_apis/wit");
    let (status, _) = send(
        raw.post(format!("{base}/workitems/$Bug?api-version=7.1"))
            .basic_auth("", Some("contract-test-pat"))
            .header("content-type", "application/json-patch+json")
            .body(r#"{"not":"a patch document"}"#),
    )
    .await;
    assert!(
        status >= 400,
        "a non-array patch body is refused (got {status})"
    );
    let (status, _) = send(
        raw.get(format!("{base}/workitems?api-version=7.1"))
            .basic_auth("", Some("p")),
    )
    .await;
    assert!(
        status >= 400,
        "a batch read without ids is refused (got {status})"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn confluence_requests_satisfy_the_vendor_specification() {
    let (_prism, port) = start_prism("derived/confluence-v1.mock.json");
    let http = HttpClient::new(HttpConfig::default()).unwrap();
    // The v1 specification lists only OAuth 2.0 (Bearer) security.
    let client = ConfluenceClient::new(
        http,
        &format!("http://127.0.0.1:{port}/wiki"),
        AuthHeader::Bearer(SecretString::from("contract-test-token")),
    );
    let storage = ibridge_core::docs::storage::markdown_to_storage(
        "# RCA\n\n- [ ] follow up\n\n```sh\nls\n```",
    );
    let requests: Vec<(&str, reqwest::RequestBuilder)> = vec![
        ("current user", client.current_user_request()),
        ("spaces, first page", client.spaces_request(0)),
        ("spaces, third page", client.spaces_request(200)),
        (
            "search",
            client.search_request(&cql::text_search(r#"pool "size" \ x"#, Some("OPS")), 25, 0),
        ),
        (
            "find by title",
            client.search_request(&cql::by_title("OPS", "RCA: checkout"), 1, 0),
        ),
        ("get page", client.get_page_request("555")),
        (
            "create page",
            client.create_page_request(&NewPage {
                space_key: "OPS",
                title: "RCA: checkout",
                parent_id: Some("4242"),
                storage: &storage,
                bridge_key: "doc-1",
            }),
        ),
        (
            "update page",
            client.update_page_request("555", "RCA: checkout", &storage, 2),
        ),
    ];
    for (what, request) in requests {
        let (status, violations) = send(request).await;
        // Prism validates the request first; for some Content responses it
        // then cannot generate a body (500 SCHEMA_TOO_COMPLEX, see the
        // contracts README). That 500 still means the request was valid.
        let valid_but_ungenerated = status == 500 && violations.contains("SCHEMA_TOO_COMPLEX");
        assert!(
            (200..300).contains(&status) || valid_but_ungenerated,
            "{what}: HTTP {status}: {violations}"
        );
    }
    // The mock does validate: a search without its required `cql` fails.
    let (status, _) = send(
        reqwest::Client::new()
            .get(format!(
                "http://127.0.0.1:{port}/wiki/rest/api/content/search"
            ))
            .bearer_auth("contract-test-token"),
    )
    .await;
    assert!(
        status >= 400,
        "a search without cql is refused (got {status})"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn servicenow_requests_satisfy_the_vendor_specification() {
    // The Table API export has empty schemas (see the contracts README):
    // Prism checks routes, methods and path parameters here; the bodies
    // and queries are asserted exactly in the mockito tests.
    let (_prism, port) = start_prism("servicenow/table-api.openapi.json");
    let http = HttpClient::new(HttpConfig::default()).unwrap();
    let client = ServiceNowClient::new(
        http,
        &format!("http://127.0.0.1:{port}"),
        AuthHeader::Basic {
            username: "svc".into(),
            password: SecretString::from("contract-test-password"),
        },
    )
    .unwrap();
    let sys_id = "0123456789abcdef0123456789abcdef";
    let fields = [
        ("state".to_owned(), "2".to_owned()),
        ("work_notes".to_owned(), "Investigating".to_owned()),
    ]
    .into();
    let requests: Vec<(&str, reqwest::RequestBuilder)> = vec![
        (
            "current user by name",
            client.current_user_request(Some("svc")),
        ),
        ("current user by session", client.current_user_request(None)),
        ("search", client.search_request(r#"pool ^ "size""#, 25, 50)),
        ("get by sys_id", client.get_request(sys_id)),
        (
            "find by number",
            client.first_where_request(&sn_query::by_number("INC0010001"), true),
        ),
        (
            "find by correlation id",
            client.first_where_request(&sn_query::by_correlation("7d3c1f2e"), false),
        ),
        (
            "create",
            client.create_request(&NewSnIncident {
                short_description: "Checkout down".into(),
                description: "Errors on pay".into(),
                urgency: "1".into(),
                impact: "2".into(),
                correlation_id: "7d3c1f2e".into(),
                correlation_display: "Incident Bridge".into(),
                fields: Default::default(),
            }),
        ),
        ("update", client.update_request(sys_id, &fields)),
    ];
    assert_all_accepted(requests).await;
    // The mock does check routes and methods: neither of these exists.
    let raw = reqwest::Client::new();
    let (status, _) = send(
        raw.patch(format!("http://127.0.0.1:{port}/api/now/table/incident"))
            .basic_auth("svc", Some("p"))
            .json(&serde_json::json!({ "state": "2" })),
    )
    .await;
    assert!(
        status >= 400,
        "a PATCH without a sys_id is refused (got {status})"
    );
    let (status, _) = send(
        raw.get(format!("http://127.0.0.1:{port}/api/now/tables/incident"))
            .basic_auth("svc", Some("p")),
    )
    .await;
    assert!(status >= 400, "an unknown path is refused (got {status})");
}
