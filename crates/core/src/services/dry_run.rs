//! Seeing a write before it is sent: `--dry-run` on the command line and
//! the window's Review step.
//!
//! A write is described by the same request builders its delivery uses,
//! from the same `outbox::Write` request the command would journal, so a
//! dry run's method, URL and body are what a real run then sends. The
//! requests are only built, never sent, and carry no credential.
//!
//! A kind of write gets its dry run by implementing [`Preview`] next to
//! its `Deliver` impl; the command's dry-run path prepares the request as
//! the real path does (every refusal included) and calls
//! [`Services::preview`] instead of journaling it.

use reqwest::RequestBuilder;
use serde::Serialize;

use super::Services;
use crate::connections::ConnectionView;
use crate::error::{Error, Result};
use crate::providers::azure_devops::AdoClient;
use crate::providers::servicenow::ServiceNowClient;
use crate::providers::AuthHeader;

/// One request a write would send: never an auth header; a file upload's
/// body is described rather than dumped.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedRequest {
    pub method: String,
    pub url: String,
    pub body: Option<String>,
}

impl PlannedRequest {
    /// A built request as text: method, URL, and the body exactly as it
    /// would go out (or `described`, for bodies that are not text).
    pub(crate) fn from_request(request: RequestBuilder, described: Option<String>) -> Result<Self> {
        let request = request
            .build()
            .map_err(|e| Error::Internal(format!("cannot build a request: {e}")))?;
        let body = described.or_else(|| {
            request
                .body()
                .and_then(|b| b.as_bytes())
                .map(|b| String::from_utf8_lossy(b).into_owned())
        });
        Ok(Self {
            method: request.method().to_string(),
            url: request.url().to_string(),
            body,
        })
    }
}

/// Stands in for a credential when requests are built but never sent, so
/// a dry run opens no secret and can print no auth header.
pub(crate) fn unsent() -> AuthHeader {
    AuthHeader::Bearer(crate::SecretString::from(""))
}

impl Services {
    /// A ServiceNow client for `view` that only builds requests.
    pub(crate) fn unsent_servicenow(&self, view: &ConnectionView) -> Result<ServiceNowClient> {
        ServiceNowClient::new(self.http.clone(), Services::api_base(view), unsent())
    }

    /// An Azure DevOps client for `view`'s project that only builds
    /// requests.
    pub(crate) fn unsent_ado(&self, view: &ConnectionView) -> Result<AdoClient> {
        let project = view.config.project.as_deref().unwrap_or_default();
        AdoClient::new(
            self.http.clone(),
            Services::api_base(view),
            project,
            unsent(),
        )
    }
}

/// Describes the request(s) one kind of write sends, with its delivery's
/// builders. Implemented beside each `Deliver` impl.
pub(crate) trait Preview {
    /// What delivering `self` to `view` would send now, in order.
    async fn preview(
        &self,
        services: &Services,
        view: &ConnectionView,
    ) -> Result<Vec<PlannedRequest>>;
}

impl Services {
    /// The requests `write` to `view` would send; nothing is journaled or
    /// sent and no secret is opened.
    pub(crate) async fn preview<W: Preview>(
        &self,
        view: &ConnectionView,
        write: &W,
    ) -> Result<Vec<PlannedRequest>> {
        write.preview(self, view).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_planned_request_has_the_body_but_no_auth_header() {
        let http = crate::http::HttpClient::new(crate::http::HttpConfig::default()).unwrap();
        let request = unsent()
            .apply(http.request(reqwest::Method::POST, "https://x.example/api?a=1"))
            .body("{\"k\":\"v\"}");
        let planned = PlannedRequest::from_request(request, None).unwrap();
        assert_eq!(planned.method, "POST");
        assert_eq!(planned.url, "https://x.example/api?a=1");
        assert_eq!(planned.body.as_deref(), Some("{\"k\":\"v\"}"));
        let text = format!("{planned:?}");
        assert!(!text.to_ascii_lowercase().contains("bearer"), "{text}");
    }
}
