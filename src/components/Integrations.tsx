import { useCallback, useEffect, useRef, useState } from "react";
import { commands, type ConnectionView } from "../bindings";
import { call } from "../api";
import type { Provider } from "../validation";
import { AddConnectionForm } from "./AddConnectionForm";
import { ConnectPanel } from "./ConnectPanel";
import { Notice, Problem, Spinner } from "./common";
import { Time } from "./Time";
import { useReloadOn } from "../storeChanges";

const PROVIDERS: { id: Provider; title: string; blurb: string }[] = [
  { id: "confluence", title: "Confluence", blurb: "Publish RCAs and post-mortems as pages." },
  { id: "servicenow", title: "ServiceNow", blurb: "File and follow incidents." },
  { id: "azure_devops", title: "Azure DevOps", blurb: "Create and follow work items." },
];

const STATUS_TEXT: Record<string, string> = {
  connected: "Connected",
  needs_reconnect: "Needs sign-in",
  error: "Needs attention",
};

/**
 * `open` is a connection to show (scrolled to and marked); `signIn` one
 * whose sign-in to start, as an error's "sign in again" button asks.
 */
export function Integrations({ open = null, signIn = null }: { open?: string | null; signIn?: { name: string; at: number } | null } = {}) {
  const [connections, setConnections] = useState<ConnectionView[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [adding, setAdding] = useState<Provider | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setConnections(await call(commands.listConnections()));
      setLoadError(null);
    } catch (e) {
      setLoadError(e);
    }
  }, []);

  useEffect(() => {
    load();
  }, [load]);
  useReloadOn(load);

  if (connections === null) {
    return loadError ? <Problem error={loadError} onRetry={load} /> : <Spinner label="Loading connections…" />;
  }

  return (
    <section aria-labelledby="integrations-title">
      <h1 id="integrations-title">Integrations</h1>
      <p className="muted">Credentials are sealed on this computer; only masked values and fingerprints are ever shown.</p>
      {notice && <Notice>{notice}</Notice>}
      <div className="cards">
        {PROVIDERS.map((p) => {
          const mine = connections.filter((c) => c.provider === p.id);
          return (
            <article className="card" key={p.id} data-provider={p.id} aria-labelledby={`card-${p.id}`}>
              <header>
                <h2 id={`card-${p.id}`}>{p.title}</h2>
                <span className="muted">{p.blurb}</span>
              </header>
              {mine.length === 0 && <p className="muted">No {p.title} connection yet.</p>}
              <ul className="connections">
                {mine.map((c) => (
                  <ConnectionRow
                    key={c.id}
                    connection={c}
                    onChanged={load}
                    onNotice={setNotice}
                    focused={open === c.name}
                    signInAt={signIn?.name === c.name ? signIn.at : null}
                  />
                ))}
              </ul>
              {adding === p.id ? (
                <AddConnectionForm
                  provider={p.id}
                  existingNames={connections.map((c) => c.name)}
                  onCancel={() => setAdding(null)}
                  onAdded={(name) => {
                    setAdding(null);
                    setNotice(`Added '${name}'.`);
                    load();
                  }}
                />
              ) : (
                <button type="button" onClick={() => setAdding(p.id)} data-action={`add-${p.id}`}>
                  Add connection
                </button>
              )}
            </article>
          );
        })}
      </div>
    </section>
  );
}

function ConnectionRow({
  connection: c,
  onChanged,
  onNotice,
  focused = false,
  signInAt = null,
}: {
  connection: ConnectionView;
  onChanged: () => void;
  onNotice: (text: string) => void;
  focused?: boolean;
  signInAt?: number | null;
}) {
  const row = useRef<HTMLLIElement>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<{ error: unknown; retry: () => void } | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [connecting, setConnecting] = useState(false);

  useEffect(() => {
    if (focused) row.current?.scrollIntoView?.({ block: "nearest" });
  }, [focused]);
  useEffect(() => {
    if (signInAt !== null && c.auth_type === "oauth2") setConnecting(true);
  }, [signInAt, c.auth_type]);

  async function act(label: string, run: () => Promise<unknown>) {
    setBusy(label);
    setError(null);
    setResult(null);
    try {
      await run();
    } catch (e) {
      setError({ error: e, retry: () => act(label, run) });
    } finally {
      setBusy(null);
    }
  }

  const token = c.credentials.find((k) => k.kind === "access_token");
  const onConnected = (ok: boolean) => {
    setConnecting(false);
    if (ok) onNotice(`Signed in to '${c.name}'.`);
    onChanged();
  };

  return (
    <li className={focused ? "connection focused" : "connection"} data-connection={c.name} ref={row} aria-current={focused || undefined}>
      <div className="row">
        <div>
          <strong>{c.name}</strong> {c.is_default && <span className="badge">default</span>}
          <div className="muted small">
            {c.base_url} · {c.auth_type}
          </div>
          <div className={`status status-${c.status}`} data-status={c.status}>
            {STATUS_TEXT[c.status] ?? c.status}
            {c.status_detail ? ` — ${c.status_detail}` : ""}
          </div>
          {token?.expires_at && (
            <div className="muted small">
              Access token expiry: <Time at={token.expires_at} />
            </div>
          )}
          <div className="muted small">
            {c.credentials.map((k) => `${k.kind} ${k.masked} ${k.fingerprint}`).join(" · ") || "no stored credential"}
          </div>
        </div>
        <div className="row-actions">
          {c.auth_type === "oauth2" && (
            <button type="button" className="primary" onClick={() => setConnecting(true)} disabled={connecting} data-action="connect">
              {c.status === "connected" ? "Reconnect" : "Connect"}
            </button>
          )}
          <button
            type="button"
            data-action="test"
            disabled={busy !== null}
            onClick={() =>
              act("test", async () => {
                const check = await call(commands.testConnection(c.name));
                setResult(check.message);
                onChanged();
              })
            }
          >
            {busy === "test" ? <Spinner label="Testing…" /> : "Test"}
          </button>
          {!c.is_default && (
            <button type="button" disabled={busy !== null} onClick={() => act("default", async () => (await call(commands.setDefaultConnection(c.name)), onChanged()))}>
              Set default
            </button>
          )}
          {c.provider !== "confluence" && (
            <label className="check small">
              <input
                type="checkbox"
                checked={c.auto_create_enabled}
                onChange={(e) => act("auto", async () => (await call(commands.setAutoCreate(c.name, e.target.checked)), onChanged()))}
              />{" "}
              File new incidents automatically
            </label>
          )}
          {confirmRemove ? (
            <span className="confirm" role="group" aria-label="Confirm removal">
              Remove '{c.name}' and its stored credentials?{" "}
              <button type="button" className="danger" onClick={() => act("remove", async () => (await call(commands.removeConnection(c.name)), onChanged()))}>
                Remove
              </button>
              <button type="button" onClick={() => setConfirmRemove(false)}>
                Keep
              </button>
            </span>
          ) : (
            <button type="button" onClick={() => setConfirmRemove(true)}>
              Remove…
            </button>
          )}
        </div>
      </div>
      {connecting && <ConnectPanel name={c.name} onDone={onConnected} />}
      {result && (
        <p className="ok" role="status" data-testid="test-result">
          {result}
        </p>
      )}
      {error && (
        <Problem
          error={error.error}
          onRetry={error.retry}
          onOpenSettings={c.auth_type === "oauth2" ? () => (setError(null), setConnecting(true)) : undefined}
        />
      )}
    </li>
  );
}
