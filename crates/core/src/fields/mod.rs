//! Filing fields: what a connection sets on every filing (its defaults),
//! what the service says a create needs (its rules, read from its own
//! metadata), and the checks between them that run before anything is
//! journaled (invariant 9).
//!
//! Everything here is pure: reading the rules and resolving names to
//! sys_ids or identities is the services' job (`services::fields`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How long read rules are trusted before they are read again.
pub const RULES_MAX_AGE_HOURS: i64 = 24;

/// One value a restricted field accepts.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedValue {
    pub value: String,
    pub label: String,
}

/// What the service says about one field of a create.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRule {
    /// The column (ServiceNow) or reference name (Azure DevOps).
    pub name: String,
    pub label: String,
    /// A create without it is refused.
    pub required: bool,
    /// The values it accepts; empty: any.
    pub allowed: Vec<AllowedValue>,
    /// What the service fills in when the create leaves it out.
    pub default_value: Option<String>,
    /// ServiceNow: the table a reference column points at.
    pub reference: Option<String>,
    /// Azure DevOps: an identity (a person) field.
    pub identity: bool,
}

/// The rules of one kind of create, with when they were read.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRules {
    /// `incident` (ServiceNow) or `work_item_type:<Type>` (Azure DevOps).
    pub scope: String,
    pub fetched_at: String,
    pub fields: Vec<FieldRule>,
}

impl FieldRules {
    pub fn rule(&self, name: &str) -> Option<&FieldRule> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// One of a connection's filing defaults.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilingDefault {
    pub field: String,
    /// What is sent (a sys_id or identity for a reference given by name);
    /// may hold placeholders.
    pub value: String,
    /// The name the value was given as, when it was resolved.
    pub display: Option<String>,
    pub updated_at: String,
}

/// A connection's defaults and, when they have been read, the rules of
/// its default create.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConnectionFields {
    pub connection: String,
    pub defaults: Vec<FilingDefault>,
    pub rules: Option<FieldRules>,
}

/// The incident facts a value may name: `{title}`, `{severity}`, `{id}`.
pub struct Placeholders<'a> {
    pub title: &'a str,
    pub severity: &'a str,
    pub id: &'a str,
}

pub const PLACEHOLDERS: &[&str] = &["title", "severity", "id"];

/// `value` with each `{name}` replaced by the incident's; `{{` and `}}`
/// stand for braces. An unknown name or an unclosed brace is an error
/// naming `field`.
pub fn expand(field: &str, value: &str, facts: &Placeholders<'_>) -> Result<String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return Err(unbalanced(field, value));
        }
        let Some(end) = tail.find('}') else {
            return Err(unbalanced(field, value));
        };
        let name = &tail[1..end];
        out.push_str(match name {
            "title" => facts.title,
            "severity" => facts.severity,
            "id" => facts.id,
            other => {
                return Err(Error::invalid(
                    field,
                    format!(
                        "'{{{other}}}' is not a placeholder; use {}",
                        PLACEHOLDERS
                            .iter()
                            .map(|p| format!("{{{p}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
        });
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn unbalanced(field: &str, value: &str) -> Error {
    Error::invalid(
        field,
        format!("'{value}' has an unmatched brace (write {{{{ or }}}} for a brace itself)"),
    )
}

/// Checks a value against a restricted field: an allowed value is kept, an
/// allowed label (any case) becomes its value, anything else is refused
/// with the allowed values listed.
pub fn allowed_value(rule: &FieldRule, value: &str) -> Result<String> {
    if rule.allowed.is_empty() || rule.allowed.iter().any(|a| a.value == value) {
        return Ok(value.to_owned());
    }
    if let Some(a) = rule
        .allowed
        .iter()
        .find(|a| a.label.eq_ignore_ascii_case(value) || a.value.eq_ignore_ascii_case(value))
    {
        return Ok(a.value.clone());
    }
    Err(Error::invalid(
        &rule.name,
        format!(
            "'{value}' is not allowed for {}; allowed values: {}",
            rule.label,
            allowed_list(rule)
        ),
    ))
}

fn allowed_list(rule: &FieldRule) -> String {
    rule.allowed
        .iter()
        .map(|a| {
            if a.label.is_empty() || a.label == a.value {
                a.value.clone()
            } else {
                format!("{} ({})", a.value, a.label)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks the whole body of a create (`body`: every field it sets, as
/// text) against the service's rules: each required field without a
/// service default must be set, each restricted value must be allowed.
/// `skip` says which required fields the service always fills itself.
/// The error names the first field at fault and lists every problem.
pub fn check(
    rules: &FieldRules,
    body: &BTreeMap<String, String>,
    skip: impl Fn(&str) -> bool,
    how_to_set: &str,
) -> Result<()> {
    let mut problems: Vec<(String, String)> = Vec::new();
    for rule in &rules.fields {
        let value = body.get(&rule.name).map(|v| v.trim()).unwrap_or_default();
        let has_default = rule
            .default_value
            .as_deref()
            .is_some_and(|d| !d.trim().is_empty());
        if rule.required && value.is_empty() && !has_default && !skip(&rule.name) {
            let mut text = format!("{} ({}) is required and not set", rule.name, rule.label);
            if !rule.allowed.is_empty() {
                text.push_str(&format!("; allowed values: {}", allowed_list(rule)));
            } else if let Some(table) = &rule.reference {
                text.push_str(&format!("; a {table} record, by name or sys_id"));
            }
            problems.push((rule.name.clone(), text));
        } else if !value.is_empty()
            && !rule.allowed.is_empty()
            && !rule.allowed.iter().any(|a| a.value == value)
        {
            problems.push((
                rule.name.clone(),
                format!(
                    "'{value}' is not allowed for {} ({}); allowed values: {}",
                    rule.name,
                    rule.label,
                    allowed_list(rule)
                ),
            ));
        }
    }
    match problems.first() {
        None => Ok(()),
        Some((field, _)) => Err(Error::invalid(
            field.clone(),
            format!(
                "{}. Nothing was sent. {how_to_set}",
                problems
                    .iter()
                    .map(|(_, p)| p.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )),
    }
}

#[cfg(test)]
mod tests;
