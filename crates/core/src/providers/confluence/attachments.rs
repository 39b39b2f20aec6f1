//! Page attachments (REST v1): list by file name, add one, upload a new
//! version of one. Uploads are `multipart/form-data` with the
//! `X-Atlassian-Token: no-check` header Confluence requires against XSRF.
//!
//! Each upload's comment ends with the content's SHA-256, so an upload
//! whose answer was lost is recognised by file name and hash.

use reqwest::{Method, RequestBuilder};
use serde::Deserialize;
use serde_json::Value;

use super::ConfluenceClient;
use crate::error::{Error, Result};
use crate::http::{HttpError, Idempotency};

/// The marker before the hex hash in an attachment's comment.
pub const HASH_MARKER: &str = "ibridge-sha256:";

/// One file to upload.
pub struct Upload<'a> {
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub bytes: &'a [u8],
    /// Said before the hash in the attachment's comment.
    pub comment: Option<&'a str>,
    pub sha256: &'a str,
    /// No notification to watchers.
    pub minor_edit: bool,
}

/// An attachment as the page holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: String,
    pub file_name: String,
    pub version: i64,
    /// The SHA-256 in its comment, if Incident Bridge uploaded it.
    pub sha256: Option<String>,
}

#[derive(Deserialize)]
struct AttachmentJson {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    version: Option<super::model::VersionJson>,
    #[serde(default)]
    extensions: Option<Value>,
}

#[derive(Deserialize)]
struct AttachmentList {
    #[serde(default)]
    results: Vec<AttachmentJson>,
}

fn to_attachment(a: AttachmentJson) -> Attachment {
    let sha256 = a
        .extensions
        .as_ref()
        .and_then(|e| e.get("comment"))
        .and_then(Value::as_str)
        .and_then(|c| c.rsplit_once(HASH_MARKER))
        .map(|(_, rest)| rest.chars().take(64).collect::<String>())
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    Attachment {
        id: a.id,
        file_name: a.title,
        version: a.version.map(|v| v.number).unwrap_or(1),
        sha256,
    }
}

/// The comment stored with an upload: its text, then the content's hash.
pub fn comment_for(upload: &Upload<'_>) -> String {
    match upload.comment {
        Some(text) => format!("{text} ({HASH_MARKER}{})", upload.sha256),
        None => format!(
            "Uploaded by Incident Bridge ({HASH_MARKER}{})",
            upload.sha256
        ),
    }
}

/// A quoted `filename` parameter: the names we upload are cleaned of
/// quotes and control characters; escape the rest anyway.
fn quoted(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        match c {
            '"' => out.push_str("%22"),
            '\\' => out.push_str("\\\\"),
            '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The multipart body (file, comment, minorEdit) and its boundary.
pub fn multipart_body(upload: &Upload<'_>) -> (String, Vec<u8>) {
    let boundary = format!("ibridge-{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::with_capacity(upload.bytes.len() + 512);
    let mut part = |headers: String, content: &[u8]| {
        body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    };
    part(
        format!(
            "Content-Disposition: form-data; name=\"file\"; filename={}\r\nContent-Type: {}",
            quoted(upload.file_name),
            upload.media_type
        ),
        upload.bytes,
    );
    part(
        "Content-Disposition: form-data; name=\"comment\"\r\nContent-Type: text/plain; charset=utf-8"
            .into(),
        comment_for(upload).as_bytes(),
    );
    part(
        "Content-Disposition: form-data; name=\"minorEdit\"".into(),
        if upload.minor_edit { b"true" } else { b"false" },
    );
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (boundary, body)
}

impl ConfluenceClient {
    pub fn attachments_by_name_request(&self, page_id: &str, file_name: &str) -> RequestBuilder {
        self.request(
            Method::GET,
            &format!("/content/{}/child/attachment", path_segment(page_id)),
        )
        .query(&[
            ("filename", file_name),
            ("expand", "version"),
            ("limit", "25"),
        ])
    }

    fn upload_request(&self, path: &str, upload: &Upload<'_>) -> RequestBuilder {
        let (boundary, body) = multipart_body(upload);
        self.request(Method::POST, path)
            .header("X-Atlassian-Token", "no-check")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
    }

    pub fn add_attachment_request(&self, page_id: &str, upload: &Upload<'_>) -> RequestBuilder {
        self.upload_request(
            &format!("/content/{}/child/attachment", path_segment(page_id)),
            upload,
        )
    }

    pub fn attachment_data_request(
        &self,
        page_id: &str,
        attachment_id: &str,
        upload: &Upload<'_>,
    ) -> RequestBuilder {
        self.upload_request(
            &format!(
                "/content/{}/child/attachment/{}/data",
                path_segment(page_id),
                path_segment(attachment_id)
            ),
            upload,
        )
    }

    /// The page's attachment with this file name, if there is one.
    pub async fn attachment_by_name(
        &self,
        page_id: &str,
        file_name: &str,
    ) -> Result<Option<Attachment>> {
        let list: AttachmentList = self
            .send(
                self.attachments_by_name_request(page_id, file_name),
                Idempotency::ByMethod,
            )
            .await?
            .json()?;
        Ok(list
            .results
            .into_iter()
            .map(to_attachment)
            .find(|a| a.file_name == file_name))
    }

    /// Adds a new attachment; sent once (the caller reconciles by name).
    pub async fn add_attachment(&self, page_id: &str, upload: &Upload<'_>) -> Result<Attachment> {
        let list: AttachmentList = self
            .send(
                self.add_attachment_request(page_id, upload),
                Idempotency::Once,
            )
            .await?
            .json()?;
        list.results
            .into_iter()
            .map(to_attachment)
            .next()
            .ok_or_else(|| {
                Error::Http(HttpError::InvalidResponse {
                    reason: "the attachment upload answered without the attachment".into(),
                })
            })
    }

    /// Uploads a new version of an existing attachment; sent once.
    pub async fn update_attachment_data(
        &self,
        page_id: &str,
        attachment_id: &str,
        upload: &Upload<'_>,
    ) -> Result<Attachment> {
        let json: AttachmentJson = self
            .send(
                self.attachment_data_request(page_id, attachment_id, upload),
                Idempotency::Once,
            )
            .await?
            .json()?;
        Ok(to_attachment(json))
    }
}

/// Ids go into the path: digits in practice; anything else is escaped.
pub(super) fn path_segment(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_body_holds_the_file_comment_and_minor_edit() {
        let upload = Upload {
            file_name: "graph \"1\".png",
            media_type: "image/png",
            bytes: b"\x89PNG-bytes",
            comment: None,
            sha256: &"a".repeat(64),
            minor_edit: true,
        };
        let (boundary, body) = multipart_body(&upload);
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.contains("name=\"file\"; filename=\"graph %221%22.png\"\r\nContent-Type: image/png\r\n\r\n\u{fffd}PNG-bytes\r\n"), "{text}");
        assert!(text.contains(&format!("{HASH_MARKER}{}", "a".repeat(64))));
        assert!(text.contains("name=\"minorEdit\"\r\n\r\ntrue\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }

    #[test]
    fn hash_is_read_back_from_the_comment() {
        let a = to_attachment(AttachmentJson {
            id: "att1".into(),
            title: "a.png".into(),
            version: None,
            extensions: Some(
                serde_json::json!({ "comment": format!("x ({HASH_MARKER}{})", "b".repeat(64)) }),
            ),
        });
        assert_eq!(a.sha256, Some("b".repeat(64)));
        assert_eq!(a.version, 1);
    }
}
