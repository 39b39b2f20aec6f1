import { describe, expect, it } from "vitest";
import { applyTheme, nextChoice, resolveTheme, storeChoice, storedChoice } from "./theme";

function memory() {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k), map };
}

describe("theme", () => {
  it("follows the system unless a theme is chosen", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });

  it("remembers the choice, and 'system' is the absence of one", () => {
    const storage = memory();
    expect(storedChoice(storage)).toBe("system");
    storeChoice("dark", storage);
    expect(storedChoice(storage)).toBe("dark");
    storeChoice("system", storage);
    expect(storage.map.size).toBe(0);
    storage.setItem("ibridge.theme", "purple");
    expect(storedChoice(storage)).toBe("system");
  });

  it("cycles system → dark → light → system", () => {
    expect(nextChoice("system")).toBe("dark");
    expect(nextChoice("dark")).toBe("light");
    expect(nextChoice("light")).toBe("system");
  });

  it("marks <html> so the CSS and form controls switch", () => {
    const root = document.createElement("html");
    applyTheme("dark", root);
    expect(root.dataset.theme).toBe("dark");
    expect(root.style.colorScheme).toBe("dark");
  });
});
