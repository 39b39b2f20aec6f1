//! `cargo run -p incident-bridge --example export-bindings [PATH]` writes
//! the TypeScript bindings of the window's commands (src/bindings.ts by
//! default); `npm run bindings` runs it.

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "src/bindings.ts".into());
    match incident_bridge_lib::export_bindings(std::path::Path::new(&path)) {
        Ok(()) => println!("wrote {path}"),
        Err(e) => {
            eprintln!("error: could not write the bindings: {e}");
            std::process::exit(1);
        }
    }
}
