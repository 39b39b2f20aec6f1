use ibridge_core::{Result, Services};

use crate::args::AuditCommand;
use crate::output::Output;

pub fn run(services: &Services, out: &Output, command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::List { limit } => {
            let entries = services.audit_list(limit)?;
            out.emit(&entries, |entries| {
                if entries.is_empty() {
                    return "The audit log is empty.".to_owned();
                }
                entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{:>6}  {}  {:<10}  {:<18}  {:<7}  {:<16}  {}",
                            e.seq,
                            e.at,
                            e.actor,
                            e.action,
                            e.outcome,
                            e.connection.as_deref().unwrap_or("-"),
                            e.detail
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        AuditCommand::Verify => {
            let report = services.audit_verify()?;
            out.emit(&report, |r| r.to_string());
        }
    }
    Ok(())
}
