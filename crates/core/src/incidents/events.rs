//! Recording timeline events, and journaling their posts to the records an
//! incident is filed as, in one transaction.

use std::collections::HashMap;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::timeline::{
    local_author, parse_time, to_stored, validate_text, EventKind, EventPost, EventSource,
    NewEvent, PostTo, TimelineEvent,
};
use super::{Incident, IncidentStatus};
use crate::app::Core;
use crate::audit::{self, Event, Outcome};
use crate::connections::Provider;
use crate::error::{Error, Result};
use crate::outbox::{row_for, CommentPost, Journal, JournalPost, Write};
use crate::store::incidents::LinkRow;
use crate::store::outbox::OutboxRow;
use crate::store::timeline::{self as repo, EventRow, PostRow};
use crate::time::now_rfc3339;

/// The event a status change adds: moving to monitoring is the mitigation,
/// to resolved the resolution; the rest are updates.
pub fn status_event_kind(status: IncidentStatus) -> EventKind {
    match status {
        IncidentStatus::Monitoring => EventKind::Mitigated,
        IncidentStatus::Resolved => EventKind::Resolved,
        _ => EventKind::Update,
    }
}

/// A new local event's row.
pub(crate) fn local_event(
    incident_id: &str,
    kind: EventKind,
    occurred_at: String,
    text: String,
) -> EventRow {
    EventRow {
        id: uuid::Uuid::new_v4().to_string(),
        incident_id: incident_id.to_owned(),
        kind: kind.as_str().to_owned(),
        occurred_at,
        author: local_author(),
        text,
        source: EventSource::Local.as_str().to_owned(),
        connection_id: None,
        connection_name: None,
        external_id: None,
        created_at: now_rfc3339(),
    }
}

/// The journal entries that post `event_id` to each linked record.
pub(crate) fn note_journals<'a>(
    event_id: &str,
    links: &'a [LinkRow],
    post: PostTo,
) -> Result<Vec<Journal<'a>>> {
    let field = match post {
        PostTo::None => return Ok(Vec::new()),
        PostTo::WorkNotes => "work_notes",
        PostTo::Comments => "comments",
    };
    let mut journals = Vec::new();
    for link in links {
        let write: Write = if link.provider == Provider::ServiceNow.as_str() {
            JournalPost {
                event: event_id.to_owned(),
                sys_id: link.external_id.to_ascii_lowercase(),
                field: field.to_owned(),
            }
            .into()
        } else if link.provider == Provider::AzureDevOps.as_str() {
            let id = link.external_id.parse().map_err(|_| {
                Error::Internal(format!(
                    "the link to '{}' holds '{}', not a work item id",
                    link.connection_name, link.external_id
                ))
            })?;
            CommentPost {
                event: event_id.to_owned(),
                id,
            }
            .into()
        } else {
            continue;
        };
        journals.push(Journal {
            key: format!("{}:{}:{event_id}", write.kind(), link.connection_id),
            connection_id: &link.connection_id,
            write,
        });
    }
    Ok(journals)
}

pub(crate) fn event_view(
    row: EventRow,
    posts: &HashMap<String, Vec<EventPost>>,
) -> Result<TimelineEvent> {
    Ok(TimelineEvent {
        kind: row.kind.parse()?,
        source: EventSource::parse(&row.source)?,
        posted: posts.get(&row.id).cloned().unwrap_or_default(),
        id: row.id,
        incident_id: row.incident_id,
        occurred_at: row.occurred_at,
        author: row.author,
        text: row.text,
        connection: row.connection_name,
        external_id: row.external_id,
    })
}

/// Every event of an incident, oldest first, with where each was posted.
pub(crate) fn events_of(conn: &Connection, incident_id: &str) -> Result<Vec<TimelineEvent>> {
    let mut posts: HashMap<String, Vec<EventPost>> = HashMap::new();
    for PostRow {
        event_id,
        connection_name,
        remote_id,
        channel,
        posted_at,
        ..
    } in repo::posts_for_incident(conn, incident_id)?
    {
        posts.entry(event_id).or_default().push(EventPost {
            connection: connection_name,
            channel,
            remote_id,
            posted_at,
        });
    }
    repo::for_incident(conn, incident_id)?
        .into_iter()
        .map(|row| event_view(row, &posts))
        .collect()
}

impl Core {
    /// The incident and its timeline, oldest event first.
    pub fn timeline(&self, id: &str) -> Result<(Incident, Vec<TimelineEvent>)> {
        let incident = self.incident(id)?;
        let events = events_of(self.db(), &incident.id)?;
        Ok((incident, events))
    }

    /// One event by id or an unambiguous prefix of at least 8 characters.
    pub fn timeline_event(&self, id: &str) -> Result<TimelineEvent> {
        let row = crate::lookup::by_id_or_prefix(
            id,
            "timeline event",
            |id| repo::find(self.db(), id),
            |prefix| repo::find_by_prefix(self.db(), prefix),
        )?;
        let events = events_of(self.db(), &row.incident_id)?;
        events
            .into_iter()
            .find(|e| e.id == row.id)
            .ok_or_else(|| Error::NotFound {
                what: "timeline event",
                name: id.to_owned(),
            })
    }

    /// Records an event and, unless `post` is `none`, journals its post to
    /// every record the incident is filed as, in the same transaction.
    pub(crate) fn add_event_journaled(
        &mut self,
        incident_id: &str,
        input: NewEvent,
    ) -> Result<(TimelineEvent, Vec<OutboxRow>)> {
        let incident = self.find_incident(incident_id)?;
        let text = validate_text(&input.text)?;
        let kind: EventKind = match input.kind.as_deref() {
            Some(k) => k.parse()?,
            None => EventKind::Note,
        };
        let now = chrono::Utc::now();
        let at = match input.at.as_deref() {
            Some(t) if !t.trim().is_empty() => parse_time(t, now)?,
            _ => now,
        };
        let post: PostTo = match input.post.as_deref() {
            Some(p) => p.parse()?,
            None => PostTo::WorkNotes,
        };
        let row = local_event(&incident.id, kind, to_stored(at), text);
        let links = crate::store::incidents::links_for(self.db(), &incident.id)?;
        let journals = note_journals(&row.id, &links, post)?;
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        repo::insert(&tx, &row)?;
        let mut journaled = Vec::new();
        for journal in &journals {
            journaled.push(crate::store::outbox::journal(&tx, &row_for(journal))?);
        }
        audit::append(
            &tx,
            &Event {
                actor: self.actor(),
                action: "incident.event",
                connection: None,
                outcome: Outcome::Ok,
                detail: format!(
                    "incident={} event={} kind={} posts={}",
                    incident.id,
                    row.id,
                    row.kind,
                    journaled.len()
                ),
            },
        )?;
        tx.commit()?;
        Ok((self.timeline_event(&row.id)?, journaled))
    }

    /// Journals the post of an existing local event to every linked record
    /// it has not reached yet (its key is the same as the first time, so a
    /// post already journaled or done is not journaled again).
    pub(crate) fn journal_event_posts(
        &mut self,
        event_id: &str,
        post: PostTo,
    ) -> Result<(TimelineEvent, Vec<OutboxRow>)> {
        let event = self.timeline_event(event_id)?;
        if event.source != EventSource::Local {
            return Err(Error::invalid(
                "event",
                "only events written here are posted; this one came from a service",
            ));
        }
        if post == PostTo::None {
            return Err(Error::invalid("post", "give work_notes or comments"));
        }
        let links: Vec<LinkRow> =
            crate::store::incidents::links_for(self.db(), &event.incident_id)?
                .into_iter()
                .filter(|l| {
                    !event
                        .posted
                        .iter()
                        .any(|p| p.connection == l.connection_name)
                })
                .collect();
        let journals = note_journals(&event.id, &links, post)?;
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        let mut journaled = Vec::new();
        for journal in &journals {
            let row = crate::store::outbox::journal(&tx, &row_for(journal))?;
            if row.state != crate::outbox::OutboxState::Done {
                journaled.push(row);
            }
        }
        tx.commit()?;
        Ok((event, journaled))
    }
}
