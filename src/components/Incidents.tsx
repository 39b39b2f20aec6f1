import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { commands, type ConnectionView, type Incident, type IncidentReport } from "../bindings";
import { call, CommandError, messageOf } from "../api";
import { validateIncident, type IncidentForm } from "../validation";
import { filterIncidents, NO_INCIDENT_FILTER, type IncidentFilter } from "../ui/filters";
import { providerLabel, remotePriorityLabel, remoteStateLabel, severityLabel, STATUSES, statusLabel } from "../ui/labels";
import { age, parseTime } from "../ui/time";
import { useNavigate } from "../ui/navigation";
import { outboxTouched } from "../ui/outbox";
import { useShortcut } from "../ui/useShortcut";
import { ErrorText, Field, Notice, Problem, Spinner } from "./common";
import { Markdown } from "./Markdown";
import { Time, useNow } from "./Time";
import { VirtualList } from "./VirtualList";
import { FilingReview } from "./Review";
import { TimelinePane } from "./Timeline";
import { lifecycleApi } from "../ui/lifecycleApi";
import { useReloadOn } from "../storeChanges";

/** How often an open incident's linked records are read again. */
const LINKED_RECORDS_REFRESH_MS = 3 * 60 * 1000;

const EMPTY: IncidentForm = { title: "", severity: "P2", description: "", status: "investigating" };
const WORK_ITEM_TYPES = ["Bug", "Task", "User Story", "Issue", "Incident"];

const countOf = (n: number) => (n === 1 ? "1 incident" : `${n} incidents`);

/** Row height of the incident list (two lines); the list renders only the rows in view. */
const ROW_HEIGHT = 52;

export function Incidents({ open, virtual = true }: { open?: string | null; virtual?: boolean }) {
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [selected, setSelected] = useState<string | null>(open ?? null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [filter, setFilter] = useState<IncidentFilter>(NO_INCIDENT_FILTER);
  const search = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      setIncidents(await call(commands.listIncidents()));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);
  useReloadOn(load);
  useEffect(() => {
    if (open) {
      setSelected(open);
      setCreating(false);
    }
  }, [open]);

  const shown = useMemo(() => filterIncidents(incidents ?? [], filter), [incidents, filter]);
  const startNew = () => (setCreating(true), setSelected(null));
  useShortcut("new-incident", startNew);
  useShortcut("search", () => search.current?.focus());

  return (
    <section aria-labelledby="incidents-title" className="split">
      <div className="list-pane">
        <div className="row">
          <h1 id="incidents-title">Incidents</h1>
          <button type="button" className="primary" data-action="new-incident" onClick={startNew} aria-keyshortcuts="Control+Shift+N">
            New incident
          </button>
        </div>
        <IncidentFilters filter={filter} onChange={setFilter} searchRef={search} />
        <Problem error={error} onRetry={load} />
        {incidents === null ? (
          !error && <Spinner label="Loading incidents…" />
        ) : incidents.length === 0 ? (
          <div className="empty">
            <p>No incidents yet.</p>
            <p className="muted small">Record one when something breaks; you can file it in ServiceNow or Azure DevOps from here.</p>
            <button type="button" onClick={startNew}>
              Record the first incident
            </button>
          </div>
        ) : (
          <>
            <p className="muted small" role="status" data-testid="incident-count">
              {shown.length === incidents.length ? countOf(incidents.length) : `${shown.length} of ${countOf(incidents.length)}`}
            </p>
            {shown.length === 0 ? (
              <div className="empty">
                <p>No incident matches.</p>
                <button type="button" onClick={() => setFilter(NO_INCIDENT_FILTER)}>
                  Clear the filters
                </button>
              </div>
            ) : (
              <VirtualList
                items={shown}
                rowHeight={ROW_HEIGHT}
                height={560}
                keyOf={(i) => i.id}
                selectedKey={selected}
                onSelect={(i) => (setSelected(i.id), setCreating(false))}
                label="Incidents"
                virtual={virtual}
                renderRow={(i, active) => (
                  <button type="button" className={active ? "item active" : "item"} aria-current={active ? "true" : undefined} onClick={() => (setSelected(i.id), setCreating(false))}>
                    <span className="item-title">
                      <span className={`sev sev-${i.severity}`}>{i.severity}</span> {i.title}
                    </span>
                    <span className="item-meta muted small">
                      {statusLabel(i.status)} · <Time at={i.created_at} />
                      {i.links.length > 0 ? ` · ${i.links.map((l) => l.external_key ?? l.external_id).join(", ")}` : " · not filed"}
                    </span>
                  </button>
                )}
              />
            )}
          </>
        )}
      </div>
      <div className="detail-pane">
        {creating && (
          <IncidentEditor
            onSaved={(id) => {
              setCreating(false);
              setSelected(id);
              load();
            }}
            onCancel={() => setCreating(false)}
          />
        )}
        {selected && <IncidentDetail key={selected} id={selected} onChanged={load} />}
        {!creating && !selected && <p className="muted">Select an incident, or record a new one.</p>}
      </div>
    </section>
  );
}

function IncidentFilters({
  filter,
  onChange,
  searchRef,
}: {
  filter: IncidentFilter;
  onChange: (f: IncidentFilter) => void;
  searchRef: React.RefObject<HTMLInputElement | null>;
}) {
  return (
    <div className="filters" role="search" aria-label="Find incidents">
      <input
        ref={searchRef}
        type="search"
        aria-label="Search incidents"
        placeholder="Search title, text, INC number…"
        value={filter.text}
        onChange={(e) => onChange({ ...filter, text: e.target.value })}
        data-testid="incident-search"
        aria-keyshortcuts="/ Control+F"
      />
      <div className="inline">
        <select aria-label="Severity" value={filter.severity} onChange={(e) => onChange({ ...filter, severity: e.target.value })} data-testid="filter-severity">
          <option value="">Any severity</option>
          {["P1", "P2", "P3", "P4"].map((s) => (
            <option key={s} value={s}>
              {severityLabel(s)}
            </option>
          ))}
        </select>
        <select aria-label="Status" value={filter.status} onChange={(e) => onChange({ ...filter, status: e.target.value })} data-testid="filter-status">
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {statusLabel(s)}
            </option>
          ))}
        </select>
        <select
          aria-label="Filed or not"
          value={filter.filed}
          onChange={(e) => onChange({ ...filter, filed: e.target.value as IncidentFilter["filed"] })}
          data-testid="filter-filed"
        >
          <option value="">Filed or not</option>
          <option value="filed">Filed</option>
          <option value="not_filed">Not filed</option>
        </select>
      </div>
    </div>
  );
}

export function IncidentEditor({
  initial,
  id,
  onSaved,
  onCancel,
}: {
  initial?: IncidentForm;
  id?: string;
  onSaved: (id: string) => void;
  onCancel?: () => void;
}) {
  const formRef = useRef<HTMLFormElement>(null);
  useShortcut("save", () => formRef.current?.requestSubmit());
  useShortcut("close", () => (onCancel ? onCancel() : false));
  const [form, setForm] = useState<IncidentForm>(initial ?? EMPTY);
  const [touched, setTouched] = useState(false);
  const [serverError, setServerError] = useState<{ field: string | null; message: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const [autoFiled, setAutoFiled] = useState<string[]>([]);
  const errors = validateIncident(form);
  const fieldError = (k: keyof IncidentForm) => (serverError?.field === k ? serverError.message : touched ? errors[k] : undefined);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length > 0) return;
    setSaving(true);
    setServerError(null);
    try {
      if (id) {
        const saved = await call(commands.updateIncident(id, form));
        onSaved(saved.id);
      } else {
        const created = await call(commands.createIncident(form));
        outboxTouched();
        setAutoFiled(created.auto_filed.map((a) => (a.error ? `Not filed to '${a.connection}' yet: ${a.error}` : `Filed to '${a.connection}'.`)));
        onSaved(created.incident.id);
      }
    } catch (e) {
      setServerError({ field: e instanceof CommandError ? e.field : null, message: messageOf(e) });
    } finally {
      setSaving(false);
    }
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label={id ? "Edit incident" : "New incident"} className="editor">
      <h2>{id ? "Edit incident" : "New incident"}</h2>
      <Field id="incident-title" label="Title" error={fieldError("title")}>
        <input id="incident-title" autoFocus value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
      </Field>
      <div className="inline">
        <Field id="incident-severity" label="Severity" error={fieldError("severity")}>
          <select id="incident-severity" value={form.severity} onChange={(e) => setForm({ ...form, severity: e.target.value })}>
            {["P1", "P2", "P3", "P4"].map((s) => (
              <option key={s} value={s}>
                {severityLabel(s)}
              </option>
            ))}
          </select>
        </Field>
        {id && (
          <Field id="incident-status" label="Status">
            <select id="incident-status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {statusLabel(s)}
                </option>
              ))}
            </select>
          </Field>
        )}
      </div>
      <Field id="incident-description" label="Description (Markdown)">
        <textarea id="incident-description" rows={8} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
      </Field>
      {serverError && !serverError.field && <ErrorText message={serverError.message} />}
      {autoFiled.map((text) => (
        <Notice key={text}>{text}</Notice>
      ))}
      <div className="actions">
        <button type="submit" className="primary" disabled={saving} aria-keyshortcuts="Control+S">
          {saving ? <Spinner label="Saving…" /> : id ? "Save" : "Record incident"}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

function IncidentDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const [report, setReport] = useState<IncidentReport | null>(null);
  const [connections, setConnections] = useState<ConnectionView[]>([]);
  const [editing, setEditing] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [fileError, setFileError] = useState<{ connection: ConnectionView; error: unknown } | null>(null);
  const [filing, setFiling] = useState<string | null>(null);
  const [types, setTypes] = useState<Record<string, string>>({});
  const [reviewing, setReviewing] = useState<ConnectionView | null>(null);
  const navigate = useNavigate();
  const now = useNow();

  const [reads, setReads] = useState(0);

  const load = useCallback(async () => {
    try {
      setReport(await call(commands.showIncident(id)));
      setReads((n) => n + 1);
      setConnections((await call(commands.listConnections())).filter((c) => c.provider !== "confluence"));
      setLoadError(null);
    } catch (e) {
      setLoadError(e);
    }
  }, [id]);
  useEffect(() => {
    load();
  }, [load]);
  // Showing the incident reads its linked records again; while it stays
  // open, that repeats every few minutes so notes and state changes made in
  // the services reach the timeline without a click on Sync.
  useEffect(() => {
    const timer = setInterval(load, LINKED_RECORDS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  if (!report)
    return loadError ? <Problem error={loadError} onRetry={load} /> : <Spinner label="Loading the incident and refreshing linked records…" />;
  const i = report.incident;
  if (editing) {
    return (
      <IncidentEditor
        id={i.id}
        initial={{ title: i.title, severity: i.severity, description: i.description, status: i.status }}
        onSaved={() => {
          setEditing(false);
          load();
          onChanged();
        }}
        onCancel={() => setEditing(false)}
      />
    );
  }

  const typeFor = (connection: ConnectionView) => (connection.provider === "azure_devops" ? (types[connection.name] ?? "Bug") : null);

  async function file(connection: ConnectionView) {
    setFiling(connection.name);
    setFileError(null);
    try {
      await call(commands.fileIncident(i.id, connection.name, typeFor(connection), {}));
      await load();
      onChanged();
    } catch (e) {
      setFileError({ connection, error: e });
    } finally {
      setFiling(null);
      outboxTouched();
    }
  }

  const linked = new Set(i.links.map((l) => l.connection));
  const opened = parseTime(i.created_at);
  const filedWhere = i.links.length === 0 ? "Not filed" : i.links.map((l) => `${providerLabel(l.provider)} ${l.external_key ?? l.external_id}`).join(", ");
  return (
    <article aria-labelledby="incident-heading" className="detail">
      <header className="incident-header" data-testid="incident-header">
        <h2 id="incident-heading">
          <span className={`sev sev-${i.severity}`}>{i.severity}</span> {i.title}
        </h2>
        <dl className="facts">
          <div>
            <dt>Severity</dt>
            <dd>{severityLabel(i.severity)}</dd>
          </div>
          <div>
            <dt>Status</dt>
            <dd data-testid="incident-status">{statusLabel(i.status)}</dd>
          </div>
          <div>
            <dt>Open for</dt>
            <dd>{opened ? <span title={`Opened ${opened.toLocaleString()}`}>{age(opened, now)}</span> : "—"}</dd>
          </div>
          <div>
            <dt>Filed in</dt>
            <dd data-testid="incident-filed">{filedWhere}</dd>
          </div>
        </dl>
        <p className="muted small">
          Opened <Time at={i.created_at} /> · updated <Time at={i.updated_at} /> · id {i.id}
        </p>
      </header>
      <button type="button" onClick={() => setEditing(true)} data-action="edit-incident">
        Edit
      </button>
      <h3>Filed as</h3>
      {i.links.length === 0 && <p className="muted">Not filed anywhere yet.</p>}
      <ul className="links">
        {i.links.map((l) => (
          <li key={l.connection} data-link={l.connection}>
            <strong data-testid="external-key">{l.external_key ?? l.external_id}</strong> in {l.connection} ({providerLabel(l.provider)})
            {l.remote_state && <span data-testid="remote-state"> · {remoteStateLabel(l.provider, l.remote_state)}</span>}
            {l.remote_priority && <span data-testid="remote-priority"> · {remotePriorityLabel(l.provider, l.remote_priority)}</span>}{" "}
            <button type="button" className="link" onClick={() => call(commands.openLink(l.url))}>
              Open in browser
            </button>
            {l.last_synced_at && (
              <span className="muted small">
                {" "}
                · <Time at={l.last_synced_at} prefix="synced" />
              </span>
            )}
          </li>
        ))}
      </ul>
      {report.sync
        .filter((n) => !n.synced)
        .map((n) => (
          <div key={n.connection} className="problem" role="status">
            <p className="small">
              Could not refresh {n.connection}: {n.message}
            </p>
            <div className="actions">
              <button type="button" onClick={load} data-remedy="retry">
                Retry
              </button>
              <button type="button" onClick={() => navigate({ screen: "integrations" })} data-remedy="open-settings">
                Open settings
              </button>
            </div>
          </div>
        ))}
      <div className="file-actions">
        {connections.length === 0 && i.links.length === 0 && (
          <div className="empty">
            <p className="muted small">Add a ServiceNow or Azure DevOps connection to file this incident.</p>
            <button type="button" onClick={() => navigate({ screen: "integrations" })} data-remedy="open-settings">
              Open Settings → Integrations
            </button>
          </div>
        )}
        {connections
          .filter((c) => !linked.has(c.name))
          .map((c) => (
            <div key={c.name} className="inline">
              {c.provider === "azure_devops" && (
                <select aria-label={`Work item type for ${c.name}`} value={types[c.name] ?? "Bug"} onChange={(e) => setTypes({ ...types, [c.name]: e.target.value })}>
                  {WORK_ITEM_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
              )}
              <button type="button" className="primary" disabled={filing !== null} onClick={() => file(c)} data-action={`file-${c.name}`}>
                {filing === c.name ? (
                  <Spinner label={`Filing in ${c.name}…`} />
                ) : c.provider === "servicenow" ? (
                  `File in ServiceNow (${c.name})`
                ) : (
                  `Create Azure DevOps work item (${c.name})`
                )}
              </button>
              <button type="button" disabled={filing !== null} onClick={() => setReviewing(c)} data-action={`review-${c.name}`}>
                Fields and review…
              </button>
            </div>
          ))}
      </div>
      {reviewing && !linked.has(reviewing.name) && (
        <FilingReview
          incidentId={i.id}
          connection={reviewing}
          workItemType={typeFor(reviewing)}
          onCancel={() => setReviewing(null)}
          onFiled={async () => {
            setReviewing(null);
            outboxTouched();
            await load();
            onChanged();
          }}
        />
      )}
      {fileError && (
        <Problem error={fileError.error} onRetry={() => file(fileError.connection)} onOpenSettings={() => navigate({ screen: "integrations" })} />
      )}
      <h3>Description</h3>
      <Markdown text={i.description} className="description" label="Description" />
      <TimelinePane
        key={i.id}
        incidentId={i.id}
        revision={`${reads} ${i.updated_at} ${i.links.map((l) => `${l.connection}:${l.remote_state ?? ""}`).join(",")}`}
        api={lifecycleApi}
        onChanged={() => {
          load();
          onChanged();
          outboxTouched();
        }}
        onOpenSettings={() => navigate({ screen: "integrations" })}
        onOpenActivity={() => navigate({ screen: "activity" })}
      />
    </article>
  );
}
