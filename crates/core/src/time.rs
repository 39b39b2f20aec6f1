//! One place for timestamps, so every table stores the same format
//! (RFC 3339, UTC, millisecond precision; sorts as text).

use chrono::{SecondsFormat, Utc};

pub fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}
