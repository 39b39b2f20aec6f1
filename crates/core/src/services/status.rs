//! `incident status`: the local status, mapped to every linked record's
//! state. Everything a service would refuse is checked first, with what
//! the service itself says is allowed (ServiceNow's `close_code` choices
//! from `sys_choice`, the work item type's states and transitions), so a
//! refusal happens before anything is journaled or sent (invariant 9).
//!
//! | local | ServiceNow `state` | Azure DevOps state (by category) |
//! |---|---|---|
//! | investigating, identified, monitoring | 2 In Progress | first `InProgress` state |
//! | resolved | 6 Resolved + `close_code`, `close_notes` | first `Resolved` state, else first `Completed` |
//! | closed | 7 Closed | first `Completed` state |

use serde::{Deserialize, Serialize};

use super::deliver::{Attempt, Deliver};
use super::dry_run::{PlannedRequest, Preview};
use super::Services;
use crate::app::lock;
use crate::connections::{ConnectionView, Provider};
use crate::error::{Error, Result};
use crate::incidents::{local_event, status_event_kind, Incident, IncidentStatus, TimelineEvent};
use crate::outbox::{
    row_for, Journal, ServiceNowStateChange, WorkItemStateChange, Write, WriteKind,
};
use crate::providers::azure_devops::TypeStates;
use crate::providers::servicenow::{Choice, StateFields};
use crate::store::incidents::{self as links_repo, LinkRow};
use crate::store::outbox::OutboxRow;
use crate::time::now_rfc3339;

/// Raw input for a status change, as `incident status` and the window send it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusInput {
    pub status: String,
    /// A ServiceNow `close_code` value or label (resolving).
    pub close_code: Option<String>,
    pub close_notes: Option<String>,
}

/// One linked record's move.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordMove {
    pub connection: String,
    pub provider: String,
    /// INC number or work item id.
    pub record: String,
    /// The state it goes to, as the service names it ("Resolved").
    pub state: String,
    /// The request that moves it.
    pub request: PlannedRequest,
}

/// What moving to a status would send (`--dry-run`).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusPlan {
    pub incident_id: String,
    pub from: IncidentStatus,
    pub to: IncidentStatus,
    pub moves: Vec<RecordMove>,
}

/// What became of one record's move: done, or why not yet (it stays in
/// the outbox and is sent by the next run).
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MoveOutcome {
    pub connection: String,
    pub record: String,
    pub state: String,
    pub error: Option<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusChanged {
    pub incident: Incident,
    pub event: TimelineEvent,
    pub moves: Vec<MoveOutcome>,
}

/// The `close_code` choices of one ServiceNow connection.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CloseCodes {
    pub connection: String,
    pub choices: Vec<Choice>,
}

/// A delivered state change.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateSet {
    pub record: String,
    /// As the service shows it after the change ("Resolved").
    pub state: Option<String>,
    /// It was already in that state (an earlier answer was lost), not sent.
    pub reconciled: bool,
}

/// ServiceNow's state for a local status (stored value, label).
fn servicenow_state(status: IncidentStatus) -> (&'static str, &'static str) {
    match status {
        IncidentStatus::Resolved => ("6", "Resolved"),
        IncidentStatus::Closed => ("7", "Closed"),
        _ => ("2", "In Progress"),
    }
}

/// The work item state for a local status, by state category.
fn work_item_state(status: IncidentStatus, states: &TypeStates) -> Option<String> {
    let categories: &[&str] = match status {
        IncidentStatus::Resolved => &["Resolved", "Completed"],
        IncidentStatus::Closed => &["Completed"],
        _ => &["InProgress"],
    };
    categories.iter().find_map(|category| {
        states
            .states
            .iter()
            .find(|s| s.category.eq_ignore_ascii_case(category))
            .map(|s| s.name.clone())
    })
}

/// `--close-code` as a value or label of the instance's choices → the value.
fn choose_close_code(given: &str, choices: &[Choice], connection: &str) -> Result<String> {
    let given = given.trim();
    choices
        .iter()
        .find(|c| c.value.eq_ignore_ascii_case(given) || c.label.eq_ignore_ascii_case(given))
        .map(|c| c.value.clone())
        .ok_or_else(|| {
            Error::invalid(
                "close-code",
                format!(
                    "'{given}' is not a resolution code of '{connection}'; allowed: {}",
                    list_choices(choices)
                ),
            )
        })
}

fn list_choices(choices: &[Choice]) -> String {
    if choices.is_empty() {
        return "(the instance lists none)".to_owned();
    }
    choices
        .iter()
        .map(|c| c.value.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A checked move, ready to journal.
struct Move {
    link: LinkRow,
    write: Write,
    label: String,
}

struct Checked {
    incident: Incident,
    from: IncidentStatus,
    to: IncidentStatus,
    close_code: Option<String>,
    close_notes: Option<String>,
    moves: Vec<Move>,
}

fn record_name(link: &LinkRow) -> String {
    link.external_key
        .clone()
        .unwrap_or_else(|| link.external_id.clone())
}

impl Services {
    /// Every check a status change needs, reading what the services allow;
    /// nothing is written.
    async fn check_status(&self, id: &str, input: &StatusInput) -> Result<Checked> {
        let (incident, links) = {
            let core = lock(&self.core)?;
            let incident = core.incident(id)?;
            let links = links_repo::links_for(core.db(), &incident.id)?;
            (incident, links)
        };
        let to: IncidentStatus = input.status.parse()?;
        let from = incident.status;
        from.check_change(to)?;
        let notes = input
            .close_notes
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        let mut close_code = input
            .close_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);
        let mut moves = Vec::new();
        for link in links {
            if link.provider == Provider::ServiceNow.as_str() {
                let (code, label) = servicenow_state(to);
                // Already there as far as we know (the state the last
                // write or pull saw): nothing to move.
                if link.remote_state.as_deref() == Some(label) && close_code.is_none() {
                    continue;
                }
                let (_, client) = self
                    .servicenow(&link.connection_name, "incident status")
                    .await?;
                let mut fields = StateFields {
                    state: code.to_owned(),
                    ..StateFields::default()
                };
                if to == IncidentStatus::Resolved || close_code.is_some() {
                    let choices = client.close_code_choices().await?;
                    let Some(given) = close_code.clone() else {
                        return Err(Error::missing(
                            "close-code",
                            format!(
                                "resolving sets the resolution code of {} in '{}'; give --close-code, one of: {}",
                                record_name(&link),
                                link.connection_name,
                                list_choices(&choices)
                            ),
                        ));
                    };
                    let value = choose_close_code(&given, &choices, &link.connection_name)?;
                    close_code = Some(value.clone());
                    fields.close_code = Some(value);
                    fields.close_notes = notes.clone();
                }
                if to == IncidentStatus::Resolved && notes.is_none() {
                    return Err(Error::missing(
                        "close-notes",
                        format!(
                            "resolving sets the resolution notes of {} in '{}'; give --close-notes TEXT",
                            record_name(&link),
                            link.connection_name
                        ),
                    ));
                }
                moves.push(Move {
                    write: ServiceNowStateChange {
                        incident: incident.id.clone(),
                        sys_id: link.external_id.to_ascii_lowercase(),
                        state: fields.state.clone(),
                        close_code: fields.close_code.clone(),
                        close_notes: fields.close_notes.clone(),
                        hold_reason: None,
                    }
                    .into(),
                    label: label.to_owned(),
                    link,
                });
            } else if link.provider == Provider::AzureDevOps.as_str() {
                let item_id: u64 = link.external_id.parse().map_err(|_| {
                    Error::Internal(format!(
                        "the link to '{}' holds '{}', not a work item id",
                        link.connection_name, link.external_id
                    ))
                })?;
                let (_, client) = self
                    .azure_devops(&link.connection_name, "incident status")
                    .await?;
                let item = client.get(item_id).await?;
                let kind = item
                    .field_text("System.WorkItemType")
                    .unwrap_or_else(|| "Bug".to_owned());
                let current = item.field_text("System.State").unwrap_or_default();
                let states = client.type_states(&kind).await?;
                let names = || {
                    states
                        .states
                        .iter()
                        .map(|s| s.name.clone())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let Some(target) = work_item_state(to, &states) else {
                    return Err(Error::invalid(
                        "status",
                        format!(
                            "work item {item_id} in '{}' is a {kind}, which has no state for '{to}'; its states: {}",
                            link.connection_name,
                            names()
                        ),
                    ));
                };
                if target == current {
                    continue;
                }
                if let Some(allowed) = states.transitions.get(&current) {
                    if !allowed.iter().any(|s| s == &target) {
                        return Err(Error::invalid(
                            "status",
                            format!(
                                "work item {item_id} in '{}' ({kind}) cannot go from '{current}' to '{target}'; from '{current}' it can go to: {}",
                                link.connection_name,
                                if allowed.is_empty() { "nothing".to_owned() } else { allowed.join(", ") }
                            ),
                        ));
                    }
                }
                moves.push(Move {
                    write: WorkItemStateChange {
                        incident: incident.id.clone(),
                        id: item_id,
                        state: target.clone(),
                    }
                    .into(),
                    label: target,
                    link,
                });
            }
        }
        Ok(Checked {
            incident,
            from,
            to,
            close_code,
            close_notes: notes,
            moves,
        })
    }

    /// What changing to `input.status` would send; nothing is journaled or
    /// written (the checks read the services' choices and states).
    pub async fn plan_incident_status(&self, id: &str, input: &StatusInput) -> Result<StatusPlan> {
        let checked = self.check_status(id, input).await?;
        let mut moves = Vec::new();
        for m in checked.moves {
            let view = lock(&self.core)?.view_by_id(&m.link.connection_id)?;
            let requests = match &m.write {
                Write::ServiceNowStateChange(w) => self.preview(&view, w).await?,
                Write::WorkItemStateChange(w) => self.preview(&view, w).await?,
                other => {
                    return Err(Error::Internal(format!(
                        "a status change planned a {} write",
                        other.kind()
                    )))
                }
            };
            for request in requests {
                moves.push(RecordMove {
                    connection: m.link.connection_name.clone(),
                    provider: m.link.provider.clone(),
                    record: record_name(&m.link),
                    state: m.label.clone(),
                    request,
                });
            }
        }
        Ok(StatusPlan {
            incident_id: checked.incident.id,
            from: checked.from,
            to: checked.to,
            moves,
        })
    }

    /// Changes the local status (its timeline event with it) and moves
    /// every linked record, journaled in the same transaction.
    pub async fn set_incident_status(&self, id: &str, input: StatusInput) -> Result<StatusChanged> {
        let checked = self.check_status(id, &input).await?;
        let (event, entries) = self.journal_status(&checked)?;
        let mut moves = Vec::new();
        for (entry, m) in entries.into_iter().zip(&checked.moves) {
            let result = if entry.operation == WriteKind::WorkItemStateChange.as_str() {
                self.deliver::<WorkItemStateChange>(&entry.id).await
            } else {
                self.deliver::<ServiceNowStateChange>(&entry.id).await
            };
            moves.push(MoveOutcome {
                connection: m.link.connection_name.clone(),
                record: record_name(&m.link),
                state: result
                    .as_ref()
                    .ok()
                    .and_then(|s| s.state.clone())
                    .unwrap_or_else(|| m.label.clone()),
                error: result.err().map(|e| e.to_string()),
            });
        }
        let incident = lock(&self.core)?.incident(&checked.incident.id)?;
        let event = lock(&self.core)?.timeline_event(&event)?;
        Ok(StatusChanged {
            incident,
            event,
            moves,
        })
    }

    fn journal_status(&self, checked: &Checked) -> Result<(String, Vec<OutboxRow>)> {
        let core = lock(&self.core)?;
        let now = now_rfc3339();
        let mut text = format!("Status {} → {}", checked.from, checked.to);
        if let Some(code) = &checked.close_code {
            text.push_str(&format!("\n\nResolution code: {code}"));
        }
        if let Some(notes) = &checked.close_notes {
            text.push_str(&format!("\n\nResolution notes: {notes}"));
        }
        let event = local_event(
            &checked.incident.id,
            status_event_kind(checked.to),
            now.clone(),
            text,
        );
        let journals: Vec<Journal<'_>> = checked
            .moves
            .iter()
            .map(|m| Journal {
                key: format!("{}:{}:{}", m.write.kind(), m.link.connection_id, event.id),
                connection_id: &m.link.connection_id,
                write: m.write.clone(),
            })
            .collect();
        let entries = core.write_status(
            &checked.incident.id,
            checked.from,
            checked.to,
            &now,
            &event,
            &journals,
        )?;
        Ok((event.id, entries))
    }

    /// The `close_code` choices of every ServiceNow record the incident is
    /// filed as, read from each instance.
    pub async fn close_code_choices(&self, id: &str) -> Result<Vec<CloseCodes>> {
        let links = {
            let core = lock(&self.core)?;
            let incident = core.find_incident(id)?;
            links_repo::links_for(core.db(), &incident.id)?
        };
        let mut all = Vec::new();
        for link in links
            .into_iter()
            .filter(|l| l.provider == Provider::ServiceNow.as_str())
        {
            let (_, client) = self
                .servicenow(&link.connection_name, "close code choices")
                .await?;
            all.push(CloseCodes {
                connection: link.connection_name,
                choices: client.close_code_choices().await?,
            });
        }
        Ok(all)
    }
}

impl crate::app::Core {
    /// The status, its event and the journaled moves, in one transaction;
    /// refused if another process changed the status meanwhile.
    fn write_status(
        &self,
        incident_id: &str,
        from: IncidentStatus,
        to: IncidentStatus,
        now: &str,
        event: &crate::store::timeline::EventRow,
        journals: &[Journal<'_>],
    ) -> Result<Vec<OutboxRow>> {
        use rusqlite::{Transaction, TransactionBehavior};
        let tx = Transaction::new_unchecked(self.db(), TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE incidents SET status = ?2, updated_at = ?3 WHERE id = ?1 AND status = ?4",
            rusqlite::params![incident_id, to.as_str(), now, from.as_str()],
        )?;
        if changed != 1 {
            return Err(Error::Conflict(format!(
                "incident {incident_id} is no longer {from}: another change came first; look again"
            )));
        }
        crate::store::timeline::insert(&tx, event)?;
        let mut entries = Vec::new();
        for journal in journals {
            entries.push(crate::store::outbox::journal(&tx, &row_for(journal))?);
        }
        crate::audit::append(
            &tx,
            &crate::audit::Event {
                actor: self.actor(),
                action: "incident.status",
                connection: None,
                outcome: crate::audit::Outcome::Ok,
                detail: format!(
                    "incident={incident_id} from={from} to={to} moves={}",
                    entries.len()
                ),
            },
        )?;
        tx.commit()?;
        Ok(entries)
    }
}

impl ServiceNowStateChange {
    fn fields(&self) -> StateFields {
        StateFields {
            state: self.state.clone(),
            close_code: self.close_code.clone(),
            close_notes: self.close_notes.clone(),
            hold_reason: self.hold_reason.clone(),
        }
    }
}

impl Preview for ServiceNowStateChange {
    async fn preview(
        &self,
        services: &Services,
        view: &ConnectionView,
    ) -> Result<Vec<PlannedRequest>> {
        let client = services.unsent_servicenow(view)?;
        Ok(vec![PlannedRequest::from_request(
            client.set_state_request(&self.sys_id, &self.fields()),
            None,
        )?])
    }
}

impl Preview for WorkItemStateChange {
    async fn preview(
        &self,
        services: &Services,
        view: &ConnectionView,
    ) -> Result<Vec<PlannedRequest>> {
        let client = services.unsent_ado(view)?;
        Ok(vec![PlannedRequest::from_request(
            client.set_state_request(self.id, &self.state),
            None,
        )?])
    }
}

impl Deliver for ServiceNowStateChange {
    type Output = StateSet;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<StateSet> {
        let view = lock(&services.core)?.view_by_id(&attempt.entry.connection_id)?;
        let (_, client) = services.servicenow(&view.name, "incident status").await?;
        let target = match self.state.as_str() {
            "6" => "Resolved",
            "7" => "Closed",
            "3" => "On Hold",
            "1" => "New",
            "8" => "Canceled",
            _ => "In Progress",
        };
        if attempt.resend {
            let record = client
                .get(&crate::providers::servicenow::RecordRef::SysId(
                    self.sys_id.clone(),
                ))
                .await?;
            if record.state.as_deref() == Some(target) {
                return services.finish_move(
                    attempt,
                    &self.incident,
                    record.number.unwrap_or(self.sys_id),
                    record.state,
                    record.priority,
                    record.assigned_to,
                    true,
                );
            }
        }
        let record = client.set_state(&self.sys_id, &self.fields()).await?;
        services.finish_move(
            attempt,
            &self.incident,
            record.number.unwrap_or(self.sys_id),
            record.state,
            record.priority,
            record.assigned_to,
            false,
        )
    }
}

impl Deliver for WorkItemStateChange {
    type Output = StateSet;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<StateSet> {
        let view = lock(&services.core)?.view_by_id(&attempt.entry.connection_id)?;
        let (_, client) = services.azure_devops(&view.name, "incident status").await?;
        if attempt.resend {
            let item = client.get(self.id).await?;
            if item.field_text("System.State").as_deref() == Some(self.state.as_str()) {
                return services.finish_move(
                    attempt,
                    &self.incident,
                    self.id.to_string(),
                    item.field_text("System.State"),
                    item.field_text("Microsoft.VSTS.Common.Priority"),
                    item.field_text("System.AssignedTo"),
                    true,
                );
            }
        }
        let item = client.set_state(self.id, &self.state).await?;
        services.finish_move(
            attempt,
            &self.incident,
            self.id.to_string(),
            item.field_text("System.State").or(Some(self.state.clone())),
            item.field_text("Microsoft.VSTS.Common.Priority"),
            item.field_text("System.AssignedTo"),
            false,
        )
    }
}

impl Services {
    /// Stores the record's new state on its link with the write's completion.
    #[allow(clippy::too_many_arguments)]
    fn finish_move(
        &self,
        attempt: &Attempt,
        incident: &str,
        record: String,
        state: Option<String>,
        priority: Option<String>,
        assignee: Option<String>,
        reconciled: bool,
    ) -> Result<StateSet> {
        let core = lock(&self.core)?;
        let link = links_repo::find_link(core.db(), incident, &attempt.entry.connection_id)?;
        core.outbox_done_with(&attempt.entry.id, |tx| {
            if let Some(link) = &link {
                links_repo::update_link_remote(
                    tx,
                    &link.id,
                    state.as_deref().or(link.remote_state.as_deref()),
                    priority.as_deref().or(link.remote_priority.as_deref()),
                    assignee.as_deref().or(link.remote_assignee.as_deref()),
                    &now_rfc3339(),
                )?;
            }
            Ok(())
        })?;
        Ok(StateSet {
            record,
            state,
            reconciled,
        })
    }
}
