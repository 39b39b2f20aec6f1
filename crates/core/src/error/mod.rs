//! The error every core function returns. Callers match on [`ErrorKind`];
//! `Display` is a sentence a person can act on, and never holds a secret.

pub(crate) mod kind;

pub use kind::ErrorKind;

use crate::http::error::HttpError;
use crate::oauth::error::OAuthError;
use crate::store::StoreError;
use crate::vault::VaultError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule; `field` names the flag or form field.
    #[error("invalid {field}: {message}")]
    InvalidInput { field: String, message: String },

    #[error("{what} not found: {name}")]
    NotFound { what: &'static str, name: String },

    #[error("{0}")]
    Conflict(String),

    /// Another Incident Bridge process is delivering this outbox entry.
    #[error("outbox entry {entry} is being delivered by another Incident Bridge process")]
    Busy { entry: String },

    /// A state this build should never reach (e.g. a stored row it cannot
    /// read); not the user's input, so never reported as such.
    #[error("{0}")]
    Internal(String),

    /// The connection needs the user: reconnect, new token, missing secret.
    #[error("authentication needed for connection '{connection}': {reason}")]
    AuthNeeded { connection: String, reason: String },

    /// The service refused the data of a write for a rule of its own that
    /// no pre-flight could see (a data policy, a business rule, a work item
    /// rule). `field` is the field the service named, when it named one.
    #[error("{service} refused the data{}: {message}", named_field(.field))]
    Refused {
        service: &'static str,
        field: Option<String>,
        message: String,
    },

    /// Signed in, but the account lacks a permission or role for this
    /// operation; `message` is the service's own words, naming it.
    #[error("{service} denied the permission (HTTP {status}): {message}. {remedy}")]
    PermissionDenied {
        service: &'static str,
        status: u16,
        message: String,
        remedy: String,
    },

    /// Remote work that did not complete (e.g. writes left in the outbox).
    #[error("{0}")]
    Remote(String),

    /// A feature this build does not offer yet for this provider.
    #[error("{0}")]
    Unsupported(String),

    #[error(transparent)]
    AuditBroken(#[from] crate::audit::ChainBroken),

    #[error(transparent)]
    Vault(#[from] VaultError),

    #[error(transparent)]
    Http(#[from] HttpError),

    #[error(transparent)]
    OAuth(#[from] OAuthError),

    #[error(transparent)]
    Store(#[from] StoreError),

    #[error("could not {action}: {source}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
}

fn named_field(field: &Option<String>) -> String {
    match field {
        Some(name) => format!(" (field '{name}')"),
        None => String::new(),
    }
}

impl Error {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn io(action: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            action: action.into(),
            source,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::Conflict(_) | Error::Busy { .. } => ErrorKind::Conflict,
            Error::Internal(_) => ErrorKind::Internal,
            Error::AuthNeeded { .. } => ErrorKind::AuthNeeded,
            Error::Unsupported(_) => ErrorKind::InvalidInput,
            Error::Remote(_) => ErrorKind::Remote,
            // A named field is the user's to fix, like any bad input.
            Error::Refused { field: Some(_), .. } => ErrorKind::InvalidInput,
            Error::Refused { field: None, .. } => ErrorKind::Remote,
            // The account needs attention, as for refused credentials.
            Error::PermissionDenied { .. } => ErrorKind::AuthNeeded,
            Error::Vault(e) if e.is_key_problem() => ErrorKind::AuthNeeded,
            Error::AuditBroken(_) | Error::Vault(_) | Error::Store(_) | Error::Io { .. } => {
                ErrorKind::Local
            }
            Error::Http(e) => e.kind(),
            Error::OAuth(e) => e.kind(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(StoreError::Sqlite(e))
    }
}
