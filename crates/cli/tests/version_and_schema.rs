//! `ibridge --version` names the release and the database schema, and a
//! database written by a newer build is refused with a clear message and
//! left exactly as it was (never migrated backwards).

mod common;

use common::Cli;
use ibridge_core::paths::DATABASE_FILE;

fn user_version(path: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn version_names_the_release_and_the_schema() {
    let cli = Cli::new();
    let run = cli.run(&["--version"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!(
            "ibridge {} (database schema {})\n",
            env!("CARGO_PKG_VERSION"),
            ibridge_core::store::MIGRATION_COUNT
        )
    );
}

#[test]
fn a_database_from_a_newer_build_is_refused_and_left_alone() {
    let cli = Cli::new();
    let first = cli.run(&["connections", "list"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let db = cli.data_dir().join(DATABASE_FILE);
    assert_eq!(
        user_version(&db),
        ibridge_core::store::MIGRATION_COUNT as i64
    );

    let newer = ibridge_core::store::MIGRATION_COUNT as i64 + 1;
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let before = std::fs::read(&db).unwrap();

    let run = cli.run(&["connections", "list"]);
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert_eq!(
        run.stderr,
        format!(
            "error: the database was written by a newer Incident Bridge (schema {newer}, this build knows {}); upgrade the app\n",
            ibridge_core::store::MIGRATION_COUNT
        )
    );
    assert_eq!(user_version(&db), newer);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database was changed"
    );
}
