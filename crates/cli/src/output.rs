//! Printing results: one JSON document with `--json`, otherwise text for
//! people. Nothing here ever receives a secret.

use serde::Serialize;

use ibridge_core::connections::ConnectionView;

pub struct Output {
    pub json: bool,
}

impl Output {
    pub fn json<T: Serialize>(&self, value: &T) {
        match serde_json::to_string_pretty(value) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("error: could not format the result as JSON: {e}"),
        }
    }

    /// JSON when asked, otherwise the text from `human`.
    pub fn emit<T: Serialize>(&self, value: &T, human: impl FnOnce(&T) -> String) {
        if self.json {
            self.json(value);
        } else {
            println!("{}", human(value));
        }
    }
}

pub fn connection_table(connections: &[ConnectionView]) -> String {
    if connections.is_empty() {
        return "No connections yet. Add one with `ibridge connections add`.".to_owned();
    }
    let headers = [
        "NAME",
        "PROVIDER",
        "AUTH",
        "STATUS",
        "DEFAULT",
        "URL",
        "CREDENTIALS",
    ];
    let rows: Vec<[String; 7]> = connections
        .iter()
        .map(|c| {
            [
                c.name.clone(),
                c.provider.to_string(),
                c.auth_type.to_string(),
                c.status.to_string(),
                if c.is_default {
                    "yes".into()
                } else {
                    String::new()
                },
                c.base_url.clone(),
                credential_summary(c),
            ]
        })
        .collect();
    let mut widths = headers.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let colour = crate::colour::Colour::stdout();
    // Padded first, then painted, so colour codes do not upset the columns.
    let line = |cells: &[String], header: bool| {
        cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| {
                let pad = " ".repeat(w.saturating_sub(c.chars().count()));
                match (header, i) {
                    (true, _) => format!("{}{pad}", colour.bold(c)),
                    (false, 3) => format!("{}{pad}", colour.status(c)),
                    _ => format!("{c}{pad}"),
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(&headers.map(String::from), true)];
    out.extend(rows.iter().map(|r| line(r, false)));
    out.join("\n")
}

fn credential_summary(c: &ConnectionView) -> String {
    if c.credentials.is_empty() {
        return "-".into();
    }
    c.credentials
        .iter()
        .map(|cred| format!("{} {} {}", cred.kind, cred.masked, cred.fingerprint))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A connection as `--json` shows it: the core's view, and the command
/// that fixes its status when it needs one.
#[derive(Serialize)]
pub struct ConnectionJson<'a> {
    #[serde(flatten)]
    pub view: &'a ConnectionView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl<'a> ConnectionJson<'a> {
    pub fn new(view: &'a ConnectionView) -> Self {
        Self {
            view,
            fix: view.action().map(|a| crate::fix::hint(&a, &[])),
        }
    }
}

pub fn connection_details(c: &ConnectionView) -> String {
    let mut lines = vec![
        format!("Name:        {}", c.name),
        format!("Provider:    {}", c.provider),
        format!("URL:         {}", c.base_url),
        format!("Auth:        {}", c.auth_type),
        format!(
            "Status:      {}{}",
            c.status,
            c.status_detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        ),
        format!("Default:     {}", if c.is_default { "yes" } else { "no" }),
        format!(
            "Auto-create: {}",
            if c.auto_create_enabled { "on" } else { "off" }
        ),
    ];
    if let Some(action) = c.action() {
        // Right under the status it fixes.
        lines.insert(
            5,
            format!("Fix:         {}", crate::fix::hint(&action, &[])),
        );
    }
    let cfg = &c.config;
    for (label, value) in [
        ("Username:    ", &cfg.username),
        ("Project:     ", &cfg.project),
        ("Space:       ", &cfg.space),
        ("Tenant:      ", &cfg.tenant),
        ("Client id:   ", &cfg.client_id),
        ("Auth URL:    ", &cfg.auth_url),
        ("Token URL:   ", &cfg.token_url),
        ("Resources:   ", &cfg.resources_url),
        ("API URL:     ", &cfg.api_url),
        ("Site:        ", &cfg.site_url),
        ("Cloud id:    ", &cfg.cloud_id),
    ] {
        if let Some(v) = value {
            lines.push(format!("{label}{v}"));
        }
    }
    if c.auth_type == ibridge_core::connections::AuthType::OAuth2 {
        // What to register with the provider as the app's redirect URI.
        lines.push(format!(
            "Redirect URI: {}",
            ibridge_core::oauth::callback::redirect_uri_for(
                &c.name,
                cfg.callback_port
                    .unwrap_or(ibridge_core::oauth::DEFAULT_CALLBACK_PORT)
            )
        ));
    }
    if c.credentials.is_empty() {
        lines.push("Credentials: none stored".into());
    }
    for cred in &c.credentials {
        lines.push(format!(
            "Credential:  {} {} {} (stored {}{})",
            cred.kind,
            cred.masked,
            cred.fingerprint,
            cred.created_at,
            cred.expires_at
                .as_deref()
                .map(|e| format!(", expires {e}"))
                .unwrap_or_default()
        ));
    }
    lines.push(format!("Created:     {}", c.created_at));
    lines.join("\n")
}

/// Fixed-width columns, the last one free.
pub fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(headers.iter().map(|h| h.to_string()).collect())];
    out.extend(rows.into_iter().map(line));
    out.join("\n")
}

pub fn short(id: &str) -> String {
    short_id(id)
}

fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}

/// The entry's kind of write; one that cannot be read says so.
pub fn operation_text(e: &ibridge_core::outbox::OutboxEntry) -> String {
    e.operation
        .map(|k| k.to_string())
        .unwrap_or_else(|| "(unreadable)".into())
}

pub fn outbox_table(entries: &[ibridge_core::outbox::OutboxEntry]) -> String {
    if entries.is_empty() {
        return "The outbox is empty: nothing waits to be sent.".into();
    }
    table(
        &[
            "ID",
            "OPERATION",
            "CONNECTION",
            "STATE",
            "TRIES",
            "NEXT TRY",
            "LAST ERROR",
        ],
        entries
            .iter()
            .map(|e| {
                vec![
                    short_id(&e.id),
                    operation_text(e),
                    e.connection.clone(),
                    e.state.to_string(),
                    e.attempts.to_string(),
                    e.next_attempt_at.clone().unwrap_or_else(|| "-".into()),
                    e.last_error.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    )
}

use ibridge_core::incidents::{ExternalLink, Incident};
use ibridge_core::services::{CreatedIncident, Filed, IncidentReport};

pub fn incident_table(incidents: &[Incident]) -> String {
    if incidents.is_empty() {
        return "No incidents yet. Record one with `ibridge incident create`.".into();
    }
    table(
        &["ID", "SEV", "STATUS", "CREATED", "FILED AS", "TITLE"],
        incidents
            .iter()
            .map(|i| {
                let filed: Vec<String> = i
                    .links
                    .iter()
                    .map(|l| {
                        l.external_key
                            .clone()
                            .unwrap_or_else(|| l.external_id.clone())
                    })
                    .collect();
                vec![
                    short_id(&i.id),
                    i.severity.to_string(),
                    i.status.as_str().to_owned(),
                    i.created_at.chars().take(16).collect(),
                    if filed.is_empty() {
                        "-".into()
                    } else {
                        filed.join(", ")
                    },
                    i.title.clone(),
                ]
            })
            .collect(),
    )
}

fn link_lines(links: &[ExternalLink]) -> Vec<String> {
    links
        .iter()
        .map(|l| {
            format!(
                "Filed:       {} in '{}' ({}){}{}{} — {}{}",
                l.external_key.as_deref().unwrap_or(&l.external_id),
                l.connection,
                l.provider,
                l.remote_state
                    .as_deref()
                    .map(|s| format!(", state {s}"))
                    .unwrap_or_default(),
                l.remote_priority
                    .as_deref()
                    .map(|p| format!(", priority {p}"))
                    .unwrap_or_default(),
                l.remote_assignee
                    .as_deref()
                    .map(|a| format!(", assigned to {a}"))
                    .unwrap_or_default(),
                l.url,
                l.last_synced_at
                    .as_deref()
                    .map(|t| format!(" (synced {t})"))
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn incident_text(i: &Incident) -> String {
    let mut lines = vec![
        format!("Incident:    {}", i.id),
        format!("Title:       {}", i.title),
        format!("Severity:    {}", i.severity),
        format!("Status:      {}", i.status.as_str()),
        format!("Created:     {}", i.created_at),
    ];
    lines.extend(link_lines(&i.links));
    if !i.description.is_empty() {
        lines.push(String::new());
        lines.push(i.description.clone());
    }
    lines.join("\n")
}

pub fn incident_report(r: &IncidentReport) -> String {
    let mut text = incident_text(&r.incident);
    for note in r.sync.iter().filter(|n| !n.synced) {
        text.push_str(&format!(
            "\nNot synced:  '{}': {}",
            note.connection, note.message
        ));
    }
    text
}

pub fn created_incident_text(c: &CreatedIncident) -> String {
    let mut text = format!(
        "Recorded incident {}.\n{}",
        short_id(&c.incident.id),
        incident_text(&c.incident)
    );
    for a in &c.auto_filed {
        if let Some(e) = &a.error {
            text.push_str(&format!(
                "\nNot filed to '{}' yet: {e}. It stays in the outbox (`ibridge outbox list`).",
                a.connection
            ));
        }
    }
    text
}

pub fn filed_text(f: &Filed) -> String {
    let number = f
        .link
        .external_key
        .as_deref()
        .unwrap_or(&f.link.external_id);
    if f.created {
        format!(
            "Filed incident {} in '{}' as {number}: {}",
            short_id(&f.incident_id),
            f.link.connection,
            f.link.url
        )
    } else {
        format!(
            "Incident {} is already filed in '{}' as {number}: {}",
            short_id(&f.incident_id),
            f.link.connection,
            f.link.url
        )
    }
}

use ibridge_core::providers::servicenow::{Page, SnIncident};

pub fn servicenow_page(page: &Page<SnIncident>) -> String {
    if page.items.is_empty() {
        return "No matching incidents.".into();
    }
    let mut text = table(
        &[
            "NUMBER",
            "STATE",
            "PRIORITY",
            "UPDATED",
            "SHORT DESCRIPTION",
        ],
        page.items
            .iter()
            .map(|i| {
                vec![
                    i.number.clone().unwrap_or_default(),
                    i.state.clone().unwrap_or_default(),
                    i.priority.clone().unwrap_or_default(),
                    i.sys_updated_on.clone().unwrap_or_default(),
                    i.short_description.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    );
    if page.has_more() {
        text.push_str(&format!(
            "\nMore results: add --offset {}",
            page.offset as usize + page.items.len()
        ));
    }
    text
}

pub fn servicenow_incident(i: &SnIncident) -> String {
    let field = |label: &str, v: &Option<String>| v.as_ref().map(|v| format!("{label}{v}"));
    [
        field("Number:      ", &i.number),
        Some(format!("sys_id:      {}", i.sys_id)),
        field("Summary:     ", &i.short_description),
        field("State:       ", &i.state),
        field("Priority:    ", &i.priority),
        field("Urgency:     ", &i.urgency),
        field("Impact:      ", &i.impact),
        field("Updated:     ", &i.sys_updated_on),
        Some(format!("Open:        {}", i.url)),
        field("\n", &i.description),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n")
}

use ibridge_core::providers::azure_devops::WorkItem;

pub fn work_item_table(items: &[WorkItem]) -> String {
    if items.is_empty() {
        return "No matching work items.".into();
    }
    table(
        &["ID", "TYPE", "STATE", "CHANGED", "TITLE"],
        items
            .iter()
            .map(|w| {
                vec![
                    w.id.to_string(),
                    w.field_text("System.WorkItemType").unwrap_or_default(),
                    w.field_text("System.State").unwrap_or_default(),
                    w.field_text("System.ChangedDate")
                        .unwrap_or_default()
                        .chars()
                        .take(16)
                        .collect(),
                    w.title(),
                ]
            })
            .collect(),
    )
}

pub fn work_item(w: &WorkItem) -> String {
    let mut lines = vec![format!("Work item:   {}", w.id)];
    for (label, field) in [
        ("Type:        ", "System.WorkItemType"),
        ("Title:       ", "System.Title"),
        ("State:       ", "System.State"),
        ("Assigned to: ", "System.AssignedTo"),
        ("Priority:    ", "Microsoft.VSTS.Common.Priority"),
        ("Severity:    ", "Microsoft.VSTS.Common.Severity"),
        ("Tags:        ", "System.Tags"),
        ("Changed:     ", "System.ChangedDate"),
    ] {
        if let Some(v) = w.field_text(field) {
            lines.push(format!("{label}{v}"));
        }
    }
    if let Some(url) = &w.web_url {
        lines.push(format!("Open:        {url}"));
    }
    lines.join("\n")
}

use ibridge_core::docs::Document;
use ibridge_core::providers::confluence::{SearchPage, Space};
use ibridge_core::services::Published;

pub fn document_table(docs: &[Document]) -> String {
    if docs.is_empty() {
        return "No documents yet. Start one with `ibridge doc new --kind rca --title ...`.".into();
    }
    table(
        &["ID", "KIND", "UPDATED", "PUBLISHED", "TITLE"],
        docs.iter()
            .map(|d| {
                let published: Vec<String> = d
                    .pages
                    .iter()
                    .map(|p| format!("{} v{}", p.connection, p.version))
                    .collect();
                vec![
                    short_id(&d.id),
                    d.kind.to_string(),
                    d.updated_at.chars().take(16).collect(),
                    if published.is_empty() {
                        "-".into()
                    } else {
                        published.join(", ")
                    },
                    d.title.clone(),
                ]
            })
            .collect(),
    )
}

pub fn document_text(d: &Document) -> String {
    let mut lines = vec![
        format!("Document:    {}", d.id),
        format!("Kind:        {}", d.kind),
        format!("Title:       {}", d.title),
        format!("Updated:     {}", d.updated_at),
    ];
    if let Some(i) = &d.incident_id {
        lines.push(format!("Incident:    {i}"));
    }
    for p in &d.pages {
        lines.push(format!(
            "Published:   '{}' space {} page {} version {} at {} — {}",
            p.connection, p.space_key, p.page_id, p.version, p.published_at, p.url
        ));
    }
    lines.push(String::new());
    lines.push(d.markdown.clone());
    lines.join("\n")
}

pub fn published_text(p: &Published) -> String {
    if p.unchanged {
        return format!(
            "Nothing changed since the last publish: nothing was sent (page {}, version {}): {}",
            p.page.page_id, p.page.version, p.page.url
        );
    }
    let mut text = format!(
        "{} page {} in space {} (version {}): {}",
        if p.created { "Created" } else { "Updated" },
        p.page.page_id,
        p.page.space_key,
        p.page.version,
        p.page.url
    );
    if !p.uploaded.is_empty() {
        text.push_str(&format!("\nUploaded: {}", p.uploaded.join(", ")));
    }
    text
}

/// `connections fields`: the defaults, then what the service requires.
pub fn connection_fields(f: &ibridge_core::fields::ConnectionFields) -> String {
    let mut text = if f.defaults.is_empty() {
        format!("'{}' sets no fields of its own on filings.", f.connection)
    } else {
        table(
            &["FIELD", "VALUE", "GIVEN AS"],
            f.defaults
                .iter()
                .map(|d| {
                    vec![
                        d.field.clone(),
                        d.value.clone(),
                        d.display.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        )
    };
    match &f.rules {
        None => text.push_str(
            "\n\nThe service's field rules have not been read yet (the next filing, or --refresh, reads them).",
        ),
        Some(rules) => {
            let required: Vec<String> = rules
                .fields
                .iter()
                .filter(|r| r.required && r.default_value.is_none())
                .map(|r| format!("{} ({})", r.name, r.label))
                .collect();
            text.push_str(&format!(
                "\n\nRules of {} read {}: required without a default: {}.",
                rules.scope,
                rules.fetched_at,
                if required.is_empty() {
                    "none".to_owned()
                } else {
                    required.join(", ")
                }
            ));
            for r in rules.fields.iter().filter(|r| !r.allowed.is_empty()) {
                let values: Vec<&str> = r.allowed.iter().map(|a| a.value.as_str()).collect();
                text.push_str(&format!("\n  {} takes: {}", r.name, values.join(", ")));
            }
        }
    }
    text
}

/// `--dry-run`: each request as method, URL and body; `nothing` when
/// there is none.
pub fn planned_requests(
    requests: &[ibridge_core::services::PlannedRequest],
    nothing: &str,
) -> String {
    if requests.is_empty() {
        return nothing.into();
    }
    requests
        .iter()
        .map(|r| match &r.body {
            Some(body) => format!("{} {}\n{body}", r.method, r.url),
            None => format!("{} {}", r.method, r.url),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

pub fn space_table(spaces: &[Space]) -> String {
    if spaces.is_empty() {
        return "No spaces visible to this connection.".into();
    }
    table(
        &["KEY", "NAME", "URL"],
        spaces
            .iter()
            .map(|s| {
                vec![
                    s.key.clone(),
                    s.name.clone(),
                    s.url.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    )
}

pub fn confluence_results(page: &SearchPage) -> String {
    if page.pages.is_empty() {
        return "No matching pages.".into();
    }
    let mut text = table(
        &["ID", "SPACE", "VERSION", "TITLE", "URL"],
        page.pages
            .iter()
            .map(|p| {
                vec![
                    p.id.clone(),
                    p.space_key.clone().unwrap_or_default(),
                    p.version.map(|v| v.to_string()).unwrap_or_default(),
                    p.title.clone(),
                    p.url.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    );
    if page.has_more {
        text.push_str(&format!(
            "\nMore results: add --start {}",
            page.start as usize + page.pages.len()
        ));
    }
    text
}

use ibridge_core::services::{Delivered, RunReport};

pub fn run_report(r: &RunReport) -> String {
    let mut lines = vec![format!(
        "Delivered {}, waiting to retry {}, failed {}.",
        r.delivered.len(),
        r.retrying.len(),
        r.failed.len()
    )];
    for (id, reason) in &r.retrying {
        lines.push(format!("  will retry {}: {reason}", short_id(id)));
    }
    for failed in &r.failed {
        let id = short_id(&failed.id);
        let retry = format!("`ibridge outbox retry {id}`");
        let then = match &failed.action {
            Some(action) => format!("{}, then {retry}", crate::fix::hint(action, &[])),
            None => format!("{retry} after fixing it"),
        };
        lines.push(format!("  failed {id}: {} ({then})", failed.reason));
    }
    lines.join("\n")
}

pub fn delivered_text(d: &Delivered) -> String {
    match d {
        Delivered::Filed(f) => filed_text(f),
        Delivered::Published(p) => published_text(p),
        Delivered::ServiceNowUpdated(r) => format!("updated {}", r.sys_id),
        Delivered::WorkItemUpdated(w) => format!("updated {}", w.id),
        Delivered::Attached(a) => format!("attached {} (version {})", a.name, a.version),
        Delivered::Labelled(l) => format!("labels: {}", l.join(", ")),
        Delivered::ActionItemFiled(f) => format!(
            "action item '{}' filed as {} {}",
            f.title,
            f.filing.filed_as,
            f.filing.external_key.as_deref().unwrap_or("")
        ),
        Delivered::NotePosted(n) => format!(
            "posted event {} to '{}' ({})",
            short_id(&n.event_id),
            n.connection,
            n.channel
        ),
        Delivered::StateSet(s) => format!(
            "{} is now {}",
            s.record,
            s.state.as_deref().unwrap_or("changed")
        ),
    }
}

/// `doc actions`: each item, what it became, and its state.
pub fn action_items_table(items: &[ibridge_core::services::FiledActionItem]) -> String {
    table(
        &["ACTION ITEM", "FILED AS", "STATE", "", "URL"],
        items
            .iter()
            .map(|f| {
                vec![
                    f.title.clone(),
                    format!(
                        "{} {}",
                        f.filing.filed_as,
                        f.filing.external_key.as_deref().unwrap_or("")
                    ),
                    f.filing.state.clone().unwrap_or_default(),
                    if f.created { "created" } else { "existing" }.into(),
                    f.filing.url.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    )
}

use ibridge_core::incidents::timeline::local_display;
use ibridge_core::incidents::{EventSource, TimelineEvent};
use ibridge_core::services::{AddedEvent, StatusChanged, StatusPlan, SyncReport, Timeline};

fn event_source(e: &TimelineEvent) -> String {
    match (e.source, &e.connection) {
        (EventSource::Local, _) => "here".to_owned(),
        (_, Some(connection)) => format!("'{connection}'"),
        (source, None) => source.as_str().to_owned(),
    }
}

fn event_lines(e: &TimelineEvent) -> String {
    let mut head = format!(
        "{}  {:<12} {} ({})",
        local_display(&e.occurred_at),
        e.kind.as_str(),
        e.author,
        event_source(e)
    );
    if !e.posted.is_empty() {
        let posted: Vec<String> = e
            .posted
            .iter()
            .map(|p| format!("'{}' {}", p.connection, p.channel))
            .collect();
        head.push_str(&format!(" → posted to {}", posted.join(", ")));
    }
    let body: Vec<String> = e.text.lines().map(|l| format!("    {l}")).collect();
    format!("{head}\n{}", body.join("\n"))
}

pub fn timeline_text(t: &Timeline) -> String {
    let mut text = format!(
        "Incident {} ({}, {}): {}",
        short_id(&t.incident.id),
        t.incident.severity,
        t.incident.status.as_str(),
        t.incident.title
    );
    if t.events.is_empty() {
        text.push_str("\nNo events yet. Add one with `ibridge incident note`.");
    }
    for e in &t.events {
        text.push('\n');
        text.push_str(&event_lines(e));
    }
    text
}

pub fn added_event_text(a: &AddedEvent) -> String {
    let mut text = format!(
        "Added {} event {} at {}.",
        a.event.kind.as_str(),
        short_id(&a.event.id),
        local_display(&a.event.occurred_at)
    );
    for p in &a.posts {
        match (&p.posted, &p.error) {
            (Some(n), _) if n.reconciled => text.push_str(&format!(
                "\nAlready in '{}' ({}): not posted again.",
                p.connection, n.channel
            )),
            (Some(n), _) => {
                text.push_str(&format!("\nPosted to '{}' ({}).", p.connection, n.channel))
            }
            (None, Some(e)) => text.push_str(&format!(
                "\nNot posted to '{}' yet: {e}. It stays in the outbox (`ibridge outbox list`).",
                p.connection
            )),
            (None, None) => {}
        }
    }
    text
}

pub fn status_plan_text(p: &StatusPlan) -> String {
    let mut text = format!(
        "Status {} → {}: nothing sent (dry run).",
        p.from.as_str(),
        p.to.as_str()
    );
    if p.moves.is_empty() {
        text.push_str("\nNo linked record changes state.");
    }
    for m in &p.moves {
        text.push_str(&format!(
            "\n{} in '{}' → {}\n{} {}",
            m.record, m.connection, m.state, m.request.method, m.request.url
        ));
        if let Some(body) = &m.request.body {
            text.push_str(&format!("\n{body}"));
        }
    }
    text
}

pub fn status_changed_text(c: &StatusChanged) -> String {
    let mut text = format!(
        "Incident {} is now {}.",
        short_id(&c.incident.id),
        c.incident.status.as_str()
    );
    for m in &c.moves {
        match &m.error {
            None => text.push_str(&format!(
                "\n{} in '{}' is now {}.",
                m.record, m.connection, m.state
            )),
            Some(e) => text.push_str(&format!(
                "\n{} in '{}' not moved yet: {e}. It stays in the outbox (`ibridge outbox list`).",
                m.record, m.connection
            )),
        }
    }
    text
}

pub fn sync_report_text(r: &SyncReport) -> String {
    let mut text = format!("Incident {}:", short_id(&r.incident.id));
    if r.records.is_empty() {
        text.push_str(" not filed anywhere; nothing to pull.");
    }
    for s in &r.records {
        match &s.error {
            None => text.push_str(&format!(
                "\n{} in '{}': {}{}{}; {} new event{}",
                s.record,
                s.connection,
                s.state.as_deref().unwrap_or("no state"),
                s.priority
                    .as_deref()
                    .map(|p| format!(", priority {p}"))
                    .unwrap_or_default(),
                s.assignee
                    .as_deref()
                    .map(|a| format!(", assigned to {a}"))
                    .unwrap_or_default(),
                s.new_events,
                if s.new_events == 1 { "" } else { "s" }
            )),
            Some(e) => text.push_str(&format!(
                "\n{} in '{}': not pulled ({e})",
                s.record, s.connection
            )),
        }
    }
    for e in &r.added {
        text.push('\n');
        text.push_str(&event_lines(e));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use ibridge_core::services::FailedEntry;
    use ibridge_core::Action;

    #[test]
    fn a_failed_entry_with_a_fix_names_the_command_then_the_retry() {
        let report = RunReport {
            failed: vec![
                FailedEntry {
                    id: "0123456789".into(),
                    reason: "the sign-in expired".into(),
                    action: Some(Action::Reconnect {
                        connection: "team wiki".into(),
                    }),
                },
                FailedEntry {
                    id: "abcdefghij".into(),
                    reason: "scripted 400".into(),
                    action: None,
                },
            ],
            ..RunReport::default()
        };
        let text = run_report(&report);
        assert!(
            text.contains("  failed 01234567: the sign-in expired (run `ibridge connect 'team wiki'`, then `ibridge outbox retry 01234567`)"),
            "{text}"
        );
        assert!(
            text.contains(
                "  failed abcdefgh: scripted 400 (`ibridge outbox retry abcdefgh` after fixing it)"
            ),
            "{text}"
        );
    }
}
