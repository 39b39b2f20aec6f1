//! The façade's local half: connections, incidents, documents, the outbox,
//! the audit log and the vault, each one call that takes the shared core's
//! lock for its own duration (never across an `.await`). Front ends call
//! these instead of locking the core themselves.

use std::io::Write;

use super::Services;
use crate::app::lock;
use crate::audit::{Entry, VerifyReport};
use crate::changes::ChangeWatch;
use crate::connections::{ConnectionView, NewConnection};
use crate::docs::{storage, Document};
use crate::error::{Error, Result};
use crate::incidents::{Incident, IncidentChanges};
use crate::oauth::{self, ConnectOptions, ConnectUi};
use crate::outbox::OutboxEntry;
use crate::vault::RotationReport;

impl Services {
    // Connections.

    pub fn list_connections(&self) -> Result<Vec<ConnectionView>> {
        lock(&self.core)?.list_connections()
    }

    pub fn show_connection(&self, name: &str) -> Result<ConnectionView> {
        lock(&self.core)?.show_connection(name)
    }

    /// Validates, seals the secrets and stores the connection.
    pub fn add_connection(&self, input: NewConnection) -> Result<ConnectionView> {
        lock(&self.core)?.add_connection(input)
    }

    pub fn set_default_connection(&self, name: &str) -> Result<ConnectionView> {
        lock(&self.core)?.set_default_connection(name)
    }

    pub fn remove_connection(&self, name: &str) -> Result<ConnectionView> {
        lock(&self.core)?.remove_connection(name)
    }

    pub fn set_auto_create(&self, name: &str, enabled: bool) -> Result<ConnectionView> {
        lock(&self.core)?.set_auto_create(name, enabled)
    }

    /// The OAuth sign-in of connection `name` through the system browser.
    pub async fn connect(
        &self,
        name: &str,
        options: &ConnectOptions,
        ui: &dyn ConnectUi,
    ) -> Result<ConnectionView> {
        oauth::connect(&self.core, name, options, ui).await
    }

    // Incidents (creating, showing and filing talk to services: see
    // `sync` and `filing`).

    pub fn list_incidents(&self) -> Result<Vec<Incident>> {
        lock(&self.core)?.list_incidents()
    }

    pub fn incident(&self, id: &str) -> Result<Incident> {
        lock(&self.core)?.incident(id)
    }

    pub fn update_incident(&self, id: &str, changes: IncidentChanges) -> Result<Incident> {
        lock(&self.core)?.update_incident(id, changes)
    }

    // Documents (publishing: see `confluence`).

    pub fn new_document(
        &self,
        kind: &str,
        title: &str,
        incident: Option<&str>,
    ) -> Result<Document> {
        lock(&self.core)?.new_document(kind, title, incident)
    }

    pub fn import_document(
        &self,
        markdown: String,
        title: &str,
        kind: Option<&str>,
    ) -> Result<Document> {
        lock(&self.core)?.import_document(markdown, title, kind)
    }

    pub fn save_document(&self, id: &str, title: &str, markdown: &str) -> Result<Document> {
        lock(&self.core)?.save_document(id, title, markdown)
    }

    /// New Markdown for document `id`, keeping its title unless `title`.
    pub fn edit_document(&self, id: &str, title: Option<&str>, markdown: &str) -> Result<Document> {
        let mut core = lock(&self.core)?;
        let current = core.document(id)?;
        core.save_document(&current.id, title.unwrap_or(&current.title), markdown)
    }

    /// The document's Timeline section rewritten from its incident's timeline.
    pub fn refresh_document_timeline(&self, id: &str) -> Result<Document> {
        lock(&self.core)?.refresh_document_timeline(id)
    }

    pub fn list_documents(&self) -> Result<Vec<Document>> {
        lock(&self.core)?.list_documents()
    }

    pub fn document(&self, id: &str) -> Result<Document> {
        lock(&self.core)?.document(id)
    }

    /// The Confluence storage format a publish would send. Converting
    /// happens outside the core's lock: a large document holds up nothing
    /// else.
    pub fn render_document(&self, id: &str) -> Result<String> {
        let (markdown, context) = lock(&self.core)?.render_input(id)?;
        Ok(storage::render(&markdown, &context).storage)
    }

    /// [`Services::render_document`] written to `out` as it is converted,
    /// never whole in memory.
    pub fn render_document_to(&self, id: &str, out: &mut dyn Write) -> Result<()> {
        let (markdown, context) = lock(&self.core)?.render_input(id)?;
        storage::render_to(&markdown, &context, out)
            .map_err(|e| Error::io("write the storage body", e))
    }

    // The outbox (sending: see `delivery`).

    pub fn outbox_entries(&self) -> Result<Vec<OutboxEntry>> {
        lock(&self.core)?.outbox_entries()
    }

    /// Drops an entry the user gave up on (audited).
    pub fn discard_outbox(&self, id: &str) -> Result<OutboxEntry> {
        lock(&self.core)?.discard_outbox(id)
    }

    // The audit log and the vault.

    pub fn audit_list(&self, limit: u32) -> Result<Vec<Entry>> {
        lock(&self.core)?.audit_list(limit)
    }

    pub fn audit_verify(&self) -> Result<VerifyReport> {
        lock(&self.core)?.audit_verify()
    }

    /// A new master key; every credential re-sealed in one transaction.
    pub fn rotate_vault(&self) -> Result<RotationReport> {
        lock(&self.core)?.rotate_vault()
    }

    // Changes other processes make to the store.

    /// Starts watching for commits by other processes from now.
    pub fn watch_changes(&self) -> Result<ChangeWatch> {
        ChangeWatch::new(&*lock(&self.core)?)
    }

    /// True when another process committed since `watch` last looked.
    pub fn store_changed(&self, watch: &mut ChangeWatch) -> Result<bool> {
        watch.changed(&*lock(&self.core)?)
    }
}
