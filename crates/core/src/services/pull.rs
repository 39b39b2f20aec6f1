//! `incident sync`: what happened at the services comes into the timeline.
//! Each linked record's state, priority and assignee (as the service shows
//! them: "In Progress", "1 - Critical", a person's name) are stored on its
//! link; a state that changed there becomes an event; work notes, comments
//! and work item comments written by others become events with their
//! author and time. Entries we posted ourselves are recognised (by their
//! id, or the event marker in their text) and not pulled back in; a pulled
//! entry is stored once (unique per connection and the service's id).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;

use super::Services;
use crate::app::lock;
use crate::connections::Provider;
use crate::error::{Error, Result};
use crate::incidents::timeline::{is_ours, to_stored, EventSource};
use crate::incidents::{EventKind, Incident, TimelineEvent};
use crate::providers::servicenow::RecordRef;
use crate::store::incidents::{self as links_repo, LinkRow};
use crate::store::timeline::{self as repo, EventRow};
use crate::time::now_rfc3339;

/// What one linked record said.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordSync {
    pub connection: String,
    /// INC number or work item id.
    pub record: String,
    pub synced: bool,
    pub state: Option<String>,
    pub priority: Option<String>,
    pub assignee: Option<String>,
    /// Events this pull added to the timeline.
    #[cfg_attr(feature = "specta", specta(type = f64))]
    pub new_events: usize,
    /// Why it could not be read, when it could not.
    pub error: Option<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub incident: Incident,
    pub records: Vec<RecordSync>,
    /// The events this pull added, oldest first.
    pub added: Vec<TimelineEvent>,
}

/// What a service said about one record, before it is stored.
struct Pulled {
    record: String,
    state: Option<String>,
    priority: Option<String>,
    assignee: Option<String>,
    /// Who changed the record last, and when (for a state change event).
    updated_by: Option<String>,
    updated_on: Option<String>,
    notes: Vec<PulledNote>,
}

struct PulledNote {
    external_id: String,
    author: String,
    occurred_at: String,
    text: String,
}

/// ServiceNow's stored times: UTC, "YYYY-MM-DD HH:MM:SS".
fn servicenow_time(text: &str) -> Option<String> {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| to_stored(DateTime::<Utc>::from_naive_utc_and_offset(t, Utc)))
}

fn rfc3339_time(text: &str) -> Option<String> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| to_stored(t.with_timezone(&Utc)))
}

/// An Azure DevOps comment's HTML as plain text: tags dropped, the common
/// entities decoded, paragraphs kept apart.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let name = tag
                    .trim_start_matches('/')
                    .split(|c: char| c.is_whitespace() || c == '/')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                if ["p", "br", "div", "li", "h1", "h2", "h3", "tr"].contains(&name.as_str())
                    && !out.ends_with('\n')
                    && !out.is_empty()
                {
                    out.push('\n');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

impl Services {
    /// Pulls every linked record of incident `id` into its links and
    /// timeline. A record that cannot be read is reported, not fatal.
    pub async fn sync_incident(&self, id: &str) -> Result<SyncReport> {
        let (incident_id, links, before) = {
            let core = lock(&self.core)?;
            let row = core.find_incident(id)?;
            let links = links_repo::links_for(core.db(), &row.id)?;
            let before: Vec<String> = repo::for_incident(core.db(), &row.id)?
                .into_iter()
                .map(|e| e.id)
                .collect();
            (row.id, links, before)
        };
        let mut records = Vec::new();
        for link in &links {
            records.push(self.pull_link(link).await);
        }
        let (incident, events) = lock(&self.core)?.timeline(&incident_id)?;
        let added = events
            .into_iter()
            .filter(|e| !before.contains(&e.id))
            .collect();
        Ok(SyncReport {
            incident,
            records,
            added,
        })
    }

    /// Reads one linked record and stores what it says.
    pub(crate) async fn pull_link(&self, link: &LinkRow) -> RecordSync {
        let record = link
            .external_key
            .clone()
            .unwrap_or_else(|| link.external_id.clone());
        let pulled = if link.provider == Provider::ServiceNow.as_str() {
            self.pull_servicenow(link).await
        } else if link.provider == Provider::AzureDevOps.as_str() {
            self.pull_work_item(link).await
        } else {
            Err(Error::Unsupported(format!(
                "{} records are not pulled",
                link.provider
            )))
        };
        let stored = match pulled {
            Ok(pulled) => self.store_pulled(link, pulled),
            Err(e) => Err(e),
        };
        match stored {
            Ok(sync) => sync,
            Err(e) => RecordSync {
                connection: link.connection_name.clone(),
                record,
                synced: false,
                state: link.remote_state.clone(),
                priority: link.remote_priority.clone(),
                assignee: link.remote_assignee.clone(),
                new_events: 0,
                error: Some(e.to_string()),
            },
        }
    }

    async fn pull_servicenow(&self, link: &LinkRow) -> Result<Pulled> {
        let (_, client) = self
            .servicenow(&link.connection_name, "incident sync")
            .await?;
        let record = client
            .get(&RecordRef::SysId(link.external_id.to_ascii_lowercase()))
            .await?;
        let notes = client
            .journal(&link.external_id.to_ascii_lowercase())
            .await?
            .into_iter()
            .map(|entry| PulledNote {
                occurred_at: servicenow_time(&entry.sys_created_on).unwrap_or_else(now_rfc3339),
                author: if entry.sys_created_by.is_empty() {
                    "ServiceNow user".to_owned()
                } else {
                    entry.sys_created_by
                },
                text: if entry.element == "comments" {
                    format!("(additional comment) {}", entry.value)
                } else {
                    entry.value
                },
                external_id: entry.sys_id,
            })
            .collect();
        Ok(Pulled {
            record: record
                .number
                .clone()
                .unwrap_or_else(|| link.external_id.clone()),
            state: record.state,
            priority: record.priority,
            assignee: record.assigned_to.filter(|a| !a.is_empty()),
            updated_by: record.sys_updated_by,
            updated_on: record.sys_updated_on,
            notes,
        })
    }

    async fn pull_work_item(&self, link: &LinkRow) -> Result<Pulled> {
        let id: u64 = link.external_id.parse().map_err(|_| {
            Error::Internal(format!(
                "the link to '{}' holds '{}', not a work item id",
                link.connection_name, link.external_id
            ))
        })?;
        let (_, client) = self
            .azure_devops(&link.connection_name, "incident sync")
            .await?;
        let item = client.get(id).await?;
        let notes = client
            .comments(id)
            .await?
            .into_iter()
            .map(|c| PulledNote {
                author: c.author(),
                occurred_at: c
                    .created_date
                    .as_deref()
                    .and_then(rfc3339_time)
                    .unwrap_or_else(now_rfc3339),
                text: html_to_text(&c.text),
                external_id: c.id.to_string(),
            })
            .collect();
        Ok(Pulled {
            record: id.to_string(),
            state: item.field_text("System.State"),
            priority: item.field_text("Microsoft.VSTS.Common.Priority"),
            assignee: item.field_text("System.AssignedTo"),
            updated_by: item.field_text("System.ChangedBy"),
            updated_on: item
                .field_text("System.ChangedDate")
                .as_deref()
                .and_then(rfc3339_time),
            notes,
        })
    }

    /// One transaction: the link's state, and the new events.
    fn store_pulled(&self, link: &LinkRow, pulled: Pulled) -> Result<RecordSync> {
        let source = if link.provider == Provider::ServiceNow.as_str() {
            EventSource::Servicenow
        } else {
            EventSource::AzureDevops
        };
        let core = lock(&self.core)?;
        let ours = repo::posted_remote_ids(core.db(), &link.connection_id)?;
        let now = now_rfc3339();
        let event =
            |external_id: String, kind: EventKind, at: String, author: String, text: String| {
                EventRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    incident_id: link.incident_id.clone(),
                    kind: kind.as_str().to_owned(),
                    occurred_at: at,
                    author,
                    text,
                    source: source.as_str().to_owned(),
                    connection_id: Some(link.connection_id.clone()),
                    connection_name: None,
                    external_id: Some(external_id),
                    created_at: now.clone(),
                }
            };
        let mut rows = Vec::new();
        if let (Some(before), Some(after)) = (&link.remote_state, &pulled.state) {
            if before != after {
                let at = pulled
                    .updated_on
                    .as_deref()
                    .and_then(|t| servicenow_time(t).or_else(|| rfc3339_time(t)))
                    .unwrap_or_else(|| now.clone());
                rows.push(event(
                    format!("state:{after}:{at}"),
                    EventKind::Update,
                    at,
                    pulled
                        .updated_by
                        .clone()
                        .unwrap_or_else(|| link.connection_name.clone()),
                    format!("{}: state {before} → {after}", pulled.record),
                ));
            }
        }
        for note in pulled.notes {
            if ours.contains(&note.external_id)
                || is_ours(&note.text)
                || note.text.trim().is_empty()
            {
                continue;
            }
            rows.push(event(
                note.external_id,
                EventKind::Note,
                note.occurred_at,
                note.author,
                note.text,
            ));
        }
        let tx = rusqlite::Transaction::new_unchecked(
            core.db(),
            rusqlite::TransactionBehavior::Immediate,
        )?;
        let mut added = 0;
        for row in &rows {
            if repo::insert(&tx, row)? {
                added += 1;
            }
        }
        links_repo::update_link_remote(
            &tx,
            &link.id,
            pulled.state.as_deref(),
            pulled.priority.as_deref(),
            pulled.assignee.as_deref(),
            &now,
        )?;
        tx.commit()?;
        Ok(RecordSync {
            connection: link.connection_name.clone(),
            record: pulled.record,
            synced: true,
            state: pulled.state,
            priority: pulled.priority,
            assignee: pulled.assignee,
            new_events: added,
            error: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_html_reads_as_text() {
        assert_eq!(
            html_to_text("<div>Rolled back &amp; <b>watching</b></div><div>p99 &lt; 200 ms</div>"),
            "Rolled back & watching\np99 < 200 ms"
        );
    }

    #[test]
    fn service_times_become_utc() {
        assert_eq!(
            servicenow_time("2026-03-01 14:05:00").as_deref(),
            Some("2026-03-01T14:05:00.000Z")
        );
        assert_eq!(
            rfc3339_time("2026-03-01T15:05:00+01:00").as_deref(),
            Some("2026-03-01T14:05:00.000Z")
        );
    }
}
