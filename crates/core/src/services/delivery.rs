//! Delivering outbox entries: one code path for a command's own write and
//! for `outbox run` after a failure or a crash.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::{Filed, Published, Services};
use crate::connections::ConnectionStatus;
use crate::error::{Error, ErrorKind, Result};
use crate::oauth::lock;
use crate::store::outbox::OutboxRow;

/// What a delivered entry produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Delivered {
    Filed(Filed),
    Published(Published),
    Updated {
        record: String,
        body: serde_json::Value,
    },
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunReport {
    /// Entry ids sent (or reconciled) and now done.
    pub delivered: Vec<String>,
    /// (entry id, reason) for entries that now wait for the user.
    pub failed: Vec<(String, String)>,
    /// (entry id, reason) for entries that will be tried again later.
    pub retrying: Vec<(String, String)>,
    /// Entries another Incident Bridge process is sending right now.
    pub busy: Vec<String>,
}

impl Services {
    /// Sends one entry. Marks it `in_flight` first; on failure records the
    /// reason and, for transient failures, when to try again.
    pub(crate) async fn deliver(&self, entry: &OutboxRow) -> Result<Delivered> {
        let entry = {
            let core = lock(&self.core)?;
            // Fresh from the database: another process may have moved it.
            let current = core.outbox_row(&entry.id)?;
            if current.state == "done" {
                return Err(Error::Conflict(format!(
                    "outbox entry {} was already delivered",
                    current.id
                )));
            }
            if !core.outbox_claim(&current, &self.claimant)? {
                return Err(Error::Conflict(format!(
                    "outbox entry {} is being delivered by another Incident Bridge process",
                    current.id
                )));
            }
            current
        };
        let interrupted = entry.state == "in_flight";
        let result = match entry.operation.as_str() {
            super::filing::SERVICENOW_CREATE | super::filing::WORK_ITEM_CREATE => {
                self.deliver_filing(&entry).await.map(Delivered::Filed)
            }
            super::confluence::PAGE_CREATE => self
                .deliver_page_create(&entry, interrupted)
                .await
                .map(Delivered::Published),
            super::confluence::PAGE_UPDATE => self
                .deliver_page_update(&entry, interrupted)
                .await
                .map(Delivered::Published),
            super::updates::SERVICENOW_UPDATE | super::updates::WORK_ITEM_UPDATE => self
                .deliver_field_update(&entry)
                .await
                .map(|(record, body)| Delivered::Updated { record, body }),
            other => Err(Error::Unsupported(format!(
                "outbox entry {} has an unknown operation '{other}'",
                entry.id
            ))),
        };
        if let Err(error) = &result {
            let core = lock(&self.core)?;
            let entry = core.outbox_row(&entry.id)?;
            core.outbox_failed(&entry, error)?;
            if error.kind() == ErrorKind::AuthNeeded {
                // 401/403: the connection needs attention, not a retry.
                core.set_connection_status(
                    &entry.connection_id,
                    ConnectionStatus::Error,
                    Some(&error.to_string()),
                )?;
            }
        }
        result
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
            match self.deliver(&entry).await {
                Ok(_) => report.delivered.push(entry.id),
                Err(Error::Conflict(reason))
                    if reason.contains("another Incident Bridge process") =>
                {
                    blocked.insert(entry.connection_id.clone());
                    report.busy.push(entry.id);
                }
                Err(e) => {
                    blocked.insert(entry.connection_id.clone());
                    let state = lock(&self.core)?
                        .outbox_row(&entry.id)
                        .map(|r| r.state)
                        .unwrap_or_default();
                    if state == "pending" {
                        report.retrying.push((entry.id, e.to_string()));
                    } else {
                        report.failed.push((entry.id, e.to_string()));
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
        let row = {
            let core = lock(&self.core)?;
            let row = core.find_outbox(id)?;
            core.outbox_reset(&row)?;
            core.outbox_row(&row.id)?
        };
        self.deliver(&row).await
    }
}
