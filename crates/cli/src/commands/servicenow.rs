//! `ibridge servicenow`: search, open and update ServiceNow incidents.

use ibridge_core::{Result, Services};

use crate::args::ServicenowCommand;
use crate::output::{self, Output};

pub async fn run(services: &Services, out: &Output, command: ServicenowCommand) -> Result<()> {
    match command {
        ServicenowCommand::Search {
            connection,
            query,
            limit,
            offset,
        } => {
            let page = services
                .servicenow_search(&connection, &query, limit, offset)
                .await?;
            out.emit(&page, output::servicenow_page);
        }
        ServicenowCommand::Get { connection, record } => {
            let incident = services.servicenow_get(&connection, &record).await?;
            out.emit(&incident, output::servicenow_incident);
        }
        ServicenowCommand::Update {
            connection,
            sys_id,
            fields,
            dry_run,
        } => {
            let fields = super::parse_fields(&fields)?;
            if dry_run {
                let requests = services
                    .servicenow_update_requests(&connection, &sys_id, fields)
                    .await?;
                out.emit(&requests, |r| output::planned_requests(r, ""));
                return Ok(());
            }
            let updated = services
                .servicenow_update(&connection, &sys_id, fields)
                .await?;
            out.emit(&updated, |i| {
                format!(
                    "Updated {}.\n{}",
                    i.number.as_deref().unwrap_or(&i.sys_id),
                    output::servicenow_incident(i)
                )
            });
        }
    }
    Ok(())
}
