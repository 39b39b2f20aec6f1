//! One version for the workspace, the app and the packages: the app crate
//! takes the workspace's, tauri.conf.json has none of its own (so the
//! bundler writes the crate's into the .deb and .rpm), and the UI's
//! package.json says the same.

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn json(relative: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_app_crate_has_the_core_version() {
    assert_eq!(VERSION, ibridge_core::build_info::VERSION);
}

#[test]
fn tauri_conf_takes_the_version_from_cargo() {
    let conf = json("tauri.conf.json");
    assert!(
        conf.get("version").is_none(),
        "tauri.conf.json must not set a version: the bundler then uses Cargo's ({VERSION})"
    );
}

#[test]
fn package_json_agrees() {
    assert_eq!(json("../package.json")["version"], VERSION);
}
