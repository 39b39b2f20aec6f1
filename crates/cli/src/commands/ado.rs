//! `ibridge ado`: search, open and update Azure DevOps work items.

use ibridge_core::{Result, Services};

use crate::args::AdoCommand;
use crate::output::{self, Output};

pub async fn run(services: &Services, out: &Output, command: AdoCommand) -> Result<()> {
    match command {
        AdoCommand::Search {
            connection,
            query,
            top,
        } => {
            let items = services.ado_search(&connection, &query, top).await?;
            out.emit(&items, |items| output::work_item_table(items));
        }
        AdoCommand::Get { connection, id } => {
            let item = services.ado_get(&connection, &id).await?;
            out.emit(&item, output::work_item);
        }
        AdoCommand::Update {
            connection,
            id,
            fields,
            dry_run,
        } => {
            let fields = super::parse_fields(&fields)?;
            if dry_run {
                let requests = services
                    .ado_update_requests(&connection, &id, fields)
                    .await?;
                out.emit(&requests, |r| output::planned_requests(r, ""));
                return Ok(());
            }
            let item = services.ado_update(&connection, &id, fields).await?;
            out.emit(&item, |i| {
                format!("Updated work item {}.\n{}", i.id, output::work_item(i))
            });
        }
    }
    Ok(())
}
