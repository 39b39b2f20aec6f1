//! `ibridge incident`: local incident records, and filing them.

use ibridge_core::incidents::{NewEvent, NewIncident};
use ibridge_core::services::{FilingOptions, StatusInput};
use ibridge_core::{Error, Result, Services};

use crate::args::IncidentCommand;
use crate::output::{self, Output};
use crate::progress::with_spinner;

pub async fn run(services: &Services, out: &Output, command: IncidentCommand) -> Result<()> {
    match command {
        IncidentCommand::Create {
            title,
            severity,
            description,
            description_file,
        } => {
            let description = match (description, description_file) {
                (Some(d), _) => d,
                (None, Some(path)) => std::fs::read_to_string(&path).map_err(|e| {
                    Error::invalid(
                        "description-file",
                        format!("cannot read {}: {e}", path.display()),
                    )
                })?,
                (None, None) => String::new(),
            };
            let created = services
                .create_incident(NewIncident {
                    title,
                    severity,
                    description,
                })
                .await?;
            out.emit(&created, output::created_incident_text);
        }
        IncidentCommand::List => {
            let all = services.list_incidents()?;
            out.emit(&all, |all| output::incident_table(all));
        }
        IncidentCommand::Show { id } => {
            let report = services.show_incident(&id).await?;
            out.emit(&report, output::incident_report);
        }
        IncidentCommand::File {
            id,
            to,
            work_item_type,
            fields,
            dry_run,
        } => {
            let options = FilingOptions {
                work_item_type,
                fields: super::parse_fields(&fields)?,
            };
            if dry_run {
                let requests = services.filing_requests(&id, &to, &options).await?;
                out.emit(&requests, |r| {
                    output::planned_requests(r, "Already filed there: nothing would be sent.")
                });
            } else {
                let filed = with_spinner(
                    &format!("Filing in '{to}'…"),
                    out.json,
                    services.file_incident_with(&id, &to, &options),
                )
                .await?;
                out.emit(&filed, output::filed_text);
            }
        }
        IncidentCommand::Note {
            id,
            text,
            kind,
            at,
            post,
        } => {
            let added = services
                .add_incident_event(
                    &id,
                    NewEvent {
                        text,
                        kind,
                        at,
                        post,
                    },
                )
                .await?;
            out.emit(&added, output::added_event_text);
        }
        IncidentCommand::Timeline { id } => {
            let timeline = services.incident_timeline(&id)?;
            out.emit(&timeline, output::timeline_text);
        }
        IncidentCommand::Status {
            id,
            status,
            close_code,
            close_notes,
            dry_run,
        } => {
            let input = StatusInput {
                status,
                close_code,
                close_notes,
            };
            if dry_run {
                let plan = services.plan_incident_status(&id, &input).await?;
                out.emit(&plan, output::status_plan_text);
            } else {
                let changed = with_spinner(
                    "Changing the status…",
                    out.json,
                    services.set_incident_status(&id, input),
                )
                .await?;
                out.emit(&changed, output::status_changed_text);
            }
        }
        IncidentCommand::Sync { id } => {
            let report = with_spinner(
                "Pulling linked records…",
                out.json,
                services.sync_incident(&id),
            )
            .await?;
            out.emit(&report, output::sync_report_text);
        }
    }
    Ok(())
}
