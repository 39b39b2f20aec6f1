//! The refresh lease: one process at a time refreshes a connection's
//! tokens, across every process sharing the database (the desktop app,
//! its outbox worker, CLI runs). `Core` methods; the waiting is the
//! broker's.

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, TransactionBehavior};

use crate::app::Core;
use crate::error::Result;
use crate::process;
use crate::store::leases::{self, LeaseRow};
use crate::time::now_rfc3339;

/// How long a lease lasts: the token request's own 30 s limit, with room.
/// Past this (or at once on Linux when its process is gone) another
/// process takes it over.
pub(crate) const LEASE_TTL_SECS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LeaseTry {
    /// This caller holds the lease now and refreshes.
    Taken,
    /// The access token is fresh again (someone refreshed): use it.
    Fresh,
    /// Another live process is refreshing; wait and look again.
    Held { holder: String },
}

/// Whether `lease` still binds others than its holder.
fn binds(lease: &LeaseRow, now: DateTime<Utc>) -> bool {
    let unexpired = DateTime::parse_from_rfc3339(&lease.expires_at)
        .is_ok_and(|at| at.with_timezone(&Utc) > now);
    unexpired
        && process::holder_alive(
            &lease.holder,
            Some(&lease.taken_at),
            chrono::Duration::seconds(LEASE_TTL_SECS),
        )
}

impl Core {
    /// Takes the refresh lease of `connection_id` for `me`, unless the
    /// access token is fresh or another live process holds the lease. The
    /// decision is made inside one `IMMEDIATE` transaction, so two
    /// processes cannot both take it.
    pub(crate) fn try_refresh_lease(&self, connection_id: &str, me: &str) -> Result<LeaseTry> {
        let now = Utc::now();
        // A cheap read first, so waiters do not queue for the write lock.
        if let Some(lease) = leases::find(self.db(), connection_id)? {
            if lease.holder != me && binds(&lease, now) {
                return Ok(LeaseTry::Held {
                    holder: lease.holder,
                });
            }
        }
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        if super::grant_store::access_token_fresh(&tx, connection_id)? {
            return Ok(LeaseTry::Fresh);
        }
        if let Some(lease) = leases::find(&tx, connection_id)? {
            if lease.holder != me && binds(&lease, now) {
                return Ok(LeaseTry::Held {
                    holder: lease.holder,
                });
            }
        }
        let expires = (now + chrono::Duration::seconds(LEASE_TTL_SECS))
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        leases::put(&tx, connection_id, me, &now_rfc3339(), &expires)?;
        tx.commit()?;
        Ok(LeaseTry::Taken)
    }

    /// Gives the lease up (a no-op when `me` no longer holds it).
    pub(crate) fn release_refresh_lease(&self, connection_id: &str, me: &str) -> Result<()> {
        leases::release(self.db(), connection_id, me)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(holder: &str, expires_in_secs: i64) -> LeaseRow {
        let now = Utc::now();
        LeaseRow {
            holder: holder.into(),
            taken_at: now.to_rfc3339(),
            expires_at: (now + chrono::Duration::seconds(expires_in_secs)).to_rfc3339(),
        }
    }

    #[test]
    fn a_live_unexpired_lease_binds_and_an_expired_one_does_not() {
        let me = process::holder_id();
        assert!(binds(&lease(&me, 30), Utc::now()));
        assert!(!binds(&lease(&me, -1), Utc::now()));
        assert!(!binds(
            &LeaseRow {
                expires_at: "not a time".into(),
                ..lease(&me, 30)
            },
            Utc::now()
        ));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_lease_of_a_dead_process_does_not_bind() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!binds(&lease(&format!("pid:{pid}:x"), 30), Utc::now()));
    }
}
