//! WIQL text. A string literal is single-quoted; the only escape is a
//! doubled single quote. Nothing else in user text is special inside it.

pub fn literal(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("'{}'", cleaned.trim().replace('\'', "''"))
}

/// Work items of the project whose title contains `text` or whose
/// description contains its words, most recently changed first.
/// (Description is an HTML field: WIQL allows only `CONTAINS WORDS` there.)
pub fn text_search(text: &str) -> String {
    let v = literal(text);
    format!(
        "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project \
         AND ([System.Title] CONTAINS {v} OR [System.Description] CONTAINS WORDS {v}) \
         ORDER BY [System.ChangedDate] DESC"
    )
}

/// The work item carrying our tag for an incident.
pub fn by_tag(tag: &str) -> String {
    format!(
        "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project AND [System.Tags] CONTAINS {} ORDER BY [System.Id]",
        literal(tag)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_single_quotes_are_doubled() {
        assert_eq!(
            literal(r#"it's "quoted" \ back"#),
            r#"'it''s "quoted" \ back'"#
        );
        assert_eq!(literal("' OR 1=1 --"), "''' OR 1=1 --'");
        assert_eq!(literal("a\nb"), "'a b'");
    }

    proptest::proptest! {
        /// Whatever the text, the literal is one WIQL string: it opens and
        /// closes with a quote and every quote inside is doubled.
        #[test]
        fn a_literal_is_always_one_string(s in ".*") {
            let l = literal(&s);
            let inner = &l[1..l.len() - 1];
            proptest::prop_assert!(l.starts_with('\'') && l.ends_with('\''));
            proptest::prop_assert_eq!(inner.replace("''", "").matches('\'').count(), 0);
        }
    }
}
