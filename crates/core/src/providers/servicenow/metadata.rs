//! What the instance says an incident create needs, from its own tables:
//! `sys_dictionary` (the incident table's columns and the task columns it
//! inherits: mandatory, reference table, choice list, default value) and
//! `sys_choice` (the values of choice columns); and reference lookups, a
//! record of a referenced table (`sys_user`, `sys_user_group`, `cmdb_ci`,
//! …) by name.

use std::collections::BTreeMap;

use reqwest::{Method, RequestBuilder};
use serde::Deserialize;
use serde_json::Value;

use super::model::Many;
use super::{query, ServiceNowClient};
use crate::error::{Error, Result};
use crate::fields::{AllowedValue, FieldRule};
use crate::http::Idempotency;

const DICTIONARY_PATH: &str = "/api/now/table/sys_dictionary";
const CHOICE_PATH: &str = "/api/now/table/sys_choice";
/// The incident table and the task table it extends.
const TABLES: &str = "incident,task";

/// A record a reference column can point at.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SnRecord {
    pub sys_id: String,
    #[serde(default)]
    pub name: Option<String>,
}

/// A field as `sysparm_display_value=all` returns it: `{value,
/// display_value}`, or a plain string from instances that answer so.
fn raw(v: &Value) -> String {
    match v {
        Value::Object(o) => o
            .get("value")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::Object(o) => o
            .get("display_value")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

impl ServiceNowClient {
    /// Every active column of the incident and task tables.
    pub fn dictionary_request(&self) -> RequestBuilder {
        let condition = format!("nameIN{TABLES}^active=true^elementISNOTEMPTY");
        self.request(Method::GET, DICTIONARY_PATH).query(&[
            ("sysparm_query", condition.as_str()),
            (
                "sysparm_fields",
                "name,element,column_label,mandatory,internal_type,reference,choice,default_value",
            ),
            ("sysparm_display_value", "all"),
            ("sysparm_exclude_reference_link", "true"),
            ("sysparm_limit", "1000"),
        ])
    }

    /// The active choices of the incident and task tables' columns.
    pub fn choices_request(&self) -> RequestBuilder {
        let condition = format!("nameIN{TABLES}^inactive=false");
        self.request(Method::GET, CHOICE_PATH).query(&[
            ("sysparm_query", condition.as_str()),
            ("sysparm_fields", "name,element,value,label"),
            ("sysparm_limit", "5000"),
        ])
    }

    /// Records of `table` named `name` (users also by user name or e-mail);
    /// two at most, which is enough to tell one from several.
    pub fn lookup_request(&self, table: &str, name: &str) -> RequestBuilder {
        let v = query::value(name);
        let condition = if table == "sys_user" {
            format!("name={v}^ORuser_name={v}^ORemail={v}")
        } else {
            format!("name={v}")
        };
        self.request(Method::GET, &format!("/api/now/table/{table}"))
            .query(&[
                ("sysparm_query", condition.as_str()),
                ("sysparm_fields", "sys_id,name"),
                ("sysparm_limit", "2"),
            ])
    }

    /// The incident create's rules: one per column, an incident column
    /// over the task column it overrides.
    pub async fn incident_rules(&self) -> Result<Vec<FieldRule>> {
        // Reads for a pre-flight: one try, so an unreachable instance
        // costs no backoff before the filing is journaled.
        let columns: Many<Value> = self
            .send(self.dictionary_request(), Idempotency::Once)
            .await?
            .json()?;
        let choices: Many<Value> = self
            .send(self.choices_request(), Idempotency::Once)
            .await?
            .json()?;
        Ok(rules_from(&columns.result, &choices.result))
    }

    /// The sys_ids of `table` records named `name` (at most two).
    pub async fn lookup(&self, table: &str, name: &str) -> Result<Vec<SnRecord>> {
        if !table
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(Error::Internal(format!("'{table}' is not a table name")));
        }
        query::check("value", name)?;
        let found: Many<SnRecord> = self
            .send(self.lookup_request(table, name), Idempotency::ByMethod)
            .await?
            .json()?;
        Ok(found.result)
    }
}

/// Dictionary rows and choices → one rule per column.
pub(crate) fn rules_from(columns: &[Value], choices: &[Value]) -> Vec<FieldRule> {
    let mut by_name: BTreeMap<String, (bool, FieldRule)> = BTreeMap::new();
    for row in columns {
        let element = raw(&row["element"]);
        if element.is_empty() {
            continue;
        }
        let own = raw(&row["name"]) == "incident";
        if by_name
            .get(&element)
            .is_some_and(|(was_own, _)| *was_own && !own)
        {
            continue;
        }
        let reference = (raw(&row["internal_type"]) == "reference")
            .then(|| shown(&row["reference"]))
            .filter(|t| !t.is_empty());
        // Choice 1 (dropdown with None) and 3 (dropdown without None)
        // restrict the column to its list; 2 (suggestion) does not.
        let restricted = matches!(raw(&row["choice"]).as_str(), "1" | "3");
        let default_value = Some(raw(&row["default_value"])).filter(|d| !d.is_empty());
        let rule = FieldRule {
            name: element.clone(),
            label: Some(shown(&row["column_label"]))
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| element.clone()),
            required: raw(&row["mandatory"]) == "true",
            allowed: if restricted {
                choice_list(choices, &element)
            } else {
                Vec::new()
            },
            default_value,
            reference,
            identity: false,
        };
        by_name.insert(element, (own, rule));
    }
    by_name.into_values().map(|(_, rule)| rule).collect()
}

/// The choices of `element`: the incident table's own list where it has
/// one, else the task table's.
fn choice_list(choices: &[Value], element: &str) -> Vec<AllowedValue> {
    let of = |table: &str| -> Vec<AllowedValue> {
        let mut seen = Vec::<AllowedValue>::new();
        for c in choices {
            if raw(&c["element"]) == element && raw(&c["name"]) == table {
                let value = raw(&c["value"]);
                if !seen.iter().any(|s| s.value == value) {
                    seen.push(AllowedValue {
                        value,
                        label: raw(&c["label"]),
                    });
                }
            }
        }
        seen
    };
    let own = of("incident");
    if own.is_empty() {
        of("task")
    } else {
        own
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn incident_columns_override_task_columns_and_choices_restrict_only_dropdowns() {
        let cols = vec![
            json!({"name": "task", "element": "assignment_group", "column_label": "Assignment group", "mandatory": "false", "internal_type": "reference", "reference": {"value": "abc", "display_value": "sys_user_group"}, "choice": "0", "default_value": ""}),
            json!({"name": {"value": "incident", "display_value": "Incident"}, "element": {"value": "assignment_group", "display_value": "assignment_group"}, "column_label": "Group", "mandatory": {"value": "true", "display_value": "true"}, "internal_type": "reference", "reference": {"value": "abc", "display_value": "sys_user_group"}, "choice": "0", "default_value": ""}),
            json!({"name": "incident", "element": "category", "column_label": "Category", "mandatory": "false", "internal_type": "string", "reference": "", "choice": "1", "default_value": "inquiry"}),
            json!({"name": "incident", "element": "u_notes", "column_label": "Notes", "mandatory": "false", "internal_type": "string", "reference": "", "choice": "2", "default_value": ""}),
        ];
        let choices = vec![
            json!({"name": "incident", "element": "category", "value": "software", "label": "Software"}),
            json!({"name": "task", "element": "category", "value": "other", "label": "Other"}),
            json!({"name": "incident", "element": "u_notes", "value": "x", "label": "X"}),
        ];
        let rules = rules_from(&cols, &choices);
        let group = rules.iter().find(|r| r.name == "assignment_group").unwrap();
        assert!(group.required);
        assert_eq!(group.label, "Group");
        assert_eq!(group.reference.as_deref(), Some("sys_user_group"));
        let category = rules.iter().find(|r| r.name == "category").unwrap();
        assert_eq!(category.allowed.len(), 1);
        assert_eq!(category.default_value.as_deref(), Some("inquiry"));
        let notes = rules.iter().find(|r| r.name == "u_notes").unwrap();
        assert!(notes.allowed.is_empty());
    }
}
