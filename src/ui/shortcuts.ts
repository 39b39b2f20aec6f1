// Keyboard shortcuts: one table (also shown in the `?` overlay and the user
// guide), one matcher from a key event to an action, and a small registry
// so the screen that can do an action (save, publish, add note) handles it.

export type Action =
  | "help"
  | "search"
  | "new-incident"
  | "add-note"
  | "save"
  | "publish"
  | "screen-integrations"
  | "screen-incidents"
  | "screen-documents"
  | "screen-activity"
  | "close";

export type Shortcut = { action: Action; keys: string; description: string };

/** "Mod" is Ctrl (Cmd on macOS). */
export const SHORTCUTS: Shortcut[] = [
  { action: "help", keys: "?", description: "Show or hide this list of shortcuts" },
  { action: "search", keys: "/ or Mod+F", description: "Search the incidents or documents on screen" },
  { action: "new-incident", keys: "Mod+Shift+N", description: "Record a new incident" },
  { action: "add-note", keys: "Mod+Shift+M", description: "Add a note to the open incident" },
  { action: "save", keys: "Mod+S", description: "Save the incident or document being edited" },
  { action: "publish", keys: "Mod+Shift+P", description: "Publish the open document to Confluence" },
  { action: "screen-integrations", keys: "Mod+1", description: "Go to Settings → Integrations" },
  { action: "screen-incidents", keys: "Mod+2", description: "Go to Incidents" },
  { action: "screen-documents", keys: "Mod+3", description: "Go to RCAs & post-mortems" },
  { action: "screen-activity", keys: "Mod+4", description: "Go to Activity" },
  { action: "close", keys: "Esc", description: "Close this overlay or cancel the open form" },
];

type KeyLike = Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "shiftKey" | "altKey"> & { target: EventTarget | null };

function typingIn(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== "string") return false;
  const el = target as HTMLElement;
  const tag = el.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
}

/** The action a key press asks for, or null. Plain-character shortcuts never fire while typing in a field. */
export function actionFor(e: KeyLike): Action | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (mod && !e.altKey) {
    if (e.shiftKey) {
      if (key === "n") return "new-incident";
      if (key === "m") return "add-note";
      if (key === "p") return "publish";
      return null;
    }
    if (key === "s") return "save";
    if (key === "f") return "search";
    if (key === "1") return "screen-integrations";
    if (key === "2") return "screen-incidents";
    if (key === "3") return "screen-documents";
    if (key === "4") return "screen-activity";
    return null;
  }
  if (e.key === "Escape") return "close";
  if (mod || e.altKey || typingIn(e.target)) return null;
  if (e.key === "?") return "help";
  if (e.key === "/") return "search";
  return null;
}

type Handler = () => boolean | void;
const handlers = new Map<Action, Handler[]>();

/**
 * Registers `handler` for `action`; the latest registration runs first,
 * except `fallback` handlers, which run only when no other one accepts.
 * Returns the unregister.
 */
export function onAction(action: Action, handler: Handler, { fallback = false } = {}): () => void {
  const list = handlers.get(action) ?? [];
  if (fallback) list.push(handler);
  else list.unshift(handler);
  handlers.set(action, list);
  return () => {
    const now = handlers.get(action) ?? [];
    handlers.set(
      action,
      now.filter((h) => h !== handler),
    );
  };
}

/** Whether a mounted screen (or the window) can do `action` right now. */
export function canDo(action: Action): boolean {
  return (handlers.get(action) ?? []).length > 0;
}

/** Shortcuts that only exist where a screen offers them (listed only then). */
export const CONTEXTUAL: ReadonlySet<Action> = new Set<Action>(["add-note"]);

/** Runs the newest handler of `action` that accepts it (returns anything but false). True if one did. */
export function dispatch(action: Action): boolean {
  for (const handler of handlers.get(action) ?? []) {
    if (handler() !== false) return true;
  }
  return false;
}

export function shortcutLabel(keys: string, mac: boolean = /Mac|iPhone|iPad/.test(navigator.platform)): string {
  return keys.replace(/Mod/g, mac ? "⌘" : "Ctrl");
}
