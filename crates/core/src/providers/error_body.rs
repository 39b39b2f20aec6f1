//! Reading a service's own words out of an error body excerpt. The excerpt
//! may be cut short (it is bounded), so this scans for a JSON string value
//! instead of parsing the whole document, and keeps what is there.

/// The string value of the first `"key": "…"` in `text`, unescaped, with
/// runs of whitespace folded to one space. A value cut off by the excerpt's
/// end is returned as far as it goes (without the trailing ellipsis).
pub(crate) fn string_value(text: &str, key: &str) -> Option<String> {
    let quoted_key = format!("\"{key}\"");
    let after_key = &text[text.find(&quoted_key)? + quoted_key.len()..];
    let after_colon = after_key.trim_start().strip_prefix(':')?.trim_start();
    let body = after_colon.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('n' | 'r' | 't') => out.push(' '),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    if let Some(decoded) =
                        u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                    {
                        out.push(decoded);
                    }
                }
                Some(other) => out.push(other),
                None => break,
            },
            other => out.push(other),
        }
    }
    let folded = fold_whitespace(out.trim_end_matches('…'));
    (!folded.is_empty()).then_some(folded)
}

pub(crate) fn fold_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text between `start` and the next `end` (or the end of `text`),
/// trimmed; `None` when `start` is absent or nothing follows it.
pub(crate) fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &text[text.find(start)? + start.len()..];
    let value = match rest.find(end) {
        Some(stop) => &rest[..stop],
        None => rest,
    };
    let value = value.trim().trim_end_matches('…').trim();
    (!value.is_empty()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_escaped_and_cut_off_values() {
        let body = r#"{"error":{"message":"Operation Failed","detail":"Data Policy Exception: \n The \"x\" fields"},"status":"failure"}"#;
        assert_eq!(
            string_value(body, "detail").as_deref(),
            Some(r#"Data Policy Exception: The "x" fields"#)
        );
        assert_eq!(
            string_value(r#"{"message": "TF401320: Rule Err…"#, "message").as_deref(),
            Some("TF401320: Rule Err")
        );
        assert_eq!(string_value(r#"{"message":null}"#, "message"), None);
        assert_eq!(string_value("not json", "message"), None);
    }

    #[test]
    fn between_stops_at_the_end_marker_or_the_text_end() {
        assert_eq!(between("a field X. b", "field ", "."), Some("X"));
        assert_eq!(between("a field X", "field ", "."), Some("X"));
        assert_eq!(between("a field ", "field ", "."), None);
        assert_eq!(between("none", "field ", "."), None);
    }
}
