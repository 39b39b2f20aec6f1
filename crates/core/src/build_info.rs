//! What this build is: its release version (one version for the workspace,
//! the desktop app and the packages, set in the workspace `Cargo.toml`) and
//! the database schema version it writes. Both front ends show the pair, so
//! a support question can start from "which build, which schema".

/// The release version, from the workspace `Cargo.toml`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The database schema this build writes: the number of migrations it
/// applies. A database with a higher number is refused, never migrated
/// backwards (`store::StoreError::TooNew`).
pub const SCHEMA_VERSION: usize = crate::store::MIGRATION_COUNT;

/// `0.1.0 (database schema 4)`.
pub fn version_line() -> String {
    format!("{VERSION} (database schema {SCHEMA_VERSION})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_both_versions() {
        assert_eq!(
            version_line(),
            format!(
                "{} (database schema {})",
                env!("CARGO_PKG_VERSION"),
                crate::store::MIGRATION_COUNT
            )
        );
    }
}
