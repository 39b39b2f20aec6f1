//! Incident Bridge core: everything but the window.
//!
//! Front ends (the CLI in `crates/cli`, the Tauri shell later) parse input,
//! call one function here and format the result. Rules live in this crate.

pub mod app;
pub mod audit;
pub mod build_info;
pub mod changes;
pub mod connections;
pub mod docs;
pub mod error;
pub mod fields;
pub mod http;
pub mod incidents;
mod lookup;
pub mod oauth;
pub mod outbox;
pub mod paths;
pub mod process;
pub mod providers;
pub mod secret;
pub mod services;
pub mod store;
pub mod time;
pub mod vault;

pub use app::{Core, OpenOptions};
pub use error::{Action, Error, ErrorKind, Result};
pub use secret::SecretString;
pub use services::Services;
