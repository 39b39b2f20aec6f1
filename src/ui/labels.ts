// Display values for what the services store as codes. ServiceNow answers
// with labels when asked (sysparm_display_value); records filed before
// that, or answers without labels, carry the stored value, which is shown
// with the label of the instance's out-of-the-box choice list.

const SERVICENOW_STATE: Record<string, string> = {
  "1": "New",
  "2": "In Progress",
  "3": "On Hold",
  "6": "Resolved",
  "7": "Closed",
  "8": "Canceled",
};

const SERVICENOW_PRIORITY: Record<string, string> = {
  "1": "1 - Critical",
  "2": "2 - High",
  "3": "3 - Moderate",
  "4": "4 - Low",
  "5": "5 - Planning",
};

const ADO_PRIORITY: Record<string, string> = { "1": "Priority 1", "2": "Priority 2", "3": "Priority 3", "4": "Priority 4" };

export function remoteStateLabel(provider: string, value: string | null | undefined): string | null {
  if (!value) return null;
  if (provider === "servicenow") return SERVICENOW_STATE[value.trim()] ?? value;
  return value;
}

export function remotePriorityLabel(provider: string, value: string | null | undefined): string | null {
  if (!value) return null;
  if (provider === "servicenow") return SERVICENOW_PRIORITY[value.trim()] ?? value;
  if (provider === "azure_devops") return ADO_PRIORITY[value.trim()] ?? value;
  return value;
}

/** The local statuses, in the order a response moves through them. */
export const STATUSES = ["investigating", "identified", "monitoring", "resolved", "closed"] as const;
const STATUS: Record<string, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  closed: "Closed",
};
export function statusLabel(status: string): string {
  return STATUS[status] ?? status;
}

const SEVERITY: Record<string, string> = { P1: "P1 · Critical", P2: "P2 · High", P3: "P3 · Moderate", P4: "P4 · Low" };
export function severityLabel(severity: string): string {
  return SEVERITY[severity] ?? severity;
}

const PROVIDER: Record<string, string> = { servicenow: "ServiceNow", azure_devops: "Azure DevOps", confluence: "Confluence" };
export function providerLabel(provider: string): string {
  return PROVIDER[provider] ?? provider;
}

const OPERATION: Record<string, string> = {
  "servicenow.create_incident": "File incident in ServiceNow",
  "servicenow.update_incident": "Update ServiceNow incident",
  "azure_devops.create_work_item": "Create Azure DevOps work item",
  "azure_devops.update_work_item": "Update Azure DevOps work item",
  "confluence.create_page": "Publish Confluence page",
  "confluence.update_page": "Update Confluence page",
};
export function operationLabel(operation: string): string {
  return OPERATION[operation] ?? operation.replace(/[._]/g, " ");
}

const OUTBOX_STATE: Record<string, string> = {
  pending: "Waiting to send",
  in_flight: "Sending",
  done: "Sent",
  failed: "Needs attention",
  discarded: "Discarded",
};
export function outboxStateLabel(state: string): string {
  return OUTBOX_STATE[state] ?? state;
}

/** The screen that shows the local record an outbox entry is for (updates address remote records: none). */
export function recordScreen(operation: string | null | undefined): "incidents" | "documents" | null {
  if (operation === "servicenow.create_incident" || operation === "azure_devops.create_work_item") return "incidents";
  if (operation === "confluence.create_page" || operation === "confluence.update_page") return "documents";
  return null;
}
