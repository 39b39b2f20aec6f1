//! The fake's side of an incident's life, strict like a real instance:
//!
//! - ServiceNow: `PATCH incident/{sys_id}` sets fields and appends
//!   `work_notes` / `comments` to the journal (`sys_journal_field`, with
//!   the author's user name and time); resolving or closing without a
//!   resolution code and notes is refused as the out-of-the-box data
//!   policy refuses it, so is a code that is not one of the instance's
//!   `sys_choice` rows, On Hold without a reason, and any change to a
//!   closed incident.
//! - Azure DevOps: work item types with states (and their categories) and
//!   transitions; a `System.State` change the type does not allow is
//!   refused with a rule error; comments with their authors.
//!
//! Every write it receives is kept (method, path, body) so tests can
//! assert each request body, and notes can be stored without an answer
//! (a lost answer).

use std::time::Duration;

use serde_json::{json, Value};
use warp::http::{HeaderMap, Response};

use crate::{query_param, respond, sn_answer, CreateMode, State};

/// One write the fake received for an incident's life.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeWrite {
    pub method: String,
    pub path: String,
    pub body: Value,
}

#[derive(Default)]
pub(crate) struct Lifecycle {
    /// ServiceNow journal entries (`sys_journal_field` rows).
    journal: Vec<Value>,
    /// Azure DevOps comments, with `workItemId`.
    comments: Vec<Value>,
    next: u64,
    /// The instance's close_code choices (value, label); `None`: the
    /// out-of-the-box list.
    close_codes: Option<Vec<(String, String)>>,
    /// How the next note writes behave (journal PATCH, comment POST).
    pub note_mode: Option<CreateMode>,
    pub hanging: usize,
    writes: Vec<FakeWrite>,
}

const DEFAULT_CLOSE_CODES: &[&str] = &[
    "Duplicate",
    "Known error",
    "No resolution provided",
    "Resolved by caller",
    "Resolved by change",
    "Resolved by problem",
    "Resolved by request",
    "Solution provided",
    "Workaround provided",
    "User error",
];

/// (name, category) of each state of a work item type.
type States = Vec<(&'static str, &'static str)>;
/// State → the states it may go to ("" is a new work item).
type Transitions = Vec<(&'static str, Vec<&'static str>)>;

/// A work item type's states and transitions, as the Agile process has them.
fn type_states(kind: &str) -> (States, Transitions) {
    let bug_like = matches!(kind.to_ascii_lowercase().as_str(), "bug" | "user story");
    if bug_like {
        (
            vec![
                ("New", "Proposed"),
                ("Active", "InProgress"),
                ("Resolved", "Resolved"),
                ("Closed", "Completed"),
                ("Removed", "Removed"),
            ],
            vec![
                ("", vec!["New"]),
                ("New", vec!["Active", "Resolved", "Removed"]),
                ("Active", vec!["New", "Resolved", "Removed"]),
                ("Resolved", vec!["Active", "Closed"]),
                ("Closed", vec!["Active"]),
                ("Removed", vec!["New"]),
            ],
        )
    } else {
        (
            vec![
                ("New", "Proposed"),
                ("Active", "InProgress"),
                ("Closed", "Completed"),
                ("Removed", "Removed"),
            ],
            vec![
                ("", vec!["New"]),
                ("New", vec!["Active", "Closed", "Removed"]),
                ("Active", vec!["New", "Closed", "Removed"]),
                ("Closed", vec!["Active"]),
                ("Removed", vec!["New"]),
            ],
        )
    }
}

fn known_type(kind: &str) -> bool {
    ["bug", "task", "user story", "issue", "incident"].contains(&kind.to_ascii_lowercase().as_str())
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.trim().bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        buffer = (buffer << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The user name of the request's Basic credentials (an OAuth token: the
/// fake's one OAuth user).
fn author(headers: &HeaderMap, fallback: &str) -> String {
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(encoded) = header.strip_prefix("Basic ") {
        if let Some(pair) = decode_base64(encoded).and_then(|b| String::from_utf8(b).ok()) {
            let user = pair.split(':').next().unwrap_or_default();
            if !user.is_empty() {
                return user.to_owned();
            }
        }
        return fallback.to_owned();
    }
    if header.starts_with("Bearer ") {
        return "oauth.user".to_owned();
    }
    fallback.to_owned()
}

fn now_servicenow() -> String {
    // The Table API's stored form: UTC, "YYYY-MM-DD HH:MM:SS".
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rest / 3600,
        (rest % 3600) / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn data_policy(detail: &str) -> Response<String> {
    respond(
        403,
        json!({ "error": { "message": "Operation Failed", "detail": format!("Data Policy Exception: \n {detail}") }, "status": "failure" }),
    )
}

fn rule_error(field: &str) -> Response<String> {
    respond(
        400,
        json!({
            "$id": "1",
            "innerException": null,
            "message": format!("TF401320: Rule Error for field {field}. Error code: Required, HasValues, LimitedToValues, AllowsOldValue, InvalidEmpty."),
            "typeName": "Microsoft.TeamFoundation.WorkItemTracking.Server.RuleValidationException, Microsoft.TeamFoundation.WorkItemTracking.Server",
            "typeKey": "RuleValidationException",
            "errorCode": 600171,
            "eventId": 3200
        }),
    )
}

/// Holds a note write after storing it when the note mode says so.
async fn after_note(state: &std::sync::Arc<std::sync::Mutex<State>>) {
    let mode = state.lock().unwrap().lifecycle.note_mode;
    match mode {
        Some(CreateMode::StoreThenHang) => {
            state.lock().unwrap().lifecycle.hanging += 1;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Some(CreateMode::StoreThenDelay(d)) => tokio::time::sleep(d).await,
        _ => {}
    }
}

/// Answers the lifecycle routes; `None` for everything else.
pub(crate) async fn handle(
    state: &std::sync::Arc<std::sync::Mutex<State>>,
    method: &str,
    segments: &[&str],
    query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<Response<String>> {
    if state.lock().unwrap().down {
        return None;
    }
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let json_body = || serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
    match (method, lower.as_slice()) {
        ("PATCH", ["api", "now", "table", "incident", _]) => {
            Some(servicenow_patch(state, segments, query, headers, json_body()).await)
        }
        ("GET", ["api", "now", "table", "sys_journal_field"]) => {
            let q = query_param(query, "sysparm_query").unwrap_or_default();
            let element_id = q
                .split('^')
                .find_map(|c| c.strip_prefix("element_id="))
                .unwrap_or_default()
                .to_owned();
            let elements: Vec<String> = q
                .split('^')
                .find_map(|c| c.strip_prefix("elementIN"))
                .map(|l| l.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            let s = state.lock().unwrap();
            let rows: Vec<Value> = s
                .lifecycle
                .journal
                .iter()
                .filter(|j| j["element_id"] == element_id.as_str())
                .filter(|j| {
                    elements.is_empty() || elements.iter().any(|e| j["element"] == e.as_str())
                })
                .cloned()
                .collect();
            Some(respond(200, json!({ "result": rows })))
        }
        ("GET", ["api", "now", "table", "sys_choice"]) => {
            let q = query_param(query, "sysparm_query").unwrap_or_default();
            if !(q.contains("name=incident") && q.contains("element=close_code")) {
                // Other choice lists belong to the customisation.
                return None;
            }
            let s = state.lock().unwrap();
            let rows: Vec<Value> = close_codes(&s)
                .into_iter()
                .map(|(value, label)| json!({ "value": value, "label": label, "language": "en" }))
                .collect();
            Some(respond(200, json!({ "result": rows })))
        }
        ("PATCH", [_, _, "_apis", "wit", "workitems", id]) => {
            Some(work_item_patch(state, segments, id, json_body()))
        }
        ("POST", [_, _, "_apis", "wit", "workitems", id, "comments"]) => {
            let id: u64 = id.parse().ok()?;
            let text = json_body()["text"].as_str().unwrap_or_default().to_owned();
            let comment = {
                let mut s = state.lock().unwrap();
                if !s.ado.iter().any(|w| w["id"].as_u64() == Some(id)) {
                    return Some(respond(
                        404,
                        json!({ "message": format!("TF401232: Work item {id} does not exist") }),
                    ));
                }
                s.lifecycle.writes.push(FakeWrite {
                    method: "POST".into(),
                    path: segments.join("/"),
                    body: json_body(),
                });
                if text.trim().is_empty() {
                    return Some(respond(
                        400,
                        json!({ "message": "The comment text must not be empty." }),
                    ));
                }
                s.lifecycle.next += 1;
                let comment = json!({
                    "workItemId": id,
                    "id": s.lifecycle.next,
                    "version": 1,
                    "text": text,
                    "createdBy": { "displayName": "Bridge Service", "uniqueName": "bridge@fake.example" },
                    "createdDate": iso_now(),
                });
                s.lifecycle.comments.push(comment.clone());
                comment
            };
            after_note(state).await;
            Some(respond(200, comment))
        }
        ("GET", [_, _, "_apis", "wit", "workitems", id, "comments"]) => {
            let id: u64 = id.parse().ok()?;
            let s = state.lock().unwrap();
            let list: Vec<Value> = s
                .lifecycle
                .comments
                .iter()
                .filter(|c| c["workItemId"].as_u64() == Some(id))
                .cloned()
                .collect();
            Some(respond(
                200,
                json!({ "totalCount": list.len(), "count": list.len(), "comments": list }),
            ))
        }
        ("GET", [_, _, "_apis", "wit", "workitemtypes", _, "states"]) => {
            let kind = decode_segment(segments[5]);
            if !known_type(&kind) {
                return Some(respond(
                    404,
                    json!({ "message": format!("VS402323: Work item type {kind} does not exist.") }),
                ));
            }
            let (states, _) = type_states(&kind);
            let value: Vec<Value> = states
                .iter()
                .map(|(name, category)| json!({ "name": name, "color": "b2b2b2", "category": category }))
                .collect();
            Some(respond(
                200,
                json!({ "count": value.len(), "value": value }),
            ))
        }
        ("GET", [_, _, "_apis", "wit", "workitemtypes", _]) => {
            let kind = decode_segment(segments[5]);
            if !known_type(&kind) {
                return Some(respond(
                    404,
                    json!({ "message": format!("VS402323: Work item type {kind} does not exist.") }),
                ));
            }
            let (states, transitions) = type_states(&kind);
            let transitions: serde_json::Map<String, Value> = transitions
                .into_iter()
                .map(|(from, to)| {
                    (
                        from.to_owned(),
                        Value::Array(
                            to.into_iter()
                                .map(|t| json!({ "to": t, "actions": null }))
                                .collect(),
                        ),
                    )
                })
                .collect();
            Some(respond(
                200,
                json!({
                    "name": kind,
                    "referenceName": format!("Microsoft.VSTS.WorkItemTypes.{}", kind.replace(' ', "")),
                    "states": states.iter().map(|(n, c)| json!({ "name": n, "category": c })).collect::<Vec<_>>(),
                    "transitions": transitions,
                }),
            ))
        }
        _ => None,
    }
}

fn decode_segment(segment: &str) -> String {
    url::form_urlencoded::parse(format!("x={segment}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| segment.to_owned())
        .replace('+', " ")
}

fn iso_now() -> String {
    let stored = now_servicenow();
    format!("{}Z", stored.replace(' ', "T"))
}

fn close_codes(s: &State) -> Vec<(String, String)> {
    s.lifecycle.close_codes.clone().unwrap_or_else(|| {
        DEFAULT_CLOSE_CODES
            .iter()
            .map(|c| ((*c).to_owned(), (*c).to_owned()))
            .collect()
    })
}

async fn servicenow_patch(
    state: &std::sync::Arc<std::sync::Mutex<State>>,
    segments: &[&str],
    query: &str,
    headers: &HeaderMap,
    body: Value,
) -> Response<String> {
    let sys_id = segments[4].to_owned();
    let user = author(headers, "admin");
    let (answer, note) = {
        let mut guard = state.lock().unwrap();
        let s = &mut *guard;
        s.lifecycle.writes.push(FakeWrite {
            method: "PATCH".into(),
            path: segments.join("/"),
            body: body.clone(),
        });
        let codes = close_codes(s);
        let Some(record) = s.sn.iter_mut().find(|r| r["sys_id"] == sys_id.as_str()) else {
            return respond(
                404,
                json!({ "error": { "message": "No Record found", "detail": "Record doesn't exist or ACL restricts the record retrieval" }, "status": "failure" }),
            );
        };
        let Some(fields) = body.as_object() else {
            return respond(
                400,
                json!({ "error": { "message": "Exception while reading request", "detail": "The payload is not valid JSON." }, "status": "failure" }),
            );
        };
        if record["state"] == "7" {
            return respond(
                403,
                json!({ "error": { "message": "Operation Failed", "detail": "ACL Exception Update Failed due to security constraints" }, "status": "failure" }),
            );
        }
        let value = |name: &str| -> String {
            fields
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| record[name].as_str().unwrap_or_default().to_owned())
        };
        let new_state = value("state");
        if !["1", "2", "3", "6", "7", "8"].contains(&new_state.as_str()) {
            return respond(
                400,
                json!({ "error": { "message": format!("Invalid state value '{new_state}'"), "detail": "" }, "status": "failure" }),
            );
        }
        if new_state == "6" || new_state == "7" {
            let mut missing = Vec::new();
            if value("close_code").is_empty() {
                missing.push("Resolution code");
            }
            if value("close_notes").trim().is_empty() {
                missing.push("Resolution notes");
            }
            if !missing.is_empty() {
                return data_policy(&format!(
                    "The following fields are mandatory: {}",
                    missing.join(", ")
                ));
            }
            let code = value("close_code");
            if !codes.iter().any(|(v, _)| *v == code) {
                return data_policy(&format!(
                    "Resolution code: '{code}' is not one of the allowed values"
                ));
            }
        }
        if new_state == "3" && value("hold_reason").is_empty() {
            return data_policy("The following fields are mandatory: On hold reason");
        }
        let mut note = false;
        for (name, v) in fields {
            let text = v.as_str().unwrap_or_default().to_owned();
            if name == "work_notes" || name == "comments" {
                if text.trim().is_empty() {
                    continue;
                }
                note = true;
                s.lifecycle.next += 1;
                let entry = json!({
                    "sys_id": format!("{:032x}", 0xa000_0000u64 + s.lifecycle.next),
                    "element_id": sys_id,
                    "element": name,
                    "name": "incident",
                    "value": text,
                    "sys_created_by": user,
                    "sys_created_on": now_servicenow(),
                });
                s.lifecycle.journal.push(entry);
            } else {
                record[name] = Value::String(text);
            }
        }
        (sn_answer(record, crate::wants_labels(query)), note)
    };
    if note {
        after_note(state).await;
    }
    respond(200, json!({ "result": answer }))
}

fn work_item_patch(
    state: &std::sync::Arc<std::sync::Mutex<State>>,
    segments: &[&str],
    id: &str,
    body: Value,
) -> Response<String> {
    let mut s = state.lock().unwrap();
    s.lifecycle.writes.push(FakeWrite {
        method: "PATCH".into(),
        path: segments.join("/"),
        body: body.clone(),
    });
    let Some(item) = s
        .ado
        .iter_mut()
        .find(|w| id.parse::<u64>().ok() == w["id"].as_u64())
    else {
        return respond(
            404,
            json!({ "message": format!("TF401232: Work item {id} does not exist") }),
        );
    };
    let Some(ops) = body.as_array() else {
        return respond(
            400,
            json!({ "message": "You must pass a valid patch document in the body of the request." }),
        );
    };
    for op in ops {
        let path = op["path"].as_str().unwrap_or_default();
        let Some(field) = path.strip_prefix("/fields/") else {
            return respond(
                400,
                json!({ "message": format!("unsupported path {path}") }),
            );
        };
        if field == "System.State" {
            let kind = item["type"].as_str().unwrap_or("Bug").to_owned();
            let current = item["state"].as_str().unwrap_or("New").to_owned();
            let target = op["value"].as_str().unwrap_or_default();
            let (states, transitions) = type_states(&kind);
            let known = states.iter().any(|(n, _)| *n == target);
            let allowed = transitions
                .iter()
                .find(|(from, _)| *from == current)
                .is_some_and(|(_, to)| to.contains(&target));
            if !known || (!allowed && target != current) {
                return rule_error("State");
            }
            item["state"] = Value::String(target.to_owned());
        } else {
            item["fields"][field] = op["value"].clone();
        }
    }
    let answer = crate::work_item_json(item);
    respond(200, answer)
}

impl crate::FakeServices {
    /// Every write for an incident's life, in order: ServiceNow incident
    /// PATCHes, work item PATCHes and comment POSTs.
    pub fn lifecycle_writes(&self) -> Vec<FakeWrite> {
        self.state.lock().unwrap().lifecycle.writes.clone()
    }

    /// The journal entries (work notes and comments) of incident `sys_id`.
    pub fn journal(&self, sys_id: &str) -> Vec<Value> {
        self.state
            .lock()
            .unwrap()
            .lifecycle
            .journal
            .iter()
            .filter(|j| j["element_id"] == sys_id)
            .cloned()
            .collect()
    }

    /// The comments of work item `id`.
    pub fn comments(&self, id: u64) -> Vec<Value> {
        self.state
            .lock()
            .unwrap()
            .lifecycle
            .comments
            .iter()
            .filter(|c| c["workItemId"].as_u64() == Some(id))
            .cloned()
            .collect()
    }

    /// Someone writes a work note (`element` work_notes) or comment on the
    /// ServiceNow side, at `created_on` ("YYYY-MM-DD HH:MM:SS", UTC).
    pub fn add_journal_entry(
        &self,
        sys_id: &str,
        element: &str,
        user: &str,
        text: &str,
        created_on: &str,
    ) {
        let mut s = self.state.lock().unwrap();
        s.lifecycle.next += 1;
        let entry = json!({
            "sys_id": format!("{:032x}", 0xb000_0000u64 + s.lifecycle.next),
            "element_id": sys_id,
            "element": element,
            "name": "incident",
            "value": text,
            "sys_created_by": user,
            "sys_created_on": created_on,
        });
        s.lifecycle.journal.push(entry);
    }

    /// Someone comments on work item `id` in Azure DevOps.
    pub fn add_work_item_comment(&self, id: u64, display_name: &str, text: &str, created: &str) {
        let mut s = self.state.lock().unwrap();
        s.lifecycle.next += 1;
        let comment = json!({
            "workItemId": id,
            "id": s.lifecycle.next,
            "version": 1,
            "text": text,
            "createdBy": { "displayName": display_name },
            "createdDate": created,
        });
        s.lifecycle.comments.push(comment);
    }

    /// Sets a field of a ServiceNow incident as someone at the instance would.
    pub fn set_servicenow_field(&self, sys_id: &str, field: &str, value: &str) {
        let mut s = self.state.lock().unwrap();
        if let Some(record) = s.sn.iter_mut().find(|r| r["sys_id"] == sys_id) {
            record[field] = Value::String(value.to_owned());
        }
    }

    /// Assigns a work item, as someone in Azure DevOps would.
    pub fn set_work_item_assignee(&self, id: u64, display_name: &str) {
        let mut s = self.state.lock().unwrap();
        if let Some(item) = s.ado.iter_mut().find(|w| w["id"].as_u64() == Some(id)) {
            item["fields"]["System.AssignedTo"] = json!({ "displayName": display_name });
        }
    }

    /// The instance's close_code choices (value, label).
    pub fn set_close_codes(&self, codes: &[(&str, &str)]) {
        self.state.lock().unwrap().lifecycle.close_codes = Some(
            codes
                .iter()
                .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
                .collect(),
        );
    }

    /// How the next note writes behave: `StoreThenHang` stores the note
    /// and never answers (a lost answer).
    pub fn set_note_mode(&self, mode: CreateMode) {
        self.state.lock().unwrap().lifecycle.note_mode = Some(mode);
    }

    /// Note writes being held right now.
    pub fn notes_hanging(&self) -> usize {
        self.state.lock().unwrap().lifecycle.hanging
    }
}
