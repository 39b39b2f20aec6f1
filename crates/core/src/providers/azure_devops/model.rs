//! Work Item Tracking request and response shapes (api-version 7.1).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One JSON Patch operation (`application/json-patch+json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchOp {
    pub op: &'static str,
    pub path: String,
    pub value: Value,
}

impl PatchOp {
    pub fn add_field(reference_name: &str, value: impl Into<Value>) -> Self {
        Self {
            op: "add",
            path: format!("/fields/{reference_name}"),
            value: value.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkItem {
    pub id: u64,
    #[serde(default)]
    pub rev: Option<u64>,
    #[serde(default)]
    pub fields: serde_json::Map<String, Value>,
    #[serde(default, rename = "_links", skip_serializing)]
    pub links: Option<Links>,
    /// The page people open: `_links.html.href` when the service sent it.
    #[serde(default)]
    pub web_url: Option<String>,
}

impl WorkItem {
    pub fn field_text(&self, name: &str) -> Option<String> {
        match self.fields.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            // Identity fields are objects: show the display name.
            Value::Object(o) => o
                .get("displayName")
                .and_then(Value::as_str)
                .map(str::to_owned),
            other => Some(other.to_string()),
        }
    }

    pub fn title(&self) -> String {
        self.field_text("System.Title").unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Links {
    #[serde(default)]
    pub html: Option<Href>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Href {
    pub href: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WiqlResult {
    #[serde(default, rename = "workItems")]
    pub work_items: Vec<WorkItemRef>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WorkItemRef {
    pub id: u64,
}

#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(crate) struct ValueList<T> {
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WorkItemType {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ConnectionData {
    #[serde(rename = "authenticatedUser")]
    pub authenticated_user: Identity,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Identity {
    #[serde(default, rename = "providerDisplayName")]
    pub provider_display_name: Option<String>,
    #[serde(default, rename = "customDisplayName")]
    pub custom_display_name: Option<String>,
}
