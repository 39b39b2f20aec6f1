import { useCallback, useEffect, useState } from "react";
import { listen } from "@tauri-apps/api/event";
import { commands } from "./bindings";
import { Integrations } from "./components/Integrations";
import { Incidents } from "./components/Incidents";
import { Documents } from "./components/Documents";
import { Activity } from "./components/Activity";
import { HelpOverlay } from "./components/HelpOverlay";
import { ThemeSwitch } from "./components/ThemeSwitch";
import { Toasts, type Toast } from "./components/Toasts";
import { actionFor, dispatch, onAction, type Action } from "./ui/shortcuts";
import { NavigationContext, SCREENS, type Destination, type Screen } from "./ui/navigation";
import { onOutboxTouched, outboxCounts, type OutboxCounts } from "./ui/outbox";
import { About } from "./components/About";

/** What the shell sends when a queued write lands or fails for good (see src-tauri/src/notify.rs). */
type OutboxNotice = { title: string; body: string; screen: Screen; record: string | null; failed: boolean };

/** The incident list renders only the rows in view; "off" renders all (the baseline e2e/measure-list.mjs compares with). */
const VIRTUAL_LIST = localStorage.getItem("ibridge.virtualList") !== "off";

const SCREEN_ACTIONS: Record<string, Screen> = {
  "screen-integrations": "integrations",
  "screen-incidents": "incidents",
  "screen-documents": "documents",
  "screen-activity": "activity",
};

export function App() {
  const [screen, setScreen] = useState<Screen>("integrations");
  const [record, setRecord] = useState<string | null>(null);
  // A sign-in asked for by an error's action; `at` starts it again on a second ask.
  const [signIn, setSignIn] = useState<{ name: string; at: number } | null>(null);
  const [help, setHelp] = useState(false);
  const [counts, setCounts] = useState<OutboxCounts>({ pending: 0, failed: 0 });
  const [toasts, setToasts] = useState<Toast[]>([]);

  const go = useCallback((to: Destination) => {
    setScreen(to.screen);
    setRecord(to.record ?? null);
    setSignIn(to.intent === "sign-in" && to.record ? { name: to.record, at: Date.now() } : null);
  }, []);

  const refreshCounts = useCallback(() => {
    commands.listOutbox().then(
      (r) => r.status === "ok" && setCounts(outboxCounts(r.data)),
      () => {},
    );
  }, []);

  // One key listener for the whole window; each screen handles its own actions.
  useEffect(() => {
    const stops = [
      onAction("help", () => setHelp((h) => !h)),
      onAction("close", () => (help ? setHelp(false) : false)),
      onAction("new-incident", () => go({ screen: "incidents", record: "new" }), { fallback: true }),
      ...Object.entries(SCREEN_ACTIONS).map(([action, to]) => onAction(action as Action, () => go({ screen: to }), { fallback: true })),
    ];
    const onKey = (e: KeyboardEvent) => {
      const action = actionFor(e);
      if (!action) return;
      if (help && action !== "help" && action !== "close") return;
      if (dispatch(action)) e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      stops.forEach((stop) => stop());
    };
  }, [go, help]);

  // "New incident" from another screen: switch first, then let the screen open its form.
  useEffect(() => {
    if (screen === "incidents" && record === "new") {
      setRecord(null);
      setTimeout(() => dispatch("new-incident"), 0);
    }
  }, [screen, record]);

  useEffect(() => {
    refreshCounts();
    const stopLocal = onOutboxTouched(refreshCounts);
    const stops = [
      listen("outbox-changed", () => refreshCounts()),
      listen<OutboxNotice>("outbox-notice", (event) => {
        const n = event.payload;
        setToasts((all) => [...all.slice(-3), { id: `${Date.now()}-${all.length}`, ...n }]);
        refreshCounts();
      }),
      listen<Destination>("open-record", (event) => go(event.payload)),
    ];
    return () => {
      stopLocal();
      stops.forEach((p) => p.then((stop) => stop()));
    };
  }, [refreshCounts, go]);

  useEffect(() => {
    refreshCounts();
  }, [screen, refreshCounts]);

  const badge = counts.pending + counts.failed;
  return (
    <NavigationContext.Provider value={go}>
      <div className="app">
        <a className="skip" href="#main">
          Skip to content
        </a>
        <nav className="sidebar" aria-label="Main">
          <div className="brand">Incident Bridge</div>
          <ul>
            {SCREENS.map((s, index) => (
              <li key={s.id}>
                <button
                  type="button"
                  className={screen === s.id ? "nav active" : "nav"}
                  aria-current={screen === s.id ? "page" : undefined}
                  aria-keyshortcuts={`Control+${index + 1}`}
                  data-screen={s.id}
                  onClick={() => go({ screen: s.id })}
                >
                  {s.label}
                  {s.id === "activity" && badge > 0 && (
                    <span
                      className={counts.failed > 0 ? "nav-badge failed" : "nav-badge"}
                      data-testid="activity-badge"
                      aria-label={`${counts.pending} waiting, ${counts.failed} need attention`}
                    >
                      {counts.failed > 0 ? `${counts.pending} · ${counts.failed}!` : counts.pending}
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
          <div className="sidebar-foot">
            <ThemeSwitch />
            <About />
            <button type="button" className="nav" onClick={() => setHelp(true)} data-action="help" aria-keyshortcuts="?">
              Keyboard shortcuts (?)
            </button>
          </div>
        </nav>
        <main className="content" id="main" tabIndex={-1}>
          {screen === "integrations" && <Integrations open={record} signIn={signIn} />}
          {screen === "incidents" && <Incidents open={record === "new" ? null : record} virtual={VIRTUAL_LIST} />}
          {screen === "documents" && <Documents open={record} />}
          {screen === "activity" && <Activity onChanged={refreshCounts} />}
        </main>
        <Toasts toasts={toasts} onDismiss={(id) => setToasts((all) => all.filter((t) => t.id !== id))} onOpen={go} />
        {help && <HelpOverlay onClose={() => setHelp(false)} />}
      </div>
    </NavigationContext.Provider>
  );
}
