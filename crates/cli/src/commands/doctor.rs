//! `ibridge doctor`: prints each check and, for a problem, what to do;
//! exits 1 when any check found a problem.

use ibridge_core::services::{DoctorReport, Finding};
use ibridge_core::{Error, Result, Services};

use crate::colour::Colour;
use crate::output::Output;
use crate::progress::with_spinner;

pub async fn run(services: &Services, out: &Output) -> Result<()> {
    let report = with_spinner(
        "Checking the data directory, the key and every connection…",
        out.json,
        services.doctor(),
    )
    .await?;
    let report = with_commands(report);
    out.emit(&report, |r| text(r, Colour::stdout()));
    match report.problems() {
        0 => Ok(()),
        n => Err(Error::Remote(format!(
            "{n} problem{} found; see the fixes above",
            if n == 1 { "" } else { "s" }
        ))),
    }
}

/// Each fix with the command that does it, for people and scripts alike.
fn with_commands(mut report: DoctorReport) -> DoctorReport {
    let argv = crate::fix::argv();
    let mut findings = vec![&mut report.data_dir, &mut report.key_source];
    for c in &mut report.connections {
        findings.push(&mut c.reachable);
        findings.push(&mut c.sign_in);
    }
    for f in findings {
        if let (Some(fix), Some(action)) = (&f.fix, &f.action) {
            f.fix = Some(format!("{fix}; {}", crate::fix::hint(action, &argv)));
        }
    }
    report
}

fn line(c: Colour, label: &str, f: &Finding, out: &mut Vec<String>) {
    let mark = if f.ok {
        c.ok("ok     ")
    } else {
        c.bad("PROBLEM")
    };
    out.push(format!("{mark} {label}: {}", f.found));
    if let Some(fix) = &f.fix {
        out.push(format!("        fix: {fix}"));
    }
}

pub fn text(r: &DoctorReport, c: Colour) -> String {
    let mut out = Vec::new();
    line(c, "data directory", &r.data_dir, &mut out);
    line(c, "master key", &r.key_source, &mut out);
    if r.connections.is_empty() {
        out.push(format!(
            "{} no connections yet: add one with `ibridge connections add`",
            c.dim("-      ")
        ));
    }
    for conn in &r.connections {
        out.push(c.bold(&format!("{} ({})", conn.name, conn.provider)));
        line(c, "  reachable", &conn.reachable, &mut out);
        line(c, "  sign-in", &conn.sign_in, &mut out);
    }
    let problems = r.problems();
    out.push(if problems == 0 {
        c.ok("Everything looks right.")
    } else {
        c.bad(&format!(
            "{problems} problem{} to fix.",
            if problems == 1 { "" } else { "s" }
        ))
    });
    out.join("\n")
}
