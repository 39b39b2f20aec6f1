//! Incident Bridge desktop app. The TypeScript bindings of its commands
//! are written by the `export-bindings` example (`npm run bindings`).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    incident_bridge_lib::run();
}
