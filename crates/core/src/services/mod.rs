//! [`Services`]: the one front door into the core. Front ends (the CLI and
//! the desktop shell) open it once and call its methods for everything:
//! local records (`records`), and anything that talks to a remote service,
//! for which it resolves a connection into a base URL and a fresh
//! credential (opening secrets through the audited vault, refreshing OAuth
//! tokens through the single-flight broker) and hands them to a provider
//! client. The shared core and its lock stay inside.

mod action_items;
mod azure_devops;
mod confluence;
mod deliver;
mod delivery;
mod doctor;
mod dry_run;
mod evidence;
mod fields;
mod filing;
mod page_files;
mod publish;
mod pull;
mod records;
mod servicenow;
mod status;
mod sync;
mod test;
mod timeline;
mod updates;

use std::sync::{Arc, Mutex};

pub use action_items::{ActionItemFiling, ActionItemView, FiledActionItem};
pub use azure_devops::{parse_work_item_id, DEFAULT_TOP};
pub use confluence::{rest_root, PublishOptions, Published};
pub use delivery::{Delivered, FailedEntry, RunReport};
pub use doctor::{ConnectionFindings, DoctorReport, Finding};
pub use dry_run::PlannedRequest;
pub use filing::{work_item_type, AutoFiled, CreatedIncident, Filed, FilingOptions};
pub use page_files::Attached;
pub use pull::{RecordSync, SyncReport};
pub use status::{
    CloseCodes, MoveOutcome, RecordMove, StateSet, StatusChanged, StatusInput, StatusPlan,
};
pub use sync::{IncidentReport, SyncNote};
pub use test::ConnectionCheck;
pub use timeline::{AddedEvent, NotePosted, PostOutcome, Timeline};

use crate::app::Core;
use crate::app::{lock, SharedCore};
use crate::connections::{AuthType, ConnectionView, CredentialKind, Provider};
use crate::error::{Error, Result};
use crate::http::{HttpClient, HttpConfig};
use crate::oauth::TokenBroker;
use crate::providers::AuthHeader;

pub struct Services {
    core: SharedCore,
    broker: TokenBroker,
    http: HttpClient,
    /// This deliverer's identity in outbox claims.
    claimant: String,
}

impl Services {
    /// Opens the data directory (see [`Core::open`]) behind the front door.
    pub fn open(options: crate::OpenOptions) -> Result<Self> {
        Self::new(Core::open(options)?)
    }

    pub fn new(core: Core) -> Result<Self> {
        Self::with_http(
            Arc::new(Mutex::new(core)),
            HttpClient::new(HttpConfig::default())?,
        )
    }

    /// For tests and benchmarks that pace retries themselves.
    pub fn with_http(core: SharedCore, http: HttpClient) -> Result<Self> {
        Ok(Self {
            broker: TokenBroker::new(core.clone())?,
            core,
            http,
            claimant: crate::outbox::claimant_id(),
        })
    }

    /// Messages to show the user once (e.g. "key file created").
    pub fn take_notices(&self) -> Vec<String> {
        lock(&self.core)
            .map(|mut c| c.take_notices())
            .unwrap_or_default()
    }

    /// Connection `name`, checked to be a `provider` connection and passed
    /// through `preflight` (its settings) before any secret is opened, then
    /// how to authenticate to it for `purpose` (one credential open, audited;
    /// OAuth tokens through the broker). A wrong-provider call opens
    /// nothing and writes no credential-use row.
    pub(crate) async fn resolve<T>(
        &self,
        name: &str,
        provider: Provider,
        purpose: &str,
        preflight: impl FnOnce(&ConnectionView) -> Result<T>,
    ) -> Result<(ConnectionView, AuthHeader, T)> {
        let view = lock(&self.core)?.show_connection(name)?;
        Self::require_provider(&view, provider, "connection")?;
        let checked = preflight(&view)?;
        let open = |kind: CredentialKind| -> Result<crate::SecretString> {
            lock(&self.core)?.open_credential(&view.name, kind, purpose)
        };
        let username = || view.config.username.clone().unwrap_or_default();
        let auth = match view.auth_type {
            AuthType::OAuth2 => {
                AuthHeader::Bearer(self.broker.access_token(&view.name, purpose).await?)
            }
            AuthType::ApiToken => AuthHeader::Basic {
                username: username(),
                password: open(CredentialKind::ApiToken)?,
            },
            // Azure DevOps takes a PAT as Basic with an empty user name;
            // Confluence Data Center as a Bearer token.
            AuthType::Pat if view.provider == Provider::AzureDevOps => AuthHeader::Basic {
                username: String::new(),
                password: open(CredentialKind::Pat)?,
            },
            AuthType::Pat => AuthHeader::Bearer(open(CredentialKind::Pat)?),
            AuthType::Basic => AuthHeader::Basic {
                username: username(),
                password: open(CredentialKind::Password)?,
            },
        };
        Ok((view, auth, checked))
    }

    /// The API base: `--api-url` when set, else the connection URL.
    pub(crate) fn api_base(view: &ConnectionView) -> &str {
        view.config.api_url.as_deref().unwrap_or(&view.base_url)
    }

    pub(crate) fn require_provider(
        view: &ConnectionView,
        provider: Provider,
        field: &str,
    ) -> Result<()> {
        if view.provider != provider {
            return Err(Error::invalid(
                field,
                format!(
                    "connection '{}' is a {} connection, not {provider}",
                    view.name, view.provider
                ),
            ));
        }
        Ok(())
    }
}
