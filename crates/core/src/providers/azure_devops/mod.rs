//! Azure DevOps Work Item Tracking client (REST api-version 7.1).
//!
//! Each operation has a public request builder (so contract tests can send
//! exactly what the client sends to a validating mock of the vendor spec)
//! and an async method that sends it and reads the answer.

mod action_items;
mod lifecycle;
mod metadata;
mod model;
mod refusal;
pub mod wiql;

use std::collections::BTreeMap;

use reqwest::{Method, RequestBuilder};
use url::Url;

pub use action_items::{
    action_item_tag, is_done, NewActionItem, DEFAULT_ACTION_ITEM_TYPE, DUE_FIELDS, RELATED,
};
pub use lifecycle::{Comment, TypeStates, WorkItemState};
pub use metadata::{Identity, SERVICE_SET};
pub use model::{PatchOp, WorkItem};

use super::AuthHeader;
use crate::error::{Error, Result};
use crate::http::{HttpClient, HttpError, HttpResponse, Idempotency};
use model::{ConnectionData, ValueList, WiqlResult, WorkItemType};

pub const API_VERSION: &str = "7.1";
/// A batch read takes at most 200 ids.
pub const BATCH_LIMIT: usize = 200;
pub const MAX_TOP: u32 = 1000;
/// The fields lists show.
pub const LIST_FIELDS: &[&str] = &[
    "System.Id",
    "System.WorkItemType",
    "System.Title",
    "System.State",
    "System.ChangedDate",
];
/// The types `incident file --type` offers.
pub const FILING_TYPES: &[&str] = &["Bug", "Task", "User Story", "Issue", "Incident"];

/// `https://dev.azure.com/{org}/...` or `https://{org}.visualstudio.com/...`
/// → the organisation URL; other hosts (Azure DevOps Server) are kept whole.
pub fn organization_url(url: &str) -> Result<String> {
    let parsed = Url::parse(url)
        .map_err(|e| Error::invalid("url", format!("'{url}' is not a URL ({e})")))?;
    let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
    let origin = parsed.origin().ascii_serialization();
    if host == "dev.azure.com" {
        let org = parsed
            .path_segments()
            .and_then(|mut s| s.next())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                Error::invalid(
                    "url",
                    "must include the organisation: https://dev.azure.com/<organisation>",
                )
            })?;
        return Ok(format!("{origin}/{org}"));
    }
    if host.ends_with(".visualstudio.com") {
        return Ok(origin);
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

/// `Reference.Name` as `--field` takes it (e.g. `System.State`).
pub fn validate_field_reference(name: &str) -> Result<()> {
    let parts: Vec<&str> = name.split('.').collect();
    let ok = parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "field",
            format!("'{name}' is not a field reference name like System.State or Microsoft.VSTS.Common.Priority"),
        ))
    }
}

/// The tag that marks the work item filed for our incident `incident_id`;
/// a repeat filing finds the work item by it.
pub fn incident_tag(incident_id: &str) -> String {
    format!("ibridge-{incident_id}")
}

/// The JSON Patch document that files an incident as `work_item_type`.
/// Severity goes on Bugs (the only standard type with that field);
/// priority on every type.
pub fn incident_operations(
    title: &str,
    description_markdown: &str,
    severity: crate::incidents::Severity,
    work_item_type: &str,
    incident_id: &str,
) -> Vec<PatchOp> {
    let (severity_label, priority) = severity.azure_devops();
    let mut ops = vec![PatchOp::add_field("System.Title", title)];
    if !description_markdown.trim().is_empty() {
        ops.push(PatchOp::add_field(
            "System.Description",
            crate::docs::html::markdown_to_html(description_markdown),
        ));
    }
    if work_item_type.eq_ignore_ascii_case("Bug") {
        ops.push(PatchOp::add_field(
            "Microsoft.VSTS.Common.Severity",
            severity_label,
        ));
    }
    ops.push(PatchOp::add_field(
        "Microsoft.VSTS.Common.Priority",
        priority,
    ));
    ops.push(PatchOp::add_field(
        TAGS,
        format!("Incident Bridge; {}", incident_tag(incident_id)),
    ));
    ops
}

/// The fields a create's `System.Tags` must keep: ours, by which a
/// repeat filing finds the work item.
const TAGS: &str = "System.Tags";

/// Sets `fields` on a create's operations: a field already there takes the
/// value in place (a body never names a field twice), any other is added.
/// Tags are added to ours, never in their place.
pub fn apply_fields(operations: &mut Vec<PatchOp>, fields: &BTreeMap<String, String>) {
    for (name, value) in fields {
        let path = format!("/fields/{name}");
        match operations.iter_mut().find(|op| op.path == path) {
            Some(op) if name == TAGS => {
                let ours = op.value.as_str().unwrap_or_default().to_owned();
                let extra: Vec<&str> = value
                    .split(';')
                    .map(str::trim)
                    .filter(|t| !t.is_empty() && !ours.split(';').any(|o| o.trim() == *t))
                    .collect();
                if !extra.is_empty() {
                    op.value = format!("{ours}; {}", extra.join("; ")).into();
                }
            }
            Some(op) => op.value = value.clone().into(),
            None => operations.push(PatchOp::add_field(name, value.clone())),
        }
    }
}

/// The JSON Patch of an update: each `Reference.Name` set to its value.
pub fn update_operations(fields: &BTreeMap<String, String>) -> Result<Vec<PatchOp>> {
    if fields.is_empty() {
        return Err(Error::missing(
            "field",
            "give at least one field to set, with its reference name (e.g. System.Title) and value",
        ));
    }
    let mut operations = Vec::new();
    for (name, value) in fields {
        validate_field_reference(name)?;
        operations.push(PatchOp::add_field(name, value.clone()));
    }
    Ok(operations)
}

pub struct AdoClient {
    http: HttpClient,
    organization: Url,
    project: String,
    auth: AuthHeader,
}

impl AdoClient {
    pub fn new(
        http: HttpClient,
        organization_url: &str,
        project: &str,
        auth: AuthHeader,
    ) -> Result<Self> {
        let mut organization = Url::parse(organization_url).map_err(|e| {
            Error::invalid("url", format!("'{organization_url}' is not a URL ({e})"))
        })?;
        if !organization.path().ends_with('/') {
            let path = format!("{}/", organization.path());
            organization.set_path(&path);
        }
        Ok(Self {
            http,
            organization,
            project: project.to_owned(),
            auth,
        })
    }

    /// `{org}/{segments...}` with each segment percent-encoded.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.organization.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    fn project_url(&self, rest: &[&str]) -> Url {
        let mut segments = vec![self.project.as_str()];
        segments.extend_from_slice(rest);
        self.url(&segments)
    }

    fn request(&self, method: Method, url: Url) -> RequestBuilder {
        self.auth
            .apply(self.http.request(method, url.as_str()))
            .header("accept", "application/json")
            .query(&[("api-version", API_VERSION)])
    }

    pub fn wiql_request(&self, query: &str, top: u32) -> RequestBuilder {
        self.request(Method::POST, self.project_url(&["_apis", "wit", "wiql"]))
            .query(&[("$top", top.to_string())])
            .json(&serde_json::json!({ "query": query }))
    }

    pub fn batch_request(&self, ids: &[u64], fields: &[&str]) -> RequestBuilder {
        let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
        self.request(
            Method::GET,
            self.project_url(&["_apis", "wit", "workitems"]),
        )
        .query(&[
            ("ids", ids.join(",")),
            ("fields", fields.join(",")),
            ("errorPolicy", "omit".to_owned()),
        ])
    }

    pub fn get_request(&self, id: u64) -> RequestBuilder {
        self.request(
            Method::GET,
            self.project_url(&["_apis", "wit", "workitems", &id.to_string()]),
        )
        .query(&[("$expand", "links")])
    }

    pub fn create_request(&self, work_item_type: &str, operations: &[PatchOp]) -> RequestBuilder {
        let type_segment = format!("${work_item_type}");
        self.request(
            Method::POST,
            self.project_url(&["_apis", "wit", "workitems", &type_segment]),
        )
        .header("content-type", "application/json-patch+json")
        .body(serde_json::to_vec(operations).unwrap_or_default())
    }

    pub fn update_request(&self, id: u64, operations: &[PatchOp]) -> RequestBuilder {
        self.request(
            Method::PATCH,
            self.project_url(&["_apis", "wit", "workitems", &id.to_string()]),
        )
        .header("content-type", "application/json-patch+json")
        .body(serde_json::to_vec(operations).unwrap_or_default())
    }

    pub fn types_request(&self) -> RequestBuilder {
        self.request(
            Method::GET,
            self.project_url(&["_apis", "wit", "workitemtypes"]),
        )
    }

    async fn send(
        &self,
        request: RequestBuilder,
        idempotency: Idempotency,
    ) -> Result<HttpResponse> {
        self.http
            .send_with(request, idempotency)
            .await
            .map_err(refusal::interpret)
    }

    fn with_web_url(mut item: WorkItem) -> WorkItem {
        item.web_url = item
            .links
            .as_ref()
            .and_then(|l| l.html.as_ref())
            .map(|h| h.href.clone());
        item
    }

    /// Ids matching a WIQL query (WIQL returns ids only).
    pub async fn query_ids(&self, query: &str, top: u32) -> Result<Vec<u64>> {
        if top == 0 || top > MAX_TOP {
            return Err(Error::invalid(
                "top",
                format!("must be between 1 and {MAX_TOP}"),
            ));
        }
        // A WIQL POST reads; repeating it is harmless.
        let result: WiqlResult = self
            .send(self.wiql_request(query, top), Idempotency::Idempotent)
            .await?
            .json()?;
        Ok(result.work_items.into_iter().map(|w| w.id).collect())
    }

    /// Reads `ids` in batches of at most 200, keeping their order.
    pub async fn read_many(&self, ids: &[u64], fields: &[&str]) -> Result<Vec<WorkItem>> {
        let mut items = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(BATCH_LIMIT) {
            let page: ValueList<WorkItem> = self
                .send(self.batch_request(chunk, fields), Idempotency::ByMethod)
                .await?
                .json()?;
            items.extend(page.value);
        }
        Ok(items)
    }

    pub async fn search(&self, text: &str, top: u32) -> Result<Vec<WorkItem>> {
        if text.trim().is_empty() {
            return Err(Error::invalid("query", "must not be empty"));
        }
        let ids = self.query_ids(&wiql::text_search(text), top).await?;
        self.read_many(&ids, LIST_FIELDS).await
    }

    pub async fn find_by_tag(&self, tag: &str) -> Result<Option<WorkItem>> {
        let ids = self.query_ids(&wiql::by_tag(tag), 1).await?;
        match ids.first() {
            Some(id) => Ok(Some(self.get(*id).await?)),
            None => Ok(None),
        }
    }

    pub async fn get(&self, id: u64) -> Result<WorkItem> {
        let item: WorkItem = self
            .send(self.get_request(id), Idempotency::ByMethod)
            .await?
            .json()?;
        Ok(Self::with_web_url(item))
    }

    pub async fn work_item_types(&self) -> Result<Vec<String>> {
        let types: ValueList<WorkItemType> = self
            .send(self.types_request(), Idempotency::ByMethod)
            .await?
            .json()?;
        Ok(types.value.into_iter().map(|t| t.name).collect())
    }

    /// Creates a work item; sent once. A type the project does not have is
    /// reported with the types it does have.
    pub async fn create(&self, work_item_type: &str, operations: &[PatchOp]) -> Result<WorkItem> {
        match self
            .send(
                self.create_request(work_item_type, operations),
                Idempotency::Once,
            )
            .await
        {
            Ok(response) => Ok(Self::with_web_url(response.json()?)),
            Err(Error::Http(HttpError::NotFound { excerpt })) => {
                let types = self.work_item_types().await?;
                if types.iter().any(|t| t.eq_ignore_ascii_case(work_item_type)) {
                    return Err(HttpError::NotFound { excerpt }.into());
                }
                Err(Error::invalid(
                    "type",
                    format!(
                        "project '{}' has no work item type '{work_item_type}'; it has: {}",
                        self.project,
                        types.join(", ")
                    ),
                ))
            }
            Err(e) => Err(e),
        }
    }

    /// Sets each `Reference.Name` field to its value (JSON Patch `add`).
    pub async fn update(&self, id: u64, fields: &BTreeMap<String, String>) -> Result<WorkItem> {
        let operations = update_operations(fields)?;
        let item: WorkItem = self
            .send(self.update_request(id, &operations), Idempotency::Once)
            .await?
            .json()?;
        Ok(Self::with_web_url(item))
    }

    /// Who the PAT or token belongs to (`_apis/connectionData`).
    pub async fn authenticated_user(&self) -> Result<String> {
        let request = self
            .auth
            .apply(
                self.http
                    .request(Method::GET, self.url(&["_apis", "connectionData"]).as_str()),
            )
            .header("accept", "application/json");
        let data: ConnectionData = self.send(request, Idempotency::ByMethod).await?.json()?;
        let user = data.authenticated_user;
        Ok(user
            .custom_display_name
            .or(user.provider_display_name)
            .unwrap_or_else(|| "an unnamed user".into()))
    }

    /// Checks the project exists and is visible.
    pub async fn check_project(&self) -> Result<()> {
        let request = self.request(Method::GET, self.url(&["_apis", "projects", &self.project]));
        match self.send(request, Idempotency::ByMethod).await {
            Ok(_) => Ok(()),
            Err(Error::Http(HttpError::NotFound { .. })) => Err(Error::NotFound {
                what: "Azure DevOps project",
                name: self.project.clone(),
            }),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests;
