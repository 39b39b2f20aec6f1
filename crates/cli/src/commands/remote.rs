//! Commands that talk to remote services: they run on a tokio runtime over
//! [`Services`], which resolves connections into fresh credentials.

use std::collections::BTreeMap;

use ibridge_core::incidents::NewIncident;
use ibridge_core::oauth::{self, ConnectOptions};
use ibridge_core::{Core, Error, Result, Services};

use crate::args::{
    AdoCommand, Command, ConfluenceCommand, ConnectionsCommand, DocCommand, IncidentCommand,
    OutboxCommand, ServicenowCommand,
};
use crate::commands::connect::TerminalUi;
use crate::output::{self, Output};

/// Runs `command` and prints the core's one-time notices whatever happens.
pub fn run(core: Core, out: &Output, command: Command) -> Result<()> {
    let services = Services::new(core)?;
    let result = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the async runtime", e))
        .and_then(|rt| rt.block_on(dispatch(&services, out, command)));
    for notice in services.take_notices() {
        eprintln!("{notice}");
    }
    result
}

async fn dispatch(services: &Services, out: &Output, command: Command) -> Result<()> {
    match command {
        Command::Connect(args) => {
            let options = ConnectOptions {
                port: args.port,
                timeout: std::time::Duration::from_secs(args.timeout),
                site: args.site,
            };
            let ui = TerminalUi {
                no_browser: args.no_browser,
            };
            let view = oauth::connect(services.core(), &args.name, &options, &ui).await?;
            out.emit(&view, |c| {
                format!("Connected '{}'.\n{}", c.name, output::connection_details(c))
            });
        }
        Command::Connections(ConnectionsCommand::Test { name }) => {
            let check = services.test_connection(&name).await?;
            out.emit(&check, |c| c.message.clone());
        }
        Command::Incident(c) => incident(services, out, c).await?,
        Command::Servicenow(c) => servicenow(services, out, c).await?,
        Command::Ado(c) => ado(services, out, c).await?,
        Command::Confluence(ConfluenceCommand::Spaces { connection }) => {
            let spaces = services.confluence_spaces(&connection).await?;
            out.emit(&spaces, |s| output::space_table(s));
        }
        Command::Confluence(ConfluenceCommand::Search {
            connection,
            query,
            space,
            limit,
            start,
        }) => {
            let page = services
                .confluence_search(&connection, &query, space.as_deref(), limit, start)
                .await?;
            out.emit(&page, output::confluence_results);
        }
        Command::Doc(DocCommand::Publish {
            id,
            to,
            space,
            parent,
            force,
        }) => {
            let published = services
                .publish_document(
                    &id,
                    &to,
                    ibridge_core::services::PublishOptions {
                        space,
                        parent,
                        force,
                    },
                )
                .await?;
            out.emit(&published, output::published_text);
        }
        Command::Outbox(OutboxCommand::List) => {
            let entries = ibridge_core::oauth::lock(services.core())?.outbox_entries()?;
            out.emit(&entries, |e| output::outbox_table(e));
        }
        Command::Outbox(OutboxCommand::Run { wait }) => {
            let report = match wait {
                Some(secs) => {
                    services
                        .drain_outbox(std::time::Duration::from_secs(secs))
                        .await?
                }
                None => services.run_outbox(true).await?,
            };
            out.emit(&report, output::run_report);
            let undelivered = report.failed.len() + report.retrying.len();
            if undelivered > 0 {
                return Err(Error::Remote(format!(
                    "{undelivered} write(s) not delivered; see `ibridge outbox list`"
                )));
            }
        }
        Command::Outbox(OutboxCommand::Retry { id }) => {
            let delivered = services.retry_outbox(&id).await?;
            out.emit(&delivered, |d| {
                format!("Delivered: {}", output::delivered_text(d))
            });
        }
        Command::Outbox(OutboxCommand::Discard { id }) => {
            let entry = ibridge_core::oauth::lock(services.core())?.discard_outbox(&id)?;
            out.emit(&entry, |e| {
                format!(
                    "Discarded {} ({}, {}).",
                    e.id,
                    output::operation_text(e),
                    e.state
                )
            });
        }
        other => unreachable_local(other)?,
    }
    Ok(())
}

fn unreachable_local(command: Command) -> Result<()> {
    Err(Error::Unsupported(format!(
        "internal error: {command:?} is not a remote command"
    )))
}

async fn incident(services: &Services, out: &Output, command: IncidentCommand) -> Result<()> {
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
            let (incident, auto_filed) = services
                .create_incident(NewIncident {
                    title,
                    severity,
                    description,
                })
                .await?;
            let report = output::CreatedIncident::new(incident, auto_filed);
            out.emit(&report, output::created_incident_text);
        }
        IncidentCommand::List => {
            let all = ibridge_core::oauth::lock(services.core())?.list_incidents()?;
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
        } => {
            let filed = services
                .file_incident(&id, &to, work_item_type.as_deref())
                .await?;
            out.emit(&filed, output::filed_text);
        }
    }
    Ok(())
}

async fn servicenow(services: &Services, out: &Output, command: ServicenowCommand) -> Result<()> {
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
        } => {
            let fields = parse_fields(&fields)?;
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

async fn ado(services: &Services, out: &Output, command: AdoCommand) -> Result<()> {
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
        } => {
            let fields = parse_fields(&fields)?;
            let item = services.ado_update(&connection, &id, fields).await?;
            out.emit(&item, |i| {
                format!("Updated work item {}.\n{}", i.id, output::work_item(i))
            });
        }
    }
    Ok(())
}

/// `name=value` pairs; the value may itself contain `=`.
pub fn parse_fields(pairs: &[String]) -> Result<BTreeMap<String, String>> {
    let mut fields = BTreeMap::new();
    for pair in pairs {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| Error::invalid("field", format!("'{pair}' is not name=value")))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid(
                "field",
                format!("'{pair}' has no field name"),
            ));
        }
        if fields.insert(name.to_owned(), value.to_owned()).is_some() {
            return Err(Error::invalid("field", format!("'{name}' is given twice")));
        }
    }
    Ok(fields)
}
