//! OAuth 2.0 + PKCE for native apps (RFC 8252, RFC 9700): the sign-in
//! flow through the system browser and a loopback callback, sealed token
//! storage, and single-flight refresh.

pub mod atlassian;
mod broker;
pub mod callback;
pub mod error;
mod flow;
mod grant_store;
pub mod issuer;
mod lease;
pub mod profile;
pub mod state;
pub mod tokens;

pub use atlassian::AtlassianSite;
pub use broker::{TokenBroker, DEFAULT_LEASE_WAIT};
pub use error::OAuthError;
pub use flow::{connect, ConnectOptions, ConnectUi, DEFAULT_PORT as DEFAULT_CALLBACK_PORT};
pub use profile::{OAuthProfile, ProfileKind};
pub use state::StateError;
