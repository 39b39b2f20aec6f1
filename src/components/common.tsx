import { CommandError, messageOf } from "../api";
import type { ReactNode } from "react";
import { ErrorAction } from "./ErrorAction";

export function Spinner({ label }: { label: string }) {
  return (
    <span className="spinner" role="status">
      <span className="dot" aria-hidden="true" /> {label}
    </span>
  );
}

export function ErrorText({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}

export function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className={error ? "field invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && !error && <small className="hint">{hint}</small>}
      {error && (
        <small className="field-error" id={`${id}-error`} role="alert">
          {error}
        </small>
      )}
    </div>
  );
}

/** What a person can do about a failed command, as a button. */
export type Remedy = { label: string; run: () => void; action: string };

/**
 * An error shown where it happened, with the way out as a button: sign in
 * again for an expired or revoked sign-in, retry for a service or network
 * failure, open settings when a connection is missing or misconfigured.
 */
export function Problem({
  error,
  onRetry,
  onOpenSettings,
}: {
  error: unknown;
  onRetry?: () => void;
  onOpenSettings?: () => void;
}) {
  if (error === null || error === undefined) return null;
  const kind = error instanceof CommandError ? error.kind : "local";
  const action = error instanceof CommandError ? error.action : null;
  const message = messageOf(error);
  const remedies: Remedy[] = [];
  let hint: string | null = null;
  if (kind === "auth_needed") {
    hint = "The sign-in for this connection has expired or was revoked.";
    // The error's own action names the connection; this is the fallback.
    if (onOpenSettings && !action) remedies.push({ label: "Reconnect in Settings", run: onOpenSettings, action: "reconnect" });
  } else if (kind === "remote") {
    hint = "The service did not answer as expected; nothing was lost, and you can try again.";
    if (onRetry) remedies.push({ label: "Retry", run: onRetry, action: "retry" });
  } else if (kind === "not_found" && onOpenSettings) {
    remedies.push({ label: "Open settings", run: onOpenSettings, action: "open-settings" });
  } else if (onRetry && kind !== "invalid_input") {
    remedies.push({ label: "Try again", run: onRetry, action: "retry" });
  }
  return (
    <div className="problem" role="alert" data-kind={kind}>
      <p className="error">{message}</p>
      {hint && <p className="small">{hint}</p>}
      {action && <ErrorAction action={action} />}
      {remedies.length > 0 && (
        <div className="actions">
          {remedies.map((r) => (
            <button key={r.action} type="button" onClick={r.run} data-remedy={r.action}>
              {r.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
