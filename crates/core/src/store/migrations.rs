//! Numbered SQL files from `crates/core/migrations`, embedded at build time and applied
//! in order by `rusqlite_migration` (tracked in SQLite's `user_version`).

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};

use super::StoreError;

const SOURCES: &[&str] = &[
    include_str!("../../migrations/0001_init.sql"),
    include_str!("../../migrations/0002_incidents_links_outbox.sql"),
    include_str!("../../migrations/0003_documents.sql"),
    include_str!("../../migrations/0004_outbox_claims.sql"),
];

pub const MIGRATION_COUNT: usize = SOURCES.len();

pub(super) fn apply(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > MIGRATION_COUNT as i64 {
        return Err(StoreError::TooNew {
            found,
            known: MIGRATION_COUNT,
        });
    }
    let migrations = Migrations::new(SOURCES.iter().map(|sql| M::up(sql)).collect());
    migrations.to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        let migrations = Migrations::new(SOURCES.iter().map(|sql| M::up(sql)).collect());
        migrations.validate().unwrap();
    }
}
