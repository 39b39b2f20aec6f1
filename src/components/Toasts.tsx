import type { Destination, Screen } from "../ui/navigation";

export type Toast = { id: string; title: string; body: string; screen: Screen; record: string | null; failed: boolean };

/** In-window copies of the system notifications, each with a way to the record. */
export function Toasts({ toasts, onDismiss, onOpen }: { toasts: Toast[]; onDismiss: (id: string) => void; onOpen: (to: Destination) => void }) {
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={t.failed ? "toast failed" : "toast"} role={t.failed ? "alert" : "status"} data-testid="toast">
          <strong>{t.title}</strong>
          <p className="small">{t.body}</p>
          <div className="actions">
            <button
              type="button"
              className="primary"
              onClick={() => {
                onOpen({ screen: t.screen, record: t.record });
                onDismiss(t.id);
              }}
            >
              {t.failed ? "Open the record" : "Open"}
            </button>
            <button type="button" onClick={() => onDismiss(t.id)}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
