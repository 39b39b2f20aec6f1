//! The durable journal of outbound writes (invariant 5).
//!
//! States: `pending` (journaled, not sent, or due for another try) →
//! `in_flight` (marked just before sending) → `done` (stored with its
//! result in one transaction) or `failed` (needs the user). A transient
//! failure goes back to `pending` with a next-try time. An entry found
//! `in_flight` was interrupted after it may have been sent: delivery looks
//! the record up by its key at the service before sending anything again.

mod schedule;
mod write;

use std::collections::BTreeMap;
use std::time::Duration;

use rusqlite::{Transaction, TransactionBehavior};
use serde::Serialize;

pub use crate::store::outbox::OutboxState;
pub use schedule::{is_transient, retry_delay};
pub use write::{
    ActionItemCreate, AttachmentUpload, CommentPost, JournalPost, LabelSync, PageCreate,
    PageUpdate, ServiceNowCreate, ServiceNowStateChange, ServiceNowUpdate, WorkItemCreate,
    WorkItemStateChange, WorkItemUpdate, Write, WriteKind,
};

use crate::app::Core;
use crate::audit::{self, Event, Outcome};
use crate::connections::{ConnectionView, Provider};
use crate::error::{Error, Result};
use crate::store::outbox::{self as repo, OutboxRow};
use crate::time::now_rfc3339;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    pub id: String,
    /// `None` for an entry that cannot be read (shown as failed, with why).
    pub operation: Option<WriteKind>,
    pub connection: String,
    pub subject_id: String,
    pub state: OutboxState,
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Journal entry to write: what, where, and the key that makes it unique.
pub(crate) struct Journal<'a> {
    pub key: String,
    pub connection_id: &'a str,
    pub write: Write,
}

/// The write that files `incident_id` to `view` (as `kind` for Azure
/// DevOps) with `fields` set beside the incident's own.
pub(crate) fn filing_write(
    incident_id: &str,
    view: &ConnectionView,
    kind: Option<&str>,
    fields: BTreeMap<String, String>,
) -> Write {
    match view.provider {
        Provider::AzureDevOps => WorkItemCreate {
            incident: incident_id.to_owned(),
            work_item_type: kind.unwrap_or("Bug").to_owned(),
            fields,
        }
        .into(),
        _ => ServiceNowCreate {
            incident: incident_id.to_owned(),
            fields,
        }
        .into(),
    }
}

/// The journal entry for a filing `write` of `incident_id` to `view`. Its
/// key names the pair, so filing twice journals once.
pub(crate) fn filing<'a>(incident_id: &str, view: &'a ConnectionView, write: Write) -> Journal<'a> {
    Journal {
        key: format!("{}:{}:{incident_id}", write.kind(), view.id),
        connection_id: &view.id,
        write,
    }
}

pub(crate) fn row_for(journal: &Journal<'_>) -> OutboxRow {
    let now = now_rfc3339();
    OutboxRow {
        id: uuid::Uuid::new_v4().to_string(),
        idempotency_key: journal.key.clone(),
        connection_id: journal.connection_id.to_owned(),
        operation: journal.write.kind().as_str().to_owned(),
        subject_id: journal.write.subject(),
        payload: journal.write.to_stored(),
        state: OutboxState::Pending,
        attempts: 0,
        next_attempt_at: None,
        last_error: None,
        created_at: now.clone(),
        updated_at: now,
        claimed_by: None,
        claimed_at: None,
    }
}

/// Who this process is, for outbox claims (see [`crate::process`]).
pub fn claimant_id() -> String {
    crate::process::holder_id()
}

/// Whether the process that claimed an entry may still be sending it;
/// where liveness cannot be checked, ten minutes (far beyond any
/// request's timeout) ends a claim.
fn claimant_alive(claimed_by: &str, claimed_at: Option<&str>) -> bool {
    crate::process::holder_alive(claimed_by, claimed_at, chrono::Duration::minutes(10))
}

/// The write a row holds, or why it cannot be read.
pub(crate) fn stored_write(row: &OutboxRow) -> std::result::Result<Write, String> {
    Write::from_stored(&row.operation, &row.payload)
}

fn unreadable(row: &OutboxRow, reason: &str) -> Error {
    Error::UnreadableEntry {
        entry: row.id.clone(),
        operation: row.operation.clone(),
        reason: reason.to_owned(),
    }
}

impl Core {
    /// Journals a write (or finds the one already journaled under its key).
    /// A `done` entry is opened again: the caller found its result missing
    /// locally, and delivery looks the record up before creating anything.
    pub(crate) fn journal_write(&self, journal: &Journal<'_>) -> Result<OutboxRow> {
        let row = repo::journal(self.db(), &row_for(journal))?;
        if row.state == OutboxState::Done {
            repo::reopen(self.db(), &row.id, &now_rfc3339())?;
            return self.outbox_row(&row.id);
        }
        Ok(row)
    }

    pub(crate) fn outbox_row(&self, id: &str) -> Result<OutboxRow> {
        repo::find(self.db(), id)?.ok_or_else(|| Error::NotFound {
            what: "outbox entry",
            name: id.to_owned(),
        })
    }

    /// By full id or a prefix of at least 8 characters.
    pub(crate) fn find_outbox(&self, id: &str) -> Result<OutboxRow> {
        let id = id.trim();
        if id.is_empty() {
            return Err(Error::invalid("id", "must not be empty"));
        }
        if let Some(row) = repo::find(self.db(), id)? {
            return Ok(row);
        }
        let matches: Vec<OutboxRow> = repo::list(self.db())?
            .into_iter()
            .filter(|r| id.len() >= 8 && r.id.starts_with(id))
            .collect();
        match matches.len() {
            1 => Ok(matches.into_iter().next().expect("one match")),
            0 => Err(Error::NotFound {
                what: "outbox entry",
                name: id.to_owned(),
            }),
            _ => Err(Error::invalid(
                "id",
                format!("'{id}' matches several outbox entries; give more of the id"),
            )),
        }
    }

    /// Claims `row` for sending as `me`. False when another live process
    /// is sending it right now.
    pub(crate) fn outbox_claim(&self, row: &OutboxRow, me: &str) -> Result<bool> {
        if let Some(holder) = row.claimed_by.as_deref() {
            if row.state == OutboxState::InFlight
                && holder != me
                && claimant_alive(holder, row.claimed_at.as_deref())
            {
                return Ok(false);
            }
        }
        Ok(repo::claim(
            self.db(),
            &row.id,
            me,
            row.claimed_by.as_deref(),
            &now_rfc3339(),
        )?)
    }

    /// Marks `id` done inside `finish`'s transaction, so the result and
    /// the journal change commit together.
    pub(crate) fn outbox_done_with(
        &self,
        id: &str,
        finish: impl FnOnce(&rusqlite::Connection) -> Result<()>,
    ) -> Result<()> {
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        finish(&tx)?;
        repo::mark_done(&tx, id, &now_rfc3339())?;
        tx.commit()?;
        Ok(())
    }

    /// Records a failed attempt: transient ones are scheduled again
    /// (honouring `Retry-After`), others wait for the user.
    pub(crate) fn outbox_failed(&self, row: &OutboxRow, error: &Error) -> Result<()> {
        let attempts = row.attempts.max(1);
        let retry_at = retry_delay(error, attempts).map(|delay| {
            let delay =
                chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::minutes(15));
            (chrono::Utc::now() + delay).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        });
        Ok(repo::mark_failed(
            self.db(),
            &row.id,
            &error.to_string(),
            retry_at.as_deref(),
            &now_rfc3339(),
        )?)
    }

    pub(crate) fn outbox_deliverable(&self, include_not_due: bool) -> Result<Vec<OutboxRow>> {
        Ok(repo::deliverable(
            self.db(),
            &now_rfc3339(),
            include_not_due,
        )?)
    }

    /// How long until the next pending entry is due (zero if one is due).
    pub(crate) fn outbox_next_due_in(&self) -> Result<Option<Duration>> {
        let Some(at) = repo::next_due(self.db())? else {
            return Ok(None);
        };
        let at = chrono::DateTime::parse_from_rfc3339(&at)
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_else(|_| chrono::Utc::now());
        Ok(Some(
            (at - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO),
        ))
    }

    /// The user's retry of a failed (or waiting) entry: due now.
    pub(crate) fn outbox_reset(&self, row: &OutboxRow) -> Result<()> {
        if row.state == OutboxState::Done {
            return Err(Error::invalid(
                "id",
                format!("outbox entry {} is already done", row.id),
            ));
        }
        Ok(repo::reset_to_pending(self.db(), &row.id, &now_rfc3339())?)
    }

    /// Drops an entry the user gave up on; recorded in the audit log.
    pub fn discard_outbox(&mut self, id: &str) -> Result<OutboxEntry> {
        let row = self.find_outbox(id)?;
        if row.state == OutboxState::InFlight {
            return Err(Error::MaybeSent { entry: row.id });
        }
        let entry = self.outbox_entry(row.clone())?;
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        repo::delete(&tx, &row.id)?;
        audit::append(
            &tx,
            &Event {
                actor: self.actor(),
                action: "outbox.discard",
                connection: Some(&entry.connection),
                outcome: Outcome::Ok,
                detail: format!(
                    "entry={} operation={} state={}",
                    row.id, row.operation, row.state
                ),
            },
        )?;
        tx.commit()?;
        Ok(entry)
    }

    /// Records that `row` cannot be read, so it waits for the user (to
    /// discard it) instead of being tried again and again.
    pub(crate) fn outbox_unreadable(&self, row: &OutboxRow, reason: &str) -> Result<Error> {
        let error = unreadable(row, reason);
        repo::mark_failed(self.db(), &row.id, &error.to_string(), None, &now_rfc3339())?;
        Ok(error)
    }

    fn outbox_entry(&self, r: OutboxRow) -> Result<OutboxEntry> {
        let connection = crate::store::connections::find_by_id(self.db(), &r.connection_id)?
            .map(|c| c.display_name)
            .unwrap_or_else(|| r.connection_id.clone());
        let (operation, state, last_error) = match stored_write(&r) {
            Ok(write) => (Some(write.kind()), r.state, r.last_error),
            Err(reason) => (
                None,
                OutboxState::Failed,
                Some(unreadable(&r, &reason).to_string()),
            ),
        };
        Ok(OutboxEntry {
            connection,
            id: r.id,
            operation,
            subject_id: r.subject_id,
            state,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }

    pub fn outbox_entries(&self) -> Result<Vec<OutboxEntry>> {
        repo::list(self.db())?
            .into_iter()
            .map(|r| self.outbox_entry(r))
            .collect()
    }
}
