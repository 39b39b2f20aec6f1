//! Page labels (REST v1): read, add, remove. Labels are `global` ones, the
//! kind people add in the Confluence UI.

use reqwest::{Method, RequestBuilder};
use serde::Deserialize;
use serde_json::json;

use super::attachments::path_segment;
use super::ConfluenceClient;
use crate::error::Result;
use crate::http::Idempotency;

#[derive(Deserialize)]
struct LabelJson {
    #[serde(default)]
    prefix: String,
    name: String,
}

#[derive(Deserialize)]
struct LabelArray {
    #[serde(default)]
    results: Vec<LabelJson>,
}

impl ConfluenceClient {
    pub fn labels_request(&self, page_id: &str) -> RequestBuilder {
        self.request(
            Method::GET,
            &format!("/content/{}/label", path_segment(page_id)),
        )
        .query(&[("prefix", "global"), ("limit", "200")])
    }

    pub fn add_labels_request(&self, page_id: &str, names: &[String]) -> RequestBuilder {
        let body: Vec<_> = names
            .iter()
            .map(|n| json!({ "prefix": "global", "name": n }))
            .collect();
        self.request(
            Method::POST,
            &format!("/content/{}/label", path_segment(page_id)),
        )
        .json(&body)
    }

    pub fn remove_label_request(&self, page_id: &str, name: &str) -> RequestBuilder {
        self.request(
            Method::DELETE,
            &format!("/content/{}/label", path_segment(page_id)),
        )
        .query(&[("name", name)])
    }

    /// The page's global labels.
    pub async fn labels(&self, page_id: &str) -> Result<Vec<String>> {
        let list: LabelArray = self
            .send(self.labels_request(page_id), Idempotency::ByMethod)
            .await?
            .json()?;
        Ok(list
            .results
            .into_iter()
            .filter(|l| l.prefix.is_empty() || l.prefix == "global")
            .map(|l| l.name)
            .collect())
    }

    /// Adds labels; adding one the page has is harmless, so this may be
    /// repeated.
    pub async fn add_labels(&self, page_id: &str, names: &[String]) -> Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        self.send(
            self.add_labels_request(page_id, names),
            Idempotency::Idempotent,
        )
        .await?;
        Ok(())
    }

    /// Removes a label; removing it again is harmless.
    pub async fn remove_label(&self, page_id: &str, name: &str) -> Result<()> {
        self.send(
            self.remove_label_request(page_id, name),
            Idempotency::Idempotent,
        )
        .await?;
        Ok(())
    }
}
