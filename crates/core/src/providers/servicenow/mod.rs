//! ServiceNow Table API client for incidents (`/api/now/table/incident`).

mod journal;
mod metadata;
mod model;
pub mod query;
mod refusal;
mod tasks;

use std::collections::BTreeMap;

use reqwest::Method;
use url::Url;

pub use journal::{Choice, JournalEntry, StateFields};
pub use metadata::SnRecord;
pub use model::{NewSnIncident, Page, SnIncident, SnUser};
pub use tasks::{check_task_table, NewSnTask, SnTask, DEFAULT_TASK_TABLE, TASK_TABLES};

use super::AuthHeader;
use crate::error::{Error, Result};
use crate::http::{HttpClient, HttpError, HttpResponse, Idempotency};
use model::{Many, One};

const INCIDENT_PATH: &str = "/api/now/table/incident";
const USER_PATH: &str = "/api/now/table/sys_user";
/// What lists show: fetching only these keeps pages small.
const LIST_FIELDS: &str =
    "sys_id,number,short_description,state,priority,urgency,impact,correlation_id,sys_updated_on";
pub const MAX_PAGE: u32 = 100;

/// How a person names an incident: its sys_id or its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordRef {
    SysId(String),
    Number(String),
}

impl RecordRef {
    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim();
        if t.len() == 32 && t.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(RecordRef::SysId(t.to_ascii_lowercase()));
        }
        let upper = t.to_ascii_uppercase();
        if upper.len() > 3
            && upper.starts_with("INC")
            && upper[3..].chars().all(|c| c.is_ascii_digit())
        {
            return Ok(RecordRef::Number(upper));
        }
        Err(Error::invalid(
            "record",
            format!("'{t}' is neither a sys_id (32 hex characters) nor an incident number like INC0010001"),
        ))
    }
}

/// A ServiceNow instance's origin, the only part of a pasted URL we keep:
/// `https://acme.service-now.com/now/nav/ui/...` → `https://acme.service-now.com`.
pub fn instance_origin(url: &str) -> Result<String> {
    let parsed = Url::parse(url)
        .map_err(|e| Error::invalid("url", format!("'{url}' is not a URL ({e})")))?;
    Ok(parsed.origin().ascii_serialization())
}

/// A field name as `--field name=value` takes it: a ServiceNow column.
pub fn validate_field_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 80
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with("sys_");
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "field",
            format!("'{name}' is not a writable incident column (lower-case letters, digits and _; not sys_*)"),
        ))
    }
}

pub struct ServiceNowClient {
    http: HttpClient,
    base: String,
    auth: AuthHeader,
}

impl ServiceNowClient {
    pub fn new(http: HttpClient, base_url: &str, auth: AuthHeader) -> Result<Self> {
        Ok(Self {
            http,
            base: instance_origin(base_url)?,
            auth,
        })
    }

    /// The page a person opens for the record.
    pub fn record_url(&self, sys_id: &str) -> String {
        format!("{}/nav_to.do?uri=incident.do?sys_id={sys_id}", self.base)
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.auth
            .apply(self.http.request(method, &format!("{}{path}", self.base)))
            .header("accept", "application/json")
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        idempotency: Idempotency,
    ) -> Result<HttpResponse> {
        self.http
            .send_with(request, idempotency)
            .await
            .map_err(refusal::interpret)
    }

    // Request builders, one per vendor operation, public so contract tests
    // send exactly what the client sends. Inputs are checked by the
    // methods below before a request is built.

    /// `sys_user` by user name (basic auth), or the session's own user.
    pub fn current_user_request(&self, username: Option<&str>) -> reqwest::RequestBuilder {
        let condition = match username {
            Some(u) => format!("user_name={}", query::value(u)),
            None => "sys_id=javascript:gs.getUserID()".to_owned(),
        };
        self.request(Method::GET, USER_PATH).query(&[
            ("sysparm_query", condition.as_str()),
            ("sysparm_fields", "user_name,name,email"),
            ("sysparm_limit", "1"),
        ])
    }

    /// One page of incidents whose text contains `text`, with labels.
    pub fn search_request(&self, text: &str, limit: u32, offset: u32) -> reqwest::RequestBuilder {
        let encoded = query::text_search(text);
        let (limit, offset) = (limit.to_string(), offset.to_string());
        self.request(Method::GET, INCIDENT_PATH).query(&[
            ("sysparm_query", encoded.as_str()),
            ("sysparm_fields", LIST_FIELDS),
            ("sysparm_limit", limit.as_str()),
            ("sysparm_offset", offset.as_str()),
            ("sysparm_display_value", "true"),
            ("sysparm_exclude_reference_link", "true"),
        ])
    }

    /// One incident by sys_id, with labels.
    pub fn get_request(&self, sys_id: &str) -> reqwest::RequestBuilder {
        self.request(Method::GET, &format!("{INCIDENT_PATH}/{sys_id}"))
            .query(&[
                ("sysparm_display_value", "true"),
                ("sysparm_exclude_reference_link", "true"),
            ])
    }

    /// The first incident matching an encoded query (`number=…`,
    /// `correlation_id=…`); stored values unless `labels`.
    pub fn first_where_request(&self, condition: &str, labels: bool) -> reqwest::RequestBuilder {
        self.request(Method::GET, INCIDENT_PATH).query(&[
            ("sysparm_query", condition),
            ("sysparm_fields", LIST_FIELDS),
            ("sysparm_limit", "1"),
            (
                "sysparm_display_value",
                if labels { "true" } else { "false" },
            ),
            ("sysparm_exclude_reference_link", "true"),
        ])
    }

    /// Labels in the answer ("New", "1 - Critical"): the link keeps what
    /// the service shows people, not its stored codes.
    pub fn create_request(&self, incident: &NewSnIncident) -> reqwest::RequestBuilder {
        self.request(Method::POST, INCIDENT_PATH)
            .query(&[
                ("sysparm_display_value", "true"),
                ("sysparm_exclude_reference_link", "true"),
            ])
            .json(incident)
    }

    pub fn update_request(
        &self,
        sys_id: &str,
        fields: &BTreeMap<String, String>,
    ) -> reqwest::RequestBuilder {
        self.request(
            Method::PATCH,
            &format!("{INCIDENT_PATH}/{}", sys_id.to_ascii_lowercase()),
        )
        .query(&[
            ("sysparm_display_value", "true"),
            ("sysparm_exclude_reference_link", "true"),
        ])
        .json(fields)
    }

    fn with_url(&self, mut incident: SnIncident) -> SnIncident {
        incident.url = self.record_url(&incident.sys_id);
        incident
    }

    /// Who the instance says we are: by user name for basic auth, or the
    /// session's own user (`gs.getUserID()`) for OAuth.
    pub async fn current_user(&self, username: Option<&str>) -> Result<SnUser> {
        if let Some(u) = username {
            query::check("username", u)?;
        }
        let response = self
            .send(self.current_user_request(username), Idempotency::ByMethod)
            .await?;
        let users: Many<SnUser> = response.json()?;
        users.result.into_iter().next().ok_or_else(|| {
            Error::Http(HttpError::InvalidResponse {
                reason: "the instance accepted the credentials but returned no user record (the account may lack read access to sys_user)".into(),
            })
        })
    }

    /// One page of incidents whose text contains `text`.
    pub async fn search(&self, text: &str, limit: u32, offset: u32) -> Result<Page<SnIncident>> {
        if text.trim().is_empty() {
            return Err(Error::invalid("query", "must not be empty"));
        }
        if limit == 0 || limit > MAX_PAGE {
            return Err(Error::invalid(
                "limit",
                format!("must be between 1 and {MAX_PAGE}"),
            ));
        }
        query::check("query", text)?;
        let response = self
            .send(
                self.search_request(text, limit, offset),
                Idempotency::ByMethod,
            )
            .await?;
        let total = response
            .headers
            .get("x-total-count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let page: Many<SnIncident> = response.json()?;
        Ok(Page {
            items: page.result.into_iter().map(|i| self.with_url(i)).collect(),
            offset,
            limit,
            total,
        })
    }

    /// Every match, page by page, up to `max` records.
    pub async fn search_all(
        &self,
        text: &str,
        page_size: u32,
        max: usize,
    ) -> Result<Vec<SnIncident>> {
        let mut all = Vec::new();
        let mut offset = 0u32;
        loop {
            let page = self.search(text, page_size, offset).await?;
            let more = page.has_more();
            let count = page.items.len() as u32;
            all.extend(page.items);
            if !more || count == 0 || all.len() >= max {
                all.truncate(max);
                return Ok(all);
            }
            offset += count;
        }
    }

    pub async fn get(&self, reference: &RecordRef) -> Result<SnIncident> {
        match reference {
            RecordRef::SysId(sys_id) => {
                let one: One<SnIncident> = self
                    .send(self.get_request(sys_id), Idempotency::ByMethod)
                    .await?
                    .json()?;
                Ok(self.with_url(one.result))
            }
            RecordRef::Number(number) => {
                query::check("number", number)?;
                self.first_where(&query::by_number(number), true)
                    .await?
                    .ok_or_else(|| Error::NotFound {
                        what: "ServiceNow incident",
                        name: number.clone(),
                    })
            }
        }
    }

    /// The incident filed earlier for our incident `correlation_id`, if any.
    pub async fn find_by_correlation(&self, correlation_id: &str) -> Result<Option<SnIncident>> {
        query::check("correlation_id", correlation_id)?;
        self.first_where(&query::by_correlation(correlation_id), false)
            .await
    }

    async fn first_where(&self, condition: &str, labels: bool) -> Result<Option<SnIncident>> {
        let found: Many<SnIncident> = self
            .send(
                self.first_where_request(condition, labels),
                Idempotency::ByMethod,
            )
            .await?
            .json()?;
        Ok(found.result.into_iter().next().map(|i| self.with_url(i)))
    }

    /// Creates the incident. Sent once: a lost answer is resolved by
    /// [`Self::find_by_correlation`], never by sending again.
    pub async fn create(&self, incident: &NewSnIncident) -> Result<SnIncident> {
        let one: One<SnIncident> = self
            .send(self.create_request(incident), Idempotency::Once)
            .await?
            .json()?;
        Ok(self.with_url(one.result))
    }

    pub async fn update(
        &self,
        sys_id: &str,
        fields: &BTreeMap<String, String>,
    ) -> Result<SnIncident> {
        if !(sys_id.len() == 32 && sys_id.chars().all(|c| c.is_ascii_hexdigit())) {
            return Err(Error::invalid(
                "sys_id",
                format!("'{sys_id}' is not a sys_id (32 hex characters)"),
            ));
        }
        if fields.is_empty() {
            return Err(Error::missing(
                "field",
                "give at least one field to set, with its name and value",
            ));
        }
        for name in fields.keys() {
            validate_field_name(name)?;
        }
        let one: One<SnIncident> = self
            .send(self.update_request(sys_id, fields), Idempotency::Idempotent)
            .await?
            .json()?;
        Ok(self.with_url(one.result))
    }
}

#[cfg(test)]
mod tests;
