//! Clients for the services Incident Bridge writes to. Each is a struct
//! over [`crate::http::HttpClient`] with one method per vendor operation;
//! none reads the database: it is handed a base URL and a credential.

pub mod azure_devops;
pub mod confluence;
mod error_body;
pub mod servicenow;

use reqwest::RequestBuilder;

use crate::secret::SecretString;

/// How requests authenticate, resolved from a connection by the caller.
#[derive(Clone)]
pub enum AuthHeader {
    Basic {
        username: String,
        password: SecretString,
    },
    Bearer(SecretString),
}

impl AuthHeader {
    pub fn apply(&self, request: RequestBuilder) -> RequestBuilder {
        match self {
            AuthHeader::Basic { username, password } => {
                request.basic_auth(username, Some(password.expose()))
            }
            AuthHeader::Bearer(token) => request.bearer_auth(token.expose()),
        }
    }

    pub fn scheme(&self) -> &'static str {
        match self {
            AuthHeader::Basic { .. } => "basic",
            AuthHeader::Bearer(_) => "bearer",
        }
    }
}

impl std::fmt::Debug for AuthHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuthHeader::{}([redacted])", self.scheme())
    }
}
