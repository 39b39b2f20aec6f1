//! The work item's life at Azure DevOps: comments (Comments API,
//! 7.1-preview.4), the states of its type with their categories, the
//! transitions the type allows, and state changes.

use std::collections::BTreeMap;

use reqwest::{Method, RequestBuilder};
use serde::{Deserialize, Serialize};

use super::model::ValueList;
use super::{AdoClient, PatchOp, WorkItem};
use crate::error::Result;
use crate::http::Idempotency;

/// The Comments API is a preview in 7.1.
pub const COMMENTS_API_VERSION: &str = "7.1-preview.4";

/// One comment on a work item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: u64,
    /// HTML.
    #[serde(default)]
    pub text: String,
    #[serde(default, rename = "createdBy")]
    pub created_by: Option<Author>,
    #[serde(default, rename = "createdDate")]
    pub created_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    #[serde(default, rename = "displayName")]
    pub display_name: Option<String>,
    #[serde(default, rename = "uniqueName")]
    pub unique_name: Option<String>,
}

impl Comment {
    pub fn author(&self) -> String {
        self.created_by
            .as_ref()
            .and_then(|a| a.display_name.clone().or_else(|| a.unique_name.clone()))
            .unwrap_or_else(|| "Azure DevOps user".to_owned())
    }
}

#[derive(Debug, Deserialize)]
struct CommentList {
    #[serde(default)]
    comments: Vec<Comment>,
    #[serde(default, rename = "continuationToken")]
    continuation_token: Option<String>,
}

/// One state of a work item type, with its category (`Proposed`,
/// `InProgress`, `Resolved`, `Completed`, `Removed`).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemState {
    pub name: String,
    #[serde(default)]
    pub category: String,
}

/// A type's states in order, and the transitions it allows (state → the
/// states it may go to; empty when the service did not say).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypeStates {
    pub states: Vec<WorkItemState>,
    pub transitions: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct TypeWithTransitions {
    #[serde(default)]
    transitions: Option<BTreeMap<String, Vec<Transition>>>,
}

#[derive(Debug, Deserialize)]
struct Transition {
    to: String,
}

impl AdoClient {
    fn comments_url(&self, id: u64) -> url::Url {
        self.project_url(&["_apis", "wit", "workItems", &id.to_string(), "comments"])
    }

    fn preview_request(&self, method: Method, url: url::Url) -> RequestBuilder {
        self.auth
            .apply(self.http.request(method, url.as_str()))
            .header("accept", "application/json")
            .query(&[("api-version", COMMENTS_API_VERSION)])
    }

    /// Adds a comment (HTML) to the work item.
    pub fn add_comment_request(&self, id: u64, html: &str) -> RequestBuilder {
        self.preview_request(Method::POST, self.comments_url(id))
            .json(&serde_json::json!({ "text": html }))
    }

    /// One page of the work item's comments, oldest first.
    pub fn comments_request(&self, id: u64, continuation: Option<&str>) -> RequestBuilder {
        let mut request = self
            .preview_request(Method::GET, self.comments_url(id))
            .query(&[("order", "asc"), ("$top", "200")]);
        if let Some(token) = continuation {
            request = request.query(&[("continuationToken", token)]);
        }
        request
    }

    /// The states of work item type `kind`, with their categories.
    pub fn type_states_request(&self, kind: &str) -> RequestBuilder {
        self.request(
            Method::GET,
            self.project_url(&["_apis", "wit", "workitemtypes", kind, "states"]),
        )
    }

    /// Work item type `kind`, for its transitions.
    pub fn type_request(&self, kind: &str) -> RequestBuilder {
        self.request(
            Method::GET,
            self.project_url(&["_apis", "wit", "workitemtypes", kind]),
        )
    }

    /// Moves the work item to `state` (JSON Patch on System.State).
    pub fn set_state_request(&self, id: u64, state: &str) -> RequestBuilder {
        self.update_request(id, &[PatchOp::add_field("System.State", state)])
    }

    /// Sent once: a lost answer is reconciled by reading the comments back.
    pub async fn add_comment(&self, id: u64, html: &str) -> Result<Comment> {
        Ok(self
            .send(self.add_comment_request(id, html), Idempotency::Once)
            .await?
            .json()?)
    }

    /// Every comment, following continuation tokens.
    pub async fn comments(&self, id: u64) -> Result<Vec<Comment>> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page: CommentList = self
                .send(
                    self.comments_request(id, token.as_deref()),
                    Idempotency::ByMethod,
                )
                .await?
                .json()?;
            all.extend(page.comments);
            match page.continuation_token.filter(|t| !t.is_empty()) {
                Some(next) if Some(&next) != token.as_ref() => token = Some(next),
                _ => return Ok(all),
            }
        }
    }

    /// The type's states and allowed transitions.
    pub async fn type_states(&self, kind: &str) -> Result<TypeStates> {
        let states: ValueList<WorkItemState> = self
            .send(self.type_states_request(kind), Idempotency::ByMethod)
            .await?
            .json()?;
        let with: TypeWithTransitions = self
            .send(self.type_request(kind), Idempotency::ByMethod)
            .await?
            .json()?;
        let transitions = with
            .transitions
            .unwrap_or_default()
            .into_iter()
            .map(|(from, to)| (from, to.into_iter().map(|t| t.to).collect()))
            .collect();
        Ok(TypeStates {
            states: states.value,
            transitions,
        })
    }

    /// Setting the same state again is harmless.
    pub async fn set_state(&self, id: u64, state: &str) -> Result<WorkItem> {
        let item: WorkItem = self
            .send(self.set_state_request(id, state), Idempotency::Idempotent)
            .await?
            .json()?;
        Ok(Self::with_web_url(item))
    }
}
