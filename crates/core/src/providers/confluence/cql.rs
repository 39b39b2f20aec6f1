//! CQL text. String literals are double-quoted; inside them a backslash
//! and a double quote are escaped with a backslash.

use crate::error::{Error, Result};

pub fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.trim().chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A space key as Confluence allows it (personal spaces start with `~`).
pub fn validate_space_key(key: &str) -> Result<String> {
    let key = key.trim();
    let ok = !key.is_empty()
        && key.len() <= 255
        && key
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_alphanumeric() || c == '_' || (i == 0 && c == '~'));
    if ok {
        Ok(key.to_owned())
    } else {
        Err(Error::invalid(
            "space",
            format!("'{key}' is not a space key (letters and digits, e.g. OPS)"),
        ))
    }
}

/// Pages whose text matches `text`, optionally in one space, newest first.
pub fn text_search(text: &str, space: Option<&str>) -> String {
    let mut cql = format!("type = page AND text ~ {}", literal(text));
    if let Some(space) = space {
        cql.push_str(&format!(" AND space = {}", literal(space)));
    }
    cql.push_str(" ORDER BY lastmodified DESC");
    cql
}

/// The page titled `title` in `space`.
pub fn by_title(space: &str, title: &str) -> String {
    format!(
        "type = page AND space = {} AND title = {}",
        literal(space),
        literal(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(literal(r#"say "hi" \o/"#), r#""say \"hi\" \\o/""#);
        assert_eq!(
            text_search(r#"x" OR space = "SECRET"#, Some("OPS")),
            r#"type = page AND text ~ "x\" OR space = \"SECRET" AND space = "OPS" ORDER BY lastmodified DESC"#
        );
    }

    #[test]
    fn space_keys() {
        assert_eq!(validate_space_key(" OPS ").unwrap(), "OPS");
        assert!(validate_space_key("~jdoe").is_ok());
        for bad in ["", "O PS", "OPS\"", "a~b"] {
            assert!(validate_space_key(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        /// The literal is always one string: every quote inside is escaped.
        #[test]
        fn a_literal_is_one_string(s in ".*") {
            let l = literal(&s);
            let inner = &l[1..l.len() - 1];
            let unescaped = inner.replace("\\\\", "").replace("\\\"", "");
            proptest::prop_assert!(!unescaped.contains('"'));
        }
    }
}
