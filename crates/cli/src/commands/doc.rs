use std::path::Path;

use ibridge_core::{Core, Error, Result};

use crate::args::DocCommand;
use crate::output::{self, Output};

fn read_markdown(path: &Path, field: &str) -> Result<String> {
    std::fs::read_to_string(path)
        .map_err(|e| Error::invalid(field, format!("cannot read {}: {e}", path.display())))
}

/// The local document commands (publishing is in `commands::remote`).
pub fn run(core: &mut Core, out: &Output, command: DocCommand) -> Result<()> {
    match command {
        DocCommand::New {
            kind,
            title,
            incident,
        } => {
            let doc = core.new_document(&kind, &title, incident.as_deref())?;
            out.emit(&doc, |d| {
                format!("Created {} {}: {}", d.kind, output::short(&d.id), d.title)
            });
        }
        DocCommand::Import { file, title, kind } => {
            let markdown = read_markdown(&file, "file")?;
            let doc = core.import_document(markdown, &title, kind.as_deref())?;
            out.emit(&doc, |d| {
                format!("Imported {} {}: {}", d.kind, output::short(&d.id), d.title)
            });
        }
        DocCommand::Edit { id, file, title } => {
            let markdown = read_markdown(&file, "file")?;
            let current = core.document(&id)?;
            let doc = core.save_document(
                &current.id,
                title.as_deref().unwrap_or(&current.title),
                &markdown,
            )?;
            out.emit(&doc, |d| {
                format!("Saved {} {}.", d.kind, output::short(&d.id))
            });
        }
        DocCommand::List => {
            let docs = core.list_documents()?;
            out.emit(&docs, |d| output::document_table(d));
        }
        DocCommand::Show { id } => {
            let doc = core.document(&id)?;
            out.emit(&doc, output::document_text);
        }
        DocCommand::Render { id } => {
            let storage = core.render_document(&id)?;
            if out.json {
                out.json(&serde_json::json!({ "storage": storage }));
            } else {
                println!("{storage}");
            }
        }
        DocCommand::Publish { .. } => {
            return Err(Error::Unsupported(
                "internal error: publish runs as a remote command".into(),
            ))
        }
    }
    Ok(())
}
