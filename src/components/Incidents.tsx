import { useCallback, useEffect, useState, type FormEvent } from "react";
import { commands, type ConnectionView, type Incident, type IncidentReport } from "../bindings";
import { call, CommandError, messageOf } from "../api";
import { validateIncident, type IncidentForm } from "../validation";
import { ErrorText, Field, Notice, Spinner } from "./common";
import { useReloadOn } from "../storeChanges";

const EMPTY: IncidentForm = { title: "", severity: "P2", description: "", status: "open" };
const WORK_ITEM_TYPES = ["Bug", "Task", "User Story", "Issue", "Incident"];

export function Incidents() {
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setIncidents(await call(commands.listIncidents()));
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);
  useReloadOn(load);

  return (
    <section aria-labelledby="incidents-title" className="split">
      <div className="list-pane">
        <h1 id="incidents-title">Incidents</h1>
        <button type="button" className="primary" data-action="new-incident" onClick={() => (setCreating(true), setSelected(null))}>
          New incident
        </button>
        <ErrorText message={error} />
        {incidents === null ? (
          <Spinner label="Loading incidents…" />
        ) : incidents.length === 0 ? (
          <p className="muted">No incidents yet.</p>
        ) : (
          <ul className="items">
            {incidents.map((i) => (
              <li key={i.id}>
                <button type="button" className={selected === i.id ? "item active" : "item"} onClick={() => (setSelected(i.id), setCreating(false))}>
                  <span className={`sev sev-${i.severity}`}>{i.severity}</span> {i.title}
                  <span className="muted small"> · {i.status}</span>
                  {i.links.length > 0 && <span className="muted small"> · {i.links.map((l) => l.external_key ?? l.external_id).join(", ")}</span>}
                </button>
              </li>
            ))}
          </ul>
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
          />
        )}
        {selected && <IncidentDetail key={selected} id={selected} onChanged={load} />}
        {!creating && !selected && <p className="muted">Select an incident, or record a new one.</p>}
      </div>
    </section>
  );
}

export function IncidentEditor({ initial, id, onSaved }: { initial?: IncidentForm; id?: string; onSaved: (id: string) => void }) {
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
    <form onSubmit={submit} noValidate aria-label={id ? "Edit incident" : "New incident"} className="editor">
      <h2>{id ? "Edit incident" : "New incident"}</h2>
      <Field id="incident-title" label="Title" error={fieldError("title")}>
        <input id="incident-title" value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
      </Field>
      <div className="inline">
        <Field id="incident-severity" label="Severity" error={fieldError("severity")}>
          <select id="incident-severity" value={form.severity} onChange={(e) => setForm({ ...form, severity: e.target.value })}>
            {["P1", "P2", "P3", "P4"].map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        {id && (
          <Field id="incident-status" label="Status">
            <select id="incident-status" value={form.status} onChange={(e) => setForm({ ...form, status: e.target.value })}>
              {["open", "mitigated", "resolved", "closed"].map((s) => (
                <option key={s} value={s}>
                  {s}
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
        <button type="submit" className="primary" disabled={saving}>
          {saving ? <Spinner label="Saving…" /> : id ? "Save" : "Record incident"}
        </button>
      </div>
    </form>
  );
}

function IncidentDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const [report, setReport] = useState<IncidentReport | null>(null);
  const [connections, setConnections] = useState<ConnectionView[]>([]);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [filing, setFiling] = useState<string | null>(null);
  const [types, setTypes] = useState<Record<string, string>>({});

  const load = useCallback(async () => {
    try {
      setReport(await call(commands.showIncident(id)));
      setConnections((await call(commands.listConnections())).filter((c) => c.provider !== "confluence"));
    } catch (e) {
      setError(messageOf(e));
    }
  }, [id]);
  useEffect(() => {
    load();
  }, [load]);

  if (!report) return error ? <ErrorText message={error} /> : <Spinner label="Loading the incident and refreshing linked records…" />;
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
      />
    );
  }

  async function file(connection: ConnectionView) {
    setFiling(connection.name);
    setError(null);
    try {
      await call(commands.fileIncident(i.id, connection.name, connection.provider === "azure_devops" ? (types[connection.name] ?? "Bug") : null));
      await load();
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setFiling(null);
    }
  }

  const linked = new Set(i.links.map((l) => l.connection));
  return (
    <article aria-labelledby="incident-heading" className="detail">
      <h2 id="incident-heading">
        <span className={`sev sev-${i.severity}`}>{i.severity}</span> {i.title}
      </h2>
      <p className="muted small">
        {i.status} · opened {i.created_at} · id {i.id}
      </p>
      <button type="button" onClick={() => setEditing(true)}>
        Edit
      </button>
      <h3>Filed as</h3>
      {i.links.length === 0 && <p className="muted">Not filed anywhere yet.</p>}
      <ul className="links">
        {i.links.map((l) => (
          <li key={l.connection} data-link={l.connection}>
            <strong data-testid="external-key">{l.external_key ?? l.external_id}</strong> in {l.connection}
            {l.remote_state && <> · state {l.remote_state}</>}
            {l.remote_priority && <> · priority {l.remote_priority}</>}{" "}
            <button type="button" className="link" onClick={() => call(commands.openLink(l.url))}>
              Open in browser
            </button>
            {l.last_synced_at && <span className="muted small"> · synced {l.last_synced_at}</span>}
          </li>
        ))}
      </ul>
      {report.sync
        .filter((n) => !n.synced)
        .map((n) => (
          <p key={n.connection} className="muted small">
            {n.connection}: {n.message}
          </p>
        ))}
      <div className="file-actions">
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
            </div>
          ))}
      </div>
      <ErrorText message={error} />
      <h3>Description</h3>
      <pre className="description">{i.description || "—"}</pre>
    </article>
  );
}
