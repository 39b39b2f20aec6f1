//! Exit codes from CLI.md.

use ibridge_core::ErrorKind;

pub const OK: i32 = 0;

pub fn code(kind: ErrorKind) -> i32 {
    match kind {
        ErrorKind::Remote | ErrorKind::Local | ErrorKind::Internal => 1,
        ErrorKind::InvalidInput => 2,
        ErrorKind::NotFound => 3,
        ErrorKind::AuthNeeded => 4,
        ErrorKind::Conflict => 5,
    }
}
