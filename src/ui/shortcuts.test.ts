import { describe, expect, it } from "vitest";
import { actionFor, dispatch, onAction, SHORTCUTS, shortcutLabel } from "./shortcuts";

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}, target: EventTarget | null = null) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
  target,
});

describe("shortcuts", () => {
  it("maps the frequent actions", () => {
    expect(actionFor(key("?", { shiftKey: true }))).toBe("help");
    expect(actionFor(key("/"))).toBe("search");
    expect(actionFor(key("f", { ctrlKey: true }))).toBe("search");
    expect(actionFor(key("N", { ctrlKey: true, shiftKey: true }))).toBe("new-incident");
    expect(actionFor(key("M", { metaKey: true, shiftKey: true }))).toBe("add-note");
    expect(actionFor(key("s", { ctrlKey: true }))).toBe("save");
    expect(actionFor(key("P", { ctrlKey: true, shiftKey: true }))).toBe("publish");
    expect(actionFor(key("3", { ctrlKey: true }))).toBe("screen-documents");
    expect(actionFor(key("Escape"))).toBe("close");
    expect(actionFor(key("x"))).toBeNull();
  });

  it("never takes a plain character while the person types in a field", () => {
    const input = document.createElement("input");
    expect(actionFor(key("?", { shiftKey: true }, input))).toBeNull();
    expect(actionFor(key("/", {}, document.createElement("textarea")))).toBeNull();
    // Modified shortcuts still work in fields (save while editing).
    expect(actionFor(key("s", { ctrlKey: true }, input))).toBe("save");
  });

  it("runs the newest handler that accepts, then fallbacks", () => {
    const calls: string[] = [];
    const stopFallback = onAction("save", () => void calls.push("fallback"), { fallback: true });
    const stopOld = onAction("save", () => void calls.push("old"));
    const stopNew = onAction("save", () => (calls.push("new-declines"), false));
    expect(dispatch("save")).toBe(true);
    expect(calls).toEqual(["new-declines", "old"]);
    stopOld();
    dispatch("save");
    expect(calls.slice(2)).toEqual(["new-declines", "fallback"]);
    stopNew();
    stopFallback();
    expect(dispatch("save")).toBe(false);
  });

  it("lists every action once, with Ctrl or ⌘ for Mod", () => {
    expect(new Set(SHORTCUTS.map((s) => s.action)).size).toBe(SHORTCUTS.length);
    expect(shortcutLabel("Mod+S", false)).toBe("Ctrl+S");
    expect(shortcutLabel("Mod+S", true)).toBe("⌘+S");
  });
});
