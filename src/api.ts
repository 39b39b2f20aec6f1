// Calls into the Rust side. Every command returns either its data or a
// UiError; `call` turns the error into a thrown CommandError the screens
// show (kind, field for inline form errors, an actionable message, and the
// suggested action).
import type { Action, UiError } from "./bindings";

export class CommandError extends Error {
  kind: string;
  field: string | null;
  /** What the person can do about it, offered as a button (see ErrorAction). */
  action: Action | null;
  constructor(error: UiError) {
    super(error.message);
    this.kind = error.kind;
    this.field = error.field ?? null;
    this.action = error.action ?? null;
  }
}

type Outcome<T> = { status: "ok"; data: T } | { status: "error"; error: UiError };

export async function call<T>(pending: Promise<Outcome<T>>): Promise<T> {
  const outcome = await pending;
  if (outcome.status === "error") throw new CommandError(outcome.error);
  return outcome.data;
}

export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
