import { useCallback, useEffect, useState } from "react";
import { commands, type Entry, type OutboxEntry } from "../bindings";
import { call } from "../api";
import { operationLabel, outboxStateLabel, recordScreen } from "../ui/labels";
import { outboxCounts } from "../ui/outbox";
import { useNavigate } from "../ui/navigation";
import { Notice, Problem, Spinner } from "./common";
import { Time } from "./Time";
import { STORE_EVENT, useReloadOn } from "../storeChanges";

const RELOAD_ON = [STORE_EVENT, "outbox-changed"];

export function Activity({ onChanged }: { onChanged?: () => void }) {
  const navigate = useNavigate();
  const [outbox, setOutbox] = useState<OutboxEntry[] | null>(null);
  const [audit, setAudit] = useState<Entry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setOutbox(await call(commands.listOutbox()));
      setAudit(await call(commands.listAudit(100)));
      onChanged?.();
    } catch (e) {
      setError(e);
    }
  }, [onChanged]);
  useEffect(() => {
    load();
  }, [load]);
  useReloadOn(load, RELOAD_ON);

  async function act(label: string, run: () => Promise<string>) {
    setBusy(label);
    setError(null);
    setNotice(null);
    try {
      setNotice(await run());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
      load();
    }
  }

  return (
    <section aria-labelledby="activity-title">
      <h1 id="activity-title">Activity</h1>
      {notice && <Notice>{notice}</Notice>}
      <Problem error={error} onRetry={load} onOpenSettings={() => navigate({ screen: "integrations" })} />
      <h2>Outbox</h2>
      {outbox && <OutboxSummary entries={outbox} />}
      <p className="muted small">Every page, incident and work item write is recorded here before it is sent.</p>
      <button
        type="button"
        disabled={busy !== null}
        onClick={() =>
          act("run", async () => {
            const r = await call(commands.runOutbox());
            return `Sent ${r.delivered.length}; ${r.retrying.length} waiting to retry; ${r.failed.length} need attention.`;
          })
        }
      >
        {busy === "run" ? <Spinner label="Sending…" /> : "Send pending now"}
      </button>
      {outbox === null ? (
        <Spinner label="Loading…" />
      ) : outbox.length === 0 ? (
        <p className="muted">Nothing has been sent yet.</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>What</th>
              <th>Where</th>
              <th>State</th>
              <th>Tries</th>
              <th>Next try</th>
              <th>Last error</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {outbox.map((e) => (
              <tr key={e.id} data-state={e.state}>
                <td>{e.operation ? operationLabel(e.operation) : "(unreadable)"}</td>
                <td>{e.connection}</td>
                <td>{outboxStateLabel(e.state)}</td>
                <td>{e.attempts}</td>
                <td>{e.next_attempt_at ? <Time at={e.next_attempt_at} /> : "—"}</td>
                <td className="small">{e.last_error ?? ""}</td>
                <td className="row-actions">
                  {e.operation && recordScreen(e.operation) && (
                    <button type="button" className="link" onClick={() => navigate({ screen: recordScreen(e.operation) ?? "activity", record: e.subject_id })}>
                      Open the record
                    </button>
                  )}
                  {(e.state === "failed" || e.state === "pending") && (
                    <>
                      <button type="button" onClick={() => act(`retry-${e.id}`, async () => (await call(commands.retryOutbox(e.id)), "Sent."))}>
                        Retry
                      </button>
                      <button type="button" onClick={() => act(`discard-${e.id}`, async () => (await call(commands.discardOutbox(e.id)), "Discarded."))}>
                        Discard
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Audit log</h2>
      <button
        type="button"
        data-action="verify-audit"
        disabled={busy !== null}
        onClick={() => act("verify", async () => `Audit log intact: ${(await call(commands.verifyAudit())).entries} entries, hash chain verified.`)}
      >
        Verify
      </button>
      {audit && (
        <table className="grid small">
          <thead>
            <tr>
              <th>#</th>
              <th>When</th>
              <th>Who</th>
              <th>Action</th>
              <th>Connection</th>
              <th>Outcome</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {audit.map((a) => (
              <tr key={a.seq}>
                <td>{a.seq}</td>
                <td>
                  <Time at={a.at} />
                </td>
                <td>{a.actor}</td>
                <td>{a.action}</td>
                <td>{a.connection ?? ""}</td>
                <td>{a.outcome}</td>
                <td>{a.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function OutboxSummary({ entries }: { entries: { state: string }[] }) {
  const { pending, failed } = outboxCounts(entries);
  if (pending === 0 && failed === 0) return <p className="ok small">Everything has been sent.</p>;
  return (
    <p className={failed > 0 ? "error" : "small"} data-testid="outbox-summary">
      {pending > 0 && `${pending} waiting to be sent (they go out as soon as the service answers). `}
      {failed > 0 && `${failed} could not be sent: retry or discard them below.`}
    </p>
  );
}
