//! Delivering outbox entries: one code path for a command's own write and
//! for `outbox run` after a failure or a crash.
//!
//! Each request type in `outbox::Write` implements [`Deliver`]
//! (`services/deliver.rs`) with its own result type. A command that journaled a write of a known kind delivers
//! it with [`Services::deliver`] and gets that type back; `outbox run` and
//! `outbox retry` go through [`Services::deliver_entry`], the one dispatch
//! over the kinds, which wraps each result in [`Delivered`] for display.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::deliver::{Attempt, Deliver};
use super::{Attached, Filed, Published, Services};
use crate::app::lock;
use crate::connections::ConnectionStatus;
use crate::error::{Error, ErrorKind, Result};
use crate::outbox::{stored_write, OutboxState, Write};
use crate::providers::azure_devops::WorkItem;
use crate::providers::servicenow::SnIncident;
use crate::store::outbox::OutboxRow;

/// What a delivered entry produced, for `outbox retry` to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Delivered {
    Filed(Filed),
    Published(Published),
    ServiceNowUpdated(SnIncident),
    WorkItemUpdated(WorkItem),
    Attached(Attached),
    Labelled(Vec<String>),
    ActionItemFiled(super::FiledActionItem),
    NotePosted(super::NotePosted),
    StateSet(super::StateSet),
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Entry ids sent (or reconciled) and now done.
    pub delivered: Vec<String>,
    /// Entries that now wait for the user, with what to do about each.
    pub failed: Vec<FailedEntry>,
    /// (entry id, reason) for entries that will be tried again later.
    pub retrying: Vec<(String, String)>,
    /// Entries another Incident Bridge process is sending right now.
    pub busy: Vec<String>,
}

/// An outbox entry that failed for good in a run.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedEntry {
    pub id: String,
    pub reason: String,
    /// What fixes the cause (sign in again, supply a field…), when the
    /// error names one; the entry is retried after it.
    pub action: Option<crate::Action>,
}

impl Services {
    /// Delivers entry `id`, which the caller journaled as a `W`.
    pub(crate) async fn deliver<W: Deliver>(&self, id: &str) -> Result<W::Output> {
        let (attempt, write) = self.claim(id)?;
        match W::try_from(write) {
            Ok(request) => self.send(&attempt, request).await,
            Err(held) => Err(self.fail(
                &attempt.entry,
                Error::Internal(format!(
                    "outbox entry {} holds a {held} write, not the one being delivered",
                    attempt.entry.id
                )),
            )?),
        }
    }

    /// Delivers entry `id` whatever kind of write it holds. Adding a kind
    /// of write adds one arm here.
    pub(crate) async fn deliver_entry(&self, id: &str) -> Result<Delivered> {
        let (attempt, write) = self.claim(id)?;
        match write {
            Write::ServiceNowCreate(w) => self.send(&attempt, w).await.map(Delivered::Filed),
            Write::WorkItemCreate(w) => self.send(&attempt, w).await.map(Delivered::Filed),
            Write::PageCreate(w) => self.send(&attempt, w).await.map(Delivered::Published),
            Write::PageUpdate(w) => self.send(&attempt, w).await.map(Delivered::Published),
            Write::ServiceNowUpdate(w) => self
                .send(&attempt, w)
                .await
                .map(Delivered::ServiceNowUpdated),
            Write::WorkItemUpdate(w) => {
                self.send(&attempt, w).await.map(Delivered::WorkItemUpdated)
            }
            Write::AttachmentUpload(w) => self.send(&attempt, w).await.map(Delivered::Attached),
            Write::LabelSync(w) => self.send(&attempt, w).await.map(Delivered::Labelled),
            Write::ActionItemCreate(w) => {
                self.send(&attempt, w).await.map(Delivered::ActionItemFiled)
            }
            Write::JournalPost(w) => self.send(&attempt, w).await.map(Delivered::NotePosted),
            Write::CommentPost(w) => self.send(&attempt, w).await.map(Delivered::NotePosted),
            Write::ServiceNowStateChange(w) => {
                self.send(&attempt, w).await.map(Delivered::StateSet)
            }
            Write::WorkItemStateChange(w) => self.send(&attempt, w).await.map(Delivered::StateSet),
        }
    }

    /// Marks the entry `in_flight` for this deliverer and reads its write.
    fn claim(&self, id: &str) -> Result<(Attempt, Write)> {
        let core = lock(&self.core)?;
        // Fresh from the database: another process may have moved it.
        let current = core.outbox_row(id)?;
        if current.state == OutboxState::Done {
            return Err(Error::Conflict(format!(
                "outbox entry {} was already delivered",
                current.id
            )));
        }
        let write = match stored_write(&current) {
            Ok(write) => write,
            Err(reason) => return Err(core.outbox_unreadable(&current, &reason)?),
        };
        if !core.outbox_claim(&current, &self.claimant)? {
            return Err(Error::Busy { entry: current.id });
        }
        let attempt = Attempt {
            interrupted: current.state == OutboxState::InFlight,
            resend: current.state == OutboxState::InFlight || current.attempts > 0,
            entry: core.outbox_row(id)?,
        };
        Ok((attempt, write))
    }

    /// Sends one claimed entry; on failure records the reason and, for
    /// transient failures, when to try again.
    async fn send<W: Deliver>(&self, attempt: &Attempt, request: W) -> Result<W::Output> {
        match request.deliver(self, attempt).await {
            Ok(output) => Ok(output),
            Err(error) => Err(self.fail(&attempt.entry, error)?),
        }
    }

    /// Records `error` against `entry` and gives it back.
    fn fail(&self, entry: &OutboxRow, error: Error) -> Result<Error> {
        let core = lock(&self.core)?;
        let entry = core.outbox_row(&entry.id)?;
        core.outbox_failed(&entry, &error)?;
        if error.kind() == ErrorKind::AuthNeeded {
            // 401/403: the connection needs attention, not a retry.
            core.set_connection_status(
                &entry.connection_id,
                ConnectionStatus::Error,
                Some(&error.to_string()),
            )?;
        }
        Ok(error)
    }

    /// Sends every pending entry that is due (all of them with
    /// `include_not_due`) and reconciles interrupted ones, oldest first. A
    /// connection whose entry failed is skipped for the rest of the run, so
    /// writes to one target keep their order.
    pub async fn run_outbox(&self, include_not_due: bool) -> Result<RunReport> {
        let entries = lock(&self.core)?.outbox_deliverable(include_not_due)?;
        let mut report = RunReport::default();
        let mut blocked: std::collections::HashSet<String> = Default::default();
        for entry in entries {
            if blocked.contains(&entry.connection_id) {
                continue;
            }
            match self.deliver_entry(&entry.id).await {
                Ok(_) => report.delivered.push(entry.id),
                Err(Error::Busy { .. }) => {
                    blocked.insert(entry.connection_id.clone());
                    report.busy.push(entry.id);
                }
                Err(e) => {
                    blocked.insert(entry.connection_id.clone());
                    let state = lock(&self.core)?.outbox_row(&entry.id).map(|r| r.state);
                    if matches!(state, Ok(OutboxState::Pending)) {
                        report.retrying.push((entry.id, e.to_string()));
                    } else {
                        report.failed.push(FailedEntry {
                            action: e.action(),
                            reason: e.to_string(),
                            id: entry.id,
                        });
                    }
                }
            }
        }
        Ok(report)
    }

    /// Like [`Self::run_outbox`], then keeps waiting for entries scheduled
    /// to be tried again (`Retry-After`, backoff) for up to `max_wait`.
    pub async fn drain_outbox(&self, max_wait: Duration) -> Result<RunReport> {
        let deadline = Instant::now() + max_wait;
        // Unlike a plain run, this honours each entry's next-try time.
        let mut total = self.run_outbox(false).await?;
        loop {
            let Some(due_in) = lock(&self.core)?.outbox_next_due_in()? else {
                return Ok(total);
            };
            if Instant::now() + due_in > deadline {
                return Ok(total);
            }
            tokio::time::sleep(due_in).await;
            let round = self.run_outbox(false).await?;
            total.delivered.extend(round.delivered);
            total.failed.extend(round.failed);
            total.retrying = round.retrying;
            total.busy = round.busy;
        }
    }

    /// The user's retry of one entry: due now, delivered now.
    pub async fn retry_outbox(&self, id: &str) -> Result<Delivered> {
        let id = {
            let core = lock(&self.core)?;
            let row = core.find_outbox(id)?;
            core.outbox_reset(&row)?;
            row.id
        };
        self.deliver_entry(&id).await
    }
}
