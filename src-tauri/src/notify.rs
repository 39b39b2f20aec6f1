//! Telling the person when a queued write finally lands or fails for good,
//! while they may be on another screen or in another app: a system
//! notification, and the same notice as an event the window shows with a
//! button to the record (desktop notification clicks are not reported back
//! to the app by the notification plugin, so the in-window notice is the
//! reliable way to the record).

use ibridge_core::outbox::{OutboxEntry, WriteKind};
use ibridge_core::services::RunReport;
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::NotificationExt;

pub const NOTICE_EVENT: &str = "outbox-notice";

/// One notice about one outbox entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct OutboxNotice {
    pub title: String,
    pub body: String,
    /// The screen that shows the record: `incidents`, `documents`, or
    /// `activity` for a write to a remote record.
    pub screen: String,
    /// The incident or document id.
    pub record: Option<String>,
    pub failed: bool,
}

/// The screen that shows the local record a write is for, if it is local
/// (updates address a remote record by its own id).
fn screen_of(kind: Option<WriteKind>) -> Option<&'static str> {
    match kind? {
        WriteKind::ServiceNowCreate | WriteKind::WorkItemCreate => Some("incidents"),
        WriteKind::PageCreate
        | WriteKind::PageUpdate
        | WriteKind::AttachmentUpload
        | WriteKind::LabelSync => Some("documents"),
        WriteKind::ServiceNowUpdate | WriteKind::WorkItemUpdate => None,
    }
}

fn what(kind: Option<WriteKind>) -> &'static str {
    match kind {
        Some(WriteKind::PageCreate | WriteKind::PageUpdate) => "page",
        Some(WriteKind::AttachmentUpload) => "attachment",
        Some(WriteKind::LabelSync) => "labels",
        Some(WriteKind::WorkItemCreate | WriteKind::WorkItemUpdate) => "work item",
        Some(WriteKind::ServiceNowCreate | WriteKind::ServiceNowUpdate) => "incident",
        None => "unreadable",
    }
}

/// The notices for one background run: every delivered entry (it was
/// queued, so it lands after being offline or retried) and every entry
/// that now needs the person. `title_of` names the record for the text.
pub fn notices(
    report: &RunReport,
    entries: &[OutboxEntry],
    title_of: impl Fn(&OutboxEntry) -> Option<String>,
) -> Vec<OutboxNotice> {
    let find = |id: &str| entries.iter().find(|e| e.id == id);
    let named = |e: &OutboxEntry| {
        title_of(e)
            .map(|t| format!("'{t}'"))
            .unwrap_or_else(|| "the record".to_owned())
    };
    let mut out = Vec::new();
    for id in &report.delivered {
        let Some(e) = find(id) else { continue };
        out.push(OutboxNotice {
            title: format!("Sent to {}", e.connection),
            body: format!(
                "The queued {} write for {} reached {}.",
                what(e.operation),
                named(e),
                e.connection
            ),
            screen: screen_of(e.operation).unwrap_or("activity").to_owned(),
            record: screen_of(e.operation).map(|_| e.subject_id.clone()),
            failed: false,
        });
    }
    for (id, reason) in &report.failed {
        let Some(e) = find(id) else { continue };
        out.push(OutboxNotice {
            title: format!("Could not send to {}", e.connection),
            body: format!(
                "The {} write for {} failed for good: {reason} Open Activity to retry or discard it.",
                what(e.operation),
                named(e)
            ),
            screen: screen_of(e.operation).unwrap_or("activity").to_owned(),
            record: screen_of(e.operation).map(|_| e.subject_id.clone()),
            failed: true,
        });
    }
    out
}

/// Shows each notice as a system notification and sends it to the window.
/// A desktop without a notification service still gets the in-window one.
pub fn announce(app: &AppHandle, notices: &[OutboxNotice]) {
    for notice in notices {
        if let Err(e) = app
            .notification()
            .builder()
            .title(&notice.title)
            .body(&notice.body)
            .show()
        {
            tracing::warn!("system notification not shown: {e}");
        }
        let _ = app.emit(NOTICE_EVENT, notice);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ibridge_core::outbox::OutboxState;

    fn entry(id: &str, operation: WriteKind, subject: &str) -> OutboxEntry {
        OutboxEntry {
            id: id.into(),
            operation: Some(operation),
            connection: "sn".into(),
            subject_id: subject.into(),
            state: OutboxState::Done,
            attempts: 3,
            next_attempt_at: None,
            last_error: None,
            created_at: "2026-11-22T07:32:14Z".into(),
            updated_at: "2026-11-22T07:40:14Z".into(),
        }
    }

    #[test]
    fn a_delivered_write_names_the_record_and_leads_to_it() {
        let report = RunReport {
            delivered: vec!["e1".into()],
            ..RunReport::default()
        };
        let entries = [entry("e1", WriteKind::ServiceNowCreate, "inc-1")];
        let out = notices(&report, &entries, |_| Some("Checkout down".into()));
        assert_eq!(
            out,
            vec![OutboxNotice {
                title: "Sent to sn".into(),
                body: "The queued incident write for 'Checkout down' reached sn.".into(),
                screen: "incidents".into(),
                record: Some("inc-1".into()),
                failed: false,
            }]
        );
    }

    #[test]
    fn a_failed_write_says_why_and_pages_go_to_documents() {
        let report = RunReport {
            failed: vec![("e2".into(), "the space OPS does not exist.".into())],
            retrying: vec![("e3".into(), "timeout".into())],
            ..RunReport::default()
        };
        let entries = [
            entry("e2", WriteKind::PageCreate, "doc-1"),
            entry("e3", WriteKind::ServiceNowCreate, "inc-2"),
        ];
        let out = notices(&report, &entries, |_| None);
        assert_eq!(
            out.len(),
            1,
            "a write that will be retried is not announced"
        );
        assert!(out[0].failed);
        assert_eq!(out[0].screen, "documents");
        assert_eq!(out[0].record.as_deref(), Some("doc-1"));
        assert!(out[0].body.contains("the space OPS does not exist."));
        assert!(out[0].body.contains("page write for the record"));
    }

    #[test]
    fn an_update_of_a_remote_record_leads_to_activity() {
        let report = RunReport {
            delivered: vec!["e4".into()],
            ..RunReport::default()
        };
        let entries = [entry(
            "e4",
            WriteKind::ServiceNowUpdate,
            "0123456789abcdef0123456789abcdef",
        )];
        let out = notices(&report, &entries, |_| None);
        assert_eq!(out[0].screen, "activity");
        assert_eq!(out[0].record, None);
    }
}
