//! The Confluence client against a local HTTP server (mockito).

use std::sync::Arc;

use base64::Engine;
use mockito::Matcher;
use serde_json::json;

use super::*;
use crate::error::ErrorKind;
use crate::http::{HttpConfig, NoWaitPacer};
use crate::secret::SecretString;

fn http() -> HttpClient {
    HttpClient::with_pacer(HttpConfig::default(), Arc::new(NoWaitPacer)).unwrap()
}

fn cloud(server: &mockito::Server) -> ConfluenceClient {
    ConfluenceClient::new(
        http(),
        &format!("{}/wiki", server.url()),
        AuthHeader::Basic {
            username: "ana@acme.example".into(),
            password: SecretString::from("atl-token"),
        },
    )
}

fn basic() -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("ana@acme.example:atl-token")
    )
}

fn space(key: &str) -> String {
    format!(r#"{{"id":1,"key":"{key}","name":"Space {key}","_links":{{"webui":"/spaces/{key}"}}}}"#)
}

#[tokio::test]
async fn spaces_follow_next_links_over_three_pages() {
    let mut server = mockito::Server::new_async().await;
    let pages = [
        (
            0,
            vec!["A", "B"],
            Some("/rest/api/space?limit=100&start=100"),
        ),
        (
            100,
            vec!["C"],
            Some("/wiki/rest/api/space?limit=100&start=200"),
        ),
        (200, vec!["D"], None),
    ];
    let mut mocks = Vec::new();
    for (start, keys, next) in pages {
        let results: Vec<String> = keys.iter().map(|k| space(k)).collect();
        let next = next
            .map(|n| format!(r#","next":"{n}""#))
            .unwrap_or_default();
        mocks.push(
            server
                .mock("GET", "/wiki/rest/api/space")
                .match_header("authorization", basic().as_str())
                .match_query(Matcher::AllOf(vec![
                    Matcher::UrlEncoded("limit".into(), "100".into()),
                    Matcher::UrlEncoded("start".into(), start.to_string()),
                ]))
                .with_body(format!(
                    r#"{{"results":[{}],"start":{start},"limit":100,"size":{},"_links":{{"base":"https://acme.atlassian.net/wiki","context":"/wiki"{next}}}}}"#,
                    results.join(","),
                    keys.len()
                ))
                .expect(1)
                .create_async()
                .await,
        );
    }
    let spaces = cloud(&server).spaces().await.unwrap();
    assert_eq!(
        spaces.iter().map(|s| s.key.as_str()).collect::<Vec<_>>(),
        vec!["A", "B", "C", "D"]
    );
    assert_eq!(
        spaces[0].url.as_deref(),
        Some("https://acme.atlassian.net/wiki/spaces/A")
    );
    for m in mocks {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn search_escapes_hostile_text_in_cql() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("GET", "/wiki/rest/api/content/search")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded(
                "cql".into(),
                r#"type = page AND text ~ "db \"down\" \\ OR space = X" AND space = "OPS" ORDER BY lastmodified DESC"#.into(),
            ),
            Matcher::UrlEncoded("limit".into(), "25".into()),
            Matcher::UrlEncoded("start".into(), "50".into()),
        ]))
        .with_body(r#"{"results":[{"id":"123","title":"RCA: db","space":{"key":"OPS"},"version":{"number":4},"_links":{"webui":"/spaces/OPS/pages/123"}}],"start":50,"limit":25,"size":1,"_links":{"base":"https://acme.atlassian.net/wiki","next":"/rest/api/content/search?cursor=x"}}"#)
        .expect(1)
        .create_async()
        .await;
    let found = cloud(&server)
        .search(r#"db "down" \ OR space = X"#, Some("OPS"), 25, 50)
        .await
        .unwrap();
    assert_eq!(
        found.pages[0].url.as_deref(),
        Some("https://acme.atlassian.net/wiki/spaces/OPS/pages/123")
    );
    assert_eq!(found.pages[0].version, Some(4));
    assert!(found.has_more);
    mock.assert_async().await;
    assert!(cloud(&server)
        .search("x", Some("O P"), 25, 0)
        .await
        .unwrap_err()
        .to_string()
        .contains("space"));
}

#[tokio::test]
async fn create_sends_storage_ancestors_and_the_bridge_property() {
    let mut server = mockito::Server::new_async().await;
    let mock = server
        .mock("POST", "/wiki/rest/api/content")
        .match_header("authorization", basic().as_str())
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(json!({
            "type": "page",
            "title": "RCA: checkout",
            "space": {"key": "OPS"},
            "ancestors": [{"id": "98765"}],
            "body": {"storage": {"value": "<h1>RCA</h1>", "representation": "storage"}},
            "metadata": {"properties": {"incident-bridge": {"key": "incident-bridge", "value": {"key": "doc-1"}}}},
        })))
        .with_body(r#"{"id":"555","type":"page","title":"RCA: checkout","space":{"key":"OPS"},"version":{"number":1},"_links":{"base":"https://acme.atlassian.net/wiki","webui":"/spaces/OPS/pages/555/RCA+checkout"}}"#)
        .expect(1)
        .create_async()
        .await;
    let page = cloud(&server)
        .create_page(&NewPage {
            space_key: "OPS",
            title: "RCA: checkout",
            parent_id: Some("98765"),
            storage: "<h1>RCA</h1>",
            bridge_key: "doc-1",
        })
        .await
        .unwrap();
    assert_eq!(page.id, "555");
    assert_eq!(page.version, Some(1));
    assert_eq!(
        page.url.as_deref(),
        Some("https://acme.atlassian.net/wiki/spaces/OPS/pages/555/RCA+checkout")
    );
    mock.assert_async().await;
}

#[tokio::test]
async fn update_sends_the_next_version_and_409_is_a_conflict() {
    let mut server = mockito::Server::new_async().await;
    let ok = server
        .mock("PUT", "/wiki/rest/api/content/555")
        .match_body(Matcher::Json(json!({
            "id": "555",
            "type": "page",
            "title": "RCA: checkout",
            "version": {"number": 3},
            "body": {"storage": {"value": "<p>v3</p>", "representation": "storage"}},
        })))
        .with_body(r#"{"id":"555","title":"RCA: checkout","version":{"number":3},"_links":{"base":"https://acme.atlassian.net/wiki","webui":"/x"}}"#)
        .expect(1)
        .create_async()
        .await;
    let page = cloud(&server)
        .update_page("555", "RCA: checkout", "<p>v3</p>", 3)
        .await
        .unwrap();
    assert_eq!(page.version, Some(3));
    ok.assert_async().await;

    server
        .mock("PUT", "/wiki/rest/api/content/556")
        .with_status(409)
        .with_body(r#"{"statusCode":409,"message":"Version must be incremented on update. Current Version is: 5"}"#)
        .create_async()
        .await;
    let err = cloud(&server)
        .update_page("556", "t", "<p/>", 3)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[tokio::test]
async fn unauthorized_needs_auth_and_oauth_uses_the_gateway_form() {
    let mut server = mockito::Server::new_async().await;
    server
        .mock("GET", "/wiki/rest/api/user/current")
        .with_status(401)
        .with_body(r#"{"message":"Client must be authenticated to access this resource."}"#)
        .create_async()
        .await;
    assert_eq!(
        cloud(&server).current_user().await.unwrap_err().kind(),
        ErrorKind::AuthNeeded
    );

    let gateway = server
        .mock(
            "GET",
            "/ex/confluence/1324a887-45db-1bf4-1e99-ef0ff456d421/wiki/rest/api/user/current",
        )
        .match_header("authorization", "Bearer atl-oauth-token")
        .with_body(r#"{"displayName":"Ana","email":"ana@acme.example"}"#)
        .expect(1)
        .create_async()
        .await;
    let oauth = ConfluenceClient::new(
        http(),
        &format!(
            "{}/ex/confluence/1324a887-45db-1bf4-1e99-ef0ff456d421/wiki",
            server.url()
        ),
        AuthHeader::Bearer(SecretString::from("atl-oauth-token")),
    );
    assert_eq!(
        oauth.current_user().await.unwrap(),
        "Ana (ana@acme.example)"
    );
    gateway.assert_async().await;
}

#[test]
fn site_urls_are_normalised() {
    for pasted in [
        "https://acme.atlassian.net",
        "https://acme.atlassian.net/wiki",
        "https://acme.atlassian.net/wiki/",
        "https://acme.atlassian.net/wiki/spaces/OPS/pages/123/RCA",
    ] {
        assert_eq!(
            cloud_base(pasted).unwrap(),
            "https://acme.atlassian.net/wiki",
            "{pasted}"
        );
    }
    assert_eq!(
        data_center_base("https://wiki.corp.example/confluence/display/OPS/Home").unwrap(),
        "https://wiki.corp.example/confluence"
    );
    assert_eq!(
        data_center_base("https://wiki.corp.example/").unwrap(),
        "https://wiki.corp.example"
    );
}
