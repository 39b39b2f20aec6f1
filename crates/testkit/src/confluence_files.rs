//! The fake's Confluence attachments and labels, strict like the real
//! service: an upload without `X-Atlassian-Token: no-check` is refused
//! (XSRF check), a second attachment with a file name the page already has
//! is refused, the multipart body must hold a `file` part with a file
//! name, and labels must be `{prefix, name}` objects with allowed names.

use std::time::Duration;

use serde_json::{json, Value};
use warp::http::{HeaderMap, Response};

use crate::{query_param, respond, CreateMode, State};

/// One stored attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeAttachment {
    pub id: String,
    pub page_id: String,
    pub file_name: String,
    pub media_type: String,
    pub version: i64,
    pub bytes: Vec<u8>,
    pub comment: String,
    pub minor_edit: bool,
}

#[derive(Default)]
pub(crate) struct Files {
    pub attachments: Vec<FakeAttachment>,
    pub labels: Vec<(String, String)>,
    /// How the next attachment uploads behave (creates and new versions).
    pub upload_mode: Option<CreateMode>,
}

/// A part of a multipart body.
#[derive(Debug)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn param(header: &str, name: &str) -> Option<String> {
    header.split(';').map(str::trim).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    if !content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        return Err(format!(
            "expected multipart/form-data, got '{content_type}'"
        ));
    }
    let boundary = param(content_type, "boundary").ok_or("no boundary")?;
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut at = find(body, delimiter.as_bytes(), 0).ok_or("no opening boundary")?;
    loop {
        at += delimiter.len();
        if body.get(at..at + 2) == Some(b"--") {
            return Ok(parts);
        }
        if body.get(at..at + 2) != Some(b"\r\n") {
            return Err("boundary not followed by CRLF".into());
        }
        at += 2;
        let headers_end = find(body, b"\r\n\r\n", at).ok_or("part without headers end")?;
        let headers = String::from_utf8_lossy(&body[at..headers_end]).into_owned();
        let content_start = headers_end + 4;
        let next = find(body, format!("\r\n{delimiter}").as_bytes(), content_start)
            .ok_or("part without closing boundary")?;
        let mut part = Part {
            name: String::new(),
            file_name: None,
            content_type: None,
            body: body[content_start..next].to_vec(),
        };
        for line in headers.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            match key.trim().to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    part.name = param(value, "name").unwrap_or_default();
                    part.file_name = param(value, "filename");
                }
                "content-type" => part.content_type = Some(value.trim().to_owned()),
                _ => {}
            }
        }
        parts.push(part);
        at = next + 2;
    }
}

/// Characters Confluence refuses in a label name.
fn bad_label(name: &str) -> bool {
    name.is_empty()
        || name.chars().count() > 255
        || name.chars().any(|c| {
            c.is_whitespace()
                || matches!(
                    c,
                    '!' | '#'
                        | '&'
                        | '('
                        | ')'
                        | '*'
                        | ','
                        | '.'
                        | ':'
                        | ';'
                        | '<'
                        | '>'
                        | '?'
                        | '@'
                        | '['
                        | ']'
                        | '^'
                )
        })
}

pub(crate) fn attachment_json(a: &FakeAttachment) -> Value {
    json!({
        "id": a.id,
        "type": "attachment",
        "status": "current",
        "title": a.file_name,
        "version": { "number": a.version, "minorEdit": a.minor_edit },
        "extensions": { "mediaType": a.media_type, "fileSize": a.bytes.len(), "comment": a.comment },
        "_links": { "download": format!("/download/attachments/{}/{}", a.page_id, a.file_name) },
    })
}

/// The attachment and label routes; `None` for any other request.
pub(crate) async fn handle(
    state: &std::sync::Arc<std::sync::Mutex<State>>,
    method: &str,
    segments: &[&str],
    query: &str,
    headers: &HeaderMap,
    raw: &[u8],
) -> Option<Response<String>> {
    let rest = match segments {
        ["wiki", "rest", "api", "content", page_id, rest @ ..] if !rest.is_empty() => {
            (page_id.to_string(), rest)
        }
        _ => return None,
    };
    let (page_id, rest) = rest;
    let page_exists = state
        .lock()
        .unwrap()
        .pages
        .iter()
        .any(|p| p["id"] == page_id.as_str());
    let answer = match (method, rest) {
        ("GET", ["child", "attachment"]) => {
            if !page_exists {
                return Some(respond(404, json!({ "message": "No content found" })));
            }
            let name = query_param(query, "filename");
            let s = state.lock().unwrap();
            let hits: Vec<Value> = s
                .files
                .attachments
                .iter()
                .filter(|a| {
                    a.page_id == page_id && name.as_deref().is_none_or(|n| a.file_name == n)
                })
                .map(attachment_json)
                .collect();
            respond(
                200,
                json!({ "results": hits, "size": hits.len(), "_links": {} }),
            )
        }
        ("POST", ["child", "attachment"]) | ("POST", ["child", "attachment", _, "data"]) => {
            upload(state, &page_id, rest, page_exists, headers, raw).await
        }
        ("GET", ["label"]) => {
            if !page_exists {
                return Some(respond(404, json!({ "message": "No content found" })));
            }
            let s = state.lock().unwrap();
            let labels: Vec<Value> = s
                .files
                .labels
                .iter()
                .filter(|(p, _)| *p == page_id)
                .map(|(_, n)| json!({ "prefix": "global", "name": n, "id": format!("L-{n}"), "label": n }))
                .collect();
            respond(200, json!({ "results": labels, "size": labels.len() }))
        }
        ("POST", ["label"]) => {
            if !page_exists {
                return Some(respond(404, json!({ "message": "No content found" })));
            }
            let body: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
            let items = match &body {
                Value::Array(items) => items.clone(),
                Value::Object(_) => vec![body.clone()],
                _ => {
                    return Some(respond(
                        400,
                        json!({ "message": "expected a label or a list of labels" }),
                    ))
                }
            };
            let mut names = Vec::new();
            for item in &items {
                let (Some(prefix), Some(name)) = (item["prefix"].as_str(), item["name"].as_str())
                else {
                    return Some(respond(
                        400,
                        json!({ "message": "a label needs prefix and name" }),
                    ));
                };
                if prefix != "global" || bad_label(name) {
                    return Some(respond(
                        400,
                        json!({ "message": format!("invalid label '{prefix}:{name}'") }),
                    ));
                }
                names.push(name.to_lowercase());
            }
            let mut s = state.lock().unwrap();
            s.writes
                .push(format!("POST label {page_id} {}", names.join(",")));
            for name in names {
                if !s
                    .files
                    .labels
                    .iter()
                    .any(|(p, n)| *p == page_id && *n == name)
                {
                    s.files.labels.push((page_id.clone(), name));
                }
            }
            respond(200, json!({ "results": [], "size": 0 }))
        }
        ("DELETE", ["label"]) | ("DELETE", ["label", _]) => {
            if !page_exists {
                return Some(respond(404, json!({ "message": "No content found" })));
            }
            let name = match rest {
                ["label", name] => Some(name.to_string()),
                _ => query_param(query, "name"),
            };
            let Some(name) = name else {
                return Some(respond(400, json!({ "message": "name is required" })));
            };
            let mut s = state.lock().unwrap();
            s.writes.push(format!("DELETE label {page_id} {name}"));
            s.files
                .labels
                .retain(|(p, n)| !(*p == page_id && *n == name));
            Response::builder()
                .status(204)
                .body(String::new())
                .expect("response")
        }
        _ => return None,
    };
    Some(answer)
}

async fn upload(
    state: &std::sync::Arc<std::sync::Mutex<State>>,
    page_id: &str,
    rest: &[&str],
    page_exists: bool,
    headers: &HeaderMap,
    raw: &[u8],
) -> Response<String> {
    if headers
        .get("x-atlassian-token")
        .and_then(|v| v.to_str().ok())
        != Some("no-check")
    {
        return respond(403, json!({ "message": "XSRF check failed" }));
    }
    if !page_exists {
        return respond(404, json!({ "message": "No content found" }));
    }
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let parts = match parse_multipart(content_type, raw) {
        Ok(p) => p,
        Err(e) => {
            return respond(
                400,
                json!({ "message": format!("bad multipart body: {e}") }),
            )
        }
    };
    let Some(file) = parts.iter().find(|p| p.name == "file") else {
        return respond(400, json!({ "message": "no 'file' part" }));
    };
    let Some(file_name) = file.file_name.clone().filter(|n| !n.is_empty()) else {
        return respond(400, json!({ "message": "the 'file' part has no filename" }));
    };
    if !parts.iter().any(|p| p.name == "minorEdit") {
        return respond(400, json!({ "message": "minorEdit is required" }));
    }
    let text = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name)
            .map(|p| String::from_utf8_lossy(&p.body).into_owned())
            .unwrap_or_default()
    };
    let comment = text("comment");
    let minor_edit = text("minorEdit") == "true";
    let media_type = file
        .content_type
        .clone()
        .unwrap_or_else(|| "application/octet-stream".into());

    let mode = state.lock().unwrap().files.upload_mode;
    if mode == Some(CreateMode::HangThenDiscard) {
        state.lock().unwrap().hanging += 1;
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return respond(503, json!({}));
    }
    let stored = {
        let mut guard = state.lock().unwrap();
        let s = &mut *guard;
        let stored = match rest {
            ["child", "attachment"] => {
                if s.files
                    .attachments
                    .iter()
                    .any(|a| a.page_id == page_id && a.file_name == file_name)
                {
                    return respond(
                        400,
                        json!({ "message": "Cannot add a new attachment with same file name as an existing attachment" }),
                    );
                }
                s.next_id += 1;
                let a = FakeAttachment {
                    id: format!("att{}", s.next_id),
                    page_id: page_id.to_owned(),
                    file_name,
                    media_type,
                    version: 1,
                    bytes: file.body.clone(),
                    comment,
                    minor_edit,
                };
                s.writes
                    .push(format!("POST attachment {page_id} {}", a.file_name));
                s.files.attachments.push(a.clone());
                a
            }
            [_, _, attachment_id, "data"] => {
                let Some(a) = s
                    .files
                    .attachments
                    .iter_mut()
                    .find(|a| a.page_id == page_id && a.id == *attachment_id)
                else {
                    return respond(404, json!({ "message": "No attachment found" }));
                };
                if a.file_name != file_name {
                    return respond(
                        400,
                        json!({ "message": "the file name must stay the attachment's" }),
                    );
                }
                a.version += 1;
                a.bytes = file.body.clone();
                a.media_type = media_type;
                a.comment = comment;
                a.minor_edit = minor_edit;
                let a = a.clone();
                s.writes
                    .push(format!("POST attachment-data {page_id} {}", a.file_name));
                a
            }
            _ => return respond(404, json!({ "message": "not served" })),
        };
        stored
    };
    match mode {
        Some(CreateMode::StoreThenHang) => {
            state.lock().unwrap().hanging += 1;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Some(CreateMode::StoreThenDelay(d)) => tokio::time::sleep(d).await,
        _ => {}
    }
    match rest {
        ["child", "attachment"] => respond(
            200,
            json!({ "results": [attachment_json(&stored)], "size": 1, "_links": {} }),
        ),
        _ => respond(200, attachment_json(&stored)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_multipart_body() {
        let body = b"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.png\"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--xyz\r\nContent-Disposition: form-data; name=\"minorEdit\"\r\n\r\ntrue\r\n--xyz--\r\n";
        let parts = parse_multipart("multipart/form-data; boundary=xyz", body).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].file_name.as_deref(), Some("a b.png"));
        assert_eq!(parts[0].body, b"\x89PNG");
        assert_eq!(parts[1].body, b"true");
        assert!(parse_multipart("application/json", body).is_err());
    }
}
