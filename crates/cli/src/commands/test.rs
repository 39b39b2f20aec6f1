//! `connections test NAME`. For OAuth connections the test proves the stored
//! grant still works by getting a fresh access token (refreshing it when
//! due): exit 4 when the user must sign in again.

use std::sync::{Arc, Mutex};

use ibridge_core::connections::AuthType;
use ibridge_core::oauth::TokenBroker;
use ibridge_core::{Core, Error, Result};
use serde::Serialize;

use crate::output::Output;

#[derive(Serialize)]
struct SignInCheck {
    name: String,
    signed_in: bool,
    access_token_expires_at: Option<String>,
}

pub fn run(mut core: Core, out: &Output, name: &str) -> (Result<()>, Vec<String>) {
    let connection = match core.show_connection(name) {
        Ok(c) => c,
        Err(e) => return (Err(e), core.take_notices()),
    };
    if connection.auth_type != AuthType::OAuth2 {
        let result = core
            .test_connection(name)
            .map(|c| out.emit(&c, |c| format!("Connection '{}' works.", c.name)));
        return (result, core.take_notices());
    }
    let shared = Arc::new(Mutex::new(core));
    let result = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("start the async runtime", e))
        .and_then(|rt| {
            let broker = TokenBroker::new(shared.clone())?;
            rt.block_on(broker.check(&connection.name))
        })
        .map(|expires| {
            let check = SignInCheck {
                name: connection.name.clone(),
                signed_in: true,
                access_token_expires_at: expires,
            };
            out.emit(&check, |c| {
                format!(
                    "The OAuth sign-in of '{}' is valid{}. Checks against the service's own API come with its integration.",
                    c.name,
                    c.access_token_expires_at
                        .as_deref()
                        .map(|e| format!(" (access token until {e})"))
                        .unwrap_or_default()
                )
            });
        });
    let notices = shared
        .lock()
        .map(|mut c| c.take_notices())
        .unwrap_or_default();
    (result, notices)
}
