import { useEffect, useState } from "react";
import { applyTheme, nextChoice, resolveTheme, storeChoice, storedChoice, systemPrefersDark, watchSystemTheme, type ThemeChoice } from "../ui/theme";

const LABEL: Record<ThemeChoice, string> = { system: "Theme: as the system", dark: "Theme: dark", light: "Theme: light" };

/** Cycles system → dark → light; "system" follows prefers-color-scheme as it changes. */
export function ThemeSwitch() {
  const [choice, setChoice] = useState<ThemeChoice>(() => storedChoice());
  const [prefersDark, setPrefersDark] = useState(() => systemPrefersDark());
  useEffect(() => watchSystemTheme(setPrefersDark), []);
  useEffect(() => applyTheme(resolveTheme(choice, prefersDark)), [choice, prefersDark]);
  return (
    <button
      type="button"
      className="nav"
      data-action="theme"
      data-theme-choice={choice}
      onClick={() => {
        const next = nextChoice(choice);
        storeChoice(next);
        setChoice(next);
      }}
    >
      {LABEL[choice]}
    </button>
  );
}
