//! Incident Bridge desktop app. `incident-bridge --export-bindings PATH`
//! writes the TypeScript bindings instead of opening the window.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("--export-bindings") {
        let path = args.next().unwrap_or_else(|| "src/bindings.ts".into());
        match incident_bridge_lib::export_bindings(std::path::Path::new(&path)) {
            Ok(()) => println!("wrote {path}"),
            Err(e) => {
                eprintln!("error: could not write the bindings: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    incident_bridge_lib::run();
}
