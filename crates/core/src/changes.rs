//! Noticing changes other processes made to the store. The desktop app
//! keeps its database open while CLI runs (or another app window) add
//! connections, incidents, documents or outbox entries; SQLite's
//! `PRAGMA data_version` on the app's own connection changes exactly when
//! another connection has committed, so polling it is cheap (no table is
//! read) and never fires for the app's own writes.

use crate::app::Core;
use crate::error::Result;

pub struct ChangeWatch {
    seen: i64,
}

impl ChangeWatch {
    /// Starts watching from now.
    pub fn new(core: &Core) -> Result<Self> {
        Ok(Self {
            seen: core.data_version()?,
        })
    }

    /// True when another process committed since the last call (or since
    /// the watch began); false for this process's own writes.
    pub fn changed(&mut self, core: &Core) -> Result<bool> {
        let now = core.data_version()?;
        let changed = now != self.seen;
        self.seen = now;
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Actor;
    use crate::connections::NewConnection;
    use crate::vault::{KeyConfig, NoKeychain};
    use crate::OpenOptions;

    fn open(dir: &std::path::Path, actor: Actor) -> Core {
        Core::open(OpenOptions {
            data_dir: Some(dir.to_path_buf()),
            actor,
            keys: KeyConfig {
                passphrase: None,
                keychain: std::sync::Arc::new(NoKeychain),
            },
        })
        .unwrap()
    }

    fn servicenow(name: &str) -> NewConnection {
        NewConnection {
            provider: "servicenow".into(),
            name: name.into(),
            url: "https://acme.service-now.com".into(),
            auth: "basic".into(),
            username: Some("svc".into()),
            secret: Some("pw".into()),
            ..Default::default()
        }
    }

    #[test]
    fn another_processs_commit_is_seen_once_and_own_writes_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = open(dir.path(), Actor::Ui);
        let mut cli = open(dir.path(), Actor::Cli);
        let mut watch = ChangeWatch::new(&app).unwrap();
        assert!(!watch.changed(&app).unwrap(), "nothing happened yet");

        cli.add_connection(servicenow("from-cli")).unwrap();
        assert!(watch.changed(&app).unwrap(), "the CLI's commit is noticed");
        assert!(!watch.changed(&app).unwrap(), "and reported once");
        assert_eq!(app.list_connections().unwrap()[0].name, "from-cli");

        app.add_connection(servicenow("from-app")).unwrap();
        assert!(
            !watch.changed(&app).unwrap(),
            "the app's own write needs no refresh event"
        );

        cli.remove_connection("from-app").unwrap();
        assert!(watch.changed(&app).unwrap());
    }
}
