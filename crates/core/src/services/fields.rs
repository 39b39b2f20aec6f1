//! Filing fields by connection: the defaults a connection applies to every
//! filing (`connections fields`), the service's rules for a create (read
//! from its metadata, cached per connection with the time they were read),
//! and the filing pre-flight: defaults + the filing's own fields, with
//! placeholders filled in, references resolved by name, and the whole body
//! checked against the rules before anything is journaled.

use std::collections::BTreeMap;

use super::{action_items, Services};
use crate::app::lock;
use crate::connections::{ConnectionView, Provider};
use crate::error::{Error, ErrorKind, Result};
use crate::fields::{
    self, ConnectionFields, FieldRules, FilingDefault, Placeholders, RULES_MAX_AGE_HOURS,
};
use crate::providers::azure_devops::Identity;
use crate::store::filing::{self as repo, DefaultRow, MetadataRow};
use crate::store::incidents::IncidentRow;
use crate::time::now_rfc3339;

/// What the rules of a create are cached under.
fn scope(provider: Provider, work_item_type: Option<&str>) -> String {
    match provider {
        Provider::AzureDevOps => format!("work_item_type:{}", work_item_type.unwrap_or("Bug")),
        _ => "incident".to_owned(),
    }
}

/// Is `value` a ServiceNow sys_id already?
fn is_sys_id(value: &str) -> bool {
    value.len() == 32 && value.chars().all(|c| c.is_ascii_hexdigit())
}

fn fresh(fetched_at: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(fetched_at)
        .map(|t| chrono::Utc::now().signed_duration_since(t).num_hours() < RULES_MAX_AGE_HOURS)
        .unwrap_or(false)
}

fn default_view(row: DefaultRow) -> FilingDefault {
    FilingDefault {
        field: row.field,
        value: row.value,
        display: row.display,
        updated_at: row.updated_at,
    }
}

/// A value checked against the rule of its field (if any), with the name
/// it was given as when it was resolved.
struct Resolved {
    value: String,
    display: Option<String>,
}

impl Services {
    /// Connection `name`'s filing defaults, and its create rules as last read.
    pub fn connection_fields(&self, name: &str) -> Result<ConnectionFields> {
        let core = lock(&self.core)?;
        let view = core.show_connection(name)?;
        Self::filing_provider(&view)?;
        let defaults = repo::defaults(core.db(), &view.id)?
            .into_iter()
            .map(default_view)
            .collect();
        let rules = repo::metadata(core.db(), &view.id, &scope(view.provider, None))?
            .and_then(|row| serde_json::from_str(&row.body).ok());
        Ok(ConnectionFields {
            connection: view.name,
            defaults,
            rules,
        })
    }

    /// Sets (`set`) and removes (`unset`) defaults of connection `name`.
    /// Names are checked for the provider, values against the service's
    /// rules (a choice label becomes its value), and a reference given by
    /// name is resolved now, so an ambiguous or unknown name is refused
    /// here rather than at the next filing.
    pub async fn set_connection_fields(
        &self,
        name: &str,
        set: BTreeMap<String, String>,
        unset: Vec<String>,
    ) -> Result<ConnectionFields> {
        let view = lock(&self.core)?.show_connection(name)?;
        Self::filing_provider(&view)?;
        for field in set.keys().chain(unset.iter()) {
            if action_items::is_setting(field) {
                // Not a field: what action items become (checked below).
                continue;
            }
            super::filing::validate_filing_field(view.provider, field)?;
        }
        if let Some(both) = set.keys().find(|k| unset.contains(k)) {
            return Err(Error::invalid(
                "unset",
                format!("'{both}' is both set and unset"),
            ));
        }
        let facts = Placeholders {
            title: "t",
            severity: "P1",
            id: "i",
        };
        for (field, value) in set.iter().filter(|(f, _)| !action_items::is_setting(f)) {
            fields::expand(field, value, &facts)?;
        }
        let rules = if set.is_empty() {
            None
        } else {
            self.rules_or_notice(&view, None, false).await
        };
        let mut rows = Vec::new();
        for (field, value) in set {
            // Placeholders are filled in at filing time; a value holding
            // one is checked then.
            let resolved = if action_items::is_setting(&field) {
                Resolved {
                    value: action_items::setting_value(view.provider, &field, &value)?,
                    display: None,
                }
            } else if value.contains('{') {
                Resolved {
                    value: value.clone(),
                    display: None,
                }
            } else {
                self.resolve_value(&view, rules.as_ref(), &field, &value)
                    .await?
            };
            rows.push(DefaultRow {
                field,
                value: resolved.value,
                display: resolved.display,
                updated_at: now_rfc3339(),
            });
        }
        {
            let core = lock(&self.core)?;
            let tx = rusqlite::Transaction::new_unchecked(
                core.db(),
                rusqlite::TransactionBehavior::Immediate,
            )?;
            for row in &rows {
                repo::put_default(&tx, &view.id, row)?;
            }
            for field in &unset {
                if !repo::delete_default(&tx, &view.id, field)? {
                    return Err(Error::NotFound {
                        what: "filing default",
                        name: format!("{field} (connection '{}')", view.name),
                    });
                }
            }
            crate::audit::append(
                &tx,
                &crate::audit::Event {
                    actor: core.actor(),
                    action: "connection.fields",
                    connection: Some(&view.name),
                    outcome: crate::audit::Outcome::Ok,
                    detail: format!(
                        "set={} unset={}",
                        rows.iter()
                            .map(|r| r.field.as_str())
                            .collect::<Vec<_>>()
                            .join(","),
                        unset.join(",")
                    ),
                },
            )?;
            tx.commit()?;
        }
        self.connection_fields(name)
    }

    /// Reads connection `name`'s create rules from the service now (for
    /// Azure DevOps, of `work_item_type`, default Bug) and caches them.
    pub async fn refresh_field_rules(
        &self,
        name: &str,
        work_item_type: Option<&str>,
    ) -> Result<FieldRules> {
        let view = lock(&self.core)?.show_connection(name)?;
        Self::filing_provider(&view)?;
        let kind = match view.provider {
            Provider::AzureDevOps => Some(super::work_item_type(work_item_type)?),
            _ if work_item_type.is_some() => {
                return Err(Error::invalid(
                    "type",
                    "applies to azure_devops connections only",
                ))
            }
            _ => None,
        };
        self.field_rules(&view, kind, true).await
    }

    fn filing_provider(view: &ConnectionView) -> Result<()> {
        if view.provider == Provider::Confluence {
            return Err(Error::invalid(
                "connection",
                format!(
                    "'{}' is a Confluence connection; filing fields belong to servicenow and azure_devops connections",
                    view.name
                ),
            ));
        }
        Ok(())
    }

    /// The create rules for `view` (and `kind`): the cached ones while
    /// younger than a day, else read from the service and cached.
    pub(crate) async fn field_rules(
        &self,
        view: &ConnectionView,
        kind: Option<&str>,
        refresh: bool,
    ) -> Result<FieldRules> {
        let scope = scope(view.provider, kind);
        if !refresh {
            let cached = repo::metadata(lock(&self.core)?.db(), &view.id, &scope)?;
            if let Some(row) = cached.filter(|r| fresh(&r.fetched_at)) {
                if let Ok(rules) = serde_json::from_str::<FieldRules>(&row.body) {
                    return Ok(rules);
                }
            }
        }
        let fields = match view.provider {
            Provider::AzureDevOps => {
                let (_, client) = self.azure_devops(&view.name, "read field rules").await?;
                client.type_rules(kind.unwrap_or("Bug")).await?
            }
            _ => {
                let (_, client) = self.servicenow(&view.name, "read field rules").await?;
                client.incident_rules().await?
            }
        };
        let rules = FieldRules {
            scope: scope.clone(),
            fetched_at: now_rfc3339(),
            fields,
        };
        let body = serde_json::to_string(&rules)
            .map_err(|e| Error::Internal(format!("cannot store field rules: {e}")))?;
        repo::put_metadata(
            lock(&self.core)?.db(),
            &view.id,
            &scope,
            &MetadataRow {
                body,
                fetched_at: rules.fetched_at.clone(),
            },
        )?;
        Ok(rules)
    }

    /// The rules, or `None` with a notice when the service would not say
    /// (an account that may not read its dictionary, an instance out of
    /// reach): the filing then goes ahead unchecked, as before pre-flight.
    async fn rules_or_notice(
        &self,
        view: &ConnectionView,
        kind: Option<&str>,
        refresh: bool,
    ) -> Option<FieldRules> {
        match self.field_rules(view, kind, refresh).await {
            Ok(rules) => Some(rules),
            Err(e) => {
                if let Ok(mut core) = lock(&self.core) {
                    core.push_notice(format!(
                        "the field rules of '{}' could not be read ({e}); required fields are not checked before sending",
                        view.name
                    ));
                }
                None
            }
        }
    }

    /// The fields a filing of `incident` to `view` sets beside the
    /// incident's own: the connection's defaults under the filing's
    /// `overrides`, placeholders filled in, references resolved, each
    /// value checked against the service's rules; then `check_body` with
    /// the rules (the whole create body is checked there). Nothing is
    /// journaled or sent here.
    pub(crate) async fn filing_fields(
        &self,
        view: &ConnectionView,
        incident: &IncidentRow,
        kind: Option<&str>,
        overrides: &BTreeMap<String, String>,
        check_body: impl FnOnce(&BTreeMap<String, String>, &FieldRules) -> Result<()>,
    ) -> Result<BTreeMap<String, String>> {
        let defaults = repo::defaults(lock(&self.core)?.db(), &view.id)?;
        let mut merged: BTreeMap<String, String> = defaults
            .into_iter()
            .filter(|row| !action_items::is_setting(&row.field))
            .map(|row| (row.field, row.value))
            .collect();
        merged.extend(overrides.clone());
        let facts = Placeholders {
            title: &incident.title,
            severity: &incident.severity,
            id: &incident.id,
        };
        let mut expanded = BTreeMap::new();
        for (field, value) in merged {
            let value = fields::expand(&field, &value, &facts)?;
            expanded.insert(field, value);
        }
        let Some(rules) = self.rules_or_notice(view, kind, false).await else {
            return Ok(expanded);
        };
        let mut out = BTreeMap::new();
        for (field, value) in expanded {
            let resolved = self
                .resolve_value(view, Some(&rules), &field, &value)
                .await?;
            out.insert(field, resolved.value);
        }
        check_body(&out, &rules)?;
        Ok(out)
    }

    /// One value as the service takes it: a choice label becomes its
    /// value, a reference by name its sys_id, a person their identity.
    async fn resolve_value(
        &self,
        view: &ConnectionView,
        rules: Option<&FieldRules>,
        field: &str,
        value: &str,
    ) -> Result<Resolved> {
        let Some(rule) = rules.and_then(|r| r.rule(field)) else {
            return Ok(Resolved {
                value: value.to_owned(),
                display: None,
            });
        };
        if value.trim().is_empty() {
            return Ok(Resolved {
                value: String::new(),
                display: None,
            });
        }
        if let Some(table) = &rule.reference {
            if is_sys_id(value) {
                return Ok(Resolved {
                    value: value.to_ascii_lowercase(),
                    display: None,
                });
            }
            let (_, client) = self.servicenow(&view.name, "resolve a reference").await?;
            let found = client.lookup(table, value.trim()).await?;
            return match found.as_slice() {
                [one] => Ok(Resolved {
                    value: one.sys_id.clone(),
                    display: Some(value.trim().to_owned()),
                }),
                [] => Err(Error::invalid(
                    field,
                    format!(
                        "no {table} record is named '{}' on '{}' ({} is a reference field: give a name that exists, or a sys_id)",
                        value.trim(),
                        view.name,
                        rule.label
                    ),
                )),
                several => Err(Error::invalid(
                    field,
                    format!(
                        "'{}' is ambiguous: more than one {table} record has that name (sys_ids {}…); give the sys_id of the one meant",
                        value.trim(),
                        several
                            .iter()
                            .map(|r| r.sys_id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            };
        }
        if rule.identity && view.provider == Provider::AzureDevOps {
            if value.contains('<') && value.trim_end().ends_with('>') {
                return Ok(Resolved {
                    value: value.trim().to_owned(),
                    display: None,
                });
            }
            let (_, client) = self.azure_devops(&view.name, "resolve an identity").await?;
            let found = client.identities(value.trim()).await?;
            let wanted = value.trim();
            let exact: Vec<&Identity> = found
                .iter()
                .filter(|i| {
                    [&i.display_name, &i.sign_in_address, &i.mail]
                        .iter()
                        .any(|v| v.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(wanted)))
                })
                .collect();
            let candidates: Vec<&Identity> = if exact.is_empty() {
                found.iter().collect()
            } else {
                exact
            };
            let values: Vec<String> = candidates.iter().filter_map(|i| i.field_value()).collect();
            return match values.as_slice() {
                [one] => Ok(Resolved {
                    value: one.clone(),
                    display: Some(wanted.to_owned()),
                }),
                [] => Err(Error::invalid(
                    field,
                    format!(
                        "nobody named '{wanted}' is known to '{}' ({} takes a person: give their name or sign-in address)",
                        view.name, rule.label
                    ),
                )),
                several => Err(Error::invalid(
                    field,
                    format!(
                        "'{wanted}' is ambiguous: it matches {}; give the sign-in address of the one meant",
                        several.join(", ")
                    ),
                )),
            };
        }
        fields::allowed_value(rule, value).map(|value| Resolved {
            value,
            display: None,
        })
    }

    /// Forgets cached rules of the connection behind an entry whose create
    /// the service refused for a field: the rules have changed since.
    pub(crate) fn forget_rules_after(&self, connection_id: &str, error: &Error) {
        if error.kind() == ErrorKind::InvalidInput && matches!(error, Error::Refused { .. }) {
            if let Ok(core) = lock(&self.core) {
                let _ = repo::forget_metadata(core.db(), connection_id);
            }
        }
    }
}
