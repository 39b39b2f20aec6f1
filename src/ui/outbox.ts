/** What the Activity badge counts: writes waiting to be sent, and writes that need the person. */
export type OutboxCounts = { pending: number; failed: number };

export function outboxCounts(entries: { state: string }[]): OutboxCounts {
  let pending = 0;
  let failed = 0;
  for (const e of entries) {
    if (e.state === "pending" || e.state === "in_flight") pending += 1;
    else if (e.state === "failed") failed += 1;
  }
  return { pending, failed };
}

const LOCAL_CHANGE = "ibridge:outbox-touched";

/** Says that something this window did may have queued or sent a write (the badge recounts). */
export function outboxTouched() {
  window.dispatchEvent(new Event(LOCAL_CHANGE));
}

export function onOutboxTouched(listener: () => void): () => void {
  window.addEventListener(LOCAL_CHANGE, listener);
  return () => window.removeEventListener(LOCAL_CHANGE, listener);
}
