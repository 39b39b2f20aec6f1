//! Which build this is (the About panel), and why the window could not
//! open its data at start-up (a database from a newer build, an unreadable
//! key), which the window shows instead of its screens.

use serde::Serialize;
use specta::Type;
use tauri::State;

/// The release version and the database schema this build writes; the
/// same pair `ibridge --version` prints.
#[derive(Debug, Clone, Serialize, Type)]
pub struct About {
    pub version: String,
    pub schema_version: u32,
}

/// Set once at start-up: `Some(sentence)` when the core could not be
/// opened. The other commands then have no state to work on, so the
/// window shows this sentence alone.
pub struct StartupProblem(pub Option<String>);

#[tauri::command]
#[specta::specta]
pub fn about() -> About {
    About {
        version: ibridge_core::build_info::VERSION.into(),
        schema_version: u32::try_from(ibridge_core::build_info::SCHEMA_VERSION).unwrap_or(u32::MAX),
    }
}

#[tauri::command]
#[specta::specta]
pub fn startup_problem(problem: State<'_, StartupProblem>) -> Option<String> {
    problem.0.clone()
}
