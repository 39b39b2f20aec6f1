//! ServiceNow encoded queries. `^` separates conditions and is the only
//! character the syntax lets us escape (as `^^`); once it cannot start a
//! new condition, `=`, `LIKE` or `ORDERBY` in user text are plain
//! characters inside the value.

/// User text made safe as the value of a condition.
pub fn value(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .replace('^', "^^")
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
