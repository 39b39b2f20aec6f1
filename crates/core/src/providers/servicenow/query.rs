//! ServiceNow encoded queries. `^` separates conditions and is the only
//! character the syntax lets us escape (as `^^`); once it cannot start a
//! new condition, `=`, `LIKE` or `ORDERBY` in user text are plain
//! characters inside the value.
//!
//! One thing escaping cannot make plain: a value that begins with
//! `javascript:` is run by the instance as a server-side script (that is
//! how `sys_id=javascript:gs.getUserID()` works). There is no escape for
//! it, so the client's methods refuse such a value with [`check`], naming
//! the field, before any request is built.

use crate::error::{Error, Result};

/// The prefix that makes the instance evaluate a value as a script.
const SCRIPT_PREFIX: &str = "javascript:";

/// Control characters as spaces, trimmed: what a value becomes.
fn cleaned(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Refuses user text the instance would run as a script; `field` names the
/// input in the error.
pub fn check(field: &str, text: &str) -> Result<()> {
    let value = cleaned(text);
    let starts_as_script = value
        .get(..SCRIPT_PREFIX.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(SCRIPT_PREFIX));
    if starts_as_script {
        return Err(Error::invalid(
            field,
            "must not begin with 'javascript:' (ServiceNow would run it as a script on the instance)",
        ));
    }
    Ok(())
}

/// User text made safe as the value of a condition (after [`check`]).
pub fn value(text: &str) -> String {
    cleaned(text).replace('^', "^^")
}

/// Incidents whose short description or description contains `text`,
/// newest first.
pub fn text_search(text: &str) -> String {
    let v = value(text);
    format!("short_descriptionLIKE{v}^ORdescriptionLIKE{v}^ORDERBYDESCsys_updated_on")
}

pub fn by_number(number: &str) -> String {
    format!("number={}", value(number))
}

pub fn by_correlation(correlation_id: &str) -> String {
    format!("correlation_id={}", value(correlation_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carets_cannot_start_a_new_condition() {
        assert_eq!(
            text_search("db^ORsys_id!=x"),
            "short_descriptionLIKEdb^^ORsys_id!=x^ORdescriptionLIKEdb^^ORsys_id!=x^ORDERBYDESCsys_updated_on"
        );
        assert_eq!(value("a=b LIKE c ^NQ d"), "a=b LIKE c ^^NQ d");
        assert_eq!(value(" line\nbreak\t"), "line break");
    }

    #[test]
    fn script_values_are_refused_naming_the_field() {
        for text in [
            "javascript:gs.getUserID()",
            "  JavaScript:gs.log(1)",
            "\u{1}\tjavascript:x",
        ] {
            let err = check("query", text).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidInput { field, .. } if field == "query"),
                "{text:?}: {err}"
            );
        }
        // Mentioning it later in the text is not a script.
        assert!(check("query", "outage after javascript: deploy").is_ok());
        assert!(check("query", "é").is_ok());
        assert!(check("query", "javascript").is_ok());
    }

    proptest::proptest! {
        /// Whatever the text, the query has exactly the three conditions we
        /// wrote: every `^` in the value is doubled.
        #[test]
        fn structure_survives_any_text(s in ".*") {
            let q = text_search(&s);
            let single_carets = q.replace("^^", "").matches('^').count();
            proptest::prop_assert_eq!(single_carets, 2);
        }
    }
}
