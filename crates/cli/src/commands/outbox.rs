//! `ibridge outbox`: the journal of outbound writes.

use ibridge_core::{Error, Result, Services};

use crate::args::OutboxCommand;
use crate::output::{self, Output};
use crate::progress::with_spinner;

pub async fn run(services: &Services, out: &Output, command: OutboxCommand) -> Result<()> {
    match command {
        OutboxCommand::List => {
            let entries = services.outbox_entries()?;
            out.emit(&entries, |e| output::outbox_table(e));
        }
        OutboxCommand::Run { wait } => {
            let report = match wait {
                Some(secs) => {
                    with_spinner(
                        &format!("Sending pending writes (waiting up to {secs} s for retries)…"),
                        out.json,
                        services.drain_outbox(std::time::Duration::from_secs(secs)),
                    )
                    .await?
                }
                None => {
                    with_spinner(
                        "Sending pending writes…",
                        out.json,
                        services.run_outbox(true),
                    )
                    .await?
                }
            };
            out.emit(&report, output::run_report);
            let undelivered = report.failed.len() + report.retrying.len();
            if undelivered > 0 {
                return Err(Error::Remote(format!(
                    "{undelivered} write(s) not delivered; see `ibridge outbox list`"
                )));
            }
        }
        OutboxCommand::Retry { id } => {
            let delivered = with_spinner("Sending…", out.json, services.retry_outbox(&id)).await?;
            out.emit(&delivered, |d| {
                format!("Delivered: {}", output::delivered_text(d))
            });
        }
        OutboxCommand::Discard { id } => {
            let entry = services.discard_outbox(&id)?;
            out.emit(&entry, |e| {
                format!(
                    "Discarded {} ({}, {}).",
                    e.id,
                    output::operation_text(e),
                    e.state
                )
            });
        }
    }
    Ok(())
}
