use ibridge_core::connections::NewConnection;
use ibridge_core::{Result, Services};

use crate::args::{AddArgs, ConnectionsCommand};
use crate::output::{connection_details, connection_table, ConnectionJson, Output};
use crate::progress::with_spinner;
use crate::secrets_in::SecretInput;

pub async fn run(services: &Services, out: &Output, command: ConnectionsCommand) -> Result<()> {
    match command {
        ConnectionsCommand::Add(args) => {
            let input = new_connection(*args, &mut SecretInput::stdin())?;
            let added = services.add_connection(input)?;
            out.emit(&added, |c| {
                format!("Added connection '{}'.\n{}", c.name, connection_details(c))
            });
        }
        ConnectionsCommand::List => {
            let all = services.list_connections()?;
            out.emit(&all, |all| connection_table(all));
        }
        ConnectionsCommand::Show { name } => {
            let c = services.show_connection(&name)?;
            out.emit(&ConnectionJson::new(&c), |shown| {
                connection_details(shown.view)
            });
        }
        ConnectionsCommand::AutoCreate { name, state } => {
            let c = services.set_auto_create(&name, state == "on")?;
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
        ConnectionsCommand::Fields {
            name,
            set,
            unset,
            refresh,
            work_item_type,
        } => {
            if refresh {
                with_spinner(
                    &format!("Reading the field rules of '{name}'…"),
                    out.json,
                    services.refresh_field_rules(&name, work_item_type.as_deref()),
                )
                .await?;
            }
            let fields = if set.is_empty() && unset.is_empty() {
                services.connection_fields(&name)?
            } else {
                services
                    .set_connection_fields(&name, super::parse_fields(&set)?, unset)
                    .await?
            };
            out.emit(&fields, crate::output::connection_fields);
        }
        ConnectionsCommand::Test { name } => {
            let check = with_spinner(
                &format!("Asking '{name}' who we are…"),
                out.json,
                services.test_connection(&name),
            )
            .await?;
            out.emit(&check, |c| c.message.clone());
        }
        ConnectionsCommand::Default { name } => {
            let c = services.set_default_connection(&name)?;
            out.emit(&c, |c| {
                format!("'{}' is now the default {} connection.", c.name, c.provider)
            });
        }
        ConnectionsCommand::Remove { name } => {
            let c = services.remove_connection(&name)?;
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
