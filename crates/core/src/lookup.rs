//! Finding a record by the id a person typed: the full id, or an
//! unambiguous prefix of at least 8 characters (what lists show).

use crate::error::{Error, Result};

pub const MIN_PREFIX: usize = 8;

/// `exact` looks the full id up; `by_prefix` returns up to two records
/// whose id starts with the text. `what` names the record in errors
/// ("incident", "document").
pub(crate) fn by_id_or_prefix<T>(
    id: &str,
    what: &'static str,
    exact: impl FnOnce(&str) -> rusqlite::Result<Option<T>>,
    by_prefix: impl FnOnce(&str) -> rusqlite::Result<Vec<T>>,
) -> Result<T> {
    let id = id.trim();
    if id.is_empty() {
        return Err(Error::invalid("id", "must not be empty"));
    }
    if let Some(row) = exact(id)? {
        return Ok(row);
    }
    let not_found = || Error::NotFound {
        what,
        name: id.to_owned(),
    };
    if id.chars().count() < MIN_PREFIX {
        return Err(not_found());
    }
    let mut matches = by_prefix(id)?;
    match matches.len() {
        0 => Err(not_found()),
        1 => Ok(matches.remove(0)),
        _ => Err(Error::invalid(
            "id",
            format!("'{id}' matches several {what}s; give more of the id"),
        )),
    }
}
