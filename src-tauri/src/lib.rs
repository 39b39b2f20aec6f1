//! Incident Bridge desktop: the Tauri shell. It wires IPC commands to
//! `ibridge-core` and does nothing else; every rule lives in the core.

mod commands;
mod error;
mod navigation;
pub mod notify;
mod state;
mod watch;

use std::time::Duration;

use ibridge_core::audit::Actor;
use ibridge_core::vault::KeyConfig;
use ibridge_core::{Core, OpenOptions, Services};
use specta_typescript::Typescript;
use tauri::{Emitter, Manager};
use tauri_specta::{collect_commands, Builder};

use commands::about::StartupProblem;
use commands::{
    about, action_items, activity, connections, documents, evidence, incidents, links, oauth,
    timeline,
};
pub use error::UiError;
pub use state::AppState;
pub use watch::STORE_EVENT;

/// The error a command returns for a core error (also used by tests that
/// scan IPC payloads).
pub fn ui_error(e: ibridge_core::Error) -> UiError {
    e.into()
}

/// How often the app retries due outbox entries (and so notices that the
/// network is back): 30 s, or `IBRIDGE_OUTBOX_INTERVAL_SECS` (1–3600).
fn outbox_interval() -> Duration {
    let secs = std::env::var("IBRIDGE_OUTBOX_INTERVAL_SECS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|s| (1..=3600).contains(s))
        .unwrap_or(30);
    Duration::from_secs(secs)
}
pub const OUTBOX_EVENT: &str = "outbox-changed";

/// The commands and event payload types the window may use; the
/// TypeScript bindings (`src/bindings.ts`) are generated from this.
pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            connections::list_connections,
            connections::add_connection,
            connections::test_connection,
            connections::set_default_connection,
            connections::remove_connection,
            connections::set_auto_create,
            oauth::connect_oauth,
            oauth::choose_site,
            oauth::cancel_connect,
            incidents::list_incidents,
            incidents::create_incident,
            incidents::update_incident,
            incidents::show_incident,
            incidents::file_incident,
            timeline::incident_timeline,
            timeline::add_incident_event,
            timeline::post_incident_event,
            timeline::close_code_choices,
            timeline::plan_incident_status,
            timeline::set_incident_status,
            timeline::sync_incident,
            incidents::filing_requests,
            incidents::connection_fields,
            incidents::set_connection_fields,
            documents::list_documents,
            documents::new_document,
            documents::get_document,
            documents::save_document,
            documents::refresh_document_timeline,
            documents::preview_markdown,
            documents::publish_document,
            documents::publish_requests,
            documents::confluence_spaces,
            documents::confluence_search,
            evidence::paste_image,
            evidence::document_assets,
            evidence::preview_document,
            evidence::set_document_meta,
            evidence::changes_since_publish,
            action_items::action_items,
            action_items::review_action_items,
            action_items::file_action_items,
            activity::list_outbox,
            activity::run_outbox,
            activity::retry_outbox,
            activity::discard_outbox,
            activity::list_audit,
            activity::verify_audit,
            links::open_link,
            about::about,
            about::startup_problem,
        ])
        .typ::<oauth::ConnectProgress>()
        .typ::<oauth::SitesOffered>()
        .typ::<notify::OutboxNotice>()
}

/// Writes the TypeScript bindings to `path`.
pub fn export_bindings(path: &std::path::Path) -> Result<(), String> {
    specta_builder()
        .export(
            Typescript::default().header("// Generated from the Rust commands in src-tauri by tauri-specta. Do not edit:\n// run `npm run bindings` after changing a command or a type it uses.\n"),
            path,
        )
        .map_err(|e| e.to_string())
}

pub fn run() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("IBRIDGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();

    let builder = specta_builder();
    tauri::Builder::default()
        // First, so a second start hands over to the running window before
        // it opens the store or a window of its own.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            focus_main_window(app)
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(navigation::guard())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(builder.invoke_handler())
        .setup(|app| {
            match open_services() {
                Ok(services) => {
                    app.manage(AppState::new(services));
                    app.manage(StartupProblem(None));
                    // Before the worker can show a first notification.
                    notify::listen_for_clicks(app.handle());
                    start_outbox_worker(app.handle().clone());
                    watch::start(app.handle().clone());
                }
                // The window opens anyway and shows why, instead of the
                // process ending with a message nobody sees.
                Err(problem) => {
                    tracing::error!("{problem}");
                    app.manage(StartupProblem(Some(problem)));
                }
            }
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the Incident Bridge window could not start");
}

/// Opens the core and its services on the data directory
/// (`IBRIDGE_DATA_DIR` or the OS app-data directory); the error is the
/// sentence the window shows.
pub fn open_services() -> Result<Services, String> {
    let core = Core::open(OpenOptions {
        data_dir: std::env::var_os("IBRIDGE_DATA_DIR").map(Into::into),
        actor: Actor::Ui,
        keys: KeyConfig::from_env(),
    })
    .map_err(|e| format!("Incident Bridge could not open its data: {e}"))?;
    Services::new(core).map_err(|e| format!("Incident Bridge could not start: {e}"))
}

/// A second start of the app lands here (show the running window instead),
/// and so does a click on one of its notifications.
fn focus_main_window(app: &tauri::AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Sends due outbox entries at start-up and every interval after, so writes
/// made while offline go out once the network is back.
fn start_outbox_worker(app: tauri::AppHandle) {
    let interval = outbox_interval();
    tauri::async_runtime::spawn(async move {
        loop {
            let state = app.state::<AppState>();
            if let Ok(report) = state.services.run_outbox(false).await {
                if !report.delivered.is_empty() || !report.failed.is_empty() {
                    let _ = app.emit(OUTBOX_EVENT, ());
                    announce_outcomes(&app, &state, &report);
                }
            }
            tokio::time::sleep(interval).await;
        }
    });
}

/// Notifies about the writes a background run delivered or gave up on.
fn announce_outcomes(
    app: &tauri::AppHandle,
    state: &AppState,
    report: &ibridge_core::services::RunReport,
) {
    let services = &state.services;
    let found = services.outbox_entries().map(|entries| {
        notify::notices(report, &entries, |e| {
            use ibridge_core::outbox::WriteKind;
            match e.operation? {
                WriteKind::PageCreate
                | WriteKind::PageUpdate
                | WriteKind::AttachmentUpload
                | WriteKind::LabelSync
                | WriteKind::ActionItemCreate => {
                    services.document(&e.subject_id).ok().map(|d| d.title)
                }
                WriteKind::ServiceNowCreate
                | WriteKind::WorkItemCreate
                | WriteKind::ServiceNowStateChange
                | WriteKind::WorkItemStateChange => {
                    services.incident(&e.subject_id).ok().map(|i| i.title)
                }
                WriteKind::ServiceNowUpdate
                | WriteKind::WorkItemUpdate
                | WriteKind::JournalPost
                | WriteKind::CommentPost => None,
            }
        })
    });
    match found {
        Ok(notices) => notify::announce(app, &notices),
        Err(e) => tracing::warn!("outbox notices not built: {e}"),
    }
}

#[cfg(test)]
mod tests {
    /// The checked-in bindings are what the Rust commands generate.
    #[test]
    fn typescript_bindings_are_current() {
        let dir = std::env::temp_dir().join(format!("ibridge-bindings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fresh = dir.join("bindings.ts");
        super::export_bindings(&fresh).unwrap();
        let checked_in =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/bindings.ts");
        let expected = std::fs::read_to_string(&fresh).unwrap();
        let actual = std::fs::read_to_string(&checked_in).unwrap_or_default();
        assert!(
            expected == actual,
            "src/bindings.ts is out of date: run `npm run bindings` and commit the result"
        );
    }
}
