//! HTTP failures as a typed enum, each carrying what a person needs to act
//! and a short body excerpt with secrets removed.

use std::time::Duration;

use crate::error::kind::ErrorKind;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("the service refused the credentials (HTTP {status}): {excerpt}. Check the token or reconnect")]
    Auth { status: u16, excerpt: String },

    #[error("not found (HTTP 404): {excerpt}")]
    NotFound { excerpt: String },

    #[error("conflict (HTTP 409): {excerpt}")]
    Conflict { excerpt: String },

    #[error("rate limited (HTTP 429){}: {excerpt}", retry_after_text(.retry_after))]
    RateLimited {
        retry_after: Option<Duration>,
        excerpt: String,
    },

    #[error("the service failed (HTTP {status}): {excerpt}")]
    Server { status: u16, excerpt: String },

    #[error("the service rejected the request (HTTP {status}): {excerpt}")]
    Rejected { status: u16, excerpt: String },

    #[error("network error: {reason}")]
    Network { reason: String },

    #[error("invalid response: {reason}")]
    InvalidResponse { reason: String },

    #[error("could not build the request: {reason}")]
    InvalidRequest { reason: String },
}

fn retry_after_text(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(", retry after {} s", d.as_secs()),
        None => String::new(),
    }
}

impl HttpError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            HttpError::Auth { .. } => ErrorKind::AuthNeeded,
            HttpError::NotFound { .. } => ErrorKind::NotFound,
            HttpError::Conflict { .. } => ErrorKind::Conflict,
            HttpError::InvalidRequest { .. } => ErrorKind::InvalidInput,
            HttpError::RateLimited { .. }
            | HttpError::Server { .. }
            | HttpError::Rejected { .. }
            | HttpError::Network { .. }
            | HttpError::InvalidResponse { .. } => ErrorKind::Remote,
        }
    }

    /// The status code, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Auth { status, .. }
            | HttpError::Server { status, .. }
            | HttpError::Rejected { status, .. } => Some(*status),
            HttpError::NotFound { .. } => Some(404),
            HttpError::Conflict { .. } => Some(409),
            HttpError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// Maps a non-success status to its variant.
    pub fn from_status(status: u16, excerpt: String, retry_after: Option<Duration>) -> Self {
        match status {
            401 | 403 => HttpError::Auth { status, excerpt },
            404 => HttpError::NotFound { excerpt },
            409 => HttpError::Conflict { excerpt },
            429 => HttpError::RateLimited {
                retry_after,
                excerpt,
            },
            500..=599 => HttpError::Server { status, excerpt },
            _ => HttpError::Rejected { status, excerpt },
        }
    }
}
