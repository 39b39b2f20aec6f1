//! What the commands share: the core services, and the sign-ins waiting on
//! the person (site choice, cancellation).

use std::collections::HashMap;
use std::sync::Mutex;

use ibridge_core::Services;

pub struct AppState {
    pub services: Services,
    /// Per connection name: where the UI's site choice is sent.
    pub site_choices: Mutex<HashMap<String, std::sync::mpsc::Sender<Option<String>>>>,
    /// Per connection name: the running sign-in, to cancel it.
    pub sign_ins: Mutex<HashMap<String, tokio::task::AbortHandle>>,
}

impl AppState {
    pub fn new(services: Services) -> Self {
        Self {
            services,
            site_choices: Mutex::new(HashMap::new()),
            sign_ins: Mutex::new(HashMap::new()),
        }
    }

    /// Runs `f` with the core locked (never across an await).
    pub fn with_core<T>(
        &self,
        f: impl FnOnce(&mut ibridge_core::Core) -> ibridge_core::Result<T>,
    ) -> ibridge_core::Result<T> {
        let mut core = ibridge_core::oauth::lock(self.services.core())?;
        f(&mut core)
    }
}
