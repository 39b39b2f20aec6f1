import { useEffect, useRef } from "react";
import { canDo, CONTEXTUAL, SHORTCUTS, shortcutLabel } from "../ui/shortcuts";

/** The `?` overlay: every shortcut, and how to reach the rest by keyboard. */
export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    close.current?.focus();
    return () => before?.focus?.();
  }, []);
  return (
    <div className="overlay" onClick={onClose}>
      <div
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="help-title"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          // Keep Tab inside the dialog: it has one control.
          if (e.key === "Tab") {
            e.preventDefault();
            close.current?.focus();
          }
        }}
      >
        <h2 id="help-title">Keyboard shortcuts</h2>
        <table className="grid shortcuts">
          <thead>
            <tr>
              <th scope="col">Keys</th>
              <th scope="col">Does</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.filter((s) => !CONTEXTUAL.has(s.action) || canDo(s.action)).map((s) => (
              <tr key={s.action} data-shortcut={s.action}>
                <td>
                  <kbd>{shortcutLabel(s.keys)}</kbd>
                </td>
                <td>{s.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="small muted">
          Everything else: Tab and Shift+Tab move between controls, Enter or Space presses a button, and ↑ / ↓ move through a list.
        </p>
        <button ref={close} type="button" className="primary" onClick={onClose} data-action="close-help">
          Close
        </button>
      </div>
    </div>
  );
}
