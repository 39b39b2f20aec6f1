//! What a person can do about an error. The core names the step and the
//! records it concerns; each front end turns it into its own form: the CLI
//! prints the command to run, the desktop app offers a button that does it.
//! Messages (`Display`) describe the problem only, never a front end's
//! commands or flags.

use serde::{Deserialize, Serialize};

/// A suggested next step, with the names it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Sign in to this OAuth connection again (a new grant, or a first
    /// one; for Atlassian also the choice of site).
    Reconnect { connection: String },
    /// The connection lacks a setting the operation needs (`setting`
    /// names it as the connection form does: `project`, `client-id`,
    /// `secret`); change the connection.
    EditConnection { connection: String, setting: String },
    /// Do it again with a value for the input `field` (named as the
    /// form field or flag: `space`, `title`, `site`, `port`, `field`,
    /// `data-dir`).
    SupplyInput { field: String },
    /// Publish the document to the connection again, overwriting edits
    /// made on the page since the last publish. Only after the person
    /// confirms: those edits are lost.
    Overwrite {
        document: String,
        connection: String,
    },
    /// A required field of a filing has no value: set `field` for this
    /// filing, or as a default for every filing to the connection.
    SetFilingField { connection: String, field: String },
    /// Add a file to the document's assets under `name`, the name its
    /// text refers to.
    AttachAsset { document: String, name: String },
    /// Deliver the outbox now: an entry that may have been sent is
    /// reconciled with the service before anything else happens to it.
    RunOutbox,
    /// Drop an outbox entry that can never be delivered.
    DiscardEntry { entry: String },
    /// Test the connection again once its address or the network is
    /// fixed.
    TestConnection { connection: String },
}
