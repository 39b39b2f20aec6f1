//! `ibridge incident`: local incident records, and filing them.

use ibridge_core::incidents::NewIncident;
use ibridge_core::services::FilingOptions;
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
    }
    Ok(())
}
