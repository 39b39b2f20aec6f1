import { useEffect, useState, type ReactNode } from "react";
import { commands } from "../bindings";
import { messageOf } from "../api";
import { Spinner } from "./common";

// When the app could not open its data at start-up (for example a
// database written by a newer version), the screens have nothing to work
// on: show why, alone, instead of screens that would all fail.
export function StartupGate({ children }: { children: ReactNode }) {
  const [state, setState] = useState<{ checked: boolean; problem: string | null }>({ checked: false, problem: null });

  useEffect(() => {
    commands.startupProblem().then(
      (problem) => setState({ checked: true, problem }),
      (e: unknown) => setState({ checked: true, problem: messageOf(e) }),
    );
  }, []);

  if (!state.checked) return <Spinner label="Opening…" />;
  if (state.problem) {
    return (
      <main className="startup-problem" role="alert" aria-labelledby="startup-problem-title">
        <h1 id="startup-problem-title">Incident Bridge cannot open its data</h1>
        <p data-testid="startup-problem">{state.problem}</p>
        <p className="muted">Nothing was changed. Close this window and start the newer version, or the version that wrote this data.</p>
      </main>
    );
  }
  return <>{children}</>;
}
