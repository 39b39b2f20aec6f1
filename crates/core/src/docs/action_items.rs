//! An RCA's action items: the GFM task list under an "Action items"
//! heading (any level, any case), one task per item, each naming its owner
//! and, optionally, a due date:
//!
//! ```text
//! ## Action items
//! - [ ] Add alert on queue depth — @alice, due 2026-12-20
//! - [ ] Runbook for the failover - @bob
//! ```
//!
//! The owner is the last `@name` of the item; the title is what comes
//! before it, without the separator (`—`, `–`, `-`, `,`, `:` …); after it
//! only `due YYYY-MM-DD` may follow. Each item gets a key from its title,
//! so filing it again (or after an edit elsewhere in the document) finds
//! the work item filed before.
//!
//! [`annotate`] writes, for publishing, each filed item's link and state
//! into a copy of the Markdown, and ticks the box of an item whose work
//! item is done.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// One action item as the document states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    /// Stable across edits of other items: a hash of the title.
    pub key: String,
    pub title: String,
    /// Without the `@`.
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: Option<chrono::NaiveDate>,
    /// The box is ticked in the document itself.
    pub checked: bool,
    /// 1-based line of the item in the Markdown.
    pub line: usize,
    /// Where `[ ]` / `[x]` is in the Markdown.
    marker: Range<usize>,
    /// Where the item's own text ends (before any nested list).
    text_end: usize,
}

/// What publishing shows after an item: its work item and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub key: String,
    /// The work item's name as people say it (`#123`, `ITASK0010001`).
    pub label: String,
    pub url: String,
    pub state: Option<String>,
    /// Closed or done at the service: the box is ticked.
    pub done: bool,
}

/// The key of an item with `title`: case and spacing do not matter.
pub fn item_key(title: &str) -> String {
    let normalized = title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let digest = Sha256::digest(normalized.as_bytes());
    hex::encode(&digest[..8])
}

fn options() -> Options {
    Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

fn is_action_heading(text: &str) -> bool {
    let t = text.trim().trim_end_matches(':').trim();
    t.eq_ignore_ascii_case("action items")
}

/// A task item being read.
struct Reading {
    start: usize,
    marker: Option<(bool, Range<usize>)>,
    text: String,
    text_end: usize,
    /// Inside a nested list: its text is not the item's.
    nested: usize,
}

/// The action items of `markdown`, in document order. An item without an
/// owner, with a malformed due date, or with text after the owner other
/// than the due date is refused, naming the item.
pub fn parse(markdown: &str) -> Result<Vec<ActionItem>> {
    let mut items = Vec::new();
    let mut heading: Option<(HeadingLevel, String)> = None;
    let mut section: Option<HeadingLevel> = None;
    let mut list_depth = 0usize;
    let mut reading: Option<Reading> = None;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if section.is_some_and(|s| level <= s) {
                    section = None;
                }
                heading = Some((level, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    if is_action_heading(&text) {
                        section = Some(level);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) if heading.is_some() => {
                if let Some((_, text)) = heading.as_mut() {
                    text.push_str(&t);
                }
            }
            _ if section.is_none() => {}
            Event::Start(Tag::List(_)) => {
                list_depth += 1;
                if let Some(r) = reading.as_mut() {
                    r.nested += 1;
                }
            }
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                if let Some(r) = reading.as_mut() {
                    r.nested = r.nested.saturating_sub(1);
                }
            }
            Event::Start(Tag::Item) if list_depth == 1 => {
                reading = Some(Reading {
                    start: range.start,
                    marker: None,
                    text: String::new(),
                    text_end: range.start,
                    nested: 0,
                });
            }
            Event::End(TagEnd::Item) if list_depth == 1 => {
                if let Some(r) = reading.take() {
                    if let Some((checked, marker)) = r.marker {
                        let number = items.len() + 1;
                        let line = markdown[..r.start].matches('\n').count() + 1;
                        items.extend(read_item(
                            number, line, &r.text, checked, marker, r.text_end,
                        )?);
                    }
                }
            }
            Event::TaskListMarker(checked) => {
                if let Some(r) = reading.as_mut().filter(|r| r.nested == 0) {
                    if r.marker.is_none() && r.text.is_empty() {
                        r.marker = Some((checked, range.clone()));
                        r.text_end = range.end;
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(r) = reading.as_mut().filter(|r| r.nested == 0) {
                    r.text.push_str(&t);
                    r.text_end = r.text_end.max(inline_end(markdown, &range));
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(r) = reading.as_mut().filter(|r| r.nested == 0) {
                    r.text.push(' ');
                }
            }
            Event::End(
                TagEnd::Link | TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough,
            ) => {
                if let Some(r) = reading.as_mut().filter(|r| r.nested == 0) {
                    r.text_end = r.text_end.max(inline_end(markdown, &range));
                }
            }
            _ => {}
        }
    }
    Ok(items)
}

/// The end of an inline element's source, without a trailing line break.
fn inline_end(markdown: &str, range: &Range<usize>) -> usize {
    let text = &markdown[range.clone()];
    range.start + text.trim_end_matches(['\n', '\r']).len()
}

const SEPARATORS: &[char] = &['—', '–', '-', ',', ';', ':', '(', ')', '|', '.'];

fn read_item(
    number: usize,
    line: usize,
    text: &str,
    checked: bool,
    marker: Range<usize>,
    text_end: usize,
) -> Result<Option<ActionItem>> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        // A box still to be filled in (the template's).
        return Ok(None);
    }
    let field = format!("action item {number} (line {line})");
    let Some((at, owner, after)) = owner_mention(&text) else {
        return Err(Error::invalid(
            field,
            format!(
                "'{text}' names no owner; end it with the owner, e.g. '— @alice, due 2026-12-20'"
            ),
        ));
    };
    let title = text[..at]
        .trim_end_matches(|c: char| c.is_whitespace() || SEPARATORS.contains(&c))
        .to_owned();
    if title.is_empty() {
        return Err(Error::invalid(
            field,
            format!("'{text}' has an owner but no text before it"),
        ));
    }
    let rest = text[after..].trim_matches(|c: char| c.is_whitespace() || SEPARATORS.contains(&c));
    let due = if rest.is_empty() {
        None
    } else {
        Some(
            due_date(rest)
                .map_err(|why| Error::invalid(field.clone(), format!("'{title}': {why}")))?,
        )
    };
    Ok(Some(ActionItem {
        key: item_key(&title),
        title,
        owner,
        due,
        checked,
        line,
        marker,
        text_end,
    }))
}

fn name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+')
}

/// The last `@name` that starts a word: (where the `@` is, the name,
/// where the mention ends).
fn owner_mention(text: &str) -> Option<(usize, String, usize)> {
    let mut found = None;
    for (at, _) in text.match_indices('@') {
        let starts_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || SEPARATORS.contains(&c));
        if !starts_word {
            continue;
        }
        let name: String = text[at + 1..]
            .chars()
            .take_while(|c| name_char(*c))
            .collect();
        let name = name.trim_end_matches(['.', '-']).to_owned();
        if !name.is_empty() && name.chars().next().is_some_and(char::is_alphanumeric) {
            let end = at + 1 + name.len();
            found = Some((at, name, end));
        }
    }
    found
}

/// `due 2026-12-20` (also `due: …`, any case) → the date.
fn due_date(rest: &str) -> std::result::Result<chrono::NaiveDate, String> {
    let lower = rest.to_lowercase();
    let Some(after) = lower.strip_prefix("due") else {
        return Err(format!(
            "after the owner only 'due YYYY-MM-DD' may follow, not '{rest}'"
        ));
    };
    let value = rest[rest.len() - after.len()..]
        .trim_start_matches(|c: char| c.is_whitespace() || c == ':')
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ')' | '.'));
    chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .filter(|_| value.len() == 10)
        .ok_or_else(|| format!("due date '{value}' is not a date written YYYY-MM-DD"))
}

/// `markdown` with each annotated item's link and state after its text,
/// and its box ticked when its work item is done. Items without an
/// annotation are left as they are.
pub fn annotate(markdown: &str, annotations: &[Annotation]) -> Result<String> {
    let items = parse(markdown)?;
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for item in &items {
        let notes: Vec<&Annotation> = annotations.iter().filter(|a| a.key == item.key).collect();
        if notes.is_empty() {
            continue;
        }
        if notes.iter().any(|n| n.done) && !item.checked {
            edits.push((item.marker.clone(), "[x]".into()));
        }
        let mut suffix = String::new();
        for note in notes {
            let state = note
                .state
                .as_deref()
                .map(|s| format!(" ({})", escape_inline(s)))
                .unwrap_or_default();
            suffix.push_str(&format!(
                " — [{}](<{}>){state}",
                escape_inline(&note.label),
                note.url.replace(['<', '>', '\n'], "")
            ));
        }
        edits.push((item.text_end..item.text_end, suffix));
    }
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut out = markdown.to_owned();
    for (range, text) in edits {
        out.replace_range(range, &text);
    }
    Ok(out)
}

/// Text that Markdown shows as written.
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~'
        ) {
            out.push('\\');
        }
        if c != '\n' {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RCA: &str = "# RCA: queue stall\n\nSome text with @mention - [ ] not an item.\n\n## Timeline\n\n- [ ] not under the heading — @zed\n\n## Action Items:\n\n- [ ] Add alert on queue depth — @alice, due 2026-12-20\n- [x] Runbook for the failover - @bob\n- [ ] Load test the **consumer** pool, @carol.smith due: 2027-01-05\n* plain bullet, ignored\n- [ ] Review `retry` budget (@dave, due 2026-12-31)\n  - [ ] a nested step — @erin\n\n### Notes\n\nmore\n\n## Lessons\n\n- [ ] not an action — @frank\n";

    #[test]
    fn reads_the_task_list_under_the_heading_only() {
        let items = parse(RCA).unwrap();
        let got: Vec<(&str, &str, Option<String>, bool)> = items
            .iter()
            .map(|i| {
                (
                    i.title.as_str(),
                    i.owner.as_str(),
                    i.due.map(|d| d.to_string()),
                    i.checked,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "Add alert on queue depth",
                    "alice",
                    Some("2026-12-20".into()),
                    false
                ),
                ("Runbook for the failover", "bob", None, true),
                (
                    "Load test the consumer pool",
                    "carol.smith",
                    Some("2027-01-05".into()),
                    false
                ),
                (
                    "Review retry budget",
                    "dave",
                    Some("2026-12-31".into()),
                    false
                ),
            ]
        );
        assert_eq!(items[0].line, 11);
        assert_eq!(items[0].key, item_key("add  alert on QUEUE depth"));
    }

    #[test]
    fn the_templates_empty_box_is_no_item() {
        let doc = crate::docs::templates::rca("DB down", None);
        assert_eq!(parse(&doc).unwrap(), vec![]);
    }

    #[test]
    fn any_heading_level_and_case() {
        let md = "#### ACTION ITEMS\n- [ ] One — @a\n";
        assert_eq!(parse(md).unwrap()[0].title, "One");
        assert!(parse("## Actions\n- [ ] One — @a\n").unwrap().is_empty());
    }

    #[test]
    fn a_malformed_due_date_names_the_item() {
        let md = "## Action items\n- [ ] Fine — @a\n- [ ] Add alert — @alice, due 2026-13-45\n";
        let e = parse(md).unwrap_err().to_string();
        assert!(e.contains("action item 2 (line 3)"), "{e}");
        assert!(e.contains("'Add alert'"), "{e}");
        assert!(e.contains("'2026-13-45' is not a date"), "{e}");
        let e = parse("## Action items\n- [ ] X — @a, due tomorrow\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'tomorrow' is not a date"), "{e}");
        let e = parse("## Action items\n- [ ] X — @a by friday\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("only 'due YYYY-MM-DD' may follow"), "{e}");
    }

    #[test]
    fn an_item_without_an_owner_is_refused() {
        let e = parse("## Action items\n- [ ] Mail ops@acme.example\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("action item 1 (line 2)") && e.contains("names no owner"),
            "{e}"
        );
    }

    #[test]
    fn annotation_links_each_filed_item_and_ticks_done_ones() {
        let items = parse(RCA).unwrap();
        let notes = vec![
            Annotation {
                key: items[0].key.clone(),
                label: "#1001".into(),
                url: "https://dev.azure.com/acme/_workitems/edit/1001".into(),
                state: Some("Closed".into()),
                done: true,
            },
            Annotation {
                key: items[3].key.clone(),
                label: "#1004".into(),
                url: "https://x.example/4".into(),
                state: Some("Active".into()),
                done: false,
            },
        ];
        let out = annotate(RCA, &notes).unwrap();
        assert!(out.contains("- [x] Add alert on queue depth — @alice, due 2026-12-20 — [#1001](<https://dev.azure.com/acme/_workitems/edit/1001>) (Closed)\n"), "{out}");
        assert!(out.contains("- [ ] Review `retry` budget (@dave, due 2026-12-31) — [#1004](<https://x.example/4>) (Active)\n  - [ ] a nested step"), "{out}");
        assert!(
            out.contains("- [x] Runbook for the failover - @bob\n"),
            "{out}"
        );
    }
}
