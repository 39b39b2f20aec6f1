//! An RCA's "Timeline" section, written from the incident's timeline: the
//! detection, mitigation and resolution times with the durations to each,
//! and every event in order. Times are in UTC (a document is read in many
//! time zones). The durations count from the earliest event on the
//! timeline, when the impact began as far as anyone recorded.

use chrono::{DateTime, Utc};

use crate::incidents::{EventKind, TimelineEvent};

const HEADING: &str = "## Timeline";

fn parse(at: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `1 h 05 min`, `12 min`, `0 min`.
pub fn duration_text(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, m) if h < 48 => format!("{h} h {m:02} min"),
        (h, m) => format!("{} d {} h {m:02} min", h / 24, h % 24),
    }
}

/// Table cells are single lines without pipes.
fn cell(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let line: String = line.chars().take(200).collect();
    line.replace('|', "\\|")
}

fn first(events: &[(DateTime<Utc>, &TimelineEvent)], kind: EventKind) -> Option<DateTime<Utc>> {
    events.iter().find(|(_, e)| e.kind == kind).map(|(t, _)| *t)
}

/// The section, from its heading to the blank line after its tables.
pub fn section(events: &[TimelineEvent]) -> String {
    let mut timed: Vec<(DateTime<Utc>, &TimelineEvent)> = events
        .iter()
        .filter_map(|e| parse(&e.occurred_at).map(|t| (t, e)))
        .collect();
    timed.sort_by_key(|(t, _)| *t);
    let start = timed.first().map(|(t, _)| *t);
    let mut out = format!("{HEADING}\n\n| | |\n|---|---|\n");
    for (label, kind, since) in [
        ("Detected", EventKind::Detected, "Time to detect"),
        ("Mitigated", EventKind::Mitigated, "Time to mitigate"),
        ("Resolved", EventKind::Resolved, "Time to resolve"),
    ] {
        let at = first(&timed, kind);
        out.push_str(&format!(
            "| {label} | {} |\n",
            at.map(utc).unwrap_or_else(|| "not yet".to_owned())
        ));
        if let (Some(at), Some(start)) = (at, start) {
            out.push_str(&format!(
                "| {since} | {} |\n",
                duration_text((at - start).num_seconds())
            ));
        }
    }
    out.push_str("\n| Time (UTC) | Event | Who | Source |\n|---|---|---|---|\n");
    for (t, e) in &timed {
        let source = match &e.connection {
            Some(c) => format!("{} ({c})", e.source.as_str()),
            None => e.source.as_str().to_owned(),
        };
        out.push_str(&format!(
            "| {} | {}: {} | {} | {} |\n",
            t.format("%Y-%m-%d %H:%M"),
            e.kind.label(),
            cell(&e.text),
            cell(&e.author),
            source
        ));
    }
    out
}

/// `markdown` with its Timeline section (the `## Timeline` heading up to
/// the next `## ` heading) replaced by `section`; appended when there is
/// none. Text outside the section is kept byte for byte.
pub fn replace_section(markdown: &str, section: &str) -> String {
    let lines: Vec<&str> = markdown.split_inclusive('\n').collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end().eq_ignore_ascii_case(HEADING));
    let Some(start) = start else {
        let mut out = markdown.trim_end().to_owned();
        out.push_str("\n\n");
        out.push_str(section);
        return out;
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("## ") || l.starts_with("# "))
        .map(|p| start + 1 + p)
        .unwrap_or(lines.len());
    let mut out: String = lines[..start].concat();
    out.push_str(section);
    if end < lines.len() {
        out.push('\n');
        out.push_str(&lines[end..].concat());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::EventSource;

    fn event(kind: EventKind, at: &str, text: &str) -> TimelineEvent {
        TimelineEvent {
            id: at.into(),
            incident_id: "i".into(),
            kind,
            occurred_at: at.into(),
            author: "ana".into(),
            text: text.into(),
            source: EventSource::Local,
            connection: None,
            external_id: None,
            posted: Vec::new(),
        }
    }

    #[test]
    fn durations_count_from_the_first_event() {
        let events = vec![
            event(
                EventKind::Mitigated,
                "2026-03-01T15:17:00.000Z",
                "Rolled back",
            ),
            event(
                EventKind::Update,
                "2026-03-01T14:00:00.000Z",
                "Errors | began",
            ),
            event(
                EventKind::Detected,
                "2026-03-01T14:08:00.000Z",
                "Alert\nsecond line",
            ),
        ];
        let s = section(&events);
        assert!(
            s.contains("| Detected | 2026-03-01 14:08 UTC |\n| Time to detect | 8 min |"),
            "{s}"
        );
        assert!(s.contains("| Time to mitigate | 1 h 17 min |"), "{s}");
        assert!(s.contains("| Resolved | not yet |\n\n"), "{s}");
        assert!(s.contains("| 2026-03-01 14:00 | Update: Errors \\| began | ana | local |\n| 2026-03-01 14:08 | Detected: Alert | ana | local |"), "{s}");
    }

    #[test]
    fn only_the_timeline_section_is_replaced() {
        let doc =
            "# RCA\n\n## Impact\n\nBad.\n\n## Timeline\n\nold table\n\n## Root cause\n\nDNS.\n";
        let out = replace_section(doc, "## Timeline\n\nnew\n");
        assert_eq!(
            out,
            "# RCA\n\n## Impact\n\nBad.\n\n## Timeline\n\nnew\n\n## Root cause\n\nDNS.\n"
        );
        assert_eq!(
            replace_section("# Only\n", "## Timeline\n\nnew\n"),
            "# Only\n\n## Timeline\n\nnew\n"
        );
        assert_eq!(duration_text(3 * 86_400 + 3_660), "3 d 1 h 01 min");
    }
}
