//! Table API request and response shapes for `incident` and `sys_user`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One incident as the Table API returns it. With
/// `sysparm_display_value=true` the choice fields carry labels ("New",
/// "1 - Critical"); without it, their stored values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnIncident {
    pub sys_id: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub short_description: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub urgency: Option<String>,
    #[serde(default)]
    pub impact: Option<String>,
    #[serde(default)]
    pub correlation_id: Option<String>,
    #[serde(default)]
    pub sys_updated_on: Option<String>,
    /// With display values, the assignee's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sys_updated_by: Option<String>,
    /// The record's page, filled in by the client.
    #[serde(default)]
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnUser {
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// The body of a create: what a person would type in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NewSnIncident {
    pub short_description: String,
    pub description: String,
    pub urgency: String,
    pub impact: String,
    /// Our incident UUID: how a repeat filing finds the record.
    pub correlation_id: String,
    pub correlation_display: String,
    /// Any other column (assignment group, category, …), by name. Never
    /// one of the names above: [`NewSnIncident::with_fields`] puts those
    /// in their place.
    #[serde(flatten)]
    pub fields: BTreeMap<String, String>,
}

impl NewSnIncident {
    /// Sets `fields` on the body: a column above takes the value in place
    /// (so a body never names a column twice), any other goes beside them.
    /// The correlation columns are ours and stay as they are.
    pub fn with_fields(mut self, fields: &BTreeMap<String, String>) -> Self {
        for (name, value) in fields {
            let value = value.clone();
            match name.as_str() {
                "short_description" => self.short_description = value,
                "description" => self.description = value,
                "urgency" => self.urgency = value,
                "impact" => self.impact = value,
                "correlation_id" | "correlation_display" => {}
                _ => {
                    self.fields.insert(name.clone(), value);
                }
            }
        }
        self
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct One<T> {
    pub result: T,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Many<T> {
    pub result: Vec<T>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub offset: u32,
    pub limit: u32,
    /// From `X-Total-Count`, when the instance sends it.
    pub total: Option<u64>,
}

impl<T> Page<T> {
    pub fn has_more(&self) -> bool {
        match self.total {
            Some(total) => u64::from(self.offset) + (self.items.len() as u64) < total,
            None => self.items.len() as u32 == self.limit,
        }
    }
}
