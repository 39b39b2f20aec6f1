use ibridge_core::{Result, Services};
use serde::Serialize;

use crate::args::VaultCommand;
use crate::output::Output;

#[derive(Serialize)]
struct Rotated {
    resealed: usize,
    key_version: i64,
}

pub fn run(services: &Services, out: &Output, command: VaultCommand) -> Result<()> {
    match command {
        VaultCommand::Rotate => {
            let report = services.rotate_vault()?;
            let rotated = Rotated {
                resealed: report.resealed,
                key_version: report.new_version,
            };
            out.emit(&rotated, |r| {
                format!(
                    "Master key rotated: {} credential(s) re-sealed under key version {}.",
                    r.resealed, r.key_version
                )
            });
        }
    }
    Ok(())
}
