//! The contract of one kind of write: how it is sent and what it
//! produced. Kept apart from `delivery` (claims, dispatch, runs), which
//! names every result type, so the modules that own a kind of write depend
//! on this contract and nothing depends back on them through it.

use super::Services;
use crate::error::Result;
use crate::outbox::{Write, WriteKind};
use crate::store::outbox::OutboxRow;

/// One try at an entry, claimed by this deliverer.
pub(crate) struct Attempt {
    /// The entry as claimed (state `in_flight`).
    pub entry: OutboxRow,
    /// It was found `in_flight`: an earlier try was cut off, possibly
    /// after the service received it.
    pub interrupted: bool,
    /// An earlier try may have reached the service (cut off, or its
    /// answer lost): look the record up by its key before sending again.
    pub resend: bool,
}

/// Sending one kind of write and storing what it produced, in the same
/// transaction that marks the entry done.
pub(crate) trait Deliver: TryFrom<Write, Error = WriteKind> {
    type Output;

    async fn deliver(self, services: &Services, attempt: &Attempt) -> Result<Self::Output>;
}
