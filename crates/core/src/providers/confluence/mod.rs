//! Confluence REST v1 client: Cloud (API token: Basic `email:token` at
//! `https://<site>.atlassian.net/wiki/rest/api`; OAuth 3LO: Bearer at
//! `https://api.atlassian.com/ex/confluence/<cloud id>/wiki/rest/api`) and
//! Data Center (PAT: Bearer at `<base>/rest/api`).

pub mod attachments;
pub mod cql;
mod labels;
mod model;

use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};
use url::Url;

pub use attachments::{Attachment, Upload};
pub use model::{Page, SearchPage, Space};

use super::AuthHeader;
use crate::error::{Error, Result};
use crate::http::{HttpClient, HttpError, HttpResponse, Idempotency};
use model::{ContentJson, Links, ResultPage, SpaceJson, UserJson};

/// The content property that marks a page as published by Incident Bridge,
/// holding the document's key; how a lost create is recognised.
pub const BRIDGE_PROPERTY: &str = "incident-bridge";
pub const SPACE_PAGE_SIZE: u32 = 100;
pub const MAX_SEARCH_LIMIT: u32 = 100;

/// A Cloud site URL as people paste it (`https://acme.atlassian.net`,
/// `…/wiki`, `…/wiki/`, or any page) → `https://acme.atlassian.net/wiki`.
pub fn cloud_base(url: &str) -> Result<String> {
    let parsed = Url::parse(url)
        .map_err(|e| Error::invalid("url", format!("'{url}' is not a URL ({e})")))?;
    Ok(format!("{}/wiki", parsed.origin().ascii_serialization()))
}

/// A Data Center URL: kept with its context path, minus a pasted page path.
pub fn data_center_base(url: &str) -> Result<String> {
    let parsed = Url::parse(url)
        .map_err(|e| Error::invalid("url", format!("'{url}' is not a URL ({e})")))?;
    let mut path = parsed.path().to_owned();
    for marker in ["/display/", "/pages/", "/spaces/", "/rest/"] {
        if let Some(i) = path.find(marker) {
            path.truncate(i);
        }
    }
    Ok(format!(
        "{}{}",
        parsed.origin().ascii_serialization(),
        path.trim_end_matches('/')
    ))
}

/// The new page to create.
pub struct NewPage<'a> {
    pub space_key: &'a str,
    pub title: &'a str,
    pub parent_id: Option<&'a str>,
    pub storage: &'a str,
    /// Stored as the page's `incident-bridge` content property.
    pub bridge_key: &'a str,
}

pub struct ConfluenceClient {
    http: HttpClient,
    /// `…/rest/api`, without a trailing slash.
    rest: String,
    auth: AuthHeader,
}

impl ConfluenceClient {
    /// `rest_root` is the URL that `/rest/api/...` hangs off (the site's
    /// `/wiki`, the OAuth gateway's `/ex/confluence/<id>/wiki`, or a Data
    /// Center base).
    pub fn new(http: HttpClient, rest_root: &str, auth: AuthHeader) -> Self {
        Self {
            http,
            rest: format!("{}/rest/api", rest_root.trim_end_matches('/')),
            auth,
        }
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.auth
            .apply(self.http.request(method, &format!("{}{path}", self.rest)))
            .header("accept", "application/json")
    }

    pub(crate) async fn send(
        &self,
        request: RequestBuilder,
        idempotency: Idempotency,
    ) -> Result<HttpResponse> {
        Ok(self.http.send_with(request, idempotency).await?)
    }

    pub fn current_user_request(&self) -> RequestBuilder {
        self.request(Method::GET, "/user/current")
    }

    pub fn spaces_request(&self, start: u32) -> RequestBuilder {
        self.request(Method::GET, "/space").query(&[
            ("limit", SPACE_PAGE_SIZE.to_string()),
            ("start", start.to_string()),
        ])
    }

    pub fn search_request(&self, cql: &str, limit: u32, start: u32) -> RequestBuilder {
        self.request(Method::GET, "/content/search").query(&[
            ("cql", cql.to_owned()),
            ("limit", limit.to_string()),
            ("start", start.to_string()),
            (
                "expand",
                format!("space,version,metadata.properties.{BRIDGE_PROPERTY}"),
            ),
        ])
    }

    pub fn get_page_request(&self, id: &str) -> RequestBuilder {
        self.request(Method::GET, &format!("/content/{id}"))
            .query(&[("expand", "version,space")])
    }

    pub fn create_page_request(&self, page: &NewPage<'_>) -> RequestBuilder {
        let mut body = json!({
            "type": "page",
            "title": page.title,
            "space": { "key": page.space_key },
            "body": { "storage": { "value": page.storage, "representation": "storage" } },
            "metadata": { "properties": { BRIDGE_PROPERTY: { "key": BRIDGE_PROPERTY, "value": { "key": page.bridge_key } } } },
        });
        if let Some(parent) = page.parent_id {
            body["ancestors"] = json!([{ "id": parent }]);
        }
        self.request(Method::POST, "/content").json(&body)
    }

    pub fn update_page_request(
        &self,
        id: &str,
        title: &str,
        storage: &str,
        version: i64,
    ) -> RequestBuilder {
        self.update_page_request_with(id, title, storage, version, false)
    }

    /// A page update; a `minor_edit` does not notify the page's watchers.
    pub fn update_page_request_with(
        &self,
        id: &str,
        title: &str,
        storage: &str,
        version: i64,
        minor_edit: bool,
    ) -> RequestBuilder {
        let mut body = json!({
            "id": id,
            "type": "page",
            "title": title,
            "version": { "number": version },
            "body": { "storage": { "value": storage, "representation": "storage" } },
        });
        if minor_edit {
            body["version"]["minorEdit"] = json!(true);
        }
        self.request(Method::PUT, &format!("/content/{id}"))
            .json(&body)
    }

    /// The user the credentials belong to.
    pub async fn current_user(&self) -> Result<String> {
        let user: UserJson = self
            .send(self.current_user_request(), Idempotency::ByMethod)
            .await?
            .json()?;
        Ok(match (user.display_name, user.email.or(user.username)) {
            (Some(n), Some(e)) => format!("{n} ({e})"),
            (Some(n), None) => n,
            (None, Some(e)) => e,
            (None, None) => "an unnamed user".into(),
        })
    }

    /// Every space, following `_links.next` page by page.
    pub async fn spaces(&self) -> Result<Vec<Space>> {
        let mut spaces = Vec::new();
        let mut request = self.spaces_request(0);
        loop {
            let page: ResultPage<SpaceJson> =
                self.send(request, Idempotency::ByMethod).await?.json()?;
            let base = page.links.as_ref().and_then(|l| l.base.clone());
            spaces.extend(page.results.into_iter().map(|s| Space {
                url: match (&base, s.links.as_ref().and_then(|l| l.webui.clone())) {
                    (Some(b), Some(w)) => Some(format!("{b}{w}")),
                    _ => None,
                },
                name: s.name.unwrap_or_else(|| s.key.clone()),
                key: s.key,
            }));
            match page.links.and_then(|l| l.next) {
                Some(next) => {
                    request = self
                        .auth
                        .apply(self.http.request(Method::GET, &self.follow(&next)?))
                        .header("accept", "application/json")
                }
                None => return Ok(spaces),
            }
        }
    }

    /// `_links.next` is relative to the site (`/rest/api/space?...` or
    /// `/wiki/rest/api/...`); resolve it against our REST root, so an OAuth
    /// gateway URL stays the gateway.
    fn follow(&self, next: &str) -> Result<String> {
        let at = next.find("/rest/api/").ok_or_else(|| {
            Error::Http(HttpError::InvalidResponse {
                reason: format!("unexpected _links.next '{next}'"),
            })
        })?;
        Ok(format!("{}{}", self.rest, &next[at + "/rest/api".len()..]))
    }

    pub async fn search(
        &self,
        text: &str,
        space: Option<&str>,
        limit: u32,
        start: u32,
    ) -> Result<SearchPage> {
        if text.trim().is_empty() {
            return Err(Error::invalid("query", "must not be empty"));
        }
        if limit == 0 || limit > MAX_SEARCH_LIMIT {
            return Err(Error::invalid(
                "limit",
                format!("must be between 1 and {MAX_SEARCH_LIMIT}"),
            ));
        }
        let space = space.map(cql::validate_space_key).transpose()?;
        self.cql(&cql::text_search(text, space.as_deref()), limit, start)
            .await
    }

    async fn cql(&self, cql: &str, limit: u32, start: u32) -> Result<SearchPage> {
        let page: ResultPage<ContentJson> = self
            .send(
                self.search_request(cql, limit, start),
                Idempotency::ByMethod,
            )
            .await?
            .json()?;
        let base = page.links.as_ref().and_then(|l| l.base.clone());
        let has_more = page.links.as_ref().and_then(|l| l.next.as_ref()).is_some();
        Ok(SearchPage {
            pages: page
                .results
                .into_iter()
                .map(|c| to_page(c, base.as_deref()))
                .collect(),
            start,
            limit,
            has_more,
        })
    }

    /// The page titled `title` in `space`, if there is one.
    pub async fn find_by_title(&self, space: &str, title: &str) -> Result<Option<Page>> {
        Ok(self
            .cql(&cql::by_title(space, title), 1, 0)
            .await?
            .pages
            .into_iter()
            .next())
    }

    pub async fn get_page(&self, id: &str) -> Result<Page> {
        let response = self
            .send(self.get_page_request(id), Idempotency::ByMethod)
            .await?;
        Ok(to_page(response.json()?, None))
    }

    /// Creates a page; sent once.
    pub async fn create_page(&self, page: &NewPage<'_>) -> Result<Page> {
        let response = self
            .send(self.create_page_request(page), Idempotency::Once)
            .await?;
        Ok(to_page(response.json()?, None))
    }

    /// Writes `version` (the current version + 1). A 409 is returned as
    /// [`HttpError::Conflict`] for the caller to explain.
    pub async fn update_page(
        &self,
        id: &str,
        title: &str,
        storage: &str,
        version: i64,
    ) -> Result<Page> {
        self.update_page_with(id, title, storage, version, false)
            .await
    }

    /// [`Self::update_page`], optionally as a minor edit.
    pub async fn update_page_with(
        &self,
        id: &str,
        title: &str,
        storage: &str,
        version: i64,
        minor_edit: bool,
    ) -> Result<Page> {
        let response = self
            .send(
                self.update_page_request_with(id, title, storage, version, minor_edit),
                Idempotency::Once,
            )
            .await?;
        Ok(to_page(response.json()?, None))
    }
}

fn to_page(c: ContentJson, base_from_list: Option<&str>) -> Page {
    let links: Option<Links> = c.links;
    let base = links
        .as_ref()
        .and_then(|l| l.base.clone())
        .or(base_from_list.map(str::to_owned));
    let url = match (base, links.and_then(|l| l.webui)) {
        (Some(b), Some(w)) => Some(format!("{b}{w}")),
        _ => None,
    };
    let bridge_key = c
        .metadata
        .as_ref()
        .and_then(|m| m.pointer(&format!("/properties/{BRIDGE_PROPERTY}/value/key")))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Page {
        id: c.id,
        title: c.title,
        space_key: c.space.map(|s| s.key),
        version: c.version.map(|v| v.number),
        url,
        bridge_key,
    }
}

#[cfg(test)]
mod tests;
