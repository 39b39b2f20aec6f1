//! What the commands share: the core services, and the sign-ins waiting on
//! the person (site choice, cancellation).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ibridge_core::Services;

pub struct AppState {
    /// The core's front door; shared so a sign-in can run in its own task.
    pub services: Arc<Services>,
    /// Per connection name: where the UI's site choice is sent.
    pub site_choices: Mutex<HashMap<String, std::sync::mpsc::Sender<Option<String>>>>,
    /// Per connection name: the running sign-in, to cancel it.
    pub sign_ins: Mutex<HashMap<String, tokio::task::AbortHandle>>,
}

impl AppState {
    pub fn new(services: Services) -> Self {
        Self {
            services: Arc::new(services),
            site_choices: Mutex::new(HashMap::new()),
            sign_ins: Mutex::new(HashMap::new()),
        }
    }
}
