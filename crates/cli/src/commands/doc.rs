use std::io::Write;
use std::path::Path;

use ibridge_core::services::PublishOptions;
use ibridge_core::{Error, Result, Services};

use crate::args::DocCommand;
use crate::output::{self, Output};
use crate::progress::with_spinner;

fn read_markdown(path: &Path, field: &str) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::invalid(field, format!("cannot read {}: {e}", path.display())))
}

pub async fn run(services: &Services, out: &Output, command: DocCommand) -> Result<()> {
    match command {
        DocCommand::New {
            kind,
            title,
            incident,
        } => {
            let doc = services.new_document(&kind, &title, incident.as_deref())?;
            out.emit(&doc, |d| {
                format!("Created {} {}: {}", d.kind, output::short(&d.id), d.title)
            });
        }
        DocCommand::Import { file, title, kind } => {
            let doc = services.import_markdown_file(&file, title.as_deref(), kind.as_deref())?;
            out.emit(&doc, |d| {
                format!("Imported {} {}: {}", d.kind, output::short(&d.id), d.title)
            });
        }
        DocCommand::Attach { id, file, name } => {
            let asset = super::doc_assets::attach(services, &id, &file, name.as_deref())?;
            out.emit(&asset, |a| {
                format!(
                    "Attached {} ({} bytes, sha256 {})",
                    a.name, a.size, a.sha256
                )
            });
        }
        DocCommand::Assets { id } => {
            let assets = services.document_assets(&id)?;
            out.emit(&assets, |a| super::doc_assets::table(a));
        }
        DocCommand::Edit { id, file, title } => {
            let markdown = read_markdown(&file, "file")?;
            let doc = services.edit_document(&id, title.as_deref(), &markdown)?;
            out.emit(&doc, |d| {
                format!("Saved {} {}.", d.kind, output::short(&d.id))
            });
        }
        DocCommand::Timeline { id } => {
            let doc = services.refresh_document_timeline(&id)?;
            out.emit(&doc, |d| {
                format!(
                    "Timeline of {} {} written from its incident.",
                    d.kind,
                    output::short(&d.id)
                )
            });
        }
        DocCommand::List => {
            let docs = services.list_documents()?;
            out.emit(&docs, |d| output::document_table(d));
        }
        DocCommand::Show { id } => {
            let doc = services.document(&id)?;
            out.emit(&doc, output::document_text);
        }
        DocCommand::Render { id } => {
            if out.json {
                let storage = services.render_document(&id)?;
                out.json(&serde_json::json!({ "storage": storage }));
            } else {
                // Written as it is converted: a large RCA starts showing at
                // once and is never whole in memory.
                let mut stdout = std::io::stdout().lock();
                services.render_document_to(&id, &mut stdout)?;
                writeln!(stdout).map_err(|e| Error::io("write the storage body", e))?;
            }
        }
        DocCommand::Publish {
            id,
            to,
            space,
            parent,
            force,
            minor_edit,
            dry_run,
        } => {
            let options = PublishOptions {
                space,
                parent,
                force,
                minor_edit,
            };
            if dry_run {
                let requests = services.publish_requests(&id, &to, &options)?;
                out.emit(&requests, |r| {
                    output::planned_requests(
                        r,
                        "Nothing changed since the last publish: nothing would be sent.",
                    )
                });
            } else {
                let published = with_spinner(
                    &format!("Publishing to '{to}'…"),
                    out.json,
                    services.publish_document(&id, &to, options),
                )
                .await?;
                out.emit(&published, output::published_text);
            }
        }
        DocCommand::Actions { id, to, dry_run } => {
            if dry_run {
                let requests = services.action_item_requests(&id, &to).await?;
                out.emit(&requests, |r| {
                    output::planned_requests(
                        r,
                        "Every action item is filed already: nothing would be sent.",
                    )
                });
            } else {
                let filed = with_spinner(
                    &format!("Filing action items to '{to}'…"),
                    out.json,
                    services.file_action_items(&id, &to),
                )
                .await?;
                out.emit(&filed, |f| output::action_items_table(f));
            }
        }
    }
    Ok(())
}
