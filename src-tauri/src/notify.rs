//! Telling the person when a queued write finally lands or fails for good,
//! while they may be on another screen or in another app: a system
//! notification, and the same notice as an event the window shows with a
//! button to the record. A click on the system notification brings the
//! window to the front on the record: the notification carries the screen
//! and record, and the plugin reports the click (on Linux and the BSDs
//! through the desktop notification spec's `default` action over D-Bus)
//! to the handler `listen_for_clicks` registers.

use ibridge_core::outbox::{OutboxEntry, WriteKind};
use ibridge_core::services::RunReport;
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::{ActionPerformed, NotificationExt};

pub const NOTICE_EVENT: &str = "outbox-notice";
/// Tells the window to show a record (payload: `Destination`).
pub const OPEN_RECORD_EVENT: &str = "open-record";

/// Where the window goes, as `src/ui/navigation.ts`'s `Destination`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Destination {
    pub screen: String,
    pub record: Option<String>,
}

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
        WriteKind::ServiceNowCreate
        | WriteKind::WorkItemCreate
        | WriteKind::ServiceNowStateChange
        | WriteKind::WorkItemStateChange => Some("incidents"),
        WriteKind::PageCreate
        | WriteKind::PageUpdate
        | WriteKind::AttachmentUpload
        | WriteKind::LabelSync
        | WriteKind::ActionItemCreate => Some("documents"),
        // Notes are for a timeline event; the activity screen lists them.
        WriteKind::ServiceNowUpdate
        | WriteKind::WorkItemUpdate
        | WriteKind::JournalPost
        | WriteKind::CommentPost => None,
    }
}

fn what(kind: Option<WriteKind>) -> &'static str {
    match kind {
        Some(WriteKind::PageCreate | WriteKind::PageUpdate) => "page",
        Some(WriteKind::AttachmentUpload) => "attachment",
        Some(WriteKind::LabelSync) => "labels",
        Some(WriteKind::ActionItemCreate) => "action item",
        Some(WriteKind::WorkItemCreate | WriteKind::WorkItemUpdate) => "work item",
        Some(WriteKind::ServiceNowCreate | WriteKind::ServiceNowUpdate) => "incident",
        Some(WriteKind::JournalPost) => "work note",
        Some(WriteKind::CommentPost) => "comment",
        Some(WriteKind::ServiceNowStateChange | WriteKind::WorkItemStateChange) => "state change",
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
    for failed in &report.failed {
        let Some(e) = find(&failed.id) else { continue };
        let reason = &failed.reason;
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
            .extra("screen", &notice.screen)
            .extra("record", &notice.record)
            .show()
        {
            tracing::warn!("system notification not shown: {e}");
        }
        let _ = app.emit(NOTICE_EVENT, notice);
    }
}

/// Where a click on one of our notifications leads: a click on the
/// notification itself (`tap`) that carries a screen. Other actions and
/// notifications without one lead nowhere.
pub fn destination_of(performed: &ActionPerformed) -> Option<Destination> {
    if performed.action_id() != "tap" {
        return None;
    }
    let extra = performed.notification()?.extra();
    let screen = extra.get("screen")?.as_str()?;
    if !matches!(screen, "incidents" | "documents" | "activity") {
        return None;
    }
    let record = extra
        .get("record")
        .and_then(|r| r.as_str())
        .map(str::to_owned);
    Some(Destination {
        screen: screen.to_owned(),
        record,
    })
}

/// Registers the click handler; call it before the first notification is
/// shown (the plugin reports clicks only on notifications shown after a
/// handler exists).
pub fn listen_for_clicks(app: &AppHandle) {
    let handle = app.clone();
    let registered = app.notification().on_action(move |performed| {
        let Some(to) = destination_of(performed) else {
            return;
        };
        crate::focus_main_window(&handle);
        let _ = handle.emit(OPEN_RECORD_EVENT, to);
    });
    if let Err(e) = registered {
        tracing::warn!("notification clicks will not open records: {e}");
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
            failed: vec![ibridge_core::services::FailedEntry {
                id: "e2".into(),
                reason: "the space OPS does not exist.".into(),
                action: None,
            }],
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

    fn performed(action: &str, extra: serde_json::Value) -> ActionPerformed {
        serde_json::from_value(serde_json::json!({
            "actionId": action,
            "inputValue": null,
            "notification": { "id": 7, "title": "Sent to sn", "extra": extra },
        }))
        .unwrap()
    }

    #[test]
    fn a_click_on_the_notification_leads_to_its_record() {
        let to = destination_of(&performed(
            "tap",
            serde_json::json!({ "screen": "incidents", "record": "inc-1" }),
        ));
        assert_eq!(
            to,
            Some(Destination {
                screen: "incidents".into(),
                record: Some("inc-1".into()),
            })
        );
        let to = destination_of(&performed(
            "tap",
            serde_json::json!({ "screen": "activity", "record": null }),
        ));
        assert_eq!(
            to.map(|d| (d.screen, d.record)),
            Some(("activity".into(), None))
        );
    }

    #[test]
    fn other_actions_and_foreign_notifications_lead_nowhere() {
        let ours = serde_json::json!({ "screen": "documents", "record": "doc-1" });
        assert_eq!(destination_of(&performed("dismiss", ours)), None);
        assert_eq!(
            destination_of(&performed("tap", serde_json::json!({}))),
            None
        );
        let odd = serde_json::json!({ "screen": "settings/../x", "record": "doc-1" });
        assert_eq!(destination_of(&performed("tap", odd)), None);
    }
}
