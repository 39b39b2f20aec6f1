//! What a customised ServiceNow instance or Azure DevOps project requires,
//! served as the metadata the real services publish and enforced on
//! creates as they enforce it:
//!
//! - ServiceNow: `sys_dictionary` rows of the incident and task tables
//!   (mandatory, reference table, choice list, default value), `sys_choice`
//!   rows for choice columns, and the records reference columns point at
//!   (`sys_user`, `sys_user_group`, `cmdb_ci`, … looked up by name);
//! - Azure DevOps: `_apis/wit/workitemtypes/{type}/fields?$expand=all`
//!   (`alwaysRequired`, `allowedValues`, `defaultValue`) and the identity
//!   picker (`_apis/IdentityPicker/Identities`).
//!
//! A create that lacks a mandatory field, or sets a value outside a
//! restricted list, is refused in the service's words.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use warp::http::Response;

use crate::{query_param, respond, State};

/// One request as received: method, path, raw query and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: String,
}

/// A ServiceNow incident column as the dictionary describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnColumn {
    pub element: String,
    pub label: String,
    pub mandatory: bool,
    /// The table a reference column points at.
    pub reference: Option<String>,
    /// Allowed values for a choice column (value, label); empty: free text.
    pub choices: Vec<(String, String)>,
    pub default_value: String,
}

/// An Azure DevOps field of a work item type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoField {
    pub reference: String,
    pub name: String,
    pub always_required: bool,
    pub allowed_values: Vec<String>,
    pub default_value: Option<String>,
    pub is_identity: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Customisation {
    pub sn_columns: Vec<SnColumn>,
    /// Records reference columns point at: (table, sys_id, name).
    pub sn_records: Vec<(String, String, String)>,
    /// Fields of every work item type.
    pub ado_fields: Vec<AdoField>,
    /// People the identity picker knows: (display name, sign-in address).
    pub identities: Vec<(String, String)>,
}

fn column(element: &str, label: &str) -> SnColumn {
    SnColumn {
        element: element.into(),
        label: label.into(),
        mandatory: false,
        reference: None,
        choices: Vec::new(),
        default_value: String::new(),
    }
}

fn choices(values: &[(&str, &str)]) -> Vec<(String, String)> {
    values
        .iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .collect()
}

fn field(reference: &str, name: &str) -> AdoField {
    AdoField {
        reference: reference.into(),
        name: name.into(),
        always_required: false,
        allowed_values: Vec::new(),
        default_value: None,
        is_identity: false,
    }
}

impl Customisation {
    /// What an instance and a project look like out of the box, as far as
    /// filing touches them: nothing beyond the title is required.
    pub fn out_of_the_box() -> Self {
        let urgency = choices(&[("1", "1 - High"), ("2", "2 - Medium"), ("3", "3 - Low")]);
        let mut short = column("short_description", "Short description");
        short.mandatory = true;
        let mut urgency_col = column("urgency", "Urgency");
        urgency_col.choices = urgency.clone();
        let mut impact = column("impact", "Impact");
        impact.choices = urgency;
        let mut caller = column("caller_id", "Caller");
        caller.reference = Some("sys_user".into());
        let mut group = column("assignment_group", "Assignment group");
        group.reference = Some("sys_user_group".into());
        let mut ci = column("cmdb_ci", "Configuration item");
        ci.reference = Some("cmdb_ci".into());
        let mut category = column("category", "Category");
        category.choices = choices(&[
            ("inquiry", "Inquiry / Help"),
            ("software", "Software"),
            ("hardware", "Hardware"),
            ("network", "Network"),
            ("database", "Database"),
        ]);
        let mut number = column("number", "Number");
        number.mandatory = true;
        number.default_value = "javascript:getNextObjNumberPadded();".into();
        let mut title = field("System.Title", "Title");
        title.always_required = true;
        let mut state = field("System.State", "State");
        state.always_required = true;
        state.allowed_values = vec![
            "New".into(),
            "Active".into(),
            "Resolved".into(),
            "Closed".into(),
        ];
        state.default_value = Some("New".into());
        let mut severity = field("Microsoft.VSTS.Common.Severity", "Severity");
        severity.allowed_values = vec![
            "1 - Critical".into(),
            "2 - High".into(),
            "3 - Medium".into(),
            "4 - Low".into(),
        ];
        severity.default_value = Some("3 - Medium".into());
        let mut assigned = field("System.AssignedTo", "Assigned To");
        assigned.is_identity = true;
        Self {
            sn_columns: vec![
                short,
                number,
                column("description", "Description"),
                urgency_col,
                impact,
                caller,
                group,
                ci,
                category,
                column("subcategory", "Subcategory"),
                column("contact_type", "Channel"),
            ],
            sn_records: Vec::new(),
            ado_fields: vec![
                title,
                state,
                field("System.Description", "Description"),
                field("System.AreaPath", "Area Path"),
                field("System.IterationPath", "Iteration Path"),
                field("System.Tags", "Tags"),
                assigned,
                severity,
                field("Microsoft.VSTS.Common.Priority", "Priority"),
                field("Microsoft.VSTS.Scheduling.DueDate", "Due Date"),
            ],
            identities: Vec::new(),
        }
    }

    /// A customised instance and project: ServiceNow requires an
    /// assignment group and a category from a shortened list; Azure DevOps
    /// requires a custom "Service Area" from a fixed list. Two groups and
    /// two people share a name, for ambiguous lookups.
    pub fn customised() -> Self {
        let mut custom = Self::out_of_the_box();
        for c in &mut custom.sn_columns {
            if c.element == "assignment_group" {
                c.mandatory = true;
            }
            if c.element == "category" {
                c.choices = choices(&[
                    ("software", "Software"),
                    ("network", "Network"),
                    ("database", "Database"),
                ]);
            }
        }
        custom.sn_records = [
            ("sys_user_group", "Service Desk"),
            ("sys_user_group", "Payments SRE"),
            ("sys_user_group", "Database"),
            ("sys_user_group", "Database"),
            ("sys_user", "Ana Lima"),
            ("sys_user", "Sam Park"),
            ("sys_user", "Sam Park"),
            ("cmdb_ci", "checkout-api"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (table, name))| {
            (
                (*table).to_owned(),
                format!("{:032x}", 0xa000 + i),
                (*name).to_owned(),
            )
        })
        .collect();
        let mut area = field("Custom.ServiceArea", "Service Area");
        area.always_required = true;
        area.allowed_values = vec!["Checkout".into(), "Payments".into(), "Search".into()];
        custom.ado_fields.push(area);
        custom.identities = vec![
            ("Ana Lima".into(), "ana@fake.example".into()),
            ("Sam Park".into(), "sam.park@fake.example".into()),
            ("Sam Park".into(), "sam.p@fake.example".into()),
        ];
        custom
    }
}

pub(crate) fn record(
    state: &Arc<Mutex<State>>,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
) {
    state.lock().unwrap().received.push(Received {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        body: String::from_utf8_lossy(body).into_owned(),
    });
}

/// The value of `name=` in an encoded query, up to the next `^`.
fn condition(query: &str, name: &str) -> Option<String> {
    query
        .split('^')
        .flat_map(|part| part.strip_prefix("OR").into_iter().chain([part]))
        .find_map(|part| part.strip_prefix(&format!("{name}=")))
        .map(|v| v.replace("^^", "^"))
}

/// `sysparm_display_value=all` shape: value and display value.
fn both(value: &str, display: &str) -> Value {
    json!({ "value": value, "display_value": display })
}

/// The metadata and lookup endpoints; `None` for anything else.
pub(crate) fn handle(
    state: &Arc<Mutex<State>>,
    method: &str,
    segments: &[&str],
    query: &str,
    body: &[u8],
) -> Option<Response<String>> {
    let custom = state.lock().unwrap().custom.clone();
    let custom = if custom == Customisation::default() {
        Customisation::out_of_the_box()
    } else {
        custom
    };
    match (method, segments) {
        // For the desktop end-to-end test: every request received so far.
        ("GET", ["__fake", "received"]) => {
            let list: Vec<Value> = state
                .lock()
                .unwrap()
                .received
                .iter()
                .map(|r| json!({ "method": r.method, "path": r.path, "query": r.query, "body": r.body }))
                .collect();
            Some(respond(200, json!(list)))
        }
        ("GET", ["api", "now", "table", "sys_dictionary"]) => {
            let rows: Vec<Value> = custom
                .sn_columns
                .iter()
                .map(|c| {
                    json!({
                        "name": both("incident", "incident"),
                        "element": both(&c.element, &c.element),
                        "column_label": both(&c.label, &c.label),
                        "mandatory": both(if c.mandatory { "true" } else { "false" }, if c.mandatory { "true" } else { "false" }),
                        "internal_type": both(if c.reference.is_some() { "reference" } else { "string" }, "x"),
                        "reference": match &c.reference {
                            Some(t) => both(&format!("{:032x}", t.len()), t),
                            None => both("", ""),
                        },
                        "choice": both(if c.choices.is_empty() { "0" } else { "3" }, "x"),
                        "default_value": both(&c.default_value, &c.default_value),
                    })
                })
                .collect();
            Some(respond(200, json!({ "result": rows })))
        }
        ("GET", ["api", "now", "table", "sys_choice"]) => {
            let rows: Vec<Value> = custom
                .sn_columns
                .iter()
                .flat_map(|c| {
                    c.choices.iter().map(move |(value, label)| {
                        json!({ "name": "incident", "element": c.element, "value": value, "label": label, "inactive": "false" })
                    })
                })
                .collect();
            Some(respond(200, json!({ "result": rows })))
        }
        ("GET", ["api", "now", "table", table])
            if *table != "incident"
                && (*table != "sys_user" || query.contains("sysparm_query=name")) =>
        {
            let q = query_param(query, "sysparm_query").unwrap_or_default();
            let wanted = condition(&q, "name").unwrap_or_default();
            let hits: Vec<Value> = custom
                .sn_records
                .iter()
                .filter(|(t, _, name)| t == table && *name == wanted)
                .map(|(_, sys_id, name)| json!({ "sys_id": sys_id, "name": name }))
                .collect();
            Some(respond(200, json!({ "result": hits })))
        }
        ("GET", [_org, _project, "_apis", "wit", "workitemtypes", _kind, "fields"]) => {
            let fields: Vec<Value> = custom
                .ado_fields
                .iter()
                .map(|f| {
                    json!({
                        "referenceName": f.reference,
                        "name": f.name,
                        "alwaysRequired": f.always_required,
                        "allowedValues": f.allowed_values,
                        "defaultValue": f.default_value,
                        "isIdentity": f.is_identity,
                        "url": format!("https://fake/_apis/wit/fields/{}", f.reference),
                    })
                })
                .collect();
            Some(respond(
                200,
                json!({ "count": fields.len(), "value": fields }),
            ))
        }
        ("POST", [_org, "_apis", "IdentityPicker", "Identities"]) => {
            let request: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let wanted = request["query"].as_str().unwrap_or_default().to_owned();
            let identities: Vec<Value> = custom
                .identities
                .iter()
                .filter(|(name, address)| {
                    name.eq_ignore_ascii_case(&wanted) || address.eq_ignore_ascii_case(&wanted)
                })
                .map(|(name, address)| {
                    json!({ "entityType": "User", "displayName": name, "signInAddress": address, "mail": address })
                })
                .collect();
            Some(respond(
                200,
                json!({ "results": [{ "queryToken": wanted, "identities": identities }] }),
            ))
        }
        _ => None,
    }
}

/// A customised instance's answer to an incident create that breaks its
/// dictionary: a missing mandatory column, or a value not in a choice list.
pub(crate) fn servicenow_refusal(
    state: &Arc<Mutex<State>>,
    body: &Value,
) -> Option<Response<String>> {
    let custom = state.lock().unwrap().custom.clone();
    for c in &custom.sn_columns {
        let value = body[c.element.as_str()].as_str().unwrap_or_default();
        if c.mandatory && c.default_value.is_empty() && value.is_empty() {
            return Some(respond(
                403,
                json!({ "error": { "message": "Operation Failed", "detail": format!("Data Policy Exception: \n The following fields are mandatory: {}", c.label) }, "status": "failure" }),
            ));
        }
        if !value.is_empty() && !c.choices.is_empty() && !c.choices.iter().any(|(v, _)| v == value)
        {
            return Some(respond(
                403,
                json!({ "error": { "message": "Operation Failed", "detail": format!("Data Policy Exception: \n {}: '{value}' is not a valid choice", c.label) }, "status": "failure" }),
            ));
        }
        if let (Some(table), false) = (&c.reference, value.is_empty()) {
            if !custom
                .sn_records
                .iter()
                .any(|(t, id, _)| t == table && id == value)
            {
                return Some(respond(
                    403,
                    json!({ "error": { "message": "Operation Failed", "detail": format!("Data Policy Exception: \n {}: no {table} record '{value}'", c.label) }, "status": "failure" }),
                ));
            }
        }
    }
    None
}

/// A customised project's answer to a work item create that breaks its
/// rules (TF401320), naming the field as the service does.
pub(crate) fn work_item_refusal(
    state: &Arc<Mutex<State>>,
    _kind: &str,
    body: &Value,
) -> Option<Response<String>> {
    let custom = state.lock().unwrap().custom.clone();
    let ops = body.as_array().cloned().unwrap_or_default();
    let value_of = |reference: &str| {
        ops.iter()
            .find(|o| o["path"] == format!("/fields/{reference}"))
            .map(|o| match &o["value"] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            })
    };
    for f in &custom.ado_fields {
        let value = value_of(&f.reference).unwrap_or_default();
        let missing = f.always_required && f.default_value.is_none() && value.is_empty();
        let outside =
            !value.is_empty() && !f.allowed_values.is_empty() && !f.allowed_values.contains(&value);
        let unknown_identity = f.is_identity
            && !value.is_empty()
            && !custom
                .identities
                .iter()
                .any(|(name, address)| value == format!("{name} <{address}>"));
        if missing || outside || unknown_identity {
            let code = if missing {
                "InvalidEmpty"
            } else {
                "HasValues, LimitedToValues"
            };
            return Some(respond(
                400,
                json!({
                    "$id": "1",
                    "innerException": null,
                    "message": format!("TF401320: Rule Error for field {}. Error code: Required, {code}.", f.name),
                    "typeName": "Microsoft.TeamFoundation.WorkItemTracking.Server.RuleValidationException, Microsoft.TeamFoundation.WorkItemTracking.Server",
                    "typeKey": "RuleValidationException",
                    "errorCode": 600171,
                    "eventId": 3200
                }),
            ));
        }
    }
    None
}
