import { useCallback, useEffect, useState } from "react";
import { commands, type ActionItemView, type ConnectionView, type PlannedRequest } from "../bindings";
import { call, messageOf } from "../api";
import { STORE_EVENT, useReloadOn } from "../storeChanges";
import { ErrorText, Field, Notice, Spinner } from "./common";
import { PlannedRequests } from "./Review";

/**
 * The RCA's action items (the task list under "Action items"), where each
 * is filed, and filing them as work items or tasks through a Review step
 * that shows the exact creates before anything is sent.
 */
export function ActionItems({ docId, version, beforeFiling }: { docId: string; version: string; beforeFiling: () => Promise<boolean> }) {
  const [items, setItems] = useState<ActionItemView[] | null>(null);
  const [targets, setTargets] = useState<ConnectionView[]>([]);
  const [target, setTarget] = useState("");
  const [review, setReview] = useState<PlannedRequest[] | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const load = useCallback(() => {
    call(commands.actionItems(docId)).then(
      (list) => (setItems(list), setError(null)),
      (e) => (setItems([]), setError(messageOf(e))),
    );
  }, [docId]);

  useEffect(load, [load, version]);
  // Filed by the CLI or delivered by the outbox worker meanwhile.
  useReloadOn(load, [STORE_EVENT, "outbox-changed"]);

  useEffect(() => {
    call(commands.listConnections()).then((all) => {
      const trackers = all.filter((c) => c.provider === "azure_devops" || c.provider === "servicenow");
      setTargets(trackers);
      const preferred = trackers.find((c) => c.is_default) ?? trackers[0];
      if (preferred) setTarget(preferred.name);
    });
  }, []);

  async function startReview() {
    if (!(await beforeFiling())) return;
    setBusy("review");
    setError(null);
    setDone(null);
    try {
      setReview(await call(commands.reviewActionItems(docId, target)));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  async function file() {
    setBusy("file");
    setError(null);
    try {
      const filed = await call(commands.fileActionItems(docId, target));
      const created = filed.filter((f) => f.created).length;
      setDone(`${created} filed, ${filed.length - created} already filed on ${target}.`);
      setReview(null);
      load();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  if (items === null) return <Spinner label="Reading the action items…" />;
  return (
    <section className="action-items" aria-label="Action items">
      <h3>Action items</h3>
      {items.length === 0 ? (
        <p className="muted">No action items: add a task list under an “Action items” heading, e.g. “- [ ] Add alert on queue depth — @alice, due 2026-12-20”.</p>
      ) : (
        <ul className="items small" data-testid="action-items">
          {items.map((item) => (
            <li key={item.key} data-testid="action-item">
              <span>
                {item.checked ? "☑" : "☐"} {item.title} <span className="muted">@{item.owner}</span>
                {item.due && <span className="muted"> · due {item.due}</span>}
              </span>
              {item.filings.length === 0 ? (
                <span className="muted"> · not filed</span>
              ) : (
                item.filings.map((f) => (
                  <span key={f.connection} data-testid="action-item-filing">
                    {" · "}
                    {f.url && f.external_key ? (
                      <button type="button" className="link" data-url={f.url} onClick={() => f.url && call(commands.openLink(f.url))}>
                        {f.filed_as} {f.external_key}
                      </button>
                    ) : (
                      <span className="muted">{f.filed_as}: waiting in the outbox</span>
                    )}{" "}
                    on {f.connection}
                    {f.state && <span className="muted"> ({f.state})</span>}
                  </span>
                ))
              )}
            </li>
          ))}
        </ul>
      )}
      {targets.length === 0 ? (
        <p className="muted">Add an Azure DevOps or ServiceNow connection in Settings → Integrations to file action items.</p>
      ) : (
        items.length > 0 && (
          <div className="inline">
            <Field id="action-items-target" label="File to">
              <select id="action-items-target" value={target} onChange={(e) => (setTarget(e.target.value), setReview(null))}>
                {targets.map((t) => (
                  <option key={t.name} value={t.name}>
                    {t.name}
                  </option>
                ))}
              </select>
            </Field>
            <button type="button" onClick={startReview} disabled={busy !== null || !target} data-action="review-action-items">
              {busy === "review" ? <Spinner label="Preparing…" /> : "File action items"}
            </button>
          </div>
        )
      )}
      {review && (
        <div className="review" role="region" aria-label="Review the action items to file">
          <PlannedRequests
            requests={review}
            empty={`Every action item is filed on ${target} already: nothing would be sent.`}
            testId="action-item-request"
          />
          <div className="inline">
            <button type="button" className="primary" onClick={file} disabled={busy !== null || review.length === 0} data-action="file-action-items">
              {busy === "file" ? <Spinner label="Filing…" /> : `Send ${review.length} ${review.length === 1 ? "create" : "creates"}`}
            </button>
            <button type="button" onClick={() => setReview(null)} disabled={busy !== null}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {done && <Notice>{done}</Notice>}
      <ErrorText message={error} />
    </section>
  );
}
