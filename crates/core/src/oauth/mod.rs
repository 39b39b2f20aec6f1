//! OAuth 2.0 + PKCE for native apps (RFC 8252, RFC 9700): the sign-in
//! flow through the system browser and a loopback callback, sealed token
//! storage, and single-flight refresh.

pub mod atlassian;
mod broker;
pub mod callback;
mod flow;
mod grant_store;
pub mod issuer;
mod lease;
pub mod profile;
pub mod state;
pub mod tokens;

use std::sync::{Arc, Mutex, MutexGuard};

pub use atlassian::AtlassianSite;
pub use broker::{TokenBroker, DEFAULT_LEASE_WAIT};
pub use flow::{connect, ConnectOptions, ConnectUi, DEFAULT_PORT as DEFAULT_CALLBACK_PORT};
pub use profile::{OAuthProfile, ProfileKind};
pub use state::StateError;

use crate::app::Core;
use crate::error::Result;

/// A `Core` shared between tasks (the sign-in flow, concurrent token
/// requests). The lock is never held across an `.await`.
pub type SharedCore = Arc<Mutex<Core>>;

/// Locks the core. A panic while it was held poisons the mutex; the core
/// stays usable (an interrupted transaction rolled back when its guard
/// was dropped during unwinding), so the poison is cleared and the lock
/// taken, rather than failing every later call of a long-running app.
pub fn lock(core: &SharedCore) -> Result<MutexGuard<'_, Core>> {
    Ok(core.lock().unwrap_or_else(|poisoned| {
        tracing::warn!("recovering the core lock after a panic in an earlier call");
        core.clear_poison();
        poisoned.into_inner()
    }))
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error(
        "port {port} for the sign-in callback is not free ({reason}); pass --port with a free port"
    )]
    PortBusy { port: u16, reason: String },

    #[error("the sign-in did not finish within {seconds} s; connect again and complete it in the browser")]
    Timeout { seconds: u64 },

    #[error("the sign-in was denied: {error}{}{description}", if .description.is_empty() { "" } else { " — " })]
    Denied { error: String, description: String },

    #[error("the sign-in callback was rejected: {0}")]
    State(StateError),

    #[error("the sign-in answer was refused (possible mix-up attack): {reason}")]
    Issuer { reason: String },

    #[error("{reason}")]
    Exchange { reason: String },

    #[error("the authorization server refused the grant (invalid_grant{}{description})", if .description.is_empty() { "" } else { ": " })]
    InvalidGrant { description: String },

    #[error("could not list the Atlassian sites of this grant: {reason}")]
    Resources { reason: String },

    #[error("this grant covers several Atlassian sites: {sites}. Choose one with --site")]
    SiteChoice { sites: String },

    #[error("another Incident Bridge process{} is refreshing the sign-in of '{connection}' and has not finished within {seconds} s; try again in a moment", .pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    RefreshBusy {
        connection: String,
        pid: Option<u32>,
        seconds: u64,
    },

    #[error("connection '{name}' uses {auth}; `connect` is for oauth2 connections")]
    NotOAuth { name: String, auth: String },
}

impl OAuthError {
    pub fn kind(&self) -> crate::error::ErrorKind {
        use crate::error::ErrorKind;
        match self {
            OAuthError::PortBusy { .. }
            | OAuthError::SiteChoice { .. }
            | OAuthError::NotOAuth { .. } => ErrorKind::InvalidInput,
            OAuthError::Resources { .. } => ErrorKind::Remote,
            OAuthError::RefreshBusy { .. } => ErrorKind::Conflict,
            _ => ErrorKind::AuthNeeded,
        }
    }

    /// A short reason word for the audit log.
    pub fn audit_reason(&self) -> &'static str {
        match self {
            OAuthError::PortBusy { .. } => "port_busy",
            OAuthError::Timeout { .. } => "timeout",
            OAuthError::Denied { .. } => "denied",
            OAuthError::State(_) => "bad_state",
            OAuthError::Issuer { .. } => "issuer_mismatch",
            OAuthError::Exchange { .. } => "exchange_failed",
            OAuthError::InvalidGrant { .. } => "invalid_grant",
            OAuthError::Resources { .. } => "resources_failed",
            OAuthError::SiteChoice { .. } => "site_not_chosen",
            OAuthError::NotOAuth { .. } => "not_oauth",
            OAuthError::RefreshBusy { .. } => "refresh_busy",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::OpenOptions;
    use crate::audit::Actor;
    use crate::vault::{KeyConfig, NoKeychain};

    #[test]
    fn a_panic_while_the_core_is_locked_fails_only_that_call() {
        let dir = tempfile::tempdir().unwrap();
        let core: SharedCore = Arc::new(Mutex::new(
            Core::open(OpenOptions {
                data_dir: Some(dir.path().to_path_buf()),
                actor: Actor::Cli,
                keys: KeyConfig {
                    passphrase: None,
                    keychain: Arc::new(NoKeychain),
                },
            })
            .unwrap(),
        ));
        let held = core.clone();
        let crashed = std::thread::spawn(move || {
            let _guard = held.lock().unwrap();
            panic!("a bug inside a core call");
        })
        .join();
        assert!(crashed.is_err());
        assert!(core.is_poisoned());
        let listed = lock(&core).map(|c| c.list_connections().map(|l| l.len()));
        assert!(matches!(listed, Ok(Ok(0))), "the next call works");
        assert!(!core.is_poisoned());
    }
}
