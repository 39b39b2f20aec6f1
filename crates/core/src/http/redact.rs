//! Removing secrets from what we log or show: URLs and body excerpts.

use url::Url;

/// Names whose values are secrets wherever they appear (JSON keys, query
/// parameters, form fields).
const SECRET_NAMES: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "code",
    "code_verifier",
    "token",
    "api_token",
    "apitoken",
    "secret",
    "authorization",
];

const EXCERPT_CHARS: usize = 200;
const REDACTED: &str = "[redacted]";

fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_NAMES.iter().any(|s| *s == lower)
}

/// The URL for logs: no user info, secret query values replaced.
pub fn url_for_log(url: &Url) -> String {
    let mut clean = url.clone();
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    if clean.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_secret_name(&k) {
                    REDACTED.to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        clean.query_pairs_mut().clear().extend_pairs(pairs);
    }
    clean.to_string()
}

/// A short, single-line excerpt of a response body with secret-looking
/// values removed; cut on a character boundary.
pub fn body_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let redacted = redact_json_values(&redact_form_values(&text));
    let one_line: String = redacted
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    let mut out: String = trimmed.chars().take(EXCERPT_CHARS).collect();
    if trimmed.chars().count() > EXCERPT_CHARS {
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("(empty body)");
    }
    out
}

/// `"name": "value"` -> `"name": "[redacted]"` for secret names.
fn redact_json_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..=start]);
        rest = &rest[start + 1..];
        let Some(end) = rest.find('"') else {
            break;
        };
        let key = &rest[..end];
        out.push_str(key);
        out.push('"');
        rest = &rest[end + 1..];
        if !is_secret_name(key) {
            continue;
        }
        let after_colon = rest.trim_start();
        let Some(value_part) = after_colon.strip_prefix(':') else {
            continue;
        };
        let value_part = value_part.trim_start();
        let Some(value) = value_part.strip_prefix('"') else {
            continue;
        };
        let Some(value_end) = closing_quote(value) else {
            // Unterminated (cut) value: hide the remainder.
            out.push_str(": \"");
            out.push_str(REDACTED);
            return out;
        };
        out.push_str(": \"");
        out.push_str(REDACTED);
        out.push('"');
        rest = &value[value_end + 1..];
    }
    out.push_str(rest);
    out
}

fn closing_quote(s: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

/// `name=value` (form or query text) -> `name=[redacted]` for secret names.
fn redact_form_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, piece) in text.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match piece.split_once('=') {
            Some((name, _)) if is_secret_name(name.trim()) => {
                out.push_str(name);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(piece),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_secrets_are_removed() {
        let body = br#"{"error":"bad","access_token": "at-SECRET-1","nested":{"refresh_token":"rt-\"SECRET\"-2"},"ok":"keep"}"#;
        let excerpt = body_excerpt(body);
        assert!(!excerpt.contains("SECRET"), "{excerpt}");
        assert!(excerpt.contains("keep") && excerpt.contains("bad"));
    }

    #[test]
    fn form_secrets_are_removed() {
        let excerpt =
            body_excerpt(b"grant_type=refresh_token&refresh_token=rt-SECRET&client_id=app");
        assert!(!excerpt.contains("SECRET"), "{excerpt}");
        assert!(excerpt.contains("client_id=app"));
    }

    #[test]
    fn url_secrets_are_removed() {
        let url =
            Url::parse("https://user:pw-SECRET@h.example/cb?code=SECRETCODE&state=s1").unwrap();
        let logged = url_for_log(&url);
        assert!(!logged.contains("SECRET"), "{logged}");
        assert!(logged.contains("state=s1"));
    }

    #[test]
    fn excerpt_is_short_and_cut_on_char_boundaries() {
        let body = "é".repeat(1000);
        let excerpt = body_excerpt(body.as_bytes());
        assert_eq!(excerpt.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(body_excerpt(b""), "(empty body)");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_stays_short(s in ".*") {
            let e = body_excerpt(s.as_bytes());
            proptest::prop_assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        }
    }
}
