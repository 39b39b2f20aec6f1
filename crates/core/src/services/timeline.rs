//! The timeline through the front door: reading it, adding events, and
//! posting them to every record the incident is filed as (ServiceNow work
//! notes or comments, an Azure DevOps comment), each exactly once per
//! record: journaled under `<kind>:<connection>:<event>`, recorded in
//! `event_posts` in the transaction that marks the write done, and after a
//! lost answer looked up at the service by the event's marker before
//! anything is sent again.

use chrono::DateTime;
use serde::Serialize;

use super::deliver::{Attempt, Deliver};
use super::Services;
use crate::app::lock;
use crate::error::Result;
use crate::incidents::timeline::{post_marker, PostTo};
use crate::incidents::{Incident, NewEvent, TimelineEvent};
use crate::outbox::{CommentPost, JournalPost, WriteKind};
use crate::store::outbox::OutboxRow;
use crate::store::timeline::{self as repo, PostRow};
use crate::time::now_rfc3339;

/// An incident with its timeline, oldest event first.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timeline {
    pub incident: Incident,
    pub events: Vec<TimelineEvent>,
}

/// A local event posted to one linked record.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotePosted {
    pub event_id: String,
    pub connection: String,
    /// `work_notes`, `comments` or `comment`.
    pub channel: String,
    pub remote_id: String,
    /// Found already at the service (an earlier answer was lost), not sent.
    pub reconciled: bool,
}

/// What became of one post: done, or why not yet (it stays in the outbox).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PostOutcome {
    pub connection: String,
    pub posted: Option<NotePosted>,
    pub error: Option<String>,
}

/// An event as recorded, and its posts.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddedEvent {
    pub event: TimelineEvent,
    pub posts: Vec<PostOutcome>,
}

/// The first line of every posted note: what, when (UTC, the service's
/// readers are anywhere), who.
fn heading(event: &TimelineEvent) -> String {
    let when = DateTime::parse_from_rfc3339(&event.occurred_at)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| event.occurred_at.clone());
    format!("{} at {when} by {}", event.kind.label(), event.author)
}

/// A ServiceNow journal entry is plain text.
pub(crate) fn journal_text(event: &TimelineEvent) -> String {
    format!(
        "{}\n\n{}\n\n{}",
        heading(event),
        event.text,
        post_marker(&event.id)
    )
}

/// An Azure DevOps comment is HTML, rendered from the Markdown.
pub(crate) fn comment_html(event: &TimelineEvent) -> String {
    crate::docs::html::markdown_to_html(&format!(
        "**{}**\n\n{}\n\n{}",
        heading(event),
        event.text,
        post_marker(&event.id)
    ))
}

impl Services {
    pub fn incident_timeline(&self, id: &str) -> Result<Timeline> {
        let (incident, events) = lock(&self.core)?.timeline(id)?;
        Ok(Timeline { incident, events })
    }

    /// Records an event (kind, time, Markdown text) and posts it to every
    /// record the incident is filed as, unless `post` is `none`.
    pub async fn add_incident_event(&self, id: &str, input: NewEvent) -> Result<AddedEvent> {
        let (event, entries) = lock(&self.core)?.add_event_journaled(id, input)?;
        let posts = self.deliver_posts(entries).await?;
        let event = lock(&self.core)?.timeline_event(&event.id)?;
        Ok(AddedEvent { event, posts })
    }

    /// Posts an existing local event to the linked records it has not
    /// reached yet; a record it reached is not written again.
    pub async fn post_incident_event(&self, event_id: &str, post: &str) -> Result<AddedEvent> {
        let post: PostTo = post.parse()?;
        let (event, entries) = lock(&self.core)?.journal_event_posts(event_id, post)?;
        let posts = self.deliver_posts(entries).await?;
        let event = lock(&self.core)?.timeline_event(&event.id)?;
        Ok(AddedEvent { event, posts })
    }

    async fn deliver_posts(&self, entries: Vec<OutboxRow>) -> Result<Vec<PostOutcome>> {
        let mut outcomes = Vec::new();
        for entry in entries {
            let connection = lock(&self.core)?.view_by_id(&entry.connection_id)?.name;
            let result = if entry.operation == WriteKind::CommentPost.as_str() {
                self.deliver::<CommentPost>(&entry.id).await
            } else {
                self.deliver::<JournalPost>(&entry.id).await
            };
            outcomes.push(match result {
                Ok(posted) => PostOutcome {
                    connection,
                    posted: Some(posted),
                    error: None,
                },
                Err(e) => PostOutcome {
                    connection,
                    posted: None,
                    error: Some(e.to_string()),
                },
            });
        }
        Ok(outcomes)
    }

    /// The event, or what was already posted for it to this connection.
    fn post_target(
        &self,
        attempt: &Attempt,
        event_id: &str,
    ) -> Result<(TimelineEvent, String, Option<String>)> {
        let core = lock(&self.core)?;
        let event = core.timeline_event(event_id)?;
        let view = core.view_by_id(&attempt.entry.connection_id)?;
        let done = repo::find_post(core.db(), &event.id, &view.id)?;
        Ok((event, view.name, done))
    }

    /// Records the post with the write's completion (one transaction).
    fn record_post(&self, attempt: &Attempt, posted: NotePosted) -> Result<NotePosted> {
        let row = PostRow {
            event_id: posted.event_id.clone(),
            connection_id: attempt.entry.connection_id.clone(),
            connection_name: posted.connection.clone(),
            remote_id: posted.remote_id.clone(),
            channel: posted.channel.clone(),
            posted_at: now_rfc3339(),
        };
        lock(&self.core)?
            .outbox_done_with(&attempt.entry.id, |tx| Ok(repo::record_post(tx, &row)?))?;
        Ok(posted)
    }
}

impl Deliver for JournalPost {
    type Output = NotePosted;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<NotePosted> {
        let (event, connection, done) = services.post_target(attempt, &self.event)?;
        let posted = |remote_id: String, reconciled: bool| NotePosted {
            event_id: event.id.clone(),
            connection: connection.clone(),
            channel: self.field.clone(),
            remote_id,
            reconciled,
        };
        if let Some(remote_id) = done {
            return services.record_post(attempt, posted(remote_id, true));
        }
        let (_, client) = services.servicenow(&connection, "post work note").await?;
        let marker = post_marker(&event.id);
        let find = |entries: Vec<crate::providers::servicenow::JournalEntry>| {
            entries
                .into_iter()
                .find(|e| e.element == self.field && e.value.contains(&marker))
                .map(|e| e.sys_id)
        };
        if attempt.resend {
            if let Some(found) = find(client.journal(&self.sys_id).await?) {
                return services.record_post(attempt, posted(found, true));
            }
        }
        client
            .post_journal(&self.sys_id, &self.field, &journal_text(&event))
            .await?;
        // The PATCH answers with the incident, not the entry: read the
        // entry's id back so a pull knows it as ours.
        let remote_id = find(client.journal(&self.sys_id).await?)
            .unwrap_or_else(|| format!("{}:{}", self.sys_id, event.id));
        services.record_post(attempt, posted(remote_id, false))
    }
}

impl Deliver for CommentPost {
    type Output = NotePosted;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<NotePosted> {
        let (event, connection, done) = services.post_target(attempt, &self.event)?;
        let posted = |remote_id: String, reconciled: bool| NotePosted {
            event_id: event.id.clone(),
            connection: connection.clone(),
            channel: "comment".to_owned(),
            remote_id,
            reconciled,
        };
        if let Some(remote_id) = done {
            return services.record_post(attempt, posted(remote_id, true));
        }
        let (_, client) = services
            .azure_devops(&connection, "post work item comment")
            .await?;
        if attempt.resend {
            let marker = post_marker(&event.id);
            if let Some(found) = client
                .comments(self.id)
                .await?
                .into_iter()
                .find(|c| c.text.contains(&marker))
            {
                return services.record_post(attempt, posted(found.id.to_string(), true));
            }
        }
        let comment = client.add_comment(self.id, &comment_html(&event)).await?;
        services.record_post(attempt, posted(comment.id.to_string(), false))
    }
}
