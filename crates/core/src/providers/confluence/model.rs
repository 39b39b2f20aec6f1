//! Confluence REST v1 shapes (content, space, search, user).

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Links {
    #[serde(default)]
    pub base: Option<String>,
    #[serde(default)]
    pub webui: Option<String>,
    #[serde(default)]
    pub next: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ContentJson {
    pub id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub space: Option<SpaceJson>,
    #[serde(default)]
    pub version: Option<VersionJson>,
    #[serde(default)]
    pub metadata: Option<Value>,
    #[serde(default, rename = "_links")]
    pub links: Option<Links>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct VersionJson {
    pub number: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SpaceJson {
    pub key: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "_links")]
    pub links: Option<Links>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ResultPage<T> {
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
    #[serde(default, rename = "_links")]
    pub links: Option<Links>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UserJson {
    #[serde(default, rename = "displayName")]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
}

/// A page as Incident Bridge shows and tracks it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page {
    pub id: String,
    pub title: String,
    pub space_key: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = Option<f64>))]
    pub version: Option<i64>,
    /// `_links.base` + `_links.webui`, as the service sends them.
    pub url: Option<String>,
    /// The Incident Bridge key stored on the page, when asked for.
    pub bridge_key: Option<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Space {
    pub key: String,
    pub name: String,
    pub url: Option<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchPage {
    pub pages: Vec<Page>,
    pub start: u32,
    pub limit: u32,
    pub has_more: bool,
}
