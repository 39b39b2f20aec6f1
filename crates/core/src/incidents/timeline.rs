//! An incident's timeline: what was seen when, what was tried, when it was
//! mitigated and resolved. Times are stored in UTC; people give them with
//! an offset (or in this machine's time zone) and see them in local time.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Local, NaiveDateTime, NaiveTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// What an event says about the response.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Detected,
    Acknowledged,
    Update,
    Mitigated,
    Resolved,
    Note,
}

impl EventKind {
    pub const ALL: [EventKind; 6] = [
        EventKind::Detected,
        EventKind::Acknowledged,
        EventKind::Update,
        EventKind::Mitigated,
        EventKind::Resolved,
        EventKind::Note,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Detected => "detected",
            EventKind::Acknowledged => "acknowledged",
            EventKind::Update => "update",
            EventKind::Mitigated => "mitigated",
            EventKind::Resolved => "resolved",
            EventKind::Note => "note",
        }
    }

    /// The word people read ("Mitigated").
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Detected => "Detected",
            EventKind::Acknowledged => "Acknowledged",
            EventKind::Update => "Update",
            EventKind::Mitigated => "Mitigated",
            EventKind::Resolved => "Resolved",
            EventKind::Note => "Note",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let wanted = s.trim().to_ascii_lowercase();
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| {
                Error::invalid(
                    "kind",
                    format!(
                        "'{}' is not one of detected, acknowledged, update, mitigated, resolved, note",
                        s.trim()
                    ),
                )
            })
    }
}

/// Where an event was written.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventSource {
    Local,
    Servicenow,
    AzureDevops,
}

impl EventSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EventSource::Local => "local",
            EventSource::Servicenow => "servicenow",
            EventSource::AzureDevops => "azure_devops",
        }
    }

    pub(crate) fn parse(stored: &str) -> Result<Self, Error> {
        match stored {
            "local" => Ok(EventSource::Local),
            "servicenow" => Ok(EventSource::Servicenow),
            "azure_devops" => Ok(EventSource::AzureDevops),
            other => Err(Error::Internal(format!(
                "a timeline event has an unknown source '{other}'"
            ))),
        }
    }
}

/// Where a local event was posted.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventPost {
    pub connection: String,
    /// `work_notes` or `comments` (ServiceNow), `comment` (Azure DevOps).
    pub channel: String,
    /// The service's id for the journal entry or comment.
    pub remote_id: String,
    pub posted_at: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    pub id: String,
    pub incident_id: String,
    pub kind: EventKind,
    /// When it happened: UTC, RFC 3339 (front ends show it in local time).
    pub occurred_at: String,
    pub author: String,
    /// Markdown.
    pub text: String,
    pub source: EventSource,
    /// The connection a pulled event came from.
    pub connection: Option<String>,
    /// The service's id of a pulled entry.
    pub external_id: Option<String>,
    pub posted: Vec<EventPost>,
}

/// Where `incident note` posts the event.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostTo {
    /// Keep it in the local timeline only.
    None,
    /// ServiceNow work notes (internal); a comment on Azure DevOps work items.
    WorkNotes,
    /// ServiceNow additional comments (visible to the caller); a comment
    /// on Azure DevOps work items.
    Comments,
}

impl FromStr for PostTo {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(PostTo::None),
            "work_notes" => Ok(PostTo::WorkNotes),
            "comments" => Ok(PostTo::Comments),
            other => Err(Error::invalid(
                "post",
                format!("'{other}' is not one of none, work_notes, comments"),
            )),
        }
    }
}

/// Raw input for a new event, as `incident note` and the window send it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewEvent {
    pub text: String,
    /// Default `note`.
    pub kind: Option<String>,
    /// Default now; see [`parse_time`].
    pub at: Option<String>,
    /// `none`, `work_notes` (default) or `comments`.
    pub post: Option<String>,
}

pub const MAX_EVENT_BYTES: usize = 64 * 1024;

/// Checked event text: not blank, at most 64 KiB.
pub fn validate_text(text: &str) -> Result<String, Error> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid("text", "must not be empty"));
    }
    if trimmed.len() > MAX_EVENT_BYTES {
        return Err(Error::invalid("text", "must be at most 64 KiB"));
    }
    Ok(trimmed.to_owned())
}

/// How far ahead of this machine's clock an event time may be (clocks
/// differ a little between machines; more is a typo).
const FUTURE_SLACK_SECS: i64 = 300;

/// An event time as people type it, to UTC:
/// - RFC 3339 with an offset or `Z`: `2026-03-01T14:05:00+01:00`;
/// - a date and time without an offset (`2026-03-01 14:05` or
///   `2026-03-01T14:05:30`): in this machine's time zone;
/// - a time alone (`14:05`, `14:05:30`): today, in this machine's time zone.
///
/// Times more than five minutes ahead of now are refused.
pub fn parse_time(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, Error> {
    let t = text.trim();
    let bad = || {
        Error::invalid(
            "at",
            format!("'{t}' is not a time: give RFC 3339 with an offset (2026-03-01T14:05:00+01:00 or …Z), a local date and time (2026-03-01 14:05), or a local time today (14:05)"),
        )
    };
    let parsed = if let Ok(with_offset) = DateTime::parse_from_rfc3339(t) {
        with_offset.with_timezone(&Utc)
    } else if let Some(naive) = parse_naive_datetime(t) {
        local_to_utc(naive).ok_or_else(|| {
            Error::invalid(
                "at",
                format!("'{t}' does not exist or is ambiguous in this time zone (a clock change); give an offset"),
            )
        })?
    } else if let Some(time) = ["%H:%M", "%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(t, f).ok())
    {
        let today = now.with_timezone(&Local).date_naive();
        local_to_utc(today.and_time(time)).ok_or_else(bad)?
    } else {
        return Err(bad());
    };
    if (parsed - now).num_seconds() > FUTURE_SLACK_SECS {
        return Err(Error::invalid(
            "at",
            format!("'{t}' is in the future ({})", to_stored(parsed)),
        ));
    }
    Ok(parsed)
}

fn parse_naive_datetime(t: &str) -> Option<NaiveDateTime> {
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, format) {
            return Some(dt);
        }
    }
    None
}

fn local_to_utc(naive: NaiveDateTime) -> Option<DateTime<Utc>> {
    Local
        .from_local_datetime(&naive)
        .single()
        .map(|dt| dt.with_timezone(&Utc))
}

/// The stored form: UTC, RFC 3339, milliseconds.
pub fn to_stored(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A stored time in this machine's time zone, to the second, with its
/// offset (`2026-03-01 14:05:00 +01:00`); a stored text that is not a
/// time is shown as it is.
pub fn local_display(stored: &str) -> String {
    match DateTime::parse_from_rfc3339(stored) {
        Ok(dt) => dt
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S %:z")
            .to_string(),
        Err(_) => stored.to_owned(),
    }
}

/// Who "I" am on this machine, for events written here.
pub fn local_author() -> String {
    ["IBRIDGE_AUTHOR", "USER", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_owned())
        .find(|v| !v.is_empty() && !v.chars().any(char::is_control))
        .unwrap_or_else(|| "local user".to_owned())
}

/// The marker that ends every note we post, so the service's copy can be
/// recognised: after a lost answer (reconciliation) and when pulling notes
/// (ours are not pulled back in).
pub fn post_marker(event_id: &str) -> String {
    format!("[ibridge-event {event_id}]")
}

/// True when a service's note text carries one of our markers.
pub fn is_ours(text: &str) -> bool {
    text.contains("[ibridge-event ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T15:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn times_with_an_offset_are_stored_in_utc() {
        let t = parse_time("2026-03-01T14:05:00+01:00", now()).unwrap();
        assert_eq!(to_stored(t), "2026-03-01T13:05:00.000Z");
        let z = parse_time("2026-03-01T14:05:30Z", now()).unwrap();
        assert_eq!(to_stored(z), "2026-03-01T14:05:30.000Z");
    }

    #[test]
    fn local_times_use_this_machines_zone() {
        let t = parse_time("2026-03-01 10:05", now()).unwrap();
        let expected = Local
            .from_local_datetime(
                &NaiveDateTime::parse_from_str("2026-03-01 10:05", "%Y-%m-%d %H:%M").unwrap(),
            )
            .single()
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(t, expected);
        assert!(parse_time("00:00", now()).is_ok());
    }

    #[test]
    fn bad_and_future_times_name_the_field() {
        for bad in ["yesterday", "2026-13-01T00:00:00Z", "", "25:00"] {
            let e = parse_time(bad, now()).unwrap_err().to_string();
            assert!(e.starts_with("invalid at:"), "{bad}: {e}");
        }
        let e = parse_time("2026-03-02T00:00:00Z", now())
            .unwrap_err()
            .to_string();
        assert!(e.contains("in the future"), "{e}");
        assert!(parse_time("2026-03-01T15:04:00Z", now()).is_ok());
    }

    #[test]
    fn kinds_and_post_targets_parse() {
        assert_eq!(
            "Mitigated".parse::<EventKind>().unwrap(),
            EventKind::Mitigated
        );
        assert!("fixed"
            .parse::<EventKind>()
            .unwrap_err()
            .to_string()
            .contains("detected, acknowledged"));
        assert_eq!("comments".parse::<PostTo>().unwrap(), PostTo::Comments);
        assert!("slack".parse::<PostTo>().is_err());
        assert!(validate_text("  ").is_err());
        assert!(is_ours(&format!("text\n\n{}", post_marker("e1"))));
    }
}
