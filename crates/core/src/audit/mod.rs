//! Append-only, hash-chained audit log of every credential use and every
//! connection change. Each row's hash covers its fields and the previous
//! row's hash; `audit_head` holds the newest hash, so an edited, removed or
//! reordered row — including one cut from the end — breaks `verify`.
//!
//! A hash chain alone can be recomputed by whoever can write the file, so
//! the chain is also sealed: `audit_seal` holds the newest row covered and
//! an HMAC of its hash under a key derived from the vault's DEK. The key
//! reaches every append through a SQL function installed on the
//! connection when the vault is unlocked ([`install_key`]), so each
//! append joins its seal in the same transaction whatever code path wrote
//! it; rows appended while the vault is locked are sealed at the next
//! unlock.

use std::fmt;

use hmac::{Hmac, Mac};
use rusqlite::functions::FunctionFlags;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::time::now_rfc3339;
use crate::vault::KeyBytes;

/// The SQL function that seals a chain head with the installed key (NULL
/// when none is installed).
const SEAL_FUNCTION: &str = "ibridge_audit_seal";

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Ui,
    Cli,
    Background,
}

impl Actor {
    pub fn as_str(self) -> &'static str {
        match self {
            Actor::Ui => "ui",
            Actor::Cli => "cli",
            Actor::Background => "background",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
        }
    }
}

/// One thing to record. `detail` is built by our code from non-secret
/// facts (purpose, kind, salted fingerprint prefix), never from input.
pub struct Event<'a> {
    pub actor: Actor,
    pub action: &'a str,
    pub connection: Option<&'a str>,
    pub outcome: Outcome,
    pub detail: String,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub connection: Option<String>,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Where the chain breaks first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit log broken at row {seq}: {reason}")]
pub struct ChainBroken {
    pub seq: i64,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error(transparent)]
    Broken(#[from] ChainBroken),
    #[error("audit database error: {0}")]
    Database(#[from] rusqlite::Error),
}

fn entry_hash(e: &Entry) -> String {
    let mut h = Sha256::new();
    // Length-prefixed fields: no two different rows encode the same bytes.
    let conn = e.connection.as_deref().unwrap_or("\u{0}none");
    for field in [
        e.seq.to_string().as_str(),
        &e.at,
        &e.actor,
        &e.action,
        conn,
        &e.outcome,
        &e.detail,
        &e.prev_hash,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends `event`. Inside a caller's transaction it joins it (so the
/// change and its record commit together); otherwise it takes its own.
pub fn append(conn: &Connection, event: &Event<'_>) -> rusqlite::Result<i64> {
    if conn.is_autocommit() {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let seq = append_in(&tx, event)?;
        tx.commit()?;
        Ok(seq)
    } else {
        append_in(conn, event)
    }
}

fn append_in(conn: &Connection, event: &Event<'_>) -> rusqlite::Result<i64> {
    let (last_seq, prev_hash) = head(conn)?.unwrap_or((0, GENESIS.to_owned()));
    let mut entry = Entry {
        seq: last_seq + 1,
        at: now_rfc3339(),
        actor: event.actor.as_str().to_owned(),
        action: event.action.to_owned(),
        connection: event.connection.map(str::to_owned),
        outcome: event.outcome.as_str().to_owned(),
        detail: event.detail.clone(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, connection, outcome, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.connection,
            entry.outcome,
            entry.detail,
            entry.prev_hash,
            entry.hash
        ],
    )?;
    conn.execute(
        "INSERT INTO audit_head (id, last_seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq, hash = excluded.hash",
        params![entry.seq, entry.hash],
    )?;
    let mac: Option<String> = conn.query_row(
        &format!("SELECT {SEAL_FUNCTION}(?1, ?2)"),
        params![entry.seq, entry.hash],
        |r| r.get(0),
    )?;
    if let Some(mac) = mac {
        write_seal(conn, entry.seq, &entry.hash, &mac)?;
    }
    Ok(entry.seq)
}

fn seal_mac(key: &KeyBytes, seq: i64, hash: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_ref())
        .expect("HMAC takes a key of any length");
    mac.update(b"ibridge/audit-seal/v1|");
    mac.update(&seq.to_be_bytes());
    mac.update(hash.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn write_seal(conn: &Connection, seq: i64, hash: &str, mac: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO audit_seal (id, seq, hash, mac) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac",
        params![seq, hash, mac],
    )?;
    Ok(())
}

/// Makes every later append on `conn` seal the chain under `key` (`None`:
/// append unsealed, as before the vault is unlocked). Every connection
/// the store opens starts with `None`.
pub fn install_key(conn: &Connection, key: Option<KeyBytes>) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        SEAL_FUNCTION,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| {
            let seq: i64 = ctx.get(0)?;
            let hash: String = ctx.get(1)?;
            Ok(key.as_ref().map(|k| seal_mac(k, seq, &hash)))
        },
    )
}

/// Seals the current head under `key`, unconditionally: only where no
/// seal can exist yet (the vault's creation, the upgrade of a vault from
/// before seals). An empty log is sealed as row 0.
pub fn seal_head(conn: &Connection, key: &KeyBytes) -> rusqlite::Result<()> {
    let (seq, hash) = head(conn)?.unwrap_or((0, GENESIS.to_owned()));
    write_seal(conn, seq, &hash, &seal_mac(key, seq, &hash))
}

/// Moves the seal up to the current head, under `next` — but only when the
/// log verifies under `current` (on unlock both are the vault's key; in a
/// rotation, the old and the new). A missing, forged or contradicted seal
/// is left as it is, so tampering stays visible to `verify` instead of
/// being sealed over. Returns whether the seal moved.
pub fn advance_seal(
    conn: &Connection,
    current: &KeyBytes,
    next: &KeyBytes,
) -> Result<bool, AuditError> {
    // Only the rows after the seal need walking: those before it are
    // committed to by the sealed hash.
    let checked = check_seal(conn, current).and_then(|(seq, hash)| walk(conn, seq, &hash));
    match checked {
        Ok(_) => {
            seal_head(conn, next)?;
            Ok(true)
        }
        Err(AuditError::Broken(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

fn head(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    conn.query_row(
        "SELECT last_seq, hash FROM audit_head WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

const SELECT: &str =
    "SELECT seq, at, actor, action, connection, outcome, detail, prev_hash, hash FROM audit_log";

fn read_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    Ok(Entry {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        connection: r.get(4)?,
        outcome: r.get(5)?,
        detail: r.get(6)?,
        prev_hash: r.get(7)?,
        hash: r.get(8)?,
    })
}

/// The newest `limit` entries, newest first.
pub fn list(conn: &Connection, limit: u32) -> rusqlite::Result<Vec<Entry>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY seq DESC LIMIT ?1"))?;
    let rows = stmt.query_map([limit], read_entry)?;
    rows.collect()
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub entries: u64,
    /// The chain's seal was checked under the vault's key (there is a
    /// vault); `false` only before any vault exists.
    pub sealed: bool,
}

/// How to check the seal.
pub enum SealCheck<'a> {
    /// No vault exists: nothing is sealed, and nothing secret is stored.
    NoVault,
    /// The vault's audit key: the seal must be there and match.
    Key(&'a KeyBytes),
}

/// Walks the whole chain; names the first row that breaks it. With a
/// vault, the seal must exist, match its row, and carry a valid HMAC: an
/// emptied, shortened or recomputed log fails even when its hashes agree.
pub fn verify(conn: &Connection, seal: SealCheck<'_>) -> Result<VerifyReport, AuditError> {
    let entries = walk(conn, 0, GENESIS)?;
    let sealed = match seal {
        SealCheck::NoVault => false,
        SealCheck::Key(key) => {
            check_seal(conn, key)?;
            true
        }
    };
    Ok(VerifyReport { entries, sealed })
}

/// The sealed row's seq and hash, once the seal's HMAC verifies under
/// `key` and that row still holds the sealed hash.
fn check_seal(conn: &Connection, key: &KeyBytes) -> Result<(i64, String), AuditError> {
    let stored: Option<(i64, String, String)> = conn
        .query_row(
            "SELECT seq, hash, mac FROM audit_seal WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let last_seq: i64 = conn.query_row("SELECT coalesce(max(seq), 0) FROM audit_log", [], |r| {
        r.get(0)
    })?;
    let Some((seq, hash, mac)) = stored else {
        return Err(ChainBroken {
            seq: last_seq,
            reason: "the keyed seal of the log is missing although the vault exists (the log was replaced or emptied)".into(),
        }
        .into());
    };
    if seal_mac(key, seq, &hash) != mac {
        return Err(ChainBroken {
            seq,
            reason: "the keyed seal does not verify under this vault's key (the log was rewritten)"
                .into(),
        }
        .into());
    }
    let at_seal: Option<String> = if seq == 0 {
        Some(GENESIS.to_owned())
    } else {
        conn.query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .optional()?
    };
    match at_seal {
        None => Err(ChainBroken {
            seq: last_seq + 1,
            reason: format!(
                "the log ends at row {last_seq} but was sealed at row {seq} (rows removed)"
            ),
        }
        .into()),
        Some(found) if found != hash => Err(ChainBroken {
            seq,
            reason: "the row the seal covers was rewritten".into(),
        }
        .into()),
        Some(_) => Ok((seq, hash)),
    }
}

/// Checks the rows after `after_seq` (whose hash is `after_hash`) up to the
/// head; returns the last row's seq.
fn walk(conn: &Connection, after_seq: i64, after_hash: &str) -> Result<u64, AuditError> {
    let mut stmt = conn.prepare(&format!("{SELECT} WHERE seq > ?1 ORDER BY seq ASC"))?;
    let mut rows = stmt.query([after_seq])?;
    let mut expected_prev = after_hash.to_owned();
    let mut expected_seq = after_seq + 1;
    while let Some(row) = rows.next()? {
        let entry = read_entry(row)?;
        if entry.seq != expected_seq {
            return Err(ChainBroken {
                seq: entry.seq,
                reason: format!(
                    "rows {expected_seq}..{} are missing (removed)",
                    entry.seq - 1
                ),
            }
            .into());
        }
        if entry.prev_hash != expected_prev {
            return Err(ChainBroken {
                seq: entry.seq,
                reason: "it does not follow the row before it (rows were removed or reordered)"
                    .into(),
            }
            .into());
        }
        if entry_hash(&entry) != entry.hash {
            return Err(ChainBroken {
                seq: entry.seq,
                reason: "its contents were changed".into(),
            }
            .into());
        }
        expected_prev = entry.hash;
        expected_seq += 1;
    }
    let last_seq = expected_seq - 1;
    match head(conn)? {
        None if last_seq == 0 => {}
        None => {
            return Err(ChainBroken {
                seq: last_seq,
                reason: "the chain head record is missing".into(),
            }
            .into())
        }
        Some((head_seq, head_hash)) => {
            if head_seq != last_seq || head_hash != expected_prev {
                return Err(ChainBroken {
                    seq: last_seq + 1,
                    reason: format!("the log ends at row {last_seq} but was written up to row {head_seq} (rows removed from the end)"),
                }
                .into());
            }
        }
    }
    Ok(u64::try_from(last_seq).unwrap_or(0))
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "audit log intact: {} entries, hash chain verified{}",
            self.entries,
            if self.sealed {
                " and sealed under the vault key"
            } else {
                " (no vault yet, so no keyed seal)"
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open_in_memory;

    fn log(conn: &Connection, n: usize) {
        for i in 0..n {
            append(
                conn,
                &Event {
                    actor: Actor::Cli,
                    action: "credential.open",
                    connection: Some("c1"),
                    outcome: Outcome::Ok,
                    detail: format!("purpose=test {i}"),
                },
            )
            .unwrap();
        }
    }

    fn broken_at(conn: &Connection) -> i64 {
        match verify(conn, SealCheck::NoVault) {
            Err(AuditError::Broken(b)) => b.seq,
            other => panic!("expected a broken chain, got {other:?}"),
        }
    }

    #[test]
    fn intact_chain_verifies() {
        let conn = open_in_memory().unwrap();
        assert_eq!(verify(&conn, SealCheck::NoVault).unwrap().entries, 0);
        log(&conn, 5);
        assert_eq!(verify(&conn, SealCheck::NoVault).unwrap().entries, 5);
        assert_eq!(list(&conn, 2).unwrap()[0].seq, 5);
    }

    #[test]
    fn edited_row_is_named() {
        let conn = open_in_memory().unwrap();
        log(&conn, 5);
        conn.execute("UPDATE audit_log SET detail = 'x' WHERE seq = 3", [])
            .unwrap();
        assert_eq!(broken_at(&conn), 3);
    }

    #[test]
    fn deleted_row_is_found() {
        let conn = open_in_memory().unwrap();
        log(&conn, 5);
        conn.execute("DELETE FROM audit_log WHERE seq = 2", [])
            .unwrap();
        assert_eq!(broken_at(&conn), 3);
    }

    #[test]
    fn deleted_last_row_is_found() {
        let conn = open_in_memory().unwrap();
        log(&conn, 5);
        conn.execute("DELETE FROM audit_log WHERE seq = 5", [])
            .unwrap();
        assert_eq!(broken_at(&conn), 5);
    }

    #[test]
    fn reordered_rows_are_found() {
        let conn = open_in_memory().unwrap();
        log(&conn, 5);
        // Swap the contents of rows 2 and 3, keeping their seq numbers.
        conn.execute_batch(
            "UPDATE audit_log SET seq = -2 WHERE seq = 2;
             UPDATE audit_log SET seq = 2 WHERE seq = 3;
             UPDATE audit_log SET seq = 3 WHERE seq = -2;",
        )
        .unwrap();
        assert_eq!(broken_at(&conn), 2);
    }

    #[test]
    fn append_joins_an_open_transaction() {
        let mut conn = open_in_memory().unwrap();
        let tx = conn.transaction().unwrap();
        log(&tx, 1);
        tx.rollback().unwrap();
        assert_eq!(
            verify(&conn, SealCheck::NoVault).unwrap().entries,
            0,
            "rolled back with the change"
        );
    }

    fn key(byte: u8) -> KeyBytes {
        zeroize::Zeroizing::new([byte; 32])
    }

    fn keyed(n: usize) -> (Connection, KeyBytes) {
        let conn = open_in_memory().unwrap();
        let k = key(9);
        seal_head(&conn, &k).unwrap();
        install_key(&conn, Some(k.clone())).unwrap();
        log(&conn, n);
        (conn, k)
    }

    fn keyed_broken(conn: &Connection, k: &KeyBytes) -> String {
        match verify(conn, SealCheck::Key(k)) {
            Err(AuditError::Broken(b)) => b.reason,
            other => panic!("expected a broken chain, got {other:?}"),
        }
    }

    #[test]
    fn a_keyed_chain_verifies_and_each_append_moves_the_seal() {
        let (conn, k) = keyed(3);
        let report = verify(&conn, SealCheck::Key(&k)).unwrap();
        assert_eq!((report.entries, report.sealed), (3, true));
        let sealed: i64 = conn
            .query_row("SELECT seq FROM audit_seal", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sealed, 3, "sealed in the append's own statement");
    }

    /// Deleting everything used to verify as "intact: 0 entries".
    #[test]
    fn an_emptied_log_is_flagged_while_the_vault_exists() {
        let (conn, k) = keyed(4);
        conn.execute_batch("DELETE FROM audit_log; DELETE FROM audit_head;")
            .unwrap();
        assert!(keyed_broken(&conn, &k).contains("rows removed"));
        conn.execute("DELETE FROM audit_seal", []).unwrap();
        assert!(keyed_broken(&conn, &k).contains("seal of the log is missing"));
    }

    #[test]
    fn a_shortened_log_is_flagged_even_with_a_consistent_head() {
        let (conn, k) = keyed(5);
        // Cut the last two rows and point the head at the new end.
        conn.execute_batch(
            "DELETE FROM audit_log WHERE seq > 3;
             UPDATE audit_head SET last_seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3);",
        )
        .unwrap();
        assert!(
            verify(&conn, SealCheck::NoVault).is_ok(),
            "the bare chain agrees"
        );
        assert!(keyed_broken(&conn, &k).contains("sealed at row 5"));
    }

    #[test]
    fn a_recomputed_chain_does_not_carry_the_seal() {
        let (conn, k) = keyed(3);
        // A forger who rewrites a row and recomputes every hash, the head
        // and even the seal's hash, but has no key.
        let forged = {
            let mut rows: Vec<Entry> = list(&conn, 10).unwrap();
            rows.reverse();
            let mut prev = GENESIS.to_owned();
            for row in rows.iter_mut() {
                if row.seq == 2 {
                    row.detail = "purpose=nothing to see".into();
                }
                row.prev_hash = prev.clone();
                row.hash = entry_hash(row);
                prev = row.hash.clone();
            }
            rows
        };
        for row in &forged {
            conn.execute(
                "UPDATE audit_log SET detail = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
                params![row.seq, row.detail, row.prev_hash, row.hash],
            )
            .unwrap();
        }
        let last = forged.last().unwrap();
        conn.execute("UPDATE audit_head SET hash = ?1", params![last.hash])
            .unwrap();
        assert!(
            verify(&conn, SealCheck::NoVault).is_ok(),
            "the bare chain agrees"
        );
        assert!(keyed_broken(&conn, &k).contains("rewritten"));
        conn.execute("UPDATE audit_seal SET hash = ?1", params![last.hash])
            .unwrap();
        assert!(keyed_broken(&conn, &k).contains("does not verify"));
        // And another vault's key does not verify an honest log either.
        let (honest, _) = keyed(2);
        assert!(keyed_broken(&honest, &key(1)).contains("does not verify"));
    }

    #[test]
    fn rows_appended_while_locked_are_sealed_at_the_next_unlock() {
        let (conn, k) = keyed(2);
        install_key(&conn, None).unwrap();
        log(&conn, 2);
        let sealed: i64 = conn
            .query_row("SELECT seq FROM audit_seal", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sealed, 2);
        assert!(verify(&conn, SealCheck::Key(&k)).is_ok());
        assert!(advance_seal(&conn, &k, &k).unwrap());
        let sealed: i64 = conn
            .query_row("SELECT seq FROM audit_seal", [], |r| r.get(0))
            .unwrap();
        assert_eq!(sealed, 4);
    }

    /// An unlock after tampering must not seal the tampered log.
    #[test]
    fn a_tampered_log_is_never_sealed_over() {
        let (conn, k) = keyed(3);
        conn.execute_batch("DELETE FROM audit_log; DELETE FROM audit_head;")
            .unwrap();
        assert!(!advance_seal(&conn, &k, &k).unwrap());
        assert!(keyed_broken(&conn, &k).contains("rows removed"));
        conn.execute("DELETE FROM audit_seal", []).unwrap();
        assert!(!advance_seal(&conn, &k, &k).unwrap());
        assert!(keyed_broken(&conn, &k).contains("missing"));
        // Rotation moves an intact seal to the new key.
        let (intact, old) = keyed(2);
        let new = key(7);
        assert!(advance_seal(&intact, &old, &new).unwrap());
        assert!(verify(&intact, SealCheck::Key(&new)).is_ok());
        assert!(verify(&intact, SealCheck::Key(&old)).is_err());
    }
}
