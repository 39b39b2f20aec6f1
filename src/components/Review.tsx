import { useCallback, useEffect, useState } from "react";
import { commands, type ConnectionFields, type ConnectionView, type PlannedRequest } from "../bindings";
import { call, messageOf } from "../api";
import { ErrorText, Field, Spinner } from "./common";

/** The exact requests a write would send (method, URL, body), as the core built them. */
export function PlannedRequests({ requests, empty, testId }: { requests: PlannedRequest[]; empty: string; testId: string }) {
  if (requests.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ol className="planned" aria-label="Requests that would be sent">
      {requests.map((r, n) => (
        <li key={n}>
          <pre data-testid={testId} data-method={r.method} tabIndex={0}>
            <strong>
              {r.method} {r.url}
            </strong>
            {r.body !== null ? `\n${r.body}` : ""}
          </pre>
        </li>
      ))}
    </ol>
  );
}

type Pair = { name: string; value: string };

/** Two inputs and a button: a NAME=VALUE pair. */
function PairForm({ idPrefix, action, label, busy, onAdd }: { idPrefix: string; action: string; label: string; busy: boolean; onAdd: (p: Pair) => void }) {
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  return (
    <div className="inline">
      <Field id={`${idPrefix}-name`} label="Field">
        <input id={`${idPrefix}-name`} value={name} onChange={(e) => setName(e.target.value)} placeholder="assignment_group" />
      </Field>
      <Field id={`${idPrefix}-value`} label="Value">
        <input id={`${idPrefix}-value`} value={value} onChange={(e) => setValue(e.target.value)} placeholder="Service Desk, or {severity}" />
      </Field>
      <button
        type="button"
        disabled={busy || !name.trim()}
        data-action={action}
        onClick={() => {
          onAdd({ name: name.trim(), value });
          setName("");
          setValue("");
        }}
      >
        {label}
      </button>
    </div>
  );
}

/**
 * Filing with a Review step: the connection's defaults (editable), fields
 * for this filing only, then the exact requests before anything is sent.
 */
export function FilingReview({
  incidentId,
  connection,
  workItemType,
  onFiled,
  onCancel,
}: {
  incidentId: string;
  connection: ConnectionView;
  workItemType: string | null;
  onFiled: () => void;
  onCancel: () => void;
}) {
  const [fields, setFields] = useState<ConnectionFields | null>(null);
  const [overrides, setOverrides] = useState<Record<string, string>>({});
  const [requests, setRequests] = useState<PlannedRequest[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const loadDefaults = useCallback(() => {
    call(commands.connectionFields(connection.name)).then(setFields, (e) => setError(messageOf(e)));
  }, [connection.name]);
  useEffect(loadDefaults, [loadDefaults]);

  async function run(what: string, work: () => Promise<void>) {
    setBusy(what);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  const changeDefaults = (set: Record<string, string>, unset: string[]) =>
    run("defaults", async () => {
      setFields(await call(commands.setConnectionFields(connection.name, set, unset)));
      setRequests(null);
    });

  const review = () =>
    run("review", async () => {
      setRequests(await call(commands.filingRequests(incidentId, connection.name, workItemType, overrides)));
    });

  const send = () =>
    run("send", async () => {
      await call(commands.fileIncident(incidentId, connection.name, workItemType, overrides));
      onFiled();
    });

  return (
    <section className="review" aria-label={`File in ${connection.name}`} data-review={connection.name}>
      <h3>File in {connection.name}</h3>
      <h4>Defaults for every filing to {connection.name}</h4>
      {fields === null ? (
        <Spinner label="Loading the defaults…" />
      ) : fields.defaults.length === 0 ? (
        <p className="muted small">No defaults yet.</p>
      ) : (
        <ul className="items small" data-testid="filing-defaults">
          {fields.defaults.map((d) => (
            <li key={d.field} data-default={d.field}>
              <code>{d.field}</code> = {d.display ? `${d.display} (${d.value})` : d.value}{" "}
              <button type="button" className="link" disabled={busy !== null} onClick={() => changeDefaults({}, [d.field])}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <PairForm idPrefix="default-field" action="save-default" label="Save as default" busy={busy !== null} onAdd={(p) => changeDefaults({ [p.name]: p.value }, [])} />
      <h4>For this filing only</h4>
      {Object.keys(overrides).length > 0 && (
        <ul className="items small" data-testid="filing-overrides">
          {Object.entries(overrides).map(([name, value]) => (
            <li key={name}>
              <code>{name}</code> = {value}{" "}
              <button
                type="button"
                className="link"
                onClick={() => {
                  const next = { ...overrides };
                  delete next[name];
                  setOverrides(next);
                  setRequests(null);
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <PairForm
        idPrefix="filing-field"
        action="add-override"
        label="Add field"
        busy={busy !== null}
        onAdd={(p) => {
          setOverrides({ ...overrides, [p.name]: p.value });
          setRequests(null);
        }}
      />
      <div className="inline">
        <button type="button" onClick={review} disabled={busy !== null} data-action="review-requests">
          {busy === "review" ? <Spinner label="Checking the fields…" /> : "Review requests"}
        </button>
        <button type="button" className="primary" onClick={send} disabled={busy !== null || requests === null} data-action="send-filing">
          {busy === "send" ? <Spinner label="Sending…" /> : "Send"}
        </button>
        <button type="button" onClick={onCancel} disabled={busy === "send"}>
          Cancel
        </button>
      </div>
      {requests && <PlannedRequests requests={requests} empty="Already filed there: nothing would be sent." testId="filing-request" />}
      <ErrorText message={error} />
    </section>
  );
}
