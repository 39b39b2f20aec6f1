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
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut out = vec![line(&headers.map(String::from))];
    out.extend(rows.iter().map(|r| line(r)));
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
