//! Local incident records: create, list, show, and their external links.

mod events;
pub mod model;
pub mod timeline;

use rusqlite::{Transaction, TransactionBehavior};

pub use events::status_event_kind;
pub(crate) use events::{events_of, local_event};
pub use model::{
    validate_title, ExternalLink, Incident, IncidentChanges, IncidentStatus, NewIncident, Severity,
};
pub use timeline::{EventKind, EventPost, EventSource, NewEvent, PostTo, TimelineEvent};

use crate::app::Core;
use crate::audit::{self, Event, Outcome};
use crate::error::{Error, Result};
use crate::store::incidents::{self as repo, IncidentRow, LinkRow};
use crate::time::now_rfc3339;

const MAX_DESCRIPTION_BYTES: usize = 256 * 1024;

impl Core {
    /// Records an incident (no filing; see `Services::create_incident`).
    pub fn create_incident(&mut self, input: NewIncident) -> Result<Incident> {
        Ok(self.create_incident_journaled(input, false)?.0)
    }

    /// Records an incident and, with `auto_file`, journals its filing to
    /// every connection with auto-create on — in the same transaction, so a
    /// crash cannot leave an incident that was meant to be filed unjournaled.
    pub(crate) fn create_incident_journaled(
        &mut self,
        input: NewIncident,
        auto_file: bool,
    ) -> Result<(Incident, Vec<crate::store::outbox::OutboxRow>)> {
        let title = validate_title(&input.title)?;
        let severity: Severity = input.severity.parse()?;
        if input.description.len() > MAX_DESCRIPTION_BYTES {
            return Err(Error::invalid("description", "must be at most 256 KiB"));
        }
        let now = now_rfc3339();
        let row = IncidentRow {
            id: uuid::Uuid::new_v4().to_string(),
            title,
            description: input.description,
            severity: severity.as_str().to_owned(),
            status: IncidentStatus::Investigating.as_str().to_owned(),
            created_at: now.clone(),
            updated_at: now,
        };
        let targets: Vec<crate::connections::ConnectionView> = if auto_file {
            self.list_connections()?
                .into_iter()
                .filter(|c| {
                    c.auto_create_enabled && c.provider != crate::connections::Provider::Confluence
                })
                .collect()
        } else {
            Vec::new()
        };
        let detected = local_event(
            &row.id,
            timeline::EventKind::Detected,
            row.created_at.clone(),
            format!("Incident recorded ({}): {}", row.severity, row.title),
        );
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        repo::insert(&tx, &row)?;
        crate::store::timeline::insert(&tx, &detected)?;
        let mut journaled = Vec::new();
        for target in &targets {
            // The connection's defaults, stored resolved; no pre-flight here
            // (the incident is recorded even offline), so a rule the
            // service applies is reported when the filing is delivered.
            let facts = crate::fields::Placeholders {
                title: &row.title,
                severity: &row.severity,
                id: &row.id,
            };
            let fields = crate::store::filing::defaults(&tx, &target.id)?
                .into_iter()
                .map(|d| {
                    let value =
                        crate::fields::expand(&d.field, &d.value, &facts).unwrap_or(d.value);
                    (d.field, value)
                })
                .collect();
            let write = crate::outbox::filing_write(&row.id, target, Some("Bug"), fields);
            let journal = crate::outbox::filing(&row.id, target, write);
            journaled.push(crate::store::outbox::journal(
                &tx,
                &crate::outbox::row_for(&journal),
            )?);
        }
        audit::append(
            &tx,
            &Event {
                actor: self.actor(),
                action: "incident.create",
                connection: None,
                outcome: Outcome::Ok,
                detail: format!("incident={} severity={}", row.id, row.severity),
            },
        )?;
        tx.commit()?;
        Ok((self.incident(&row.id)?, journaled))
    }

    /// Edits an incident's title, Markdown description, severity and
    /// status; a severity or status change adds its timeline event. A
    /// status changed here stays local (`Services::set_incident_status`
    /// also moves the linked records).
    pub fn update_incident(&mut self, id: &str, changes: IncidentChanges) -> Result<Incident> {
        let mut row = self.find_incident(id)?;
        let before = (row.severity.clone(), row.status.parse::<IncidentStatus>()?);
        row.title = validate_title(&changes.title)?;
        row.severity = changes.severity.parse::<Severity>()?.as_str().to_owned();
        let status = changes.status.parse::<IncidentStatus>()?;
        if status != before.1 {
            before.1.check_change(status)?;
        }
        row.status = status.as_str().to_owned();
        if changes.description.len() > MAX_DESCRIPTION_BYTES {
            return Err(Error::invalid("description", "must be at most 256 KiB"));
        }
        row.description = changes.description;
        row.updated_at = now_rfc3339();
        let mut events = Vec::new();
        if row.severity != before.0 {
            events.push(local_event(
                &row.id,
                timeline::EventKind::Update,
                row.updated_at.clone(),
                format!("Severity {} → {}", before.0, row.severity),
            ));
        }
        if status != before.1 {
            events.push(local_event(
                &row.id,
                status_event_kind(status),
                row.updated_at.clone(),
                format!("Status {} → {}", before.1, status),
            ));
        }
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        repo::update(&tx, &row)?;
        for event in &events {
            crate::store::timeline::insert(&tx, event)?;
        }
        audit::append(
            &tx,
            &Event {
                actor: self.actor(),
                action: "incident.update",
                connection: None,
                outcome: Outcome::Ok,
                detail: format!(
                    "incident={} severity={} status={}",
                    row.id, row.severity, row.status
                ),
            },
        )?;
        tx.commit()?;
        self.incident(&row.id)
    }

    pub fn list_incidents(&self) -> Result<Vec<Incident>> {
        repo::list(self.db())?
            .into_iter()
            .map(|row| self.assemble(row))
            .collect()
    }

    /// By full id or an unambiguous prefix of at least 8 characters.
    pub fn incident(&self, id: &str) -> Result<Incident> {
        let row = self.find_incident(id)?;
        self.assemble(row)
    }

    pub(crate) fn find_incident(&self, id: &str) -> Result<IncidentRow> {
        crate::lookup::by_id_or_prefix(
            id,
            "incident",
            |id| repo::find(self.db(), id),
            |prefix| repo::find_by_prefix(self.db(), prefix),
        )
    }

    fn assemble(&self, row: IncidentRow) -> Result<Incident> {
        let links = repo::links_for(self.db(), &row.id)?
            .into_iter()
            .map(link_view)
            .collect();
        Ok(Incident {
            severity: Error::stored("severity", &row.severity)?,
            status: Error::stored("incident status", &row.status)?,
            id: row.id,
            title: row.title,
            description: row.description,
            created_at: row.created_at,
            updated_at: row.updated_at,
            links,
        })
    }
}

pub(crate) fn link_view(l: LinkRow) -> ExternalLink {
    ExternalLink {
        connection: l.connection_name,
        provider: l.provider,
        external_id: l.external_id,
        external_key: l.external_key,
        url: l.url,
        remote_state: l.remote_state,
        remote_priority: l.remote_priority,
        remote_assignee: l.remote_assignee,
        last_synced_at: l.last_synced_at,
    }
}
