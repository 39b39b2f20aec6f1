//! The incident's life at ServiceNow: journal entries (work notes and
//! additional comments) written with a PATCH and read back from
//! `sys_journal_field`, state changes with their resolution fields, and
//! the instance's own `close_code` choices from `sys_choice`.

use std::collections::BTreeMap;

use reqwest::{Method, RequestBuilder};
use serde::{Deserialize, Serialize};

use super::model::{Many, One};
use super::{query, ServiceNowClient, SnIncident, INCIDENT_PATH};
use crate::error::{Error, Result};
use crate::http::Idempotency;

const JOURNAL_PATH: &str = "/api/now/table/sys_journal_field";
const CHOICE_PATH: &str = "/api/now/table/sys_choice";
/// Entries read per incident; an incident with more is beyond what a
/// timeline pull shows.
const JOURNAL_LIMIT: &str = "1000";

/// One journal entry: a work note or an additional comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub sys_id: String,
    /// `work_notes` or `comments`.
    pub element: String,
    #[serde(default)]
    pub value: String,
    /// The author's user name.
    #[serde(default)]
    pub sys_created_by: String,
    /// UTC, `YYYY-MM-DD HH:MM:SS` (stored value).
    #[serde(default)]
    pub sys_created_on: String,
}

/// One choice of a choice field: stored value and label.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// What a state change writes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StateFields {
    /// Stored value: 1 New, 2 In Progress, 3 On Hold, 6 Resolved, 7 Closed, 8 Canceled.
    pub state: String,
    pub close_code: Option<String>,
    pub close_notes: Option<String>,
    pub hold_reason: Option<String>,
}

impl StateFields {
    pub fn body(&self) -> BTreeMap<String, String> {
        let mut body = BTreeMap::from([("state".to_owned(), self.state.clone())]);
        for (name, value) in [
            ("close_code", &self.close_code),
            ("close_notes", &self.close_notes),
            ("hold_reason", &self.hold_reason),
        ] {
            if let Some(value) = value {
                body.insert(name.to_owned(), value.clone());
            }
        }
        body
    }
}

fn check_sys_id(sys_id: &str) -> Result<()> {
    if sys_id.len() == 32 && sys_id.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(Error::invalid(
            "sys_id",
            format!("'{sys_id}' is not a sys_id (32 hex characters)"),
        ))
    }
}

fn check_journal_field(field: &str) -> Result<()> {
    if field == "work_notes" || field == "comments" {
        Ok(())
    } else {
        Err(Error::invalid(
            "post",
            format!("'{field}' is not one of work_notes, comments"),
        ))
    }
}

impl ServiceNowClient {
    /// Adds `text` to the incident's work notes or additional comments
    /// (a journal field is written by setting it).
    pub fn post_journal_request(&self, sys_id: &str, field: &str, text: &str) -> RequestBuilder {
        let body = BTreeMap::from([(field.to_owned(), text.to_owned())]);
        self.request(
            Method::PATCH,
            &format!("{INCIDENT_PATH}/{}", sys_id.to_ascii_lowercase()),
        )
        .query(&[
            ("sysparm_display_value", "true"),
            ("sysparm_exclude_reference_link", "true"),
        ])
        .json(&body)
    }

    /// The incident's work notes and additional comments, oldest first.
    pub fn journal_request(&self, sys_id: &str) -> RequestBuilder {
        let condition = format!(
            "element_id={}^elementINwork_notes,comments^ORDERBYsys_created_on",
            query::value(&sys_id.to_ascii_lowercase())
        );
        self.request(Method::GET, JOURNAL_PATH).query(&[
            ("sysparm_query", condition.as_str()),
            (
                "sysparm_fields",
                "sys_id,element,value,sys_created_by,sys_created_on",
            ),
            ("sysparm_limit", JOURNAL_LIMIT),
        ])
    }

    /// Moves the incident to a state (labels in the answer).
    pub fn set_state_request(&self, sys_id: &str, fields: &StateFields) -> RequestBuilder {
        self.update_request(sys_id, &fields.body())
    }

    /// The instance's active `close_code` choices for incidents, in order.
    pub fn close_code_choices_request(&self) -> RequestBuilder {
        self.request(Method::GET, CHOICE_PATH).query(&[
            (
                "sysparm_query",
                "name=incident^element=close_code^inactive=false^ORDERBYsequence",
            ),
            ("sysparm_fields", "value,label,language"),
            ("sysparm_limit", "200"),
        ])
    }

    /// Posts a journal entry. Sent once: a lost answer is reconciled by
    /// reading the journal back, never by sending again.
    pub async fn post_journal(&self, sys_id: &str, field: &str, text: &str) -> Result<SnIncident> {
        check_sys_id(sys_id)?;
        check_journal_field(field)?;
        let one: One<SnIncident> = self
            .send(
                self.post_journal_request(sys_id, field, text),
                Idempotency::Once,
            )
            .await?
            .json()?;
        Ok(one.result)
    }

    pub async fn journal(&self, sys_id: &str) -> Result<Vec<JournalEntry>> {
        check_sys_id(sys_id)?;
        let many: Many<JournalEntry> = self
            .send(self.journal_request(sys_id), Idempotency::ByMethod)
            .await?
            .json()?;
        Ok(many.result)
    }

    /// Writing the same state again is harmless, so it may be retried.
    pub async fn set_state(&self, sys_id: &str, fields: &StateFields) -> Result<SnIncident> {
        check_sys_id(sys_id)?;
        let one: One<SnIncident> = self
            .send(
                self.set_state_request(sys_id, fields),
                Idempotency::Idempotent,
            )
            .await?
            .json()?;
        Ok(one.result)
    }

    /// The `close_code` choices, each value once (the first label seen;
    /// English first when the instance has translations).
    pub async fn close_code_choices(&self) -> Result<Vec<Choice>> {
        #[derive(Deserialize)]
        struct Row {
            value: String,
            #[serde(default)]
            label: String,
            #[serde(default)]
            language: Option<String>,
        }
        let many: Many<Row> = self
            .send(self.close_code_choices_request(), Idempotency::ByMethod)
            .await?
            .json()?;
        let mut rows = many.result;
        rows.sort_by_key(|r| r.language.as_deref() != Some("en"));
        let mut choices: Vec<Choice> = Vec::new();
        for row in rows {
            if !row.value.is_empty() && !choices.iter().any(|c| c.value == row.value) {
                choices.push(Choice {
                    label: if row.label.is_empty() {
                        row.value.clone()
                    } else {
                        row.label
                    },
                    value: row.value,
                });
            }
        }
        Ok(choices)
    }
}
