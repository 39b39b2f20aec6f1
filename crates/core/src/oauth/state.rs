//! The OAuth `state` parameter: a 256-bit random nonce, the connection id
//! and an expiry, authenticated with HMAC-SHA256 under a key derived from
//! the vault. Each issued state is accepted once: the first sight consumes
//! it, so a replayed callback fails.

use std::collections::HashSet;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::vault::KeyBytes;

const NONCE_LEN: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateError {
    Missing,
    Malformed,
    Tampered,
    Foreign,
    Expired,
    Replayed,
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StateError::Missing => "the callback carried no state parameter",
            StateError::Malformed => {
                "the state parameter is not one Incident Bridge issued (malformed)"
            }
            StateError::Tampered => "the state parameter was altered (signature mismatch)",
            StateError::Foreign => "the state parameter belongs to another connection's sign-in",
            StateError::Expired => "the sign-in took too long and its state expired; start again",
            StateError::Replayed => "this callback was already used once (replayed state)",
        })
    }
}

/// Issues and checks states for one sign-in flow.
pub struct StateGuard {
    key: KeyBytes,
    connection_id: String,
    lifetime: Duration,
    outstanding: Mutex<HashSet<[u8; NONCE_LEN]>>,
}

impl StateGuard {
    pub fn new(key: KeyBytes, connection_id: &str, lifetime: Duration) -> Self {
        Self {
            key,
            connection_id: connection_id.to_owned(),
            lifetime,
            outstanding: Mutex::new(HashSet::new()),
        }
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.key.as_ref())
            .expect("HMAC takes a key of any length");
        mac.update(b"ibridge/oauth-state/v1|");
        mac.update(payload);
        mac
    }

    /// A new state string, remembered as outstanding.
    pub fn issue(&self) -> String {
        self.issue_with_expiry(unix_now() + self.lifetime.as_secs())
    }

    pub(crate) fn issue_with_expiry(&self, expires_at: u64) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut payload = Vec::with_capacity(NONCE_LEN + 8 + self.connection_id.len());
        payload.extend_from_slice(&nonce);
        payload.extend_from_slice(&expires_at.to_be_bytes());
        payload.extend_from_slice(self.connection_id.as_bytes());
        let tag = self.mac(&payload).finalize().into_bytes();
        if let Ok(mut outstanding) = self.outstanding.lock() {
            outstanding.insert(nonce);
        }
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Checks `state` and consumes it. Order matters: the signature is
    /// checked before anything in the payload is believed.
    pub fn consume(&self, state: Option<&str>) -> Result<(), StateError> {
        let state = state.filter(|s| !s.is_empty()).ok_or(StateError::Missing)?;
        let (payload_b64, tag_b64) = state.split_once('.').ok_or(StateError::Malformed)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload_b64)
            .map_err(|_| StateError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag_b64)
            .map_err(|_| StateError::Malformed)?;
        if payload.len() < NONCE_LEN + 8 {
            return Err(StateError::Malformed);
        }
        self.mac(&payload)
            .verify_slice(&tag)
            .map_err(|_| StateError::Tampered)?;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&payload[..NONCE_LEN]);
        let mut expiry = [0u8; 8];
        expiry.copy_from_slice(&payload[NONCE_LEN..NONCE_LEN + 8]);
        let connection = &payload[NONCE_LEN + 8..];
        if connection != self.connection_id.as_bytes() {
            return Err(StateError::Foreign);
        }
        // Consumed on first sight, whether or not it is still in time.
        let was_outstanding = self
            .outstanding
            .lock()
            .map(|mut o| o.remove(&nonce))
            .unwrap_or(false);
        if !was_outstanding {
            return Err(StateError::Replayed);
        }
        if u64::from_be_bytes(expiry) < unix_now() {
            return Err(StateError::Expired);
        }
        Ok(())
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> KeyBytes {
        zeroize::Zeroizing::new([byte; 32])
    }

    fn guard() -> StateGuard {
        StateGuard::new(key(7), "conn-1", Duration::from_secs(600))
    }

    #[test]
    fn a_state_is_accepted_once() {
        let g = guard();
        let s = g.issue();
        assert_eq!(g.consume(Some(&s)), Ok(()));
        assert_eq!(g.consume(Some(&s)), Err(StateError::Replayed));
    }

    #[test]
    fn tampered_foreign_expired_and_junk_are_refused() {
        let g = guard();
        let s = g.issue();
        let (payload, tag) = s.split_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(payload).unwrap();
        bytes[0] ^= 1;
        let tampered = format!("{}.{}", URL_SAFE_NO_PAD.encode(&bytes), tag);
        assert_eq!(g.consume(Some(&tampered)), Err(StateError::Tampered));

        let other_key = StateGuard::new(key(8), "conn-1", Duration::from_secs(600));
        assert_eq!(
            g.consume(Some(&other_key.issue())),
            Err(StateError::Tampered)
        );

        let other_conn = StateGuard::new(key(7), "conn-2", Duration::from_secs(600));
        assert_eq!(
            g.consume(Some(&other_conn.issue())),
            Err(StateError::Foreign)
        );

        let old = g.issue_with_expiry(unix_now() - 1);
        assert_eq!(g.consume(Some(&old)), Err(StateError::Expired));

        assert_eq!(g.consume(None), Err(StateError::Missing));
        assert_eq!(g.consume(Some("")), Err(StateError::Missing));
        for junk in ["abc", "a.b", "!!.!!", "é.é"] {
            assert_eq!(g.consume(Some(junk)), Err(StateError::Malformed), "{junk}");
        }
        // The untouched original still works after all of that.
        assert_eq!(g.consume(Some(&s)), Ok(()));
    }

    #[test]
    fn states_are_unique_and_carry_256_bits_of_nonce() {
        let g = guard();
        let a = g.issue();
        let b = g.issue();
        assert_ne!(a, b);
        let payload = URL_SAFE_NO_PAD
            .decode(a.split_once('.').unwrap().0)
            .unwrap();
        assert_eq!(payload.len(), 32 + 8 + "conn-1".len());
    }
}
