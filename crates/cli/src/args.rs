//! The command line, as CLI.md defines it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// `--version`: the release and the database schema this build writes.
fn version_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(ibridge_core::build_info::version_line)
}

#[derive(Debug, Parser)]
#[command(
    name = "ibridge",
    version = version_text(),
    about = "Incident Bridge: connections, incidents and RCAs from the command line"
)]
pub struct Cli {
    /// Where the database and key file live (default: the OS app-data directory).
    #[arg(long, global = true, env = "IBRIDGE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Print one JSON document on stdout instead of tables and sentences.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add, list, inspect, test and remove connections.
    #[command(subcommand)]
    Connections(ConnectionsCommand),
    /// Sign in to an oauth2 connection in the system browser (OAuth 2.0 + PKCE).
    Connect(ConnectArgs),
    /// Local incident records, and filing them to ServiceNow.
    #[command(subcommand)]
    Incident(IncidentCommand),
    /// Search, open and update ServiceNow incidents.
    #[command(subcommand)]
    Servicenow(ServicenowCommand),
    /// Search, open and update Azure DevOps work items.
    #[command(subcommand)]
    Ado(AdoCommand),
    /// Confluence spaces and page search.
    #[command(subcommand)]
    Confluence(ConfluenceCommand),
    /// RCA and post-mortem documents, published to Confluence.
    #[command(subcommand)]
    Doc(DocCommand),
    /// The journal of outbound writes.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Read and verify the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Master-key operations.
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Print the shell completion script for bash, zsh or fish on stdout.
    Completions {
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Check the data directory, the master key and every connection; say what to fix (exit 1 on any problem).
    Doctor,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Subcommand)]
pub enum ConnectionsCommand {
    /// Add a connection. Secrets are read from standard input, never argv.
    Add(Box<AddArgs>),
    /// List connections with masked secrets and fingerprints.
    List,
    /// Show one connection.
    Show { name: String },
    /// Check a connection against its service.
    Test { name: String },
    /// Make a connection its provider's default.
    Default { name: String },
    /// Remove a connection and its stored credentials.
    Remove { name: String },
    /// File every new incident to this connection automatically (on), or not (off).
    AutoCreate {
        name: String,
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// The fields every filing to this connection sets; set or remove them.
    Fields {
        name: String,
        /// NAME=VALUE; a reference (caller_id, assignment_group, cmdb_ci,
        /// System.AssignedTo, …) may be given by name; VALUE may use
        /// {title}, {severity}, {id}. Repeat for several.
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
        /// Remove this default. Repeat for several.
        #[arg(long = "unset", value_name = "NAME")]
        unset: Vec<String>,
        /// Read the service's required fields and allowed values again now.
        #[arg(long)]
        refresh: bool,
        /// With --refresh: the Azure DevOps work item type (default Bug).
        #[arg(long = "type", requires = "refresh")]
        work_item_type: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Record a new incident (and file it where auto-create is on).
    Create {
        #[arg(long)]
        title: String,
        /// P1, P2, P3 or P4
        #[arg(long)]
        severity: String,
        /// Markdown.
        #[arg(long, conflicts_with = "description_file")]
        description: Option<String>,
        /// Read the Markdown description from this file.
        #[arg(long)]
        description_file: Option<PathBuf>,
    },
    List,
    /// Show an incident; linked records are refreshed when online.
    Show {
        id: String,
    },
    /// Create the external record for an incident (once; a repeat returns it).
    File {
        id: String,
        #[arg(long)]
        to: String,
        /// Azure DevOps work item type.
        #[arg(long = "type")]
        work_item_type: Option<String>,
        /// NAME=VALUE for this filing, over the connection's defaults;
        /// VALUE may use {title}, {severity}, {id}. Repeat for several.
        #[arg(long = "field", value_name = "NAME=VALUE")]
        fields: Vec<String>,
        /// Print the requests that would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Add an event to the incident's timeline and post it to every record
    /// the incident is filed as (ServiceNow work notes by default; an
    /// Azure DevOps comment).
    Note {
        id: String,
        /// Markdown.
        text: String,
        /// detected, acknowledged, update, mitigated, resolved or note (default).
        #[arg(long)]
        kind: Option<String>,
        /// When it happened (default now): RFC 3339 with an offset
        /// (2026-03-01T14:05:00+01:00, …Z), a date and time in this
        /// machine's time zone (2026-03-01 14:05), or a time today (14:05).
        #[arg(long)]
        at: Option<String>,
        /// none, work_notes (default) or comments (ServiceNow's
        /// customer-visible additional comments).
        #[arg(long)]
        post: Option<String>,
    },
    /// The incident's timeline, oldest first, in local time.
    Timeline {
        id: String,
    },
    /// Change the status (investigating, identified, monitoring, resolved,
    /// closed); every linked record moves with it.
    Status {
        id: String,
        status: String,
        /// ServiceNow resolution code (value or label of the instance's choices); needed to resolve.
        #[arg(long)]
        close_code: Option<String>,
        /// ServiceNow resolution notes; needed to resolve.
        #[arg(long)]
        close_notes: Option<String>,
        /// Print the requests that would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Pull state, assignee, priority and new notes from every linked record.
    Sync {
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ServicenowCommand {
    /// Incidents whose short description or description contains QUERY.
    Search {
        connection: String,
        query: String,
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=100))]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        offset: u32,
    },
    /// One incident by sys_id or number (INC…).
    Get { connection: String, record: String },
    /// PATCH fields of an incident.
    Update {
        connection: String,
        sys_id: String,
        /// name=value; repeat for several fields.
        #[arg(long = "field", value_name = "NAME=VALUE", required = true)]
        fields: Vec<String>,
        /// Print the request that would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdoCommand {
    /// Work items of the project whose title or description contains QUERY.
    Search {
        connection: String,
        query: String,
        /// At most this many results.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=1000))]
        top: u32,
    },
    /// One work item by id.
    Get { connection: String, id: String },
    /// Set fields of a work item (JSON Patch).
    Update {
        connection: String,
        id: String,
        /// Reference.Name=value; repeat for several fields.
        #[arg(long = "field", value_name = "REFERENCE.NAME=VALUE", required = true)]
        fields: Vec<String>,
        /// Print the request that would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfluenceCommand {
    /// Every space the connection can see.
    Spaces { connection: String },
    /// Pages whose text matches QUERY (CQL `text ~`).
    Search {
        connection: String,
        query: String,
        #[arg(long)]
        space: Option<String>,
        #[arg(long, default_value_t = 25, value_parser = clap::value_parser!(u32).range(1..=100))]
        limit: u32,
        #[arg(long, default_value_t = 0)]
        start: u32,
    },
}

#[derive(Debug, Subcommand)]
pub enum DocCommand {
    /// A new RCA or post-mortem from the template.
    New {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        title: String,
        /// Fill in the facts of this incident.
        #[arg(long)]
        incident: Option<String>,
    },
    /// A document from a Markdown file, with its YAML front matter (title,
    /// space, parent, labels) and the images and files it references by a
    /// relative path.
    Import {
        file: PathBuf,
        /// Overrides the front matter's title (default: the first heading).
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        kind: Option<String>,
    },
    /// Add or replace an asset (image or file) of the document.
    Attach {
        id: String,
        file: PathBuf,
        /// The attachment's file name (default: the file's name).
        #[arg(long)]
        name: Option<String>,
    },
    /// The document's assets: name, size, SHA-256, uploaded or not.
    Assets {
        id: String,
    },
    /// Replace a document's Markdown (and title) from a file.
    Edit {
        id: String,
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        title: Option<String>,
    },
    List,
    /// Rewrite the document's Timeline section from its incident's timeline
    /// (detection, mitigation and resolution times, durations, every event).
    Timeline {
        id: String,
    },
    /// The document's Markdown and where it is published.
    Show {
        id: String,
    },
    /// The document as Confluence storage format (XHTML) on stdout.
    Render {
        id: String,
    },
    /// Create the page the first time; update the same page after that.
    Publish {
        id: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        space: Option<String>,
        /// Id of the page to publish under (first publish only).
        #[arg(long)]
        parent: Option<String>,
        /// Overwrite edits made in Confluence since the last publish.
        #[arg(long)]
        force: bool,
        /// Update without notifying the page's watchers.
        #[arg(long)]
        minor_edit: bool,
        /// Print the requests that would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// File the RCA's action items (the task list under "Action items")
    /// as work items or tasks, each once.
    Actions {
        id: String,
        #[arg(long)]
        to: String,
        /// Print the requests that would be sent; send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Every journaled write with its state, attempts and last error.
    List,
    /// Send everything pending now (and reconcile interrupted writes).
    Run {
        /// Keep going for up to SECS, waiting for writes scheduled to be
        /// tried again (Retry-After, backoff).
        #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(0..=3600))]
        wait: Option<u64>,
    },
    /// Try a failed (or waiting) write again now.
    Retry { id: String },
    /// Give up on a write that is not in flight.
    Discard { id: String },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// confluence, servicenow or azure_devops
    pub provider: String,
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub url: String,
    /// api_token, pat, basic or oauth2
    #[arg(long)]
    pub auth: String,
    #[arg(long)]
    pub username: Option<String>,
    /// Read the token, PAT or password from standard input (one line).
    #[arg(long)]
    pub secret_stdin: bool,
    #[arg(long)]
    pub client_id: Option<String>,
    /// Read the OAuth client secret from standard input (the next line).
    #[arg(long)]
    pub client_secret_stdin: bool,
    #[arg(long)]
    pub tenant: Option<String>,
    #[arg(long)]
    pub project: Option<String>,
    #[arg(long)]
    pub space: Option<String>,
    /// Make it the default connection of its provider.
    #[arg(long)]
    pub default: bool,
    #[arg(long)]
    pub auth_url: Option<String>,
    #[arg(long)]
    pub token_url: Option<String>,
    #[arg(long)]
    pub resources_url: Option<String>,
    #[arg(long)]
    pub api_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// The newest entries first.
    List {
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        limit: u32,
    },
    /// Check the hash chain; exit 1 and name the first bad row on tampering.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// New master key; every credential re-sealed in one transaction.
    Rotate,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    pub name: String,
    /// Print the authorization URL alone on one line of stdout instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Loopback port for the callback: the redirect URI registered with the
    /// provider is http://127.0.0.1:PORT/callback/NAME. Remembered for the
    /// connection once the sign-in succeeds (default: the remembered port, else 8765).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// Seconds to wait for the sign-in to finish.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Atlassian site to use when the grant covers several (its id, URL or name).
    #[arg(long)]
    pub site: Option<String>,
}
