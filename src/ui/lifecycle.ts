// An incident's life in the window: the shapes the timeline commands carry
// (as the core serialises them), the words people read for them, and the
// rules the window checks before asking (the core checks them again).

export type EventKind = "detected" | "acknowledged" | "update" | "mitigated" | "resolved" | "note";
export type EventSource = "local" | "servicenow" | "azure_devops";
export type LifecycleStatus = "investigating" | "identified" | "monitoring" | "resolved" | "closed";
export type PostChoice = "work_notes" | "comments" | "none";

export type EventPost = { connection: string; channel: string; remote_id: string; posted_at: string };
export type TimelineEvent = {
  id: string;
  incident_id: string;
  kind: EventKind;
  occurred_at: string;
  author: string;
  text: string;
  source: EventSource;
  connection: string | null;
  external_id: string | null;
  posted: EventPost[];
};
export type TimelineIncident = { id: string; status: string; links: { connection: string; provider: string }[] };
export type Timeline = { incident: TimelineIncident; events: TimelineEvent[] };
export type NewEvent = { text: string; kind: string | null; at: string | null; post: string | null };
export type PostOutcome = { connection: string; posted: { channel: string; remote_id: string; reconciled: boolean } | null; error: string | null };
export type AddedEvent = { event: TimelineEvent; posts: PostOutcome[] };
export type Choice = { value: string; label: string };
export type CloseCodes = { connection: string; choices: Choice[] };
export type StatusInput = { status: string; close_code: string | null; close_notes: string | null };
export type MoveOutcome = { connection: string; record: string; state: string; error: string | null };
export type StatusChanged = { incident: TimelineIncident; event: TimelineEvent; moves: MoveOutcome[] };
export type RecordSync = { connection: string; record: string; synced: boolean; new_events: number | null; error: string | null };
export type SyncReport = { records: RecordSync[]; added: TimelineEvent[] };

/** What the timeline pane asks of the app (each call throws a CommandError on failure). */
export type LifecycleApi = {
  timeline: (id: string) => Promise<Timeline>;
  addEvent: (id: string, event: NewEvent) => Promise<AddedEvent>;
  postEvent: (eventId: string, post: PostChoice) => Promise<AddedEvent>;
  closeCodes: (id: string) => Promise<CloseCodes[]>;
  setStatus: (id: string, input: StatusInput) => Promise<StatusChanged>;
  sync: (id: string) => Promise<SyncReport>;
};

export const EVENT_KINDS: { value: EventKind; label: string }[] = [
  { value: "note", label: "Note" },
  { value: "update", label: "Update" },
  { value: "detected", label: "Detected" },
  { value: "acknowledged", label: "Acknowledged" },
  { value: "mitigated", label: "Mitigated" },
  { value: "resolved", label: "Resolved" },
];

export function kindLabel(kind: string): string {
  return EVENT_KINDS.find((k) => k.value === kind)?.label ?? kind;
}

export const STATUSES: { value: LifecycleStatus; label: string }[] = [
  { value: "investigating", label: "Investigating" },
  { value: "identified", label: "Identified" },
  { value: "monitoring", label: "Monitoring" },
  { value: "resolved", label: "Resolved" },
  { value: "closed", label: "Closed" },
];

export function lifecycleStatusLabel(status: string): string {
  return STATUSES.find((s) => s.value === status)?.label ?? status;
}

/** The statuses an incident may move to: forward and back while open, closed only after resolved, nothing after closed. */
export function nextStatuses(status: string): LifecycleStatus[] {
  if (status === "closed") return [];
  if (status === "resolved") return ["investigating", "identified", "monitoring", "closed"];
  return (["investigating", "identified", "monitoring", "resolved"] as LifecycleStatus[]).filter((s) => s !== status);
}

export const POST_CHOICES: { value: PostChoice; label: string; hint: string }[] = [
  { value: "work_notes", label: "Work notes", hint: "internal: only the service's agents read them" },
  { value: "comments", label: "Customer-visible comments", hint: "the caller and watchers read them" },
  { value: "none", label: "Don't post", hint: "kept in this timeline only" },
];

/** Where an event was written, as people read it: "Local", "ServiceNow (sn)". */
export function sourceLabel(event: Pick<TimelineEvent, "source" | "connection">): string {
  const name = event.source === "servicenow" ? "ServiceNow" : event.source === "azure_devops" ? "Azure DevOps" : "Local";
  return event.connection && event.source !== "local" ? `${name} (${event.connection})` : name;
}

const CHANNEL: Record<string, string> = { work_notes: "work notes", comments: "customer-visible comments", comment: "a comment" };

/** "Posted to sn as work notes, to ado as a comment" — or null when it went nowhere. */
export function postedSummary(posted: EventPost[]): string | null {
  if (posted.length === 0) return null;
  return `Posted ${posted.map((p) => `to ${p.connection} as ${CHANNEL[p.channel] ?? p.channel}`).join(", ")}`;
}

/**
 * A `datetime-local` value ("2026-03-01T14:05") as the core takes it: a
 * local date and time without an offset, read in this machine's time zone.
 * Empty means now.
 */
export function eventTime(local: string): string | null {
  const t = local.trim();
  return t === "" ? null : t;
}

/** The close codes to offer: every connection's choices, each value once, in the services' order. */
export function mergedCloseCodes(all: CloseCodes[]): Choice[] {
  const seen = new Map<string, Choice>();
  for (const codes of all) for (const c of codes.choices) if (!seen.has(c.value)) seen.set(c.value, c);
  return [...seen.values()];
}
