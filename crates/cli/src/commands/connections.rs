use ibridge_core::connections::NewConnection;
use ibridge_core::{Core, Result};

use crate::args::{AddArgs, ConnectionsCommand};
use crate::output::{connection_details, connection_table, Output};
use crate::secrets_in::SecretInput;

pub fn run(core: &mut Core, out: &Output, command: ConnectionsCommand) -> Result<()> {
    match command {
        ConnectionsCommand::Add(args) => {
            let input = new_connection(*args, &mut SecretInput::stdin())?;
            let added = core.add_connection(input)?;
            out.emit(&added, |c| {
                format!("Added connection '{}'.\n{}", c.name, connection_details(c))
            });
        }
        ConnectionsCommand::List => {
            let all = core.list_connections()?;
            out.emit(&all, |all| connection_table(all));
        }
        ConnectionsCommand::Show { name } => {
            let c = core.show_connection(&name)?;
            out.emit(&c, connection_details);
        }
        ConnectionsCommand::AutoCreate { name, state } => {
            let c = core.set_auto_create(&name, state == "on")?;
            out.emit(&c, |c| {
                format!(
                    "New incidents {} filed to '{}' automatically.",
                    if c.auto_create_enabled {
                        "will be"
                    } else {
                        "will not be"
                    },
                    c.name
                )
            });
        }
        // Talks to the service: handled in `commands::remote`.
        ConnectionsCommand::Test { .. } => unreachable_remote()?,
        ConnectionsCommand::Default { name } => {
            let c = core.set_default_connection(&name)?;
            out.emit(&c, |c| {
                format!("'{}' is now the default {} connection.", c.name, c.provider)
            });
        }
        ConnectionsCommand::Remove { name } => {
            let c = core.remove_connection(&name)?;
            out.emit(&c, |c| {
                format!(
                    "Removed connection '{}' and its stored credentials.",
                    c.name
                )
            });
        }
    }
    Ok(())
}

fn new_connection<R: std::io::BufRead>(
    args: AddArgs,
    input: &mut SecretInput<R>,
) -> Result<NewConnection> {
    // Secret first, then client secret: the order CLI.md documents.
    let secret = if args.secret_stdin {
        Some(input.read("secret")?)
    } else {
        None
    };
    let client_secret = if args.client_secret_stdin {
        Some(input.read("client-secret")?)
    } else {
        None
    };
    Ok(NewConnection {
        provider: args.provider,
        name: args.name,
        url: args.url,
        auth: args.auth,
        username: args.username,
        client_id: args.client_id,
        tenant: args.tenant,
        project: args.project,
        space: args.space,
        auth_url: args.auth_url,
        token_url: args.token_url,
        resources_url: args.resources_url,
        api_url: args.api_url,
        make_default: args.default,
        secret,
        client_secret,
    })
}

fn unreachable_remote() -> Result<()> {
    Err(ibridge_core::Error::Unsupported(
        "internal error: connections test runs as a remote command".into(),
    ))
}
