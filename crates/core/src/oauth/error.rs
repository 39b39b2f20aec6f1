//! How a sign-in or a token request fails.

use super::state::StateError;
use crate::error::action::Action;
use crate::error::kind::ErrorKind;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error("port {port} for the sign-in callback is not free ({reason}); choose a free port")]
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

    #[error("this grant covers several Atlassian sites: {sites}. Choose one of them")]
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
    pub fn kind(&self) -> ErrorKind {
        match self {
            OAuthError::PortBusy { .. }
            | OAuthError::SiteChoice { .. }
            | OAuthError::NotOAuth { .. } => ErrorKind::InvalidInput,
            OAuthError::Resources { .. } => ErrorKind::Remote,
            OAuthError::RefreshBusy { .. } => ErrorKind::Conflict,
            _ => ErrorKind::AuthNeeded,
        }
    }

    /// The way out: another port, or the site to use.
    pub fn action(&self) -> Option<Action> {
        let supply = |field: &str| {
            Some(Action::SupplyInput {
                field: field.into(),
            })
        };
        match self {
            OAuthError::PortBusy { .. } => supply("port"),
            OAuthError::SiteChoice { .. } => supply("site"),
            _ => None,
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

    #[test]
    fn a_busy_port_or_several_sites_ask_for_the_choice() {
        let busy = OAuthError::PortBusy {
            port: 18719,
            reason: "in use".into(),
        };
        let sites = OAuthError::SiteChoice {
            sites: "one (https://one.atlassian.net), two (https://two.atlassian.net)".into(),
        };
        for (e, field) in [(&busy, "port"), (&sites, "site")] {
            assert!(!e.to_string().contains("--"), "{e}");
            assert_eq!(
                e.action(),
                Some(Action::SupplyInput {
                    field: field.into()
                })
            );
            // And through the core error every front end gets.
            let core: crate::Error = e.clone().into();
            assert_eq!(core.action(), e.action());
        }
        assert_eq!(OAuthError::Timeout { seconds: 3 }.action(), None);
    }
}
