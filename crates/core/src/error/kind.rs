//! What kind of failure an error is. A leaf module, so the layers below
//! `error` (e.g. `http`, `oauth`'s error type) classify their own errors
//! without reaching up to it.

/// What kind of failure, for exit codes and UI treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    InvalidInput,
    NotFound,
    Conflict,
    AuthNeeded,
    /// A remote service refused or failed.
    Remote,
    /// Local failure: disk, database, a tampered vault.
    Local,
    /// A state that should not happen; reported like a local failure.
    Internal,
}
