//! When a failed write is tried again.

use std::time::Duration;

use rand::Rng;

use crate::error::Error;
use crate::http::HttpError;

const BASE: Duration = Duration::from_secs(2);
const CAP: Duration = Duration::from_secs(15 * 60);

/// Worth another try later: the network, 429, 502–504, and another
/// process still refreshing the connection's sign-in.
pub fn is_transient(error: &Error) -> bool {
    match error {
        Error::OAuth(crate::oauth::OAuthError::RefreshBusy { .. }) => true,
        Error::Http(HttpError::Network { .. }) | Error::Http(HttpError::RateLimited { .. }) => true,
        Error::Http(e) => e.status().is_some_and(|s| matches!(s, 502..=504)),
        _ => false,
    }
}

/// How long to wait before try number `attempts + 1`, or `None` when the
/// failure needs the user (400, 401/403, 404, 409, bad input…).
/// `Retry-After` wins when the service sent one; otherwise 2 s doubling
/// per attempt, capped at 15 minutes, with ±25 % jitter so many clients
/// that failed together do not come back together.
pub fn retry_delay(error: &Error, attempts: i64) -> Option<Duration> {
    if !is_transient(error) {
        return None;
    }
    if let Error::Http(HttpError::RateLimited {
        retry_after: Some(after),
        ..
    }) = error
    {
        return Some((*after).min(CAP));
    }
    let exponent = attempts.clamp(1, 20) as u32 - 1;
    let base = BASE.saturating_mul(1u32 << exponent.min(16)).min(CAP);
    let jitter = rand::thread_rng().gen_range(0.75..=1.25);
    Some(base.mul_f64(jitter).min(CAP))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> Error {
        HttpError::Network { reason: "x".into() }.into()
    }

    #[test]
    fn transient_failures_back_off_with_jitter_and_a_cap() {
        for attempts in 1..=12 {
            let d = retry_delay(&net(), attempts).unwrap();
            let nominal = BASE.saturating_mul(1 << (attempts - 1)).min(CAP);
            assert!(
                d >= nominal.mul_f64(0.74).min(CAP) && d <= CAP,
                "attempt {attempts}: {d:?}"
            );
        }
        let waits: std::collections::HashSet<u128> = (0..20)
            .map(|_| retry_delay(&net(), 3).unwrap().as_millis())
            .collect();
        assert!(waits.len() > 1, "jittered");
    }

    #[test]
    fn retry_after_wins_and_permanent_failures_wait_for_the_user() {
        let limited: Error = HttpError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
            excerpt: String::new(),
        }
        .into();
        assert_eq!(retry_delay(&limited, 5), Some(Duration::from_secs(7)));
        for status in [502, 503, 504] {
            assert!(retry_delay(
                &HttpError::Server {
                    status,
                    excerpt: String::new()
                }
                .into(),
                1
            )
            .is_some());
        }
        for permanent in [
            Error::from(HttpError::Server {
                status: 500,
                excerpt: String::new(),
            }),
            HttpError::Rejected {
                status: 400,
                excerpt: String::new(),
            }
            .into(),
            HttpError::Auth {
                status: 401,
                excerpt: String::new(),
            }
            .into(),
            HttpError::NotFound {
                excerpt: String::new(),
            }
            .into(),
            HttpError::Conflict {
                excerpt: String::new(),
            }
            .into(),
            Error::invalid("type", "x"),
        ] {
            assert_eq!(retry_delay(&permanent, 1), None, "{permanent}");
        }
    }
}
