// The button for a failed command's suggested action. The core says what
// to do and names the records; this performs it: navigates to the right
// place, or calls the one command that fixes it. Destructive steps
// (overwriting a page's edits, discarding a write) ask first.
import { useState } from "react";
import { commands, type Action } from "../bindings";
import { call, CommandError, messageOf } from "../api";
import { useNavigate } from "../ui/navigation";
import { outboxTouched } from "../ui/outbox";

/** The suggested action of an error, if it carries one. */
export function actionOf(error: unknown): Action | null {
  return error instanceof CommandError ? error.action : null;
}

type Step = { label: string; confirm?: string; confirmLabel?: string; run: () => Promise<string | null> | string | null };

function useStep(action: Action): Step | null {
  const navigate = useNavigate();
  switch (action.type) {
    case "reconnect":
      return {
        label: `Sign in to '${action.connection}' again`,
        run: () => (navigate({ screen: "integrations", record: action.connection, intent: "sign-in" }), null),
      };
    case "edit_connection":
      return {
        label: `Open '${action.connection}' in Settings`,
        run: () => (navigate({ screen: "integrations", record: action.connection }), null),
      };
    case "test_connection":
      return {
        label: `Test '${action.connection}' again`,
        run: async () => (await call(commands.testConnection(action.connection))).message,
      };
    case "overwrite":
      return {
        label: "Overwrite their edits…",
        confirm: "Publish again and replace the edits made in Confluence since the last publish? Those edits are lost.",
        confirmLabel: "Overwrite",
        run: async () => {
          const published = await call(commands.publishDocument(action.document, action.connection, null, null, true, false));
          return `Published over their edits: version ${published.page.version}.`;
        },
      };
    case "attach_asset":
      return {
        label: `Open the document to attach '${action.name}'`,
        run: () => (navigate({ screen: "documents", record: action.document }), null),
      };
    case "run_outbox":
      return {
        label: "Send the outbox now",
        run: async () => {
          const report = await call(commands.runOutbox());
          outboxTouched();
          return `Sent ${report.delivered.length}; ${report.failed.length} need you.`;
        },
      };
    case "discard_entry":
      return {
        label: "Discard this write…",
        confirm: "Discard this write? It will not be sent.",
        confirmLabel: "Discard",
        run: async () => {
          await call(commands.discardOutbox(action.entry));
          outboxTouched();
          return "Discarded.";
        },
      };
    case "supply_input":
      // The form shows the field at fault next to its input.
      return null;
    case "set_filing_field":
      // The window has no editor for a connection's filing fields yet; the
      // message names the field and its allowed values.
      return null;
  }
}

export function ErrorAction({ action }: { action: Action }) {
  const step = useStep(action);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  if (!step) return null;

  async function perform(s: Step) {
    setConfirming(false);
    setBusy(true);
    setOutcome(null);
    try {
      const text = await s.run();
      if (text) setOutcome({ ok: true, text });
    } catch (e) {
      setOutcome({ ok: false, text: messageOf(e) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="error-action" data-action-type={action.type}>
      {confirming && step.confirm ? (
        <span className="confirm" role="group" aria-label="Confirm">
          {step.confirm}{" "}
          <button type="button" className="danger" onClick={() => perform(step)}>
            {step.confirmLabel}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" disabled={busy} data-remedy={action.type} onClick={() => (step.confirm ? setConfirming(true) : perform(step))}>
          {busy ? "Working…" : step.label}
        </button>
      )}
      {outcome && (
        <p className={outcome.ok ? "ok" : "error"} role={outcome.ok ? "status" : "alert"}>
          {outcome.text}
        </p>
      )}
    </div>
  );
}
