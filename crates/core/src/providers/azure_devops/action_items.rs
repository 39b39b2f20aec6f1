//! RCA action items as work items: the JSON Patch document that files one
//! (assignee, due date, the tag that finds it again, a `Related` link to
//! the incident's work item) and what counts as done.

use super::{AdoClient, PatchOp};

/// The link type that relates an action item to the incident's work item.
pub const RELATED: &str = "System.LinkTypes.Related";
/// Where a due date goes, in the order a type is asked for it: the
/// scheduling due date (Agile Issue, CMMI), else the target date.
pub const DUE_FIELDS: &[&str] = &[
    "Microsoft.VSTS.Scheduling.DueDate",
    "Microsoft.VSTS.Scheduling.TargetDate",
];
/// The default type of an action item's work item.
pub const DEFAULT_ACTION_ITEM_TYPE: &str = "Task";

/// The tag that marks the work item filed for action item `item_key` of
/// document `document_id`.
pub fn action_item_tag(document_id: &str, item_key: &str) -> String {
    format!("ibridge-action-{document_id}-{item_key}")
}

/// States of the standard processes in the Completed category: the box of
/// an item whose work item is in one of them is ticked.
pub fn is_done(state: &str) -> bool {
    ["Closed", "Done", "Completed"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(state.trim()))
}

/// What one action item's work item is made of.
pub struct NewActionItem<'a> {
    pub title: &'a str,
    pub owner: &'a str,
    /// `YYYY-MM-DD`.
    pub due: Option<&'a str>,
    /// The reference name the due date goes to; none: the type has no
    /// date field, and the description says it.
    pub due_field: Option<&'a str>,
    pub tag: &'a str,
    /// The incident's work item, to relate to.
    pub related: Option<u64>,
    /// The RCA the item comes from, said in the description.
    pub source: &'a str,
}

impl AdoClient {
    /// The URL a relation names a work item by: `{org}/_apis/wit/workItems/{id}`.
    pub fn work_item_api_url(&self, id: u64) -> String {
        self.url(&["_apis", "wit", "workItems", &id.to_string()])
            .to_string()
    }

    pub fn action_item_operations(&self, item: &NewActionItem<'_>) -> Vec<PatchOp> {
        let mut ops = vec![
            PatchOp::add_field("System.Title", item.title),
            PatchOp::add_field(
                "System.Description",
                crate::docs::html::markdown_to_html(&format!(
                    "Action item from the RCA \"{}\".{}",
                    item.source
                        .replace(['\\', '*', '_', '`', '[', ']', '<'], " "),
                    match (item.due, item.due_field) {
                        (Some(due), None) => format!(" Due {due}."),
                        _ => String::new(),
                    }
                )),
            ),
            PatchOp::add_field("System.AssignedTo", item.owner),
            PatchOp::add_field("System.Tags", format!("Incident Bridge; {}", item.tag)),
        ];
        if let (Some(due), Some(field)) = (item.due, item.due_field) {
            ops.push(PatchOp::add_field(field, format!("{due}T00:00:00Z")));
        }
        if let Some(id) = item.related {
            ops.push(PatchOp {
                op: "add",
                path: "/relations/-".into(),
                value: serde_json::json!({
                    "rel": RELATED,
                    "url": self.work_item_api_url(id),
                    "attributes": { "comment": "Action item from the incident's RCA" }
                }),
            });
        }
        ops
    }
}
