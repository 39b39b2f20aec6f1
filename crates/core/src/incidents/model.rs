//! Local incident records and the external records filed for them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::Error;

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    P1,
    P2,
    P3,
    P4,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::P1 => "P1",
            Severity::P2 => "P2",
            Severity::P3 => "P3",
            Severity::P4 => "P4",
        }
    }

    /// ServiceNow (urgency, impact); the instance derives priority.
    pub fn servicenow_urgency_impact(self) -> (u8, u8) {
        match self {
            Severity::P1 => (1, 1),
            Severity::P2 => (1, 2),
            Severity::P3 => (2, 2),
            Severity::P4 => (3, 2),
        }
    }

    /// Azure DevOps `Microsoft.VSTS.Common.Severity` and `Priority`.
    pub fn azure_devops(self) -> (&'static str, u8) {
        match self {
            Severity::P1 => ("1 - Critical", 1),
            Severity::P2 => ("2 - High", 2),
            Severity::P3 => ("3 - Medium", 3),
            Severity::P4 => ("4 - Low", 4),
        }
    }
}

impl FromStr for Severity {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_uppercase().as_str() {
            "P1" => Ok(Severity::P1),
            "P2" => Ok(Severity::P2),
            "P3" => Ok(Severity::P3),
            "P4" => Ok(Severity::P4),
            _ => Err(Error::invalid(
                "severity",
                format!("'{}' is not one of P1, P2, P3, P4", s.trim()),
            )),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the response stands. Any step may go back (a fix that did not
/// hold); `closed` follows `resolved` only and is final.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
    Closed,
}

impl IncidentStatus {
    pub const ALL: [IncidentStatus; 5] = [
        IncidentStatus::Investigating,
        IncidentStatus::Identified,
        IncidentStatus::Monitoring,
        IncidentStatus::Resolved,
        IncidentStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Investigating => "investigating",
            IncidentStatus::Identified => "identified",
            IncidentStatus::Monitoring => "monitoring",
            IncidentStatus::Resolved => "resolved",
            IncidentStatus::Closed => "closed",
        }
    }

    /// The statuses this one may change to.
    pub fn next(self) -> Vec<IncidentStatus> {
        use IncidentStatus::*;
        match self {
            Closed => Vec::new(),
            Resolved => vec![Investigating, Identified, Monitoring, Closed],
            open => [Investigating, Identified, Monitoring, Resolved]
                .into_iter()
                .filter(|s| *s != open)
                .collect(),
        }
    }

    /// Refuses a change this status does not allow, naming the allowed ones.
    pub fn check_change(self, to: IncidentStatus) -> Result<(), Error> {
        let allowed = self.next();
        if allowed.contains(&to) {
            return Ok(());
        }
        let message = if allowed.is_empty() {
            format!(
                "the incident is {} and cannot change any more (closed is final; record a new incident)",
                self.as_str()
            )
        } else {
            format!(
                "the incident is {}; it can become {} (not {})",
                self.as_str(),
                allowed
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                to.as_str()
            )
        };
        Err(Error::invalid("status", message))
    }
}

impl fmt::Display for IncidentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IncidentStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let wanted = s.trim().to_ascii_lowercase();
        IncidentStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == wanted)
            .ok_or_else(|| {
                Error::invalid(
                    "status",
                    format!(
                        "'{}' is not one of investigating, identified, monitoring, resolved, closed",
                        s.trim()
                    ),
                )
            })
    }
}

/// A record filed for an incident in another service.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalLink {
    pub connection: String,
    pub provider: String,
    /// ServiceNow sys_id, Azure DevOps work item id, Confluence page id.
    pub external_id: String,
    /// ServiceNow number (INC…) or the work item id as text.
    pub external_key: Option<String>,
    pub url: String,
    pub remote_state: Option<String>,
    pub remote_priority: Option<String>,
    /// Who the record is assigned to there (display name).
    pub remote_assignee: Option<String>,
    pub last_synced_at: Option<String>,
}

#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub created_at: String,
    pub updated_at: String,
    pub links: Vec<ExternalLink>,
}

/// Raw input for `incident create`.
#[derive(Debug, Clone, Default)]
pub struct NewIncident {
    pub title: String,
    pub severity: String,
    pub description: String,
}

/// Raw input for editing an incident (every field, as the form sends it).
#[derive(Debug, Clone, Default)]
pub struct IncidentChanges {
    pub title: String,
    pub description: String,
    pub severity: String,
    pub status: String,
}

pub const MAX_TITLE_CHARS: usize = 160;
/// ServiceNow's short_description holds 160 characters; longer titles
/// would be cut there, so they are refused here where the user can fix them.
pub fn validate_title(title: &str) -> Result<String, Error> {
    let title = title.trim();
    if title.is_empty() {
        return Err(Error::invalid("title", "must not be empty"));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(Error::invalid(
            "title",
            format!("must be at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    if title.chars().any(char::is_control) {
        return Err(Error::invalid(
            "title",
            "must be one line without control characters",
        ));
    }
    Ok(title.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_mappings_follow_the_design() {
        assert_eq!(Severity::P1.servicenow_urgency_impact(), (1, 1));
        assert_eq!(Severity::P2.servicenow_urgency_impact(), (1, 2));
        assert_eq!(Severity::P3.servicenow_urgency_impact(), (2, 2));
        assert_eq!(Severity::P4.servicenow_urgency_impact(), (3, 2));
        assert_eq!(Severity::P4.azure_devops(), ("4 - Low", 4));
        assert_eq!("p2".parse::<Severity>().unwrap(), Severity::P2);
        assert!("P5".parse::<Severity>().is_err());
    }

    #[test]
    fn status_changes_go_forward_and_back_but_closed_is_final() {
        use IncidentStatus::*;
        assert!(Investigating.check_change(Monitoring).is_ok());
        assert!(Monitoring.check_change(Investigating).is_ok());
        assert!(Resolved.check_change(Identified).is_ok());
        assert!(Resolved.check_change(Closed).is_ok());
        let skip = Monitoring.check_change(Closed).unwrap_err().to_string();
        assert!(skip.contains("invalid status"), "{skip}");
        assert!(
            skip.contains("investigating, identified, resolved"),
            "{skip}"
        );
        assert!(Closed
            .check_change(Investigating)
            .unwrap_err()
            .to_string()
            .contains("closed is final"));
        assert!(Investigating.check_change(Investigating).is_err());
        assert_eq!("Monitoring".parse::<IncidentStatus>().unwrap(), Monitoring);
        assert!("open".parse::<IncidentStatus>().is_err());
    }

    #[test]
    fn titles() {
        assert_eq!(validate_title("  db down ").unwrap(), "db down");
        assert!(validate_title("").is_err());
        assert!(validate_title("a\nb").is_err());
        assert!(validate_title(&"é".repeat(161)).is_err());
    }
}
