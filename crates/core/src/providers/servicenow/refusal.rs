//! What a ServiceNow 403 (or 400) means, read from its error body
//! `{"error":{"message":…,"detail":…},"status":"failure"}`. ServiceNow
//! answers 403 for three different things: a data policy or business rule
//! refusing the record's data, and an ACL refusing the account. Only the
//! last is about who is signed in; credentials themselves fail with 401.

use crate::error::Error;
use crate::http::HttpError;
use crate::providers::error_body::{between, fold_whitespace, string_value};

const SERVICE: &str = "ServiceNow";

/// Turns a refusal the body explains into a refusal of the data or of a
/// permission; anything else stays the HTTP error it was.
pub(super) fn interpret(error: HttpError) -> Error {
    let (status, excerpt) = match &error {
        HttpError::Auth {
            status: 403,
            excerpt,
        } => (403, excerpt.as_str()),
        HttpError::Rejected {
            status: 400,
            excerpt,
        } => (400, excerpt.as_str()),
        _ => return error.into(),
    };
    let text = service_words(excerpt);
    if text.contains("Data Policy Exception") {
        return Error::Refused {
            service: SERVICE,
            field: data_policy_fields(&text),
            message: text,
        };
    }
    if text.contains("Business Rule") {
        return Error::Refused {
            service: SERVICE,
            field: None,
            message: text,
        };
    }
    let acl = [
        "ACL Exception",
        "security constraints",
        "Insufficient rights",
    ];
    if status == 403 && acl.iter().any(|marker| text.contains(marker)) {
        return Error::PermissionDenied {
            service: SERVICE,
            status,
            message: text,
            remedy: "The account lacks the role an ACL requires: ask the ServiceNow admin for it \
                     (itil to file and update incidents)"
                .into(),
        };
    }
    error.into()
}

/// `message: detail` from the body, or the excerpt itself when it holds
/// neither.
fn service_words(excerpt: &str) -> String {
    match (
        string_value(excerpt, "message"),
        string_value(excerpt, "detail"),
    ) {
        (Some(message), Some(detail)) => format!("{message}: {detail}"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => fold_whitespace(&excerpt.replace("\\n", " ")),
    }
}

/// The fields a data policy names: "The following fields are mandatory:
/// Assignment group, Category" (or "… are read only: …"), as ServiceNow
/// labels them.
fn data_policy_fields(text: &str) -> Option<String> {
    ["mandatory:", "read only:", "read-only:"]
        .iter()
        .find_map(|marker| between(text, marker, "\""))
        .map(|fields| fields.trim_end_matches('.').trim().to_owned())
        .filter(|fields| !fields.is_empty())
}
