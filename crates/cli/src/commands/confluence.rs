//! `ibridge confluence`: spaces and page search.

use ibridge_core::{Result, Services};

use crate::args::ConfluenceCommand;
use crate::output::{self, Output};

pub async fn run(services: &Services, out: &Output, command: ConfluenceCommand) -> Result<()> {
    match command {
        ConfluenceCommand::Spaces { connection } => {
            let spaces = services.confluence_spaces(&connection).await?;
            out.emit(&spaces, |s| output::space_table(s));
        }
        ConfluenceCommand::Search {
            connection,
            query,
            space,
            limit,
            start,
        } => {
            let page = services
                .confluence_search(&connection, &query, space.as_deref(), limit, start)
                .await?;
            out.emit(&page, output::confluence_results);
        }
    }
    Ok(())
}
