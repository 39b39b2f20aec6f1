//! How a connection's status changes — every change goes through here.
//!
//! - A successful sign-in or token refresh makes it `connected`.
//! - The authorization server refusing the stored grant makes it
//!   `needs_reconnect`.
//! - What a connection test or a call finds out (`connected`, or `error`
//!   with why) is recorded, except over `needs_reconnect`: that is cleared
//!   only by a sign-in or a refresh, so a test that fails for the same
//!   reason never turns it into a vaguer `error`.
//!
//! Each change is one `UPDATE` whose `WHERE` carries the rule, so it holds
//! when several processes write at once.

use rusqlite::{params, Connection};

use super::ConnectionStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusChange<'a> {
    /// A sign-in or a token refresh succeeded.
    Authorized,
    /// The authorization server refused the stored grant (`invalid_grant`).
    GrantRefused { detail: &'a str },
    /// What a connection test or a provider call found out.
    Observed {
        status: ConnectionStatus,
        detail: Option<&'a str>,
    },
}

/// Applies `change` to connection `id`; true when the row changed.
pub(crate) fn apply(
    db: &Connection,
    id: &str,
    change: StatusChange<'_>,
    now: &str,
) -> rusqlite::Result<bool> {
    let (status, detail, clears_needs_reconnect) = match change {
        StatusChange::Authorized => (ConnectionStatus::Connected, None, true),
        StatusChange::GrantRefused { detail } => {
            (ConnectionStatus::NeedsReconnect, Some(detail), true)
        }
        StatusChange::Observed { status, detail } => (status, detail, false),
    };
    let changed = db.execute(
        "UPDATE integration_config SET status = ?2, status_detail = ?3, updated_at = ?4
         WHERE id = ?1 AND (?5 OR status != 'needs_reconnect')",
        params![id, status.as_str(), detail, now, clears_needs_reconnect],
    )?;
    Ok(changed == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_with(status: &str) -> Connection {
        let db = crate::store::open_in_memory().unwrap();
        db.execute(
            "INSERT INTO integration_config (id, provider, display_name, base_url, auth_type, status, status_detail, created_at, updated_at)
             VALUES ('c', 'azure_devops', 'ado', 'https://dev.azure.com/acme', 'oauth2', ?1, 'before', 't', 't')",
            [status],
        )
        .unwrap();
        db
    }

    fn status(db: &Connection) -> (String, Option<String>) {
        db.query_row(
            "SELECT status, status_detail FROM integration_config WHERE id = 'c'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    }

    #[test]
    fn a_finding_never_replaces_needs_reconnect() {
        for observed in [ConnectionStatus::Error, ConnectionStatus::Connected] {
            let db = db_with("needs_reconnect");
            let change = StatusChange::Observed {
                status: observed,
                detail: Some("401 from the service"),
            };
            assert!(!apply(&db, "c", change, "now").unwrap());
            assert_eq!(
                status(&db),
                ("needs_reconnect".into(), Some("before".into()))
            );
        }
    }

    #[test]
    fn a_finding_is_recorded_over_connected_and_error() {
        for before in ["connected", "error"] {
            let db = db_with(before);
            let change = StatusChange::Observed {
                status: ConnectionStatus::Error,
                detail: Some("401 from the service"),
            };
            assert!(apply(&db, "c", change, "now").unwrap());
            assert_eq!(
                status(&db),
                ("error".into(), Some("401 from the service".into()))
            );
        }
    }

    #[test]
    fn sign_in_or_refresh_clears_needs_reconnect_and_a_refused_grant_sets_it() {
        let db = db_with("needs_reconnect");
        assert!(apply(&db, "c", StatusChange::Authorized, "now").unwrap());
        assert_eq!(status(&db), ("connected".into(), None));
        let refused = StatusChange::GrantRefused {
            detail: "invalid_grant",
        };
        assert!(apply(&db, "c", refused, "now").unwrap());
        assert_eq!(
            status(&db),
            ("needs_reconnect".into(), Some("invalid_grant".into()))
        );
    }
}
