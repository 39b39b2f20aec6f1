//! `ibridge doctor`: is this installation able to work? The data directory,
//! the master key's source, and for each connection whether the service
//! answers and whether its sign-in is still fresh. Each finding says what
//! to do when it is a problem.

use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Services;
use crate::app::lock;
use crate::app::Core;
use crate::connections::{AuthType, ConnectionStatus, ConnectionView, CredentialKind};
use crate::error::{Action, ErrorKind, Result};
use crate::vault::KeySource;

/// One check: what was found, and what to do when it is a problem: in
/// words, and as an action a front end can offer when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub ok: bool,
    pub found: String,
    pub fix: Option<String>,
    pub action: Option<Action>,
}

impl Finding {
    fn ok(found: impl Into<String>) -> Self {
        Self {
            ok: true,
            found: found.into(),
            fix: None,
            action: None,
        }
    }

    fn problem(found: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            ok: false,
            found: found.into(),
            fix: Some(fix.into()),
            action: None,
        }
    }

    fn with_action(self, action: Action) -> Self {
        Self {
            action: Some(action),
            ..self
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionFindings {
    pub name: String,
    pub provider: String,
    pub reachable: Finding,
    pub sign_in: Finding,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoctorReport {
    pub data_dir: Finding,
    pub key_source: Finding,
    pub connections: Vec<ConnectionFindings>,
}

impl DoctorReport {
    /// How many findings are problems.
    pub fn problems(&self) -> usize {
        let mut all = vec![&self.data_dir, &self.key_source];
        for c in &self.connections {
            all.push(&c.reachable);
            all.push(&c.sign_in);
        }
        all.into_iter().filter(|f| !f.ok).count()
    }
}

impl Core {
    /// Unlocks the vault (creating the key on first use, as any command
    /// that needs a secret would) and says where the master key came from.
    pub fn key_source(&mut self) -> Result<KeySource> {
        self.read_with_vault(|_, vault| Ok(vault.source()))
    }
}

/// The data directory exists, is a directory we can write, and is private.
fn check_data_dir(dir: &Path) -> Finding {
    let shown = dir.display();
    if !dir.is_dir() {
        return Finding::problem(
            format!("{shown} is not a directory"),
            "choose a data directory you own (IBRIDGE_DATA_DIR)",
        )
        .with_action(choose_data_dir());
    }
    let probe = dir.join(format!(".doctor-{}", std::process::id()));
    if let Err(e) = std::fs::write(&probe, b"probe") {
        return Finding::problem(
            format!("{shown} is not writable: {e}"),
            format!("give your user write access to {shown}, or choose another data directory"),
        )
        .with_action(choose_data_dir());
    }
    let _ = std::fs::remove_file(&probe);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(dir) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Finding::problem(
                    format!("{shown} can be read by other users (mode {mode:o})"),
                    format!("chmod 700 {shown}"),
                );
            }
        }
    }
    Finding::ok(format!("{shown} (writable, private)"))
}

fn choose_data_dir() -> Action {
    Action::SupplyInput {
        field: "data-dir".into(),
    }
}

fn key_finding(source: Result<KeySource>) -> Finding {
    match source {
        Ok(KeySource::KeyFile) => Finding::ok(
            "key file in the data directory (no OS keychain); back it up with the data directory",
        ),
        Ok(source) => Finding::ok(source.to_string()),
        Err(e) => Finding::problem(
            format!("the master key could not be opened: {e}"),
            "set IBRIDGE_MASTER_KEY to the passphrase used before, or restore the key file / keychain entry",
        ),
    }
}

/// Whether the stored sign-in is still good: status, and for OAuth the
/// access token's expiry and whether a refresh token can renew it.
fn sign_in_finding(view: &ConnectionView, now: DateTime<Utc>) -> Finding {
    let reconnect = |found: &str| {
        Finding::problem(found, "sign in again").with_action(Action::Reconnect {
            connection: view.name.clone(),
        })
    };
    if view.status == ConnectionStatus::NeedsReconnect {
        return reconnect("needs a new sign-in");
    }
    if view.auth_type != AuthType::OAuth2 {
        return Finding::ok(format!(
            "{} stored (no expiry known to Incident Bridge)",
            view.auth_type
        ));
    }
    let has_refresh = view
        .credentials
        .iter()
        .any(|c| c.kind == CredentialKind::RefreshToken);
    let expiry = view
        .credentials
        .iter()
        .find(|c| c.kind == CredentialKind::AccessToken)
        .and_then(|c| c.expires_at.as_deref())
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        .map(|at| at.with_timezone(&Utc));
    match (expiry, has_refresh) {
        (None, false) => reconnect("no access token stored"),
        (None, true) => {
            Finding::ok("refresh token stored; a new access token is fetched when needed")
        }
        (Some(at), _) if at > now => Finding::ok(format!(
            "access token valid for {} more min{}",
            (at - now).num_minutes(),
            if has_refresh { "; renews itself" } else { "" }
        )),
        (Some(_), true) => {
            Finding::ok("access token expired; it is renewed with the refresh token on next use")
        }
        (Some(_), false) => reconnect("access token expired and cannot be renewed"),
    }
}

impl Services {
    pub async fn doctor(&self) -> Result<DoctorReport> {
        let (data_dir, key_source, views) = {
            let mut core = lock(&self.core)?;
            let data_dir = check_data_dir(core.data_dir());
            let key_source = key_finding(core.key_source());
            (data_dir, key_source, core.list_connections()?)
        };
        let mut connections = Vec::new();
        for view in views {
            let reachable = match self.test_connection(&view.name).await {
                Ok(check) => Finding::ok(check.message),
                Err(e) if e.kind() == ErrorKind::AuthNeeded => {
                    let connection = view.name.clone();
                    let (fix, action) = if view.auth_type == AuthType::OAuth2 {
                        ("sign in again", Action::Reconnect { connection })
                    } else {
                        (
                            "give the connection a fresh secret",
                            Action::EditConnection {
                                connection,
                                setting: "secret".into(),
                            },
                        )
                    };
                    Finding::problem(e.to_string(), fix).with_action(action)
                }
                Err(e) => Finding::problem(
                    e.to_string(),
                    format!(
                        "check the address {} and your network, then test the connection again",
                        view.base_url
                    ),
                )
                .with_action(Action::TestConnection {
                    connection: view.name.clone(),
                }),
            };
            // Read again: the test may have refreshed the token or changed the status.
            let fresh = lock(&self.core)?.show_connection(&view.name)?;
            connections.push(ConnectionFindings {
                name: fresh.name.clone(),
                provider: fresh.provider.to_string(),
                sign_in: sign_in_finding(&fresh, Utc::now()),
                reachable,
            });
        }
        Ok(DoctorReport {
            data_dir,
            key_source,
            connections,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connections::{CredentialView, Provider, ProviderConfig};

    fn oauth_view(expires_at: Option<&str>, refresh: bool) -> ConnectionView {
        let mut credentials = vec![CredentialView {
            kind: CredentialKind::AccessToken,
            masked: "••••".into(),
            fingerprint: "sha256:000000000000".into(),
            created_at: "2026-11-22T07:00:00Z".into(),
            expires_at: expires_at.map(str::to_owned),
        }];
        if refresh {
            credentials.push(CredentialView {
                kind: CredentialKind::RefreshToken,
                expires_at: None,
                ..credentials[0].clone()
            });
        }
        ConnectionView {
            id: "c1".into(),
            name: "ado".into(),
            provider: Provider::AzureDevOps,
            base_url: "https://dev.azure.com/acme".into(),
            auth_type: AuthType::OAuth2,
            config: ProviderConfig::default(),
            is_default: true,
            auto_create_enabled: false,
            status: ConnectionStatus::Connected,
            status_detail: None,
            created_at: "2026-11-22T07:00:00Z".into(),
            updated_at: "2026-11-22T07:00:00Z".into(),
            credentials,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn token_freshness() {
        let now = at("2026-11-22T08:00:00Z");
        let valid = sign_in_finding(&oauth_view(Some("2026-11-22T08:45:00Z"), true), now);
        assert!(valid.ok);
        assert_eq!(
            valid.found,
            "access token valid for 45 more min; renews itself"
        );

        let renewable = sign_in_finding(&oauth_view(Some("2026-11-22T07:00:00Z"), true), now);
        assert!(renewable.ok, "{renewable:?}");

        let dead = sign_in_finding(&oauth_view(Some("2026-11-22T07:00:00Z"), false), now);
        assert!(!dead.ok);
        assert_eq!(dead.fix.as_deref(), Some("sign in again"));
        assert_eq!(
            dead.action,
            Some(Action::Reconnect {
                connection: "ado".into()
            })
        );

        let mut revoked = oauth_view(Some("2026-11-22T09:00:00Z"), true);
        revoked.status = ConnectionStatus::NeedsReconnect;
        assert!(!sign_in_finding(&revoked, now).ok);
    }

    #[cfg(unix)]
    #[test]
    fn a_data_dir_others_can_read_is_a_problem() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        assert!(check_data_dir(dir.path()).ok);
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let finding = check_data_dir(dir.path());
        assert!(!finding.ok);
        assert!(finding.fix.unwrap().starts_with("chmod 700 "));
        assert!(!check_data_dir(&dir.path().join("missing")).ok);
    }
}
