//! Tracked work in the fake: what RCA action items become.
//!
//! Azure DevOps: a work item create's JSON Patch is checked as the service
//! checks it (only `add` to `/fields/…` or `/relations/-`; a relation needs
//! a known link type and the API URL of a work item that exists; date
//! fields must be ISO 8601), and the work item keeps its fields, relations
//! and state; a batch read (`workitems?ids=`) answers with them.
//!
//! ServiceNow: the `incident_task` and `problem_task` tables, with their
//! mandatory fields (a short description, and the incident or problem the
//! task belongs to), task states and `active`, answered with labels when
//! asked (`sysparm_display_value=true`).

use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};
use warp::http::Response;

use super::{create_gate, encoded_query_matches, query_param, respond, State};

/// Link types a project has out of the box.
const LINK_TYPES: &[&str] = &[
    "System.LinkTypes.Related",
    "System.LinkTypes.Hierarchy-Forward",
    "System.LinkTypes.Hierarchy-Reverse",
    "System.LinkTypes.Dependency-Forward",
    "System.LinkTypes.Dependency-Reverse",
    "System.LinkTypes.Duplicate-Forward",
    "System.LinkTypes.Duplicate-Reverse",
];
const DATE_FIELDS: &[&str] = &[
    "Microsoft.VSTS.Scheduling.DueDate",
    "Microsoft.VSTS.Scheduling.TargetDate",
    "Microsoft.VSTS.Scheduling.StartDate",
    "Microsoft.VSTS.Scheduling.FinishDate",
];

fn bad_request(message: String) -> Response<String> {
    respond(
        400,
        json!({ "$id": "1", "innerException": null, "message": message, "typeKey": "WorkItemTrackingException", "errorCode": 0 }),
    )
}

/// What a work item create sets.
pub(crate) struct WorkItemPatch {
    pub fields: Map<String, Value>,
    pub relations: Vec<Value>,
}

/// The fields and relations of a work item create, or the service's
/// refusal of its JSON Patch document.
pub(crate) fn work_item_patch(
    s: &State,
    body: &Value,
) -> Result<WorkItemPatch, Box<Response<String>>> {
    let Some(ops) = body.as_array() else {
        return Err(Box::new(bad_request(
            "You must pass a valid patch document in the body of the request.".into(),
        )));
    };
    let mut fields = Map::new();
    let mut relations = Vec::new();
    for op in ops {
        if op["op"] != "add" {
            return Err(Box::new(bad_request(format!(
                "The fake accepts only 'add' operations on a create, not {}",
                op["op"]
            ))));
        }
        let path = op["path"].as_str().unwrap_or_default();
        if let Some(name) = path.strip_prefix("/fields/") {
            if DATE_FIELDS.contains(&name) {
                let text = op["value"].as_str().unwrap_or_default();
                if chrono_like_rfc3339(text).is_none() {
                    return Err(Box::new(bad_request(format!(
                        "TF401326: Invalid field status 'InvalidType' for field '{name}'."
                    ))));
                }
            }
            fields.insert(name.to_owned(), op["value"].clone());
        } else if path == "/relations/-" {
            let rel = op["value"]["rel"].as_str().unwrap_or_default();
            if !LINK_TYPES.contains(&rel) {
                return Err(Box::new(bad_request(format!(
                    "VS402625: Dangling work item relation: link type '{rel}' is not known."
                ))));
            }
            let url = op["value"]["url"].as_str().unwrap_or_default();
            let target = url
                .rsplit_once("/_apis/wit/workItems/")
                .and_then(|(_, id)| id.parse::<u64>().ok());
            let exists =
                target.is_some_and(|id| s.ado.iter().any(|w| w["id"].as_u64() == Some(id)));
            if !exists {
                return Err(Box::new(bad_request(format!(
                    "TF201036: You cannot add a Related link between work items: the target '{url}' is not a work item of this organization's API (…/_apis/wit/workItems/ID) that exists."
                ))));
            }
            relations.push(op["value"].clone());
        } else {
            return Err(Box::new(bad_request(format!(
                "The path '{path}' is not a field or relation path"
            ))));
        }
    }
    Ok(WorkItemPatch { fields, relations })
}

/// `2026-12-20T00:00:00Z` and the like.
fn chrono_like_rfc3339(text: &str) -> Option<()> {
    let (date, time) = text.split_once('T')?;
    let parts: Vec<&str> = date.split('-').collect();
    let valid_date = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        && parts[2].parse::<u32>().is_ok_and(|d| (1..=31).contains(&d));
    let valid_time = time.len() >= 8 && time[..8].split(':').all(|p| p.parse::<u32>().is_ok());
    (valid_date && valid_time).then_some(())
}

/// A ServiceNow task state's label.
fn task_state_label(table: &str, code: &str) -> String {
    let label = match (table, code) {
        ("problem_task", "151") => "New",
        ("problem_task", "152") => "Assess",
        ("problem_task", "154") => "Work in Progress",
        ("problem_task", "157") => "Closed",
        (_, "-5") => "Pending",
        (_, "1") => "Open",
        (_, "2") => "Work in Progress",
        (_, "3") => "Closed Complete",
        (_, "4") => "Closed Incomplete",
        (_, "7") => "Closed Skipped",
        _ => code,
    };
    label.to_owned()
}

fn task_answer(record: &Value, labels: bool) -> Value {
    let mut answer = record.clone();
    if labels {
        let table = record["table"].as_str().unwrap_or_default();
        let state = record["state"].as_str().unwrap_or_default();
        answer["state"] = json!(task_state_label(table, state));
    }
    if let Some(o) = answer.as_object_mut() {
        o.remove("table");
    }
    answer
}

fn is_sys_id(text: &str) -> bool {
    text.len() == 32 && text.chars().all(|c| c.is_ascii_hexdigit())
}

/// Requests this module serves, or `None` for the others.
pub(crate) async fn handle(
    state: &Arc<Mutex<State>>,
    method: &str,
    segments: &[&str],
    query: &str,
    raw: &[u8],
) -> Option<Response<String>> {
    if state.lock().unwrap().down {
        return None;
    }
    match (method, segments) {
        ("GET", [_org, _project, "_apis", "wit", "workitems"]) => {
            let ids: Vec<u64> = query_param(query, "ids")
                .unwrap_or_default()
                .split(',')
                .filter_map(|i| i.trim().parse().ok())
                .collect();
            if ids.is_empty() || ids.len() > 200 {
                return Some(bad_request(
                    "VS403474: ids must name between 1 and 200 work items".into(),
                ));
            }
            let s = state.lock().unwrap();
            let value: Vec<Value> = ids
                .iter()
                .filter_map(|id| s.ado.iter().find(|w| w["id"].as_u64() == Some(*id)))
                .map(super::work_item_json)
                .collect();
            Some(respond(
                200,
                json!({ "count": value.len(), "value": value }),
            ))
        }
        ("GET", ["api", "now", "table", table]) if is_task_table(table) => {
            let q = query_param(query, "sysparm_query").unwrap_or_default();
            let labels = query_param(query, "sysparm_display_value").as_deref() == Some("true");
            let s = state.lock().unwrap();
            let hits: Vec<Value> = s
                .tasks
                .iter()
                .filter(|t| t["table"] == *table)
                .filter(|t| match q.strip_prefix("sys_idIN") {
                    Some(ids) => ids.split(',').any(|id| t["sys_id"] == id),
                    None => encoded_query_matches(t, &q),
                })
                .map(|t| task_answer(t, labels))
                .collect();
            Some(respond(200, json!({ "result": hits })))
        }
        ("POST", ["api", "now", "table", table]) if is_task_table(table) => {
            Some(create_task(state, table, query, raw).await)
        }
        _ => None,
    }
}

fn is_task_table(table: &str) -> bool {
    matches!(table, "incident_task" | "problem_task")
}

async fn create_task(
    state: &Arc<Mutex<State>>,
    table: &str,
    query: &str,
    raw: &[u8],
) -> Response<String> {
    let delay = match create_gate(state).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let body: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
    let text = |name: &str| body[name].as_str().unwrap_or_default().to_owned();
    let parent_column = if table == "problem_task" {
        "problem"
    } else {
        "incident"
    };
    let record = {
        let mut s = state.lock().unwrap();
        let mut missing = Vec::new();
        if text("short_description").trim().is_empty() {
            missing.push("Short description");
        }
        let parent = text(parent_column);
        let parent_ok = match parent_column {
            "incident" => s.sn.iter().any(|r| r["sys_id"] == parent.as_str()),
            _ => is_sys_id(&parent),
        };
        if !parent_ok {
            missing.push(if table == "problem_task" {
                "Problem"
            } else {
                "Incident"
            });
        }
        if !missing.is_empty() {
            return respond(
                403,
                json!({ "error": { "message": "Operation Failed", "detail": format!("Data Policy Exception: \n The following fields are mandatory: {}", missing.join(", ")) }, "status": "failure" }),
            );
        }
        let due = text("due_date");
        if !due.is_empty() && !valid_glide_date_time(&due) {
            return respond(
                400,
                json!({ "error": { "message": format!("Invalid date/time '{due}' for field due_date"), "detail": "" }, "status": "failure" }),
            );
        }
        s.next_id += 1;
        let correlation = text("correlation_id");
        let (prefix, first_state) = if table == "problem_task" {
            ("PTASK", "151")
        } else {
            ("TASK", "1")
        };
        let record = json!({
            "table": table,
            "sys_id": format!("{:032x}", s.next_id),
            "number": format!("{prefix}{:07}", s.next_id),
            "short_description": text("short_description"),
            "description": text("description"),
            "assigned_to": text("assigned_to"),
            "due_date": due,
            parent_column: parent,
            "correlation_id": correlation,
            "state": first_state,
            "active": "true",
        });
        *s.records.entry(correlation).or_default() += 1;
        s.tasks.push(record.clone());
        record
    };
    super::after_store(state, delay).await;
    let labels = query_param(query, "sysparm_display_value").as_deref() == Some("true");
    respond(201, json!({ "result": task_answer(&record, labels) }))
}

/// `YYYY-MM-DD HH:MM:SS`.
fn valid_glide_date_time(text: &str) -> bool {
    let Some((date, time)) = text.split_once(' ') else {
        return false;
    };
    chrono_like_rfc3339(&format!("{date}T{time}")).is_some() && time.len() == 8
}

impl super::FakeServices {
    /// Moves work item `id` to `state` (as someone working on it would).
    pub fn set_work_item_state(&self, id: u64, state: &str) {
        let mut s = self.state.lock().unwrap();
        if let Some(w) = s.ado.iter_mut().find(|w| w["id"].as_u64() == Some(id)) {
            w["state"] = json!(state);
        }
    }

    /// Sets a ServiceNow task's state code (`3` Closed Complete for an
    /// `incident_task`, `157` Closed for a `problem_task`) and whether it
    /// is still active.
    pub fn set_task_state(&self, number: &str, code: &str, active: bool) {
        let mut s = self.state.lock().unwrap();
        if let Some(t) = s.tasks.iter_mut().find(|t| t["number"] == number) {
            t["state"] = json!(code);
            t["active"] = json!(if active { "true" } else { "false" });
        }
    }

    /// The stored `incident_task` and `problem_task` records (each with its
    /// `table`).
    pub fn servicenow_tasks(&self) -> Vec<Value> {
        self.state.lock().unwrap().tasks.clone()
    }

    /// Links a stored incident to a problem (`problem_id`).
    pub fn set_incident_problem(&self, incident_sys_id: &str, problem_sys_id: &str) {
        let mut s = self.state.lock().unwrap();
        if let Some(r) = s.sn.iter_mut().find(|r| r["sys_id"] == incident_sys_id) {
            r["problem_id"] = json!(problem_sys_id);
        }
    }

    /// Lets the next `n` creates through normally before the create mode
    /// (see [`super::FakeServices::set_create_mode`]) applies: a fault in
    /// the middle of a run of creates.
    pub fn set_create_mode_after(&self, n: usize, mode: super::CreateMode) {
        let mut s = self.state.lock().unwrap();
        s.normal_creates_first = n;
        s.mode = Some(mode);
    }
}
