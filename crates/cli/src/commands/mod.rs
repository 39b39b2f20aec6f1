//! One module per command group. Each handler parses input, calls one
//! method of the core's front door ([`Services`]), and formats the result.

pub mod ado;
pub mod audit;
pub mod confluence;
pub mod connect;
pub mod connections;
pub mod doc;
pub mod doc_assets;
pub mod doctor;
pub mod incident;
pub mod outbox;
pub mod servicenow;
pub mod vault;

use std::collections::BTreeMap;

use ibridge_core::{Error, Result, Services};

use crate::args::Command;
use crate::output::Output;

pub async fn run(services: &Services, out: &Output, command: Command) -> Result<()> {
    match command {
        Command::Connections(c) => connections::run(services, out, c).await,
        Command::Connect(args) => connect::run(services, out, args).await,
        Command::Incident(c) => incident::run(services, out, c).await,
        Command::Servicenow(c) => servicenow::run(services, out, c).await,
        Command::Ado(c) => ado::run(services, out, c).await,
        Command::Confluence(c) => confluence::run(services, out, c).await,
        Command::Doc(c) => doc::run(services, out, c).await,
        Command::Outbox(c) => outbox::run(services, out, c).await,
        Command::Audit(c) => audit::run(services, out, c),
        Command::Vault(c) => vault::run(services, out, c),
        Command::Doctor => doctor::run(services, out).await,
        // Written before the store is opened (main).
        Command::Completions { .. } => Ok(()),
    }
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
