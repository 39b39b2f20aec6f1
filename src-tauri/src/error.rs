//! What a failed command returns to the window: a kind the UI can branch
//! on, the field at fault (for inline form errors), a sentence to show, and
//! the suggested action the window offers as a button. Built from core
//! errors, whose messages never contain a secret.

use ibridge_core::{Action, Error, ErrorKind};
use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, Serialize, Type)]
pub struct UiError {
    /// invalid_input | not_found | conflict | auth_needed | remote | local | internal
    pub kind: String,
    pub field: Option<String>,
    pub message: String,
    /// Boxed: most errors have none, and it keeps every command's result small.
    pub action: Option<Box<Action>>,
}

impl From<Error> for UiError {
    fn from(e: Error) -> Self {
        let kind = match e.kind() {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::AuthNeeded => "auth_needed",
            ErrorKind::Remote => "remote",
            ErrorKind::Local => "local",
            ErrorKind::Internal => "internal",
        };
        let field = match &e {
            Error::InvalidInput { field, .. } => Some(field.clone()),
            _ => None,
        };
        UiError {
            kind: kind.into(),
            field,
            action: e.action().map(Box::new),
            message: e.to_string(),
        }
    }
}

pub type CmdResult<T> = Result<T, UiError>;
