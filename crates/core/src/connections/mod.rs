//! Connections to Confluence, ServiceNow and Azure DevOps: adding them
//! (validated, secrets sealed), listing them without secrets, choosing the
//! default, removing them, and opening their credentials for use.

pub mod model;
mod service;
pub(crate) mod status;
mod validate;

pub use model::{
    AuthType, ConnectionStatus, ConnectionView, CredentialKind, CredentialView, NewConnection,
    Provider, ProviderConfig,
};
pub(crate) use service::seal_into;
pub use validate::{validate_base_url, validate_name};
