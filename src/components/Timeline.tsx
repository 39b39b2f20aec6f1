import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { CommandError } from "../api";
import {
  EVENT_KINDS,
  POST_CHOICES,
  STATUSES,
  eventTime,
  kindLabel,
  lifecycleStatusLabel,
  mergedCloseCodes,
  nextStatuses,
  postedSummary,
  sourceLabel,
  type AddedEvent,
  type Choice,
  type LifecycleApi,
  type LifecycleStatus,
  type MoveOutcome,
  type PostChoice,
  type PostOutcome,
  type RecordSync,
  type Timeline,
} from "../ui/lifecycle";
import { useShortcut } from "../ui/useShortcut";
import { shortcutLabel } from "../ui/shortcuts";
import { Markdown } from "./Markdown";
import { Time } from "./Time";
import { Field, Notice, Problem, Spinner } from "./common";

type Busy = "note" | "mitigated" | "status" | "sync" | `post-${string}` | null;

/** Posts that did not go out yet, by event id, so each event shows its own. */
type Unposted = Record<string, PostOutcome[]>;

/**
 * The incident's timeline: its events in local time, quick buttons and a
 * note form (Ctrl+Shift+M), where notes are posted, the status with the
 * resolution it needs, and pulling what happened at the services. Every
 * error shows next to what caused it, with the way out as a button.
 */
export function TimelinePane({
  incidentId,
  revision,
  api,
  onChanged,
  onOpenSettings,
  onOpenActivity,
}: {
  incidentId: string;
  /** Changes when the incident changed outside the pane (filed, edited): the timeline is read again. */
  revision?: string;
  api: LifecycleApi;
  onChanged: () => void;
  onOpenSettings: () => void;
  onOpenActivity: () => void;
}) {
  const [timeline, setTimeline] = useState<Timeline | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [post, setPost] = useState<PostChoice>("work_notes");
  const [busy, setBusy] = useState<Busy>(null);
  const [noteOpen, setNoteOpen] = useState(false);
  const [quickError, setQuickError] = useState<unknown>(null);
  const [unposted, setUnposted] = useState<Unposted>({});
  const [postErrors, setPostErrors] = useState<Record<string, unknown>>({});
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setTimeline(await api.timeline(incidentId));
      setLoadError(null);
    } catch (e) {
      setLoadError(e);
    }
  }, [api, incidentId]);
  useEffect(() => {
    load();
  }, [load, revision]);

  useShortcut("add-note", () => setNoteOpen(true));

  /** After a change: the timeline again, and the incident around it. */
  const changed = useCallback(async () => {
    await load();
    onChanged();
  }, [load, onChanged]);

  /** A status change or sync: an older notice no longer describes the latest step. */
  const changedElsewhere = useCallback(async () => {
    setNotice(null);
    await changed();
  }, [changed]);

  function remember(added: AddedEvent) {
    const failed = added.posts.filter((p) => p.error);
    setUnposted((all) => ({ ...all, [added.event.id]: failed }));
    const done = added.posts.filter((p) => p.posted).map((p) => p.connection);
    return done.length > 0 ? `posted to ${done.join(", ")}` : null;
  }

  async function mitigatedNow() {
    setBusy("mitigated");
    setQuickError(null);
    setNotice(null);
    try {
      const chosen = timeline && timeline.incident.links.length > 0 ? post : "none";
      const added = await api.addEvent(incidentId, { text: "Mitigated.", kind: "mitigated", at: null, post: chosen });
      const where = remember(added);
      setNotice(`Mitigation recorded${where ? ` and ${where}` : ""}.`);
      await changed();
    } catch (e) {
      setQuickError(e);
    } finally {
      setBusy(null);
    }
  }

  async function retryPost(eventId: string) {
    setBusy(`post-${eventId}`);
    setPostErrors((all) => ({ ...all, [eventId]: null }));
    try {
      remember(await api.postEvent(eventId, post === "none" ? "work_notes" : post));
      await changed();
    } catch (e) {
      setPostErrors((all) => ({ ...all, [eventId]: e }));
    } finally {
      setBusy(null);
    }
  }

  if (!timeline) {
    return (
      <section className="timeline-pane" aria-labelledby="timeline-title">
        <h3 id="timeline-title">Timeline</h3>
        {loadError ? <Problem error={loadError} onRetry={load} /> : <Spinner label="Loading the timeline…" />}
      </section>
    );
  }

  const filed = timeline.incident.links.length > 0;
  const events = [...timeline.events].sort((a, b) => b.occurred_at.localeCompare(a.occurred_at));
  return (
    <section className="timeline-pane" aria-labelledby="timeline-title" data-testid="timeline">
      <h3 id="timeline-title">Timeline</h3>
      <StatusControl
        incidentId={incidentId}
        status={timeline.incident.status}
        hasServiceNow={timeline.incident.links.some((l) => l.provider === "servicenow")}
        api={api}
        busy={busy}
        setBusy={setBusy}
        onDone={changedElsewhere}
        onOpenSettings={onOpenSettings}
        onOpenActivity={onOpenActivity}
      />
      <fieldset className="post-choice">
        <legend>Post new events {filed ? "to the filed records as" : "(not filed yet: they stay here)"}</legend>
        {POST_CHOICES.map((c) => (
          <label key={c.value} className="inline">
            <input type="radio" name={`post-${incidentId}`} value={c.value} checked={(filed ? post : "none") === c.value} onChange={() => setPost(c.value)} disabled={!filed && c.value !== "none"} />{" "}
            {c.label} <span className="muted small">({c.hint})</span>
          </label>
        ))}
      </fieldset>
      <div className="actions timeline-actions">
        <button type="button" className="primary" onClick={mitigatedNow} disabled={busy !== null} data-action="mitigated-now">
          {busy === "mitigated" ? <Spinner label="Recording…" /> : "Mitigated now"}
        </button>
        <button type="button" onClick={() => setNoteOpen(true)} disabled={busy !== null} data-action="add-note" aria-keyshortcuts="Control+Shift+M">
          Add note <kbd>{shortcutLabel("Mod+Shift+M")}</kbd>
        </button>
        <SyncButton incidentId={incidentId} api={api} busy={busy} setBusy={setBusy} onDone={changedElsewhere} onOpenSettings={onOpenSettings} />
      </div>
      {quickError !== null && <Problem error={quickError} onRetry={mitigatedNow} onOpenSettings={onOpenSettings} />}
      {notice && <Notice>{notice}</Notice>}
      {noteOpen && (
        <NoteForm
          post={filed ? post : "none"}
          onCancel={() => setNoteOpen(false)}
          onSubmit={async (input) => {
            const added = await api.addEvent(incidentId, input);
            const where = remember(added);
            setNoteOpen(false);
            setNotice(`Note added${where ? ` and ${where}` : ""}.`);
            await changed();
          }}
        />
      )}
      {events.length === 0 ? (
        <p className="muted">Nothing on the timeline yet. Add what was seen and tried as it happens.</p>
      ) : (
        <ol className="timeline-events" aria-label="Events, newest first">
          {events.map((e) => {
            const waiting = unposted[e.id] ?? [];
            const posted = postedSummary(e.posted);
            return (
              <li key={e.id} data-event={e.id} data-kind={e.kind} data-source={e.source}>
                <div className="event-head">
                  <Time at={e.occurred_at} /> · <span className={`kind kind-${e.kind}`}>{kindLabel(e.kind)}</span> · <span data-testid="event-author">{e.author}</span> ·{" "}
                  <span className="muted" data-testid="event-source">
                    {sourceLabel(e)}
                  </span>
                </div>
                <Markdown text={e.text} className="event-text" label={`${kindLabel(e.kind)} by ${e.author}`} />
                {posted && <p className="muted small" data-testid="event-posted">{posted}</p>}
                {waiting.map((p) => (
                  <div key={p.connection} className="problem" role="alert" data-unposted={p.connection}>
                    <p className="error small">
                      Not posted to {p.connection} yet: {p.error} It stays queued and is sent again in the background.
                    </p>
                    <div className="actions">
                      <button type="button" onClick={() => retryPost(e.id)} disabled={busy !== null} data-remedy="retry">
                        {busy === `post-${e.id}` ? <Spinner label="Posting…" /> : "Retry now"}
                      </button>
                      <button type="button" onClick={onOpenActivity} data-remedy="open-activity">
                        Open Activity
                      </button>
                    </div>
                  </div>
                ))}
                {postErrors[e.id] != null && <Problem error={postErrors[e.id]} onRetry={() => retryPost(e.id)} onOpenSettings={onOpenSettings} />}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}

/** The note form: kind, time (default now, local), Markdown text; Ctrl+Enter adds it. */
function NoteForm({ post, onSubmit, onCancel }: { post: PostChoice; onSubmit: (input: { text: string; kind: string; at: string | null; post: PostChoice }) => Promise<void>; onCancel: () => void }) {
  const [text, setText] = useState("");
  const [kind, setKind] = useState("note");
  const [at, setAt] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => area.current?.focus(), []);
  // Esc cancels the form, unless it is meant for an open dialog (the ? overlay).
  useShortcut("close", () => (saving || document.querySelector('[role="dialog"]') ? false : onCancel()));

  async function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!text.trim()) {
      setErrors({ text: "Write what happened." });
      area.current?.focus();
      return;
    }
    setErrors({});
    setProblem(null);
    setSaving(true);
    try {
      await onSubmit({ text, kind, at: eventTime(at), post });
    } catch (e) {
      if (e instanceof CommandError && e.field && ["text", "at", "kind"].includes(e.field)) setErrors({ [e.field]: e.message });
      else setProblem(e);
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="note-form" aria-label="Add to the timeline" onSubmit={submit} noValidate>
      <div className="inline">
        <Field id="event-kind" label="Kind" error={errors.kind}>
          <select id="event-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {EVENT_KINDS.map((k) => (
              <option key={k.value} value={k.value}>
                {k.label}
              </option>
            ))}
          </select>
        </Field>
        <Field id="event-at" label="When (local time)" error={errors.at} hint="Empty: now">
          <input id="event-at" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} aria-invalid={!!errors.at} />
        </Field>
      </div>
      <Field id="event-text" label="What happened (Markdown)" error={errors.text} hint={`${shortcutLabel("Mod")}+Enter adds it`}>
        <textarea
          id="event-text"
          ref={area}
          rows={4}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={!!errors.text}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            }
          }}
        />
      </Field>
      {problem !== null && <Problem error={problem} onRetry={() => submit()} />}
      <div className="actions">
        <button type="submit" className="primary" disabled={saving} data-action="save-note">
          {saving ? <Spinner label="Adding…" /> : post === "none" ? "Add to the timeline" : `Add and post as ${POST_CHOICES.find((c) => c.value === post)?.label.toLowerCase()}`}
        </button>
        <button type="button" onClick={onCancel} disabled={saving}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** The status, and the change to another: resolving asks for the close code (the instance's choices) and close notes. */
function StatusControl({
  incidentId,
  status,
  hasServiceNow,
  api,
  busy,
  setBusy,
  onDone,
  onOpenSettings,
  onOpenActivity,
}: {
  incidentId: string;
  status: string;
  hasServiceNow: boolean;
  api: LifecycleApi;
  busy: Busy;
  setBusy: (b: Busy) => void;
  onDone: () => Promise<void>;
  onOpenSettings: () => void;
  onOpenActivity: () => void;
}) {
  const allowed = nextStatuses(status);
  const [to, setTo] = useState<LifecycleStatus | "">("");
  const [codes, setCodes] = useState<Choice[] | null>(null);
  const [codesError, setCodesError] = useState<unknown>(null);
  const [closeCode, setCloseCode] = useState("");
  const [closeNotes, setCloseNotes] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<unknown>(null);
  const [moves, setMoves] = useState<MoveOutcome[]>([]);
  const resolving = to === "resolved" && hasServiceNow;

  const loadCodes = useCallback(async () => {
    setCodesError(null);
    try {
      setCodes(mergedCloseCodes(await api.closeCodes(incidentId)));
    } catch (e) {
      setCodesError(e);
    }
  }, [api, incidentId]);
  useEffect(() => {
    if (resolving && codes === null) loadCodes();
  }, [resolving, codes, loadCodes]);

  async function change(event?: FormEvent) {
    event?.preventDefault();
    if (!to) {
      setErrors({ status: "Choose the status it moves to." });
      return;
    }
    const missing: Record<string, string> = {};
    if (resolving && !closeCode) missing.close_code = "Choose how it was resolved.";
    if (resolving && !closeNotes.trim()) missing.close_notes = "Say how it was resolved; ServiceNow requires it.";
    setErrors(missing);
    if (Object.keys(missing).length > 0) return;
    setBusy("status");
    setProblem(null);
    setMoves([]);
    try {
      const done = await api.setStatus(incidentId, {
        status: to,
        close_code: resolving ? closeCode : null,
        close_notes: resolving ? closeNotes.trim() : null,
      });
      setMoves(done.moves);
      setTo("");
      setCloseCode("");
      setCloseNotes("");
      await onDone();
    } catch (e) {
      if (e instanceof CommandError && e.field) {
        const field = e.field.replace("-", "_");
        if (["status", "close_code", "close_notes"].includes(field)) {
          setErrors({ [field]: e.message });
          return;
        }
      }
      setProblem(e);
    } finally {
      setBusy(null);
    }
  }

  return (
    <form className="status-control" aria-label="Status" onSubmit={change} noValidate>
      <p>
        Status: <strong data-testid="lifecycle-status">{lifecycleStatusLabel(status)}</strong>
      </p>
      {allowed.length === 0 ? (
        <p className="muted small">Closed is final; record a new incident if it comes back.</p>
      ) : (
        <>
          <Field id={`status-${incidentId}`} label="Move to" error={errors.status}>
            <select id={`status-${incidentId}`} value={to} onChange={(e) => {
                setTo(e.target.value as LifecycleStatus | "");
                setErrors({});
              }} data-testid="status-select">
              <option value="">Choose…</option>
              {STATUSES.filter((s) => allowed.includes(s.value)).map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </Field>
          {resolving && (
            <div className="resolution">
              {codesError !== null ? (
                <Problem error={codesError} onRetry={loadCodes} onOpenSettings={onOpenSettings} />
              ) : codes === null ? (
                <Spinner label="Reading the resolution codes from ServiceNow…" />
              ) : (
                <Field id="close-code" label="Resolution code" error={errors.close_code} hint="The instance's own choices">
                  <select id="close-code" value={closeCode} onChange={(e) => {
                      setCloseCode(e.target.value);
                      setErrors({});
                    }} aria-invalid={!!errors.close_code}>
                    <option value="">Choose…</option>
                    {codes.map((c) => (
                      <option key={c.value} value={c.value}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                </Field>
              )}
              <Field id="close-notes" label="Resolution notes" error={errors.close_notes}>
                <textarea id="close-notes" rows={3} value={closeNotes} onChange={(e) => {
                    setCloseNotes(e.target.value);
                    setErrors({});
                  }} aria-invalid={!!errors.close_notes} />
              </Field>
            </div>
          )}
          <div className="actions">
            <button type="submit" disabled={busy !== null} data-action="set-status">
              {busy === "status" ? <Spinner label="Changing the status…" /> : to ? `Change to ${lifecycleStatusLabel(to)}` : "Change status"}
            </button>
          </div>
        </>
      )}
      {problem !== null && <Problem error={problem} onRetry={() => change()} onOpenSettings={onOpenSettings} />}
      {moves
        .filter((m) => m.error)
        .map((m) => (
          <div key={m.connection} className="problem" role="alert" data-unmoved={m.connection}>
            <p className="error small">
              {m.record} in {m.connection} is not {m.state} yet: {m.error} It stays queued and is sent again in the background.
            </p>
            <div className="actions">
              <button type="button" onClick={onOpenActivity} data-remedy="open-activity">
                Open Activity
              </button>
            </div>
          </div>
        ))}
    </form>
  );
}

/** Pulls state and new notes from every linked record; a record that could not be read says so, with Retry. */
function SyncButton({
  incidentId,
  api,
  busy,
  setBusy,
  onDone,
  onOpenSettings,
}: {
  incidentId: string;
  api: LifecycleApi;
  busy: Busy;
  setBusy: (b: Busy) => void;
  onDone: () => Promise<void>;
  onOpenSettings: () => void;
}) {
  const [failed, setFailed] = useState<RecordSync[]>([]);
  const [problem, setProblem] = useState<unknown>(null);
  const [said, setSaid] = useState<string | null>(null);

  async function sync() {
    setBusy("sync");
    setProblem(null);
    setSaid(null);
    try {
      const report = await api.sync(incidentId);
      setFailed(report.records.filter((r) => !r.synced));
      const read = report.records.filter((r) => r.synced).length;
      setSaid(
        report.records.length === 0
          ? "Not filed anywhere: nothing to sync."
          : `Synced ${read} of ${report.records.length} record${report.records.length === 1 ? "" : "s"}; ${report.added.length} new event${report.added.length === 1 ? "" : "s"}.`,
      );
      await onDone();
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <button type="button" onClick={sync} disabled={busy !== null} data-action="sync-incident">
        {busy === "sync" ? <Spinner label="Syncing…" /> : "Sync"}
      </button>
      <div className="sync-outcome" role="status">
        {said && <span className="small">{said}</span>}
      </div>
      {problem !== null && <Problem error={problem} onRetry={sync} onOpenSettings={onOpenSettings} />}
      {failed.map((r) => (
        <div key={r.connection} className="problem" role="alert" data-unsynced={r.connection}>
          <p className="error small">
            Could not read {r.record} in {r.connection}: {r.error}
          </p>
          <div className="actions">
            <button type="button" onClick={sync} data-remedy="retry">
              Retry
            </button>
            <button type="button" onClick={onOpenSettings} data-remedy="open-settings">
              Open settings
            </button>
          </div>
        </div>
      ))}
    </>
  );
}
