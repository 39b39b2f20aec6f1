// Light or dark: follows the system setting unless the person picks one.
// The choice is kept in localStorage (it is a display preference, not data).

export type ThemeChoice = "system" | "light" | "dark";
export type Theme = "light" | "dark";

const KEY = "ibridge.theme";
const DARK_QUERY = "(prefers-color-scheme: dark)";

export function storedChoice(storage: Pick<Storage, "getItem"> = localStorage): ThemeChoice {
  const value = storage.getItem(KEY);
  return value === "light" || value === "dark" ? value : "system";
}

export function storeChoice(choice: ThemeChoice, storage: Pick<Storage, "setItem" | "removeItem"> = localStorage) {
  if (choice === "system") storage.removeItem(KEY);
  else storage.setItem(KEY, choice);
}

export function systemPrefersDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia(DARK_QUERY).matches;
}

export function resolveTheme(choice: ThemeChoice, prefersDark: boolean): Theme {
  if (choice === "system") return prefersDark ? "dark" : "light";
  return choice;
}

/** Sets the theme on <html> (CSS keys off data-theme). */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement) {
  root.dataset.theme = theme;
  root.style.colorScheme = theme;
}

/** Calls `onChange` when the system setting changes; returns the unsubscribe. */
export function watchSystemTheme(onChange: (prefersDark: boolean) => void): () => void {
  if (typeof window.matchMedia !== "function") return () => {};
  const query = window.matchMedia(DARK_QUERY);
  const listener = (e: MediaQueryListEvent) => onChange(e.matches);
  query.addEventListener("change", listener);
  return () => query.removeEventListener("change", listener);
}

/** The next choice of the theme switch: system → dark → light → system. */
export function nextChoice(choice: ThemeChoice): ThemeChoice {
  return choice === "system" ? "dark" : choice === "dark" ? "light" : "system";
}
