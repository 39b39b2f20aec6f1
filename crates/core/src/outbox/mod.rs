//! The durable journal of outbound writes (invariant 5). A write is
//! journaled before any request leaves; it is marked `in_flight` just
//! before sending, and `done` in the same transaction that stores its
//! result. An entry found `in_flight` is reconciled — the record is looked
//! up by its idempotency key at the service — before it is ever re-sent.

use rusqlite::{Transaction, TransactionBehavior};
use serde::Serialize;

use crate::app::Core;
use crate::error::Result;
use crate::http::HttpError;
use crate::store::outbox::{self as repo, OutboxRow};
use crate::time::now_rfc3339;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    pub id: String,
    pub operation: String,
    pub connection: String,
    pub subject_id: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Whether a failure is worth another try later (network, 429, 502–504)
/// or needs the user (400, 401/403, 404, 409, …).
pub fn is_transient(error: &crate::Error) -> bool {
    match error {
        crate::Error::Http(HttpError::Network { .. })
        | crate::Error::Http(HttpError::RateLimited { .. }) => true,
        crate::Error::Http(e) => e.status().is_some_and(|s| matches!(s, 502..=504)),
        _ => false,
    }
}

impl Core {
    /// Journals a write (or finds the one already journaled under `key`).
    pub(crate) fn journal_write(
        &self,
        key: &str,
        connection_id: &str,
        operation: &str,
        subject_id: &str,
        payload: &serde_json::Value,
    ) -> Result<OutboxRow> {
        let now = now_rfc3339();
        Ok(repo::journal(
            self.db(),
            &OutboxRow {
                id: uuid::Uuid::new_v4().to_string(),
                idempotency_key: key.to_owned(),
                connection_id: connection_id.to_owned(),
                operation: operation.to_owned(),
                subject_id: subject_id.to_owned(),
                payload: payload.to_string(),
                state: "pending".into(),
                attempts: 0,
                next_attempt_at: None,
                last_error: None,
                created_at: now.clone(),
                updated_at: now,
            },
        )?)
    }

    pub(crate) fn outbox_in_flight(&self, id: &str) -> Result<()> {
        Ok(repo::mark_in_flight(self.db(), id, &now_rfc3339())?)
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

    pub(crate) fn outbox_failed(
        &self,
        id: &str,
        error: &crate::Error,
        attempts: i64,
    ) -> Result<()> {
        let retry_at = is_transient(error).then(|| {
            // 30 s, 1 min, 2 min … capped at 30 min.
            let secs = (30i64 << (attempts.clamp(1, 7) - 1)).min(1800);
            (chrono::Utc::now() + chrono::Duration::seconds(secs))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        });
        Ok(repo::mark_failed(
            self.db(),
            id,
            &error.to_string(),
            retry_at.as_deref(),
            &now_rfc3339(),
        )?)
    }

    pub fn outbox_entries(&self) -> Result<Vec<OutboxEntry>> {
        let names: std::collections::HashMap<String, String> = self
            .list_connections()?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
        Ok(repo::list(self.db())?
            .into_iter()
            .map(|r| OutboxEntry {
                connection: names
                    .get(&r.connection_id)
                    .cloned()
                    .unwrap_or_else(|| r.connection_id.clone()),
                id: r.id,
                operation: r.operation,
                subject_id: r.subject_id,
                state: r.state,
                attempts: r.attempts,
                next_attempt_at: r.next_attempt_at,
                last_error: r.last_error,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
            .collect())
    }
}
