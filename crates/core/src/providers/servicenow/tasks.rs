//! RCA action items as ServiceNow tasks: `incident_task` (linked to the
//! incident) or `problem_task` (linked to the incident's problem), each
//! carrying our key in `correlation_id`, so a repeat finds it.

use reqwest::Method;
use serde::{Deserialize, Serialize};

use super::model::{Many, One};
use super::{query, ServiceNowClient, INCIDENT_PATH};
use crate::error::{Error, Result};
use crate::http::Idempotency;

/// The tables action items can be filed in.
pub const TASK_TABLES: &[&str] = &["incident_task", "problem_task"];
pub const DEFAULT_TASK_TABLE: &str = "incident_task";
const TASK_FIELDS: &str = "sys_id,number,state,active,correlation_id";

/// The body of a task create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSnTask {
    pub short_description: String,
    pub description: String,
    /// The owner's user name.
    pub assigned_to: String,
    /// `YYYY-MM-DD 00:00:00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    /// `incident_task`: the incident's sys_id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// `problem_task`: the problem's sys_id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    pub correlation_id: String,
    pub correlation_display: String,
}

/// A task as the Table API answers with labels.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SnTask {
    pub sys_id: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    /// `"true"` while the task is open.
    #[serde(default)]
    pub active: Option<String>,
    #[serde(skip)]
    pub url: String,
}

impl SnTask {
    /// Closed, and not as incomplete, skipped or cancelled.
    pub fn done(&self) -> bool {
        let closed = self.active.as_deref() == Some("false");
        let state = self.state.as_deref().unwrap_or_default().to_lowercase();
        closed
            && !["incomplete", "skipped", "cancel"]
                .iter()
                .any(|w| state.contains(w))
    }
}

#[derive(Debug, Deserialize)]
struct ProblemRef {
    #[serde(default)]
    problem_id: Option<String>,
}

/// Refuses a table other than [`TASK_TABLES`] (it is put in a URL).
pub fn check_task_table(table: &str) -> Result<&'static str> {
    TASK_TABLES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(table.trim()))
        .copied()
        .ok_or_else(|| {
            Error::invalid(
                "table",
                format!("'{table}' is not one of: {}", TASK_TABLES.join(", ")),
            )
        })
}

fn table_path(table: &str) -> String {
    format!("/api/now/table/{table}")
}

impl ServiceNowClient {
    pub fn task_url(&self, table: &str, sys_id: &str) -> String {
        format!("{}/nav_to.do?uri={table}.do?sys_id={sys_id}", self.base)
    }

    pub fn create_task_request(&self, table: &str, task: &NewSnTask) -> reqwest::RequestBuilder {
        self.request(Method::POST, &table_path(table))
            .query(&[
                ("sysparm_display_value", "true"),
                ("sysparm_exclude_reference_link", "true"),
                ("sysparm_fields", TASK_FIELDS),
            ])
            .json(task)
    }

    /// Tasks of `table` whose `sysparm_query` matches `condition`, with labels.
    pub fn tasks_where_request(
        &self,
        table: &str,
        condition: &str,
        limit: usize,
    ) -> reqwest::RequestBuilder {
        let limit = limit.to_string();
        self.request(Method::GET, &table_path(table)).query(&[
            ("sysparm_query", condition),
            ("sysparm_fields", TASK_FIELDS),
            ("sysparm_limit", limit.as_str()),
            ("sysparm_display_value", "true"),
            ("sysparm_exclude_reference_link", "true"),
        ])
    }

    /// The incident's `problem_id` (stored value: a sys_id or empty).
    pub fn incident_problem_request(&self, incident_sys_id: &str) -> reqwest::RequestBuilder {
        self.request(
            Method::GET,
            &format!("{INCIDENT_PATH}/{}", incident_sys_id.to_ascii_lowercase()),
        )
        .query(&[
            ("sysparm_fields", "problem_id"),
            ("sysparm_exclude_reference_link", "true"),
        ])
    }

    fn with_task_url(&self, table: &str, mut task: SnTask) -> SnTask {
        task.url = self.task_url(table, &task.sys_id);
        task
    }

    /// Creates the task. Sent once: a lost answer is resolved by
    /// [`Self::find_task`], never by sending again.
    pub async fn create_task(&self, table: &str, task: &NewSnTask) -> Result<SnTask> {
        let table = check_task_table(table)?;
        let one: One<SnTask> = self
            .send(self.create_task_request(table, task), Idempotency::Once)
            .await?
            .json()?;
        Ok(self.with_task_url(table, one.result))
    }

    /// The task filed earlier under our key `correlation_id`, if any.
    pub async fn find_task(&self, table: &str, correlation_id: &str) -> Result<Option<SnTask>> {
        let table = check_task_table(table)?;
        query::check("correlation_id", correlation_id)?;
        let found: Many<SnTask> = self
            .send(
                self.tasks_where_request(table, &query::by_correlation(correlation_id), 1),
                Idempotency::ByMethod,
            )
            .await?
            .json()?;
        Ok(found
            .result
            .into_iter()
            .next()
            .map(|t| self.with_task_url(table, t)))
    }

    /// The tasks with these sys_ids (their current state).
    pub async fn tasks(&self, table: &str, sys_ids: &[String]) -> Result<Vec<SnTask>> {
        let table = check_task_table(table)?;
        let mut out = Vec::new();
        for chunk in sys_ids.chunks(super::MAX_PAGE as usize) {
            for id in chunk {
                query::check("sys_id", id)?;
            }
            let condition = format!("sys_idIN{}", chunk.join(","));
            let found: Many<SnTask> = self
                .send(
                    self.tasks_where_request(table, &condition, chunk.len()),
                    Idempotency::ByMethod,
                )
                .await?
                .json()?;
            out.extend(
                found
                    .result
                    .into_iter()
                    .map(|t| self.with_task_url(table, t)),
            );
        }
        Ok(out)
    }

    /// The sys_id of the problem the incident is linked to, if any.
    pub async fn incident_problem(&self, incident_sys_id: &str) -> Result<Option<String>> {
        let one: One<ProblemRef> = self
            .send(
                self.incident_problem_request(incident_sys_id),
                Idempotency::ByMethod,
            )
            .await?
            .json()?;
        Ok(one.result.problem_id.filter(|p| !p.trim().is_empty()))
    }
}
