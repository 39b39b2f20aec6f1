//! The error every core function returns. Callers match on [`ErrorKind`];
//! `Display` is a sentence a person can act on, and never holds a secret.

pub(crate) mod action;
pub(crate) mod kind;

pub use action::Action;
pub use kind::ErrorKind;

use crate::http::error::HttpError;
use crate::oauth::error::OAuthError;
use crate::store::StoreError;
use crate::vault::VaultError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that breaks a rule; `field` names the flag or form field.
    /// `action`, when set, is the way out (e.g. give the missing value).
    #[error("invalid {field}: {message}")]
    InvalidInput {
        field: String,
        message: String,
        action: Option<Action>,
    },

    #[error("{what} not found: {name}")]
    NotFound { what: &'static str, name: String },

    #[error("{0}")]
    Conflict(String),

    /// Another Incident Bridge process is delivering this outbox entry.
    #[error("outbox entry {entry} is being delivered by another Incident Bridge process")]
    Busy { entry: String },

    /// The page was edited in Confluence since Incident Bridge last
    /// published it; publishing again would overwrite those edits.
    #[error("the page was edited in Confluence since Incident Bridge last published it (version {remote} there, {local} here): review it at {url}; publishing again with overwrite replaces those edits")]
    EditedElsewhere {
        document: String,
        connection: String,
        remote: i64,
        local: i64,
        url: String,
    },

    /// An outbox entry may have reached the service (its send was
    /// interrupted), so it cannot be changed before it is reconciled.
    #[error("outbox entry {entry} may have been sent: deliver the outbox first, so it is reconciled with the service")]
    MaybeSent { entry: String },

    /// An outbox row this build cannot read (unknown kind, broken
    /// payload): kept and shown as failed; it can only be discarded.
    #[error(
        "outbox entry {entry} ({operation}) cannot be read: {reason}; it can only be discarded"
    )]
    UnreadableEntry {
        entry: String,
        operation: String,
        reason: String,
    },

    /// A state this build should never reach (e.g. a stored row it cannot
    /// read); not the user's input, so never reported as such.
    #[error("{0}")]
    Internal(String),

    /// An OAuth connection needs a new sign-in (never signed in, grant
    /// refused or expired without a refresh token, no site chosen).
    #[error("authentication needed for connection '{connection}': {reason}")]
    AuthNeeded { connection: String, reason: String },

    /// A stored secret of the connection is gone: an OAuth token needs a
    /// new sign-in, any other secret has to be given again.
    #[error("authentication needed for connection '{connection}': no {kind} is stored")]
    SecretMissing { connection: String, kind: String },

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
            action: None,
        }
    }

    /// Bad input with its way out, e.g. a missing value to supply.
    pub fn invalid_with(
        field: impl Into<String>,
        message: impl Into<String>,
        action: Action,
    ) -> Self {
        Error::InvalidInput {
            field: field.into(),
            message: message.into(),
            action: Some(action),
        }
    }

    /// A value the operation needs and did not get: the way out is to
    /// give it (`Action::SupplyInput` for the same field).
    pub fn missing(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        Self::invalid_with(field.clone(), message, Action::SupplyInput { field })
    }

    /// A value read back from the store that does not parse: the store was
    /// changed outside this build, which is not the user's input.
    pub(crate) fn stored<T>(what: &str, text: &str) -> Result<T>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        text.parse()
            .map_err(|e| Error::Internal(format!("the stored {what} cannot be read: {e}")))
    }

    /// Stored JSON, under the same rule as [`Error::stored`].
    pub(crate) fn stored_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
        serde_json::from_str(text)
            .map_err(|e| Error::Internal(format!("the stored {what} cannot be read: {e}")))
    }

    /// What the person can do about it, when there is one clear step.
    pub fn action(&self) -> Option<Action> {
        match self {
            Error::InvalidInput { action, .. } => action.clone(),
            Error::AuthNeeded { connection, .. } => Some(Action::Reconnect {
                connection: connection.clone(),
            }),
            Error::SecretMissing { connection, kind } => Some(match kind.as_str() {
                "access_token" | "refresh_token" => Action::Reconnect {
                    connection: connection.clone(),
                },
                other => Action::EditConnection {
                    connection: connection.clone(),
                    setting: if other == "client_secret" {
                        "client-secret".into()
                    } else {
                        "secret".into()
                    },
                },
            }),
            Error::EditedElsewhere {
                document,
                connection,
                ..
            } => Some(Action::Overwrite {
                document: document.clone(),
                connection: connection.clone(),
            }),
            Error::MaybeSent { .. } => Some(Action::RunOutbox),
            Error::UnreadableEntry { entry, .. } => Some(Action::DiscardEntry {
                entry: entry.clone(),
            }),
            Error::OAuth(e) => e.action(),
            _ => None,
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
            Error::Conflict(_)
            | Error::Busy { .. }
            | Error::EditedElsewhere { .. }
            | Error::MaybeSent { .. } => ErrorKind::Conflict,
            Error::Internal(_) | Error::UnreadableEntry { .. } => ErrorKind::Internal,
            Error::AuthNeeded { .. } | Error::SecretMissing { .. } => ErrorKind::AuthNeeded,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::Provider;

    #[test]
    fn each_typed_error_carries_its_way_out() {
        let cases = [
            (
                Error::AuthNeeded {
                    connection: "ado".into(),
                    reason: "not signed in yet".into(),
                },
                Some(Action::Reconnect {
                    connection: "ado".into(),
                }),
            ),
            (
                Error::SecretMissing {
                    connection: "ado".into(),
                    kind: "refresh_token".into(),
                },
                Some(Action::Reconnect {
                    connection: "ado".into(),
                }),
            ),
            (
                Error::SecretMissing {
                    connection: "sn".into(),
                    kind: "password".into(),
                },
                Some(Action::EditConnection {
                    connection: "sn".into(),
                    setting: "secret".into(),
                }),
            ),
            (
                Error::EditedElsewhere {
                    document: "d1".into(),
                    connection: "wiki".into(),
                    remote: 3,
                    local: 1,
                    url: "https://x.example/p".into(),
                },
                Some(Action::Overwrite {
                    document: "d1".into(),
                    connection: "wiki".into(),
                }),
            ),
            (
                Error::MaybeSent { entry: "e1".into() },
                Some(Action::RunOutbox),
            ),
            (
                Error::UnreadableEntry {
                    entry: "e2".into(),
                    operation: "x.y".into(),
                    reason: "unknown kind".into(),
                },
                Some(Action::DiscardEntry { entry: "e2".into() }),
            ),
            (
                Error::missing("space", "choose the space"),
                Some(Action::SupplyInput {
                    field: "space".into(),
                }),
            ),
            (Error::invalid("title", "must be one line"), None),
            (Error::Busy { entry: "e3".into() }, None),
        ];
        for (error, action) in cases {
            assert_eq!(error.action(), action, "{error}");
            let text = error.to_string();
            assert!(!text.contains("--") && !text.contains("ibridge "), "{text}");
        }
    }

    #[test]
    fn a_stored_value_that_does_not_parse_is_internal_not_bad_input() {
        let e = Error::stored::<Provider>("provider", "jira").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Internal, "{e}");
        let e = Error::stored_json::<Vec<String>>("labels", "{not json").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Internal, "{e}");
        assert_eq!(
            Error::stored::<Provider>("provider", "confluence").unwrap(),
            Provider::Confluence
        );
    }
}
