//! What the project says a work item create needs:
//! `_apis/wit/workitemtypes/{type}/fields?$expand=all` (`alwaysRequired`,
//! `allowedValues`, `defaultValue`, `isIdentity` per field); and people by
//! name for identity fields, through the identity picker
//! (`_apis/IdentityPicker/Identities`).

use reqwest::{Method, RequestBuilder};
use serde::Deserialize;
use serde_json::Value;

use super::model::ValueList;
use super::AdoClient;
use crate::error::Result;
use crate::fields::{AllowedValue, FieldRule};
use crate::http::Idempotency;

/// The identity picker's api-version (it has no released 7.1 version).
const PICKER_API_VERSION: &str = "7.1-preview.1";

/// The fields of a work item type that the service sets itself on every
/// create (ids, dates, who, where the item sits): never the person's to
/// fill in, whatever `alwaysRequired` says.
pub const SERVICE_SET: &[&str] = &[
    "System.Id",
    "System.Rev",
    "System.AreaId",
    "System.IterationId",
    "System.AreaPath",
    "System.IterationPath",
    "System.TeamProject",
    "System.NodeName",
    "System.WorkItemType",
    "System.State",
    "System.Reason",
    "System.CreatedDate",
    "System.CreatedBy",
    "System.ChangedDate",
    "System.ChangedBy",
    "System.AuthorizedDate",
    "System.AuthorizedAs",
    "System.RevisedDate",
    "System.Watermark",
    "System.PersonId",
    "System.CommentCount",
    "System.BoardColumn",
    "System.BoardColumnDone",
    "System.BoardLane",
];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypeField {
    reference_name: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    always_required: bool,
    #[serde(default)]
    allowed_values: Vec<Value>,
    #[serde(default)]
    default_value: Option<Value>,
    #[serde(default)]
    is_identity: bool,
}

/// A person the identity picker found.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub sign_in_address: Option<String>,
    #[serde(default)]
    pub mail: Option<String>,
}

impl Identity {
    /// How an identity field takes a person without ambiguity:
    /// `Display Name <sign-in address>`.
    pub fn field_value(&self) -> Option<String> {
        let address = self.sign_in_address.as_deref().or(self.mail.as_deref())?;
        Some(format!(
            "{} <{address}>",
            self.display_name.as_deref().unwrap_or(address)
        ))
    }
}

#[derive(Debug, Deserialize)]
struct PickerResults {
    #[serde(default)]
    results: Vec<PickerResult>,
}

#[derive(Debug, Deserialize)]
struct PickerResult {
    #[serde(default)]
    identities: Vec<Identity>,
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl AdoClient {
    pub fn type_fields_request(&self, work_item_type: &str) -> RequestBuilder {
        self.request(
            Method::GET,
            self.project_url(&["_apis", "wit", "workitemtypes", work_item_type, "fields"]),
        )
        .query(&[("$expand", "all")])
    }

    pub fn identities_request(&self, name: &str) -> RequestBuilder {
        self.auth
            .apply(
                self.http.request(
                    Method::POST,
                    self.url(&["_apis", "IdentityPicker", "Identities"])
                        .as_str(),
                ),
            )
            .header("accept", "application/json")
            .query(&[("api-version", PICKER_API_VERSION)])
            .json(&serde_json::json!({
                "query": name,
                "identityTypes": ["user"],
                "operationScopes": ["ims", "source"],
                "properties": ["DisplayName", "SignInAddress", "Mail"],
                "options": { "MinResults": 1, "MaxResults": 5 }
            }))
    }

    /// The create rules of `work_item_type`, one per field.
    pub async fn type_rules(&self, work_item_type: &str) -> Result<Vec<FieldRule>> {
        // One try: an unreachable project costs no backoff before a
        // filing is journaled.
        let fields: ValueList<TypeField> = self
            .send(self.type_fields_request(work_item_type), Idempotency::Once)
            .await?
            .json()?;
        Ok(fields
            .value
            .into_iter()
            .map(|f| FieldRule {
                label: f.name.unwrap_or_else(|| f.reference_name.clone()),
                name: f.reference_name,
                required: f.always_required,
                allowed: f
                    .allowed_values
                    .iter()
                    .filter_map(text)
                    .map(|v| AllowedValue {
                        label: v.clone(),
                        value: v,
                    })
                    .collect(),
                default_value: f.default_value.as_ref().and_then(text),
                reference: None,
                identity: f.is_identity,
            })
            .collect())
    }

    /// People whose name or address is `name`.
    pub async fn identities(&self, name: &str) -> Result<Vec<Identity>> {
        // A picker query reads; repeating it is harmless.
        let found: PickerResults = self
            .send(self.identities_request(name), Idempotency::Idempotent)
            .await?
            .json()?;
        Ok(found
            .results
            .into_iter()
            .flat_map(|r| r.identities)
            .collect())
    }
}
