//! What the outbox journals: one typed request per kind of outbound write.
//!
//! A journaled row stores its [`Write`] as serde-tagged JSON (`kind` is the
//! tag, and also the row's `operation` column, so the journal can be read
//! with SQL alone). Each request type names only what its delivery needs;
//! the local record it is for is the row's subject.
//!
//! To add a kind of write, add one line to the `writes!` list below (name,
//! request type, tag), define the request type next to the others, and let
//! the compiler lead you to the one dispatch in `services::delivery`, where
//! its `Deliver` impl (request → its own result type) is wired in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Files a local incident as a ServiceNow incident (looked up first by
/// `correlation_id`, so a re-send never makes a second one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceNowCreate {
    pub incident: String,
    /// Fields set beside the ones made from the incident: the connection's
    /// defaults and the filing's overrides, placeholders filled in and
    /// reference fields resolved to sys_ids before journaling.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// Files a local incident as an Azure DevOps work item (looked up first by
/// its `ibridge-<incident>` tag).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemCreate {
    pub incident: String,
    /// One of `providers::azure_devops::FILING_TYPES`.
    pub work_item_type: String,
    /// Fields by reference name, as for [`ServiceNowCreate::fields`]
    /// (identities resolved before journaling).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// Publishes a document as a new Confluence page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCreate {
    pub document: String,
    pub space: String,
    pub parent: Option<String>,
}

/// Writes the next version of a document's published page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageUpdate {
    pub document: String,
    /// Overwrite edits made in Confluence since the last publish.
    pub force: bool,
    /// Do not notify the page's watchers.
    #[serde(default)]
    pub minor_edit: bool,
}

/// Uploads one file to a document's page: a new attachment, or a new
/// version of the attachment with that file name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentUpload {
    pub document: String,
    /// The attachment's file name.
    pub name: String,
    pub media_type: String,
    /// The content to upload, waiting in the asset store under this hash.
    pub sha256: String,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub minor_edit: bool,
}

/// Brings a document's page labels to `labels`: adds the missing ones and
/// removes those of `previous` (what the last publish set) no longer wanted;
/// labels others added in Confluence stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSync {
    pub document: String,
    pub labels: Vec<String>,
    #[serde(default)]
    pub previous: Vec<String>,
}

/// PATCHes fields of a ServiceNow incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceNowUpdate {
    /// Lower-case, 32 hex characters.
    pub sys_id: String,
    pub fields: BTreeMap<String, String>,
}

/// Sets fields of an Azure DevOps work item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemUpdate {
    pub id: u64,
    pub fields: BTreeMap<String, String>,
}

/// Files one action item of an RCA as an Azure DevOps work item or a
/// ServiceNow task, looked up first by a key made of the document and the
/// item (the `ibridge-action-…` tag, or `correlation_id`), so a re-send
/// never files it twice. What is sent is kept here as it was when the item
/// was journaled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItemCreate {
    pub document: String,
    /// `docs::action_items::item_key` of the title.
    pub item_key: String,
    pub title: String,
    /// Without the `@`.
    pub owner: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due: Option<String>,
    /// The work item type, or the ServiceNow table (`incident_task`,
    /// `problem_task`).
    pub filed_as: String,
    /// What the item is linked to: the incident's work item id, or the
    /// sys_id of the incident (`incident_task`) or problem (`problem_task`).
    #[serde(default)]
    pub link: Option<String>,
    /// Azure DevOps: the date field the work item type has for the due
    /// date; none: the type has none, and the date goes in the description.
    #[serde(default = "default_due_field")]
    pub due_field: Option<String>,
}

fn default_due_field() -> Option<String> {
    Some("Microsoft.VSTS.Scheduling.DueDate".into())
}

/// Posts a timeline event to a ServiceNow incident's journal. Before a
/// re-send the journal (`sys_journal_field`) is read back for the event's
/// marker, so a lost answer never posts it twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalPost {
    pub event: String,
    /// Lower-case, 32 hex characters.
    pub sys_id: String,
    /// `work_notes` or `comments`.
    pub field: String,
}

/// Adds a timeline event as a comment on an Azure DevOps work item; the
/// comments are read back for its marker before a re-send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentPost {
    pub event: String,
    pub id: u64,
}

/// Moves a ServiceNow incident to `state` (a stored choice value), with
/// the resolution fields when resolving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceNowStateChange {
    /// The local incident.
    pub incident: String,
    pub sys_id: String,
    pub state: String,
    #[serde(default)]
    pub close_code: Option<String>,
    #[serde(default)]
    pub close_notes: Option<String>,
    #[serde(default)]
    pub hold_reason: Option<String>,
}

/// Moves an Azure DevOps work item to `state` (a state of its type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItemStateChange {
    /// The local incident.
    pub incident: String,
    pub id: u64,
    pub state: String,
}

/// Declares [`Write`], [`WriteKind`] and the conversions between them and
/// the request types from one list, so a tag is written once.
macro_rules! writes {
    ($( $(#[$doc:meta])* $variant:ident($request:ty) = $tag:literal, )+) => {
        /// One outbound write, as the outbox stores it.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "kind")]
        pub enum Write {
            $( $(#[$doc])* #[serde(rename = $tag)] $variant($request), )+
        }

        /// Which kind of write an outbox entry holds.
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum WriteKind {
            $( #[serde(rename = $tag)] $variant, )+
        }

        impl Write {
            pub fn kind(&self) -> WriteKind {
                match self {
                    $( Write::$variant(_) => WriteKind::$variant, )+
                }
            }
        }

        impl WriteKind {
            pub const ALL: &'static [WriteKind] = &[$( WriteKind::$variant, )+];

            /// The serde tag, also stored in the row's `operation` column.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( WriteKind::$variant => $tag, )+
                }
            }
        }

        $(
            impl From<$request> for Write {
                fn from(request: $request) -> Self {
                    Write::$variant(request)
                }
            }

            impl TryFrom<Write> for $request {
                /// The kind the entry holds instead.
                type Error = WriteKind;

                fn try_from(write: Write) -> Result<Self, WriteKind> {
                    match write {
                        Write::$variant(request) => Ok(request),
                        #[allow(unreachable_patterns)]
                        other => Err(other.kind()),
                    }
                }
            }
        )+
    };
}

writes! {
    ServiceNowCreate(ServiceNowCreate) = "servicenow.create_incident",
    WorkItemCreate(WorkItemCreate) = "azure_devops.create_work_item",
    PageCreate(PageCreate) = "confluence.create_page",
    PageUpdate(PageUpdate) = "confluence.update_page",
    ServiceNowUpdate(ServiceNowUpdate) = "servicenow.update_incident",
    WorkItemUpdate(WorkItemUpdate) = "azure_devops.update_work_item",
    AttachmentUpload(AttachmentUpload) = "confluence.upload_attachment",
    LabelSync(LabelSync) = "confluence.set_labels",
    ActionItemCreate(ActionItemCreate) = "action_items.file",
    JournalPost(JournalPost) = "servicenow.post_journal",
    CommentPost(CommentPost) = "azure_devops.add_comment",
    ServiceNowStateChange(ServiceNowStateChange) = "servicenow.set_state",
    WorkItemStateChange(WorkItemStateChange) = "azure_devops.set_state",
}

impl std::fmt::Display for WriteKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Write {
    /// Reads a stored write; `operation` is the row's column, which must
    /// agree with the payload's tag.
    pub fn from_stored(operation: &str, payload: &str) -> Result<Write, String> {
        if !WriteKind::ALL.iter().any(|k| k.as_str() == operation) {
            return Err(format!("unknown kind of write '{operation}'"));
        }
        let write: Write = serde_json::from_str(payload).map_err(|e| e.to_string())?;
        if write.kind().as_str() != operation {
            return Err(format!(
                "the payload holds a {} write, the entry says {operation}",
                write.kind()
            ));
        }
        Ok(write)
    }

    /// The local record the write is for (the row's `subject_id`).
    pub fn subject(&self) -> String {
        match self {
            Write::ServiceNowCreate(w) => w.incident.clone(),
            Write::WorkItemCreate(w) => w.incident.clone(),
            Write::PageCreate(w) => w.document.clone(),
            Write::PageUpdate(w) => w.document.clone(),
            Write::ServiceNowUpdate(w) => w.sys_id.clone(),
            Write::WorkItemUpdate(w) => w.id.to_string(),
            Write::AttachmentUpload(w) => w.document.clone(),
            Write::LabelSync(w) => w.document.clone(),
            Write::ActionItemCreate(w) => w.document.clone(),
            Write::JournalPost(w) => w.event.clone(),
            Write::CommentPost(w) => w.event.clone(),
            Write::ServiceNowStateChange(w) => w.incident.clone(),
            Write::WorkItemStateChange(w) => w.incident.clone(),
        }
    }

    /// The serde-tagged JSON stored in the row's `payload` column.
    pub fn to_stored(&self) -> String {
        // A derive over strings, maps and numbers cannot fail to serialize.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_stored_form() {
        let fields: BTreeMap<String, String> = [("state".to_owned(), "2".to_owned())].into();
        let writes: Vec<Write> = vec![
            ServiceNowCreate {
                incident: "i1".into(),
                fields: [("assignment_group".to_owned(), "c".repeat(32))].into(),
            }
            .into(),
            WorkItemCreate {
                incident: "i1".into(),
                work_item_type: "Task".into(),
                fields: [("System.AreaPath".to_owned(), "Ops\\Web".to_owned())].into(),
            }
            .into(),
            PageCreate {
                document: "d1".into(),
                space: "OPS".into(),
                parent: Some("42".into()),
            }
            .into(),
            PageUpdate {
                document: "d1".into(),
                force: true,
                minor_edit: false,
            }
            .into(),
            ServiceNowUpdate {
                sys_id: "a".repeat(32),
                fields: fields.clone(),
            }
            .into(),
            WorkItemUpdate { id: 7, fields }.into(),
            AttachmentUpload {
                document: "d1".into(),
                name: "graph.png".into(),
                media_type: "image/png".into(),
                sha256: "b".repeat(64),
                comment: None,
                minor_edit: true,
            }
            .into(),
            LabelSync {
                document: "d1".into(),
                labels: vec!["rca".into()],
                previous: vec!["p1".into()],
            }
            .into(),
            ActionItemCreate {
                document: "d1".into(),
                item_key: "0123456789abcdef".into(),
                title: "Add alert on queue depth".into(),
                owner: "alice".into(),
                due: Some("2026-12-20".into()),
                filed_as: "Task".into(),
                link: Some("1001".into()),
                due_field: None,
            }
            .into(),
            JournalPost {
                event: "e1".into(),
                sys_id: "a".repeat(32),
                field: "work_notes".into(),
            }
            .into(),
            CommentPost {
                event: "e1".into(),
                id: 7,
            }
            .into(),
            ServiceNowStateChange {
                incident: "i1".into(),
                sys_id: "a".repeat(32),
                state: "6".into(),
                close_code: Some("Solved (Permanently)".into()),
                close_notes: Some("Rolled back".into()),
                hold_reason: None,
            }
            .into(),
            WorkItemStateChange {
                incident: "i1".into(),
                id: 7,
                state: "Resolved".into(),
            }
            .into(),
        ];
        assert_eq!(writes.len(), WriteKind::ALL.len(), "one sample per kind");
        for write in writes {
            let stored = write.to_stored();
            let tag = format!("\"kind\":\"{}\"", write.kind());
            assert!(stored.contains(&tag), "{stored}");
            assert_eq!(
                Write::from_stored(write.kind().as_str(), &stored),
                Ok(write)
            );
        }
    }

    #[test]
    fn a_row_that_cannot_be_read_says_why() {
        assert!(Write::from_stored("teams.post", "{}")
            .unwrap_err()
            .contains("unknown kind of write 'teams.post'"));
        assert!(Write::from_stored("confluence.create_page", "{not json").is_err());
        let page = r#"{"kind":"confluence.update_page","document":"d","force":false}"#;
        assert!(Write::from_stored("confluence.create_page", page)
            .unwrap_err()
            .contains("holds a confluence.update_page write"));
    }

    #[test]
    fn a_request_is_taken_back_out_only_as_its_own_kind() {
        let write: Write = PageUpdate {
            document: "d".into(),
            force: false,
            minor_edit: false,
        }
        .into();
        assert_eq!(
            PageCreate::try_from(write.clone()),
            Err(WriteKind::PageUpdate)
        );
        assert!(PageUpdate::try_from(write).is_ok());
    }
}
