import { useState } from "react";
import { Integrations } from "./components/Integrations";
import { Incidents } from "./components/Incidents";
import { Documents } from "./components/Documents";
import { Activity } from "./components/Activity";

const SCREENS = [
  { id: "integrations", label: "Settings → Integrations" },
  { id: "incidents", label: "Incidents" },
  { id: "documents", label: "RCAs & post-mortems" },
  { id: "activity", label: "Activity" },
] as const;

type Screen = (typeof SCREENS)[number]["id"];

export function App() {
  const [screen, setScreen] = useState<Screen>("integrations");
  return (
    <div className="app">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Incident Bridge</div>
        <ul>
          {SCREENS.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                className={screen === s.id ? "nav active" : "nav"}
                aria-current={screen === s.id ? "page" : undefined}
                data-screen={s.id}
                onClick={() => setScreen(s.id)}
              >
                {s.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        {screen === "integrations" && <Integrations />}
        {screen === "incidents" && <Incidents />}
        {screen === "documents" && <Documents />}
        {screen === "activity" && <Activity />}
      </main>
    </div>
  );
}
