//! A stateful fake of the three services Incident Bridge writes to, small
//! enough to read: it stores created records, answers the lookups our
//! clients make (ServiceNow `correlation_id`, Azure DevOps tag via WIQL,
//! Confluence title + content property), and can fail on purpose — scripted
//! statuses, a create that is stored but never answered, a create that is
//! held and dropped, or being down altogether. Like a customised instance
//! it can require fields, refusing a create without them in the service's
//! own words (a ServiceNow data policy, an Azure DevOps rule error).
//!
//! It counts records per idempotency key, so a test can say "exactly one".

mod confluence_files;
mod customisation;
mod lifecycle;
mod work_tracking;

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use warp::http::{Response, StatusCode};
use warp::hyper::body::Bytes;
use warp::Filter;

pub use confluence_files::FakeAttachment;
pub use customisation::{Customisation, Received};
pub use lifecycle::FakeWrite;

/// How the next create requests behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateMode {
    /// Store and answer.
    Normal,
    /// Store the record, then never answer (the client dies or times out
    /// waiting): "the server received it, the answer was lost".
    StoreThenHang,
    /// Hold the request without storing, then drop it: "it never arrived".
    HangThenDiscard,
    /// Store, then answer only after this long (for client timeouts).
    StoreThenDelay(Duration),
}

/// A scripted answer to the next create: status and optional Retry-After.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scripted {
    pub status: u16,
    pub retry_after: Option<u64>,
}

#[derive(Default)]
pub(crate) struct State {
    mode: Option<CreateMode>,
    script: VecDeque<Scripted>,
    /// Records per key: correlation id, tag, or document key.
    records: HashMap<String, usize>,
    create_requests: usize,
    hanging: usize,
    sn: Vec<Value>,
    ado: Vec<Value>,
    pages: Vec<Value>,
    next_id: u64,
    /// Down for maintenance: every request gets 503 (see [`FakeServices::set_down`]).
    down: bool,
    /// ServiceNow columns a data policy makes mandatory, with their labels.
    sn_mandatory: Vec<(String, String)>,
    /// Azure DevOps reference names a rule requires, with display names.
    ado_required: Vec<(String, String)>,
    /// Every write to Confluence, as "METHOD what page [name]", in order.
    writes: Vec<String>,
    files: confluence_files::Files,
    /// What a customised instance or project requires, and the records
    /// reference fields point at (see [`FakeServices::customise`]).
    custom: Customisation,
    /// Every request received, in order (no headers).
    received: Vec<Received>,
    /// ServiceNow `incident_task` and `problem_task` records.
    tasks: Vec<Value>,
    /// Creates still let through normally before `mode` applies.
    normal_creates_first: usize,
    lifecycle: lifecycle::Lifecycle,
}

pub struct FakeServices {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    server: Option<tokio::task::JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl FakeServices {
    /// Starts on a free loopback port, on its own runtime (usable from
    /// plain `#[test]`s and from async tests alike).
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(Mutex::new(State {
            next_id: 1000,
            ..State::default()
        }));
        let mut fake = Self {
            addr,
            state,
            server: None,
            runtime: Some(runtime),
        };
        fake.serve(listener);
        fake
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let state = self.state.clone();
        let routes = warp::any()
            .and(warp::method())
            .and(warp::path::full())
            .and(warp::query::raw().or(warp::any().map(String::new)).unify())
            .and(warp::header::headers_cloned())
            .and(warp::body::bytes())
            .and_then(
                move |method: warp::http::Method,
                      path: warp::path::FullPath,
                      query: String,
                      headers: warp::http::HeaderMap,
                      body: Bytes| {
                    let state = state.clone();
                    async move {
                        customisation::record(
                            &state,
                            method.as_str(),
                            path.as_str(),
                            &query,
                            &body,
                        );
                        let segments: Vec<&str> =
                            path.as_str().trim_matches('/').split('/').collect();
                        if let Some(answer) = lifecycle::handle(
                            &state,
                            method.as_str(),
                            &segments,
                            &query,
                            &headers,
                            &body,
                        )
                        .await
                        {
                            return Ok::<_, Infallible>(answer);
                        }
                        if let Some(answer) =
                            work_tracking::handle(&state, method.as_str(), &segments, &query, &body)
                                .await
                        {
                            return Ok::<_, Infallible>(answer);
                        }
                        if let Some(answer) =
                            customisation::handle(&state, method.as_str(), &segments, &query, &body)
                        {
                            return Ok::<_, Infallible>(answer);
                        }
                        if let Some(answer) = confluence_files::handle(
                            &state,
                            method.as_str(),
                            &segments,
                            &query,
                            &headers,
                            &body,
                        )
                        .await
                        {
                            return Ok::<_, Infallible>(answer);
                        }
                        Ok::<_, Infallible>(
                            handle(state, method.as_str(), path.as_str(), &query, &body).await,
                        )
                    }
                },
            );
        let runtime = self.runtime.as_ref().expect("runtime");
        self.server = Some(runtime.spawn(warp::serve(routes).incoming(listener).run()));
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops answering: connections are refused until [`Self::restart`].
    pub fn stop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
            let runtime = self.runtime.as_ref().expect("runtime");
            let _ = runtime.block_on(server);
        }
    }

    /// Listens again on the same port, with the same records.
    pub fn restart(&mut self) {
        let runtime = self.runtime.as_ref().expect("runtime");
        let mut listener = None;
        for _ in 0..50 {
            match runtime.block_on(tokio::net::TcpListener::bind(self.addr)) {
                Ok(l) => {
                    listener = Some(l);
                    break;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        self.serve(listener.expect("the port is free again"));
    }

    /// Answers every request with 503 Service Unavailable while `down`.
    /// Unlike [`Self::stop`], this also holds for clients that keep a
    /// connection open (the desktop app's pooled connections).
    pub fn set_down(&self, down: bool) {
        self.state.lock().unwrap().down = down;
    }

    pub fn set_create_mode(&self, mode: CreateMode) {
        self.state.lock().unwrap().mode = Some(mode);
    }

    /// Answers the next creates with these statuses, in order, then normally.
    pub fn script_creates(&self, answers: &[Scripted]) {
        self.state.lock().unwrap().script = answers.iter().copied().collect();
    }

    /// Makes ServiceNow refuse an incident without `column`, as a data
    /// policy does: 403 naming the field by `label`.
    pub fn require_servicenow_field(&self, column: &str, label: &str) {
        let mut s = self.state.lock().unwrap();
        s.sn_mandatory.push((column.to_owned(), label.to_owned()));
    }

    /// Makes Azure DevOps refuse a work item without `reference`, as a
    /// Required rule does: 400 TF401320 naming the field by `display`.
    pub fn require_work_item_field(&self, reference: &str, display: &str) {
        let mut s = self.state.lock().unwrap();
        s.ado_required
            .push((reference.to_owned(), display.to_owned()));
    }

    /// Serves this customisation's metadata and refuses creates that
    /// break it, as a customised instance or project does.
    pub fn customise(&self, custom: Customisation) {
        self.state.lock().unwrap().custom = custom;
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// How many records exist for `key` (incident id, or document id).
    pub fn records(&self, key: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .records
            .get(key)
            .copied()
            .unwrap_or(0)
    }

    pub fn create_requests(&self) -> usize {
        self.state.lock().unwrap().create_requests
    }

    /// Creates being held right now (StoreThenHang / HangThenDiscard).
    pub fn hanging(&self) -> usize {
        let s = self.state.lock().unwrap();
        s.hanging + s.lifecycle.hanging
    }

    /// Waits (up to `limit`) until a create is being held.
    pub fn wait_for_hang(&self, limit: Duration) -> bool {
        let until = std::time::Instant::now() + limit;
        while std::time::Instant::now() < until {
            if self.hanging() > 0 {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// The stored ServiceNow incidents, work items and pages.
    pub fn servicenow_incidents(&self) -> Vec<Value> {
        self.state.lock().unwrap().sn.clone()
    }

    pub fn work_items(&self) -> Vec<Value> {
        self.state.lock().unwrap().ado.clone()
    }

    pub fn pages(&self) -> Vec<Value> {
        self.state.lock().unwrap().pages.clone()
    }

    /// The attachments of every page.
    pub fn attachments(&self) -> Vec<FakeAttachment> {
        self.state.lock().unwrap().files.attachments.clone()
    }

    /// The labels of `page_id`, in the order they were added.
    pub fn labels(&self, page_id: &str) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .files
            .labels
            .iter()
            .filter(|(p, _)| p == page_id)
            .map(|(_, n)| n.clone())
            .collect()
    }

    /// Every write Confluence received: `POST page`, `PUT page ID`,
    /// `POST attachment ID NAME`, `POST attachment-data ID NAME`,
    /// `POST label ID A,B`, `DELETE label ID NAME`.
    pub fn confluence_writes(&self) -> Vec<String> {
        self.state.lock().unwrap().writes.clone()
    }

    /// How the next attachment uploads behave.
    pub fn set_upload_mode(&self, mode: CreateMode) {
        self.state.lock().unwrap().files.upload_mode = Some(mode);
    }
}

impl Drop for FakeServices {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

pub(crate) fn respond(status: u16, body: Value) -> Response<String> {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json")
        .body(body.to_string())
        .expect("response")
}

/// ServiceNow encoded-query semantics, as far as our clients use them:
/// `^` separates conditions and `^^` is a literal caret inside a value;
/// `^OR` joins a condition to the one before it with OR; `ORDERBY…` sorts
/// (ignored here); a condition is `fieldLIKEtext` (contains, ignoring case)
/// or `field=value`. A value starting with `javascript:` would be run as a
/// script by a real instance: the fake answers that with a 400 instead.
pub(crate) fn encoded_query_matches(record: &Value, query: &str) -> bool {
    let mut parts = vec![String::new()];
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '^' if chars.peek() == Some(&'^') => {
                chars.next();
                parts.last_mut().expect("one part").push('^');
            }
            '^' => parts.push(String::new()),
            c => parts.last_mut().expect("one part").push(c),
        }
    }
    let field = |name: &str| record[name].as_str().unwrap_or_default().to_owned();
    let condition = |cond: &str| -> bool {
        if let Some((name, text)) = cond.split_once("LIKE") {
            field(name).to_lowercase().contains(&text.to_lowercase())
        } else if let Some((name, value)) = cond.split_once('=') {
            field(name) == value
        } else {
            false
        }
    };
    let mut all = true;
    let mut group: Option<bool> = None;
    for part in parts
        .iter()
        .filter(|p| !p.is_empty() && !p.starts_with("ORDERBY"))
    {
        match (part.strip_prefix("OR"), group) {
            (Some(rest), Some(g)) => group = Some(g || condition(rest)),
            (_, previous) => {
                all &= previous.unwrap_or(true);
                group = Some(condition(part));
            }
        }
    }
    all && group.unwrap_or(true)
}

fn script_in_query(query: &str) -> bool {
    let lower = query.to_ascii_lowercase();
    lower.contains("likejavascript:") || lower.contains("=javascript:")
}

/// `sysparm_display_value=true`: choice fields answer with their labels.
fn wants_labels(query: &str) -> bool {
    query_param(query, "sysparm_display_value").as_deref() == Some("true")
}

/// Priority as an instance derives it from urgency x impact (the default
/// priority lookup rules).
fn sn_priority(urgency: &str, impact: &str) -> &'static str {
    match (urgency, impact) {
        ("1", "1") => "1",
        ("1", "2") | ("2", "1") => "2",
        ("2", "2") | ("1", "3") | ("3", "1") => "3",
        ("2", "3") | ("3", "2") => "4",
        _ => "5",
    }
}

/// A stored incident as the Table API answers it: stored values, or with
/// `labels` the out-of-the-box choice labels.
fn sn_answer(record: &Value, labels: bool) -> Value {
    if !labels {
        return record.clone();
    }
    let label = |field: &str, value: &str| -> String {
        let text = match (field, value) {
            ("state", "1") => "New",
            ("state", "2") => "In Progress",
            ("state", "3") => "On Hold",
            ("state", "6") => "Resolved",
            ("state", "7") => "Closed",
            ("state", "8") => "Canceled",
            ("priority", "1") => "1 - Critical",
            ("priority", "2") => "2 - High",
            ("priority", "3") => "3 - Moderate",
            ("priority", "4") => "4 - Low",
            ("priority", "5") => "5 - Planning",
            ("urgency" | "impact", "1") => "1 - High",
            ("urgency" | "impact", "2") => "2 - Medium",
            ("urgency" | "impact", "3") => "3 - Low",
            _ => value,
        };
        text.to_owned()
    };
    let mut answer = record.clone();
    if let Some(fields) = answer.as_object_mut() {
        for field in ["state", "priority", "urgency", "impact"] {
            if let Some(value) = fields.get(field).and_then(Value::as_str).map(str::to_owned) {
                fields.insert(field.to_owned(), Value::String(label(field, &value)));
            }
        }
    }
    answer
}

pub(crate) fn query_param(query: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The value of `field = "..."` / `field = '...'` / `field=...` in a query text.
fn quoted_after(text: &str, marker: &str) -> Option<String> {
    let start = text.find(marker)? + marker.len();
    let rest = text[start..].trim_start();
    let quote = rest.chars().next()?;
    if quote == '"' || quote == '\'' {
        let inner = &rest[1..];
        let mut out = String::new();
        let mut chars = inner.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if quote == '"' => {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                }
                c if c == quote => {
                    if quote == '\'' && chars.peek() == Some(&'\'') {
                        chars.next();
                        out.push('\'');
                    } else {
                        return Some(out);
                    }
                }
                c => out.push(c),
            }
        }
        None
    } else {
        Some(rest.split('^').next().unwrap_or(rest).to_owned())
    }
}

/// ServiceNow's answer to an incident missing a mandatory field.
fn data_policy_refusal(state: &Arc<Mutex<State>>, body: &Value) -> Option<Response<String>> {
    let s = state.lock().unwrap();
    let missing: Vec<&str> = s
        .sn_mandatory
        .iter()
        .filter(|(column, _)| {
            body[column.as_str()]
                .as_str()
                .unwrap_or_default()
                .is_empty()
        })
        .map(|(_, label)| label.as_str())
        .collect();
    (!missing.is_empty()).then(|| {
        let detail = format!(
            "Data Policy Exception: \n The following fields are mandatory: {}",
            missing.join(", ")
        );
        respond(
            403,
            json!({ "error": { "message": "Operation Failed", "detail": detail }, "status": "failure" }),
        )
    })
}

/// Azure DevOps's answer to a work item missing a required field: it
/// names the first one.
fn rule_refusal(state: &Arc<Mutex<State>>, body: &Value) -> Option<Response<String>> {
    let s = state.lock().unwrap();
    let ops = body.as_array().cloned().unwrap_or_default();
    let (_, display) = s.ado_required.iter().find(|(reference, _)| {
        !ops.iter().any(|o| {
            o["path"] == format!("/fields/{reference}")
                && !o["value"].as_str().is_some_and(str::is_empty)
                && !o["value"].is_null()
        })
    })?;
    Some(respond(
        400,
        json!({
            "$id": "1",
            "innerException": null,
            "message": format!("TF401320: Rule Error for field {display}. Error code: Required, HasValues, LimitedToValues, AllowsOldValue, InvalidEmpty."),
            "typeName": "Microsoft.TeamFoundation.WorkItemTracking.Server.RuleValidationException, Microsoft.TeamFoundation.WorkItemTracking.Server",
            "typeKey": "RuleValidationException",
            "errorCode": 600171,
            "eventId": 3200
        }),
    ))
}

/// Decides how a create goes; returns an early answer, or `None` to store.
pub(crate) async fn create_gate(
    state: &Arc<Mutex<State>>,
) -> Result<Option<Duration>, Response<String>> {
    let (scripted, mode) = {
        let mut s = state.lock().unwrap();
        s.create_requests += 1;
        let mode = if s.normal_creates_first > 0 {
            s.normal_creates_first -= 1;
            CreateMode::Normal
        } else {
            s.mode.unwrap_or(CreateMode::Normal)
        };
        (s.script.pop_front(), mode)
    };
    if let Some(answer) = scripted {
        let mut response = respond(
            answer.status,
            json!({ "error": { "message": format!("scripted {}", answer.status) } }),
        );
        if let Some(after) = answer.retry_after {
            response
                .headers_mut()
                .insert("retry-after", after.to_string().parse().expect("header"));
        }
        return Err(response);
    }
    match mode {
        CreateMode::Normal => Ok(None),
        CreateMode::StoreThenDelay(d) => Ok(Some(d)),
        CreateMode::StoreThenHang => Ok(Some(Duration::MAX)),
        CreateMode::HangThenDiscard => {
            state.lock().unwrap().hanging += 1;
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Err(respond(503, json!({})))
        }
    }
}

pub(crate) async fn after_store(state: &Arc<Mutex<State>>, delay: Option<Duration>) {
    match delay {
        Some(d) if d == Duration::MAX => {
            state.lock().unwrap().hanging += 1;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Some(d) => tokio::time::sleep(d).await,
        None => {}
    }
}

async fn handle(
    state: Arc<Mutex<State>>,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
) -> Response<String> {
    if state.lock().unwrap().down {
        return respond(
            503,
            json!({ "error": { "message": "Service Unavailable" } }),
        );
    }
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method, segments.as_slice()) {
        // ServiceNow Table API
        ("GET", ["api", "now", "table", "incident"]) => {
            let q = query_param(query, "sysparm_query").unwrap_or_default();
            if script_in_query(&q) {
                return respond(
                    400,
                    json!({ "error": { "message": "the fake refuses script values in queries" } }),
                );
            }
            let labels = wants_labels(query);
            let s = state.lock().unwrap();
            let hits: Vec<Value> =
                s.sn.iter()
                    .filter(|r| encoded_query_matches(r, &q))
                    .map(|r| sn_answer(r, labels))
                    .collect();
            respond(200, json!({ "result": hits }))
        }
        ("GET", ["api", "now", "table", "incident", sys_id]) => {
            let s = state.lock().unwrap();
            match s.sn.iter().find(|r| r["sys_id"] == *sys_id) {
                Some(r) => respond(200, json!({ "result": sn_answer(r, wants_labels(query)) })),
                None => respond(404, json!({ "error": { "message": "No Record found" } })),
            }
        }
        ("POST", ["api", "now", "table", "incident"]) => {
            let delay = match create_gate(&state).await {
                Ok(d) => d,
                Err(r) => return r,
            };
            if let Some(refusal) = data_policy_refusal(&state, &body) {
                return refusal;
            }
            if let Some(refusal) = customisation::servicenow_refusal(&state, &body) {
                return refusal;
            }
            let record = {
                let mut s = state.lock().unwrap();
                s.next_id += 1;
                let correlation = body["correlation_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let record = json!({
                    "sys_id": format!("{:032x}", s.next_id),
                    "number": format!("INC{:07}", s.next_id),
                    "short_description": body["short_description"],
                    "correlation_id": correlation,
                    "state": "1",
                    "urgency": body["urgency"].as_str().unwrap_or("3"),
                    "impact": body["impact"].as_str().unwrap_or("3"),
                    "priority": sn_priority(
                        body["urgency"].as_str().unwrap_or("3"),
                        body["impact"].as_str().unwrap_or("3"),
                    ),
                });
                *s.records.entry(correlation).or_default() += 1;
                s.sn.push(record.clone());
                record
            };
            after_store(&state, delay).await;
            respond(
                201,
                json!({ "result": sn_answer(&record, wants_labels(query)) }),
            )
        }
        ("GET", ["api", "now", "table", "sys_user"]) => respond(
            200,
            json!({ "result": [{ "user_name": "svc.bridge", "name": "Bridge Service" }] }),
        ),
        // Azure DevOps Work Item Tracking
        ("POST", [_org, _project, "_apis", "wit", "wiql"]) => {
            let text = body["query"].as_str().unwrap_or_default();
            let tag = quoted_after(text, "[System.Tags] CONTAINS").unwrap_or_default();
            let s = state.lock().unwrap();
            let ids: Vec<Value> = s
                .ado
                .iter()
                .filter(|w| w["tag"] == tag.as_str())
                .map(|w| json!({ "id": w["id"] }))
                .collect();
            respond(200, json!({ "workItems": ids }))
        }
        ("GET", [_org, _project, "_apis", "wit", "workitems", id]) => {
            let s = state.lock().unwrap();
            match s
                .ado
                .iter()
                .find(|w| id.parse::<u64>().ok() == w["id"].as_u64())
            {
                Some(w) => respond(200, work_item_json(w)),
                None => respond(
                    404,
                    json!({ "message": "TF401232: Work item does not exist" }),
                ),
            }
        }
        ("POST", [_org, _project, "_apis", "wit", "workitems", kind]) if kind.starts_with('$') => {
            let delay = match create_gate(&state).await {
                Ok(d) => d,
                Err(r) => return r,
            };
            if let Some(refusal) = rule_refusal(&state, &body) {
                return refusal;
            }
            if let Some(refusal) = customisation::work_item_refusal(&state, kind, &body) {
                return refusal;
            }
            let item = {
                let mut s = state.lock().unwrap();
                let patch = match work_tracking::work_item_patch(&s, &body) {
                    Ok(patch) => patch,
                    Err(refusal) => return *refusal,
                };
                s.next_id += 1;
                let ops = body.as_array().cloned().unwrap_or_default();
                let field = |name: &str| {
                    ops.iter()
                        .find(|o| o["path"] == format!("/fields/{name}"))
                        .map(|o| o["value"].clone())
                        .unwrap_or(Value::Null)
                };
                let tags = field("System.Tags").as_str().unwrap_or_default().to_owned();
                let tag = tags
                    .split(';')
                    .map(str::trim)
                    .find(|t| t.starts_with("ibridge-"))
                    .unwrap_or_default()
                    .to_owned();
                let key = tag.trim_start_matches("ibridge-").to_owned();
                let item = json!({
                    "id": s.next_id,
                    "title": field("System.Title"),
                    "tag": tag,
                    "type": kind.trim_start_matches('$'),
                    "fields": patch.fields,
                    "relations": patch.relations,
                });
                *s.records.entry(key).or_default() += 1;
                s.ado.push(item.clone());
                item
            };
            after_store(&state, delay).await;
            respond(200, work_item_json(&item))
        }
        // For the desktop end-to-end test: what was attached, to which page.
        ("GET", ["__fake", "attachments"]) => {
            let s = state.lock().unwrap();
            let list: Vec<Value> = s
                .files
                .attachments
                .iter()
                .map(|a| json!({ "page": a.page_id, "name": a.file_name, "version": a.version, "size": a.bytes.len(), "hex": hex_of(&a.bytes) }))
                .collect();
            respond(200, json!(list))
        }
        // Confluence REST v1
        ("GET", ["wiki", "rest", "api", "user", "current"]) => respond(
            200,
            json!({ "displayName": "Ana", "email": "ana@fake.example" }),
        ),
        ("GET", ["wiki", "rest", "api", "space"]) => respond(
            200,
            json!({ "results": [{ "key": "OPS", "name": "Operations" }, { "key": "SRE", "name": "SRE" }], "_links": { "base": "https://fake.atlassian.net/wiki" } }),
        ),
        ("GET", ["wiki", "rest", "api", "content", "search"]) => {
            let cql = query_param(query, "cql").unwrap_or_default();
            let title = quoted_after(&cql, "title =");
            let space = quoted_after(&cql, "space =");
            let with_key = expands_bridge_property(query);
            let s = state.lock().unwrap();
            let hits: Vec<Value> = s
                .pages
                .iter()
                .filter(|p| {
                    title.as_deref().is_none_or(|t| p["title"] == t)
                        && space.as_deref().is_none_or(|k| p["space"] == k)
                })
                .map(|p| page_json(p, with_key))
                .collect();
            respond(
                200,
                json!({ "results": hits, "_links": { "base": "https://fake.atlassian.net/wiki" } }),
            )
        }
        ("GET", ["wiki", "rest", "api", "content", id]) => {
            let s = state.lock().unwrap();
            match s.pages.iter().find(|p| p["id"] == *id) {
                Some(p) => respond(200, page_json(p, expands_bridge_property(query))),
                None => respond(404, json!({ "message": "No content found" })),
            }
        }
        ("POST", ["wiki", "rest", "api", "content"]) => {
            let title = body["title"].clone();
            let space = body["space"]["key"].clone();
            let duplicate = {
                let mut s = state.lock().unwrap();
                let duplicate = s
                    .pages
                    .iter()
                    .any(|p| p["title"] == title && p["space"] == space);
                // A refused create is still a create request that arrived.
                if duplicate {
                    s.create_requests += 1;
                }
                duplicate
            };
            if duplicate {
                return respond(
                    400,
                    json!({ "statusCode": 400, "message": "A page with this title already exists: A page already exists with the same TITLE in this space" }),
                );
            }
            let delay = match create_gate(&state).await {
                Ok(d) => d,
                Err(r) => return r,
            };
            let page = {
                let mut s = state.lock().unwrap();
                s.next_id += 1;
                let key = body
                    .pointer("/metadata/properties/incident-bridge/value/key")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let page = json!({ "id": s.next_id.to_string(), "title": title, "space": space, "version": 1, "key": key, "storage": body["body"]["storage"]["value"], "minor_edit": false });
                *s.records.entry(key).or_default() += 1;
                s.writes.push("POST page".into());
                s.pages.push(page.clone());
                page
            };
            after_store(&state, delay).await;
            // Confluence answers a create with the content it stored; the
            // property comes back only when asked for with `expand`.
            respond(200, page_json(&page, expands_bridge_property(query)))
        }
        ("PUT", ["wiki", "rest", "api", "content", id]) => {
            let mut s = state.lock().unwrap();
            let Some(page) = s.pages.iter_mut().find(|p| p["id"] == *id) else {
                return respond(404, json!({ "message": "No content found" }));
            };
            let current = page["version"].as_i64().unwrap_or(1);
            if body["version"]["number"].as_i64() != Some(current + 1) {
                return respond(
                    409,
                    json!({ "message": format!("Version must be incremented on update. Current Version is: {current}") }),
                );
            }
            page["version"] = json!(current + 1);
            page["title"] = body["title"].clone();
            page["storage"] = body["body"]["storage"]["value"].clone();
            page["minor_edit"] = json!(body["version"]["minorEdit"].as_bool().unwrap_or(false));
            let answer = page_json(page, false);
            s.writes.push(format!("PUT page {id}"));
            respond(200, answer)
        }
        _ => respond(
            404,
            json!({ "message": format!("the fake does not serve {method} {path}") }),
        ),
    }
}

/// Stored bytes as lowercase hex, so a test can compare exactly what it sent.
fn hex_of(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub(crate) fn work_item_json(w: &Value) -> Value {
    let mut fields = w["fields"].as_object().cloned().unwrap_or_default();
    fields.insert("System.Title".into(), w["title"].clone());
    fields.insert(
        "System.State".into(),
        json!(w["state"].as_str().unwrap_or("New")),
    );
    if !fields.contains_key("System.Tags") {
        fields.insert(
            "System.Tags".into(),
            json!(format!(
                "Incident Bridge; {}",
                w["tag"].as_str().unwrap_or_default()
            )),
        );
    }
    if let Some(kind) = w["type"].as_str() {
        fields.insert("System.WorkItemType".into(), json!(kind));
    }
    let mut item = json!({
        "id": w["id"],
        "rev": 1,
        "fields": fields,
        "_links": { "html": { "href": format!("https://dev.azure.com/fake/web/wi.aspx?id={}", w["id"]) } }
    });
    if w["relations"].as_array().is_some_and(|r| !r.is_empty()) {
        item["relations"] = w["relations"].clone();
    }
    item
}

/// Whether the request asks for the `incident-bridge` content property
/// (`expand=…,metadata.properties.incident-bridge`); like Confluence, the
/// fake leaves properties out of content it was not asked to expand.
fn expands_bridge_property(query: &str) -> bool {
    query_param(query, "expand").is_some_and(|expand| {
        expand
            .split(',')
            .any(|e| e.trim() == "metadata.properties.incident-bridge")
    })
}

fn page_json(p: &Value, with_key: bool) -> Value {
    let mut page = json!({
        "id": p["id"],
        "type": "page",
        "title": p["title"],
        "space": { "key": p["space"] },
        "version": { "number": p["version"] },
        "_links": { "base": "https://fake.atlassian.net/wiki", "webui": format!("/spaces/{}/pages/{}", p["space"].as_str().unwrap_or_default(), p["id"].as_str().unwrap_or_default()) }
    });
    if with_key {
        page["metadata"] = json!({ "properties": { "incident-bridge": { "key": "incident-bridge", "value": { "key": p["key"] } } } });
    }
    page
}
