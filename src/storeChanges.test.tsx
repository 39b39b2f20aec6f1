import { renderHook } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";

const handlers = new Map<string, () => void>();
const unlistened: string[] = [];
vi.mock("@tauri-apps/api/event", () => ({
  listen: vi.fn(async (name: string, handler: () => void) => {
    handlers.set(name, handler);
    return () => {
      unlistened.push(name);
      handlers.delete(name);
    };
  }),
}));

import { STORE_EVENT, useReloadOn } from "./storeChanges";

describe("useReloadOn", () => {
  beforeEach(() => {
    handlers.clear();
    unlistened.length = 0;
  });

  it("reloads when another process changed the store, and stops listening on unmount", async () => {
    const reload = vi.fn();
    const { unmount } = renderHook(() => useReloadOn(reload));
    await vi.waitFor(() => expect(handlers.has(STORE_EVENT)).toBe(true));
    expect(reload).not.toHaveBeenCalled();
    handlers.get(STORE_EVENT)?.();
    handlers.get(STORE_EVENT)?.();
    expect(reload).toHaveBeenCalledTimes(2);
    unmount();
    await vi.waitFor(() => expect(unlistened).toEqual([STORE_EVENT]));
  });

  it("listens to every event it is given", async () => {
    const reload = vi.fn();
    renderHook(() => useReloadOn(reload, [STORE_EVENT, "outbox-changed"]));
    await vi.waitFor(() => expect(handlers.size).toBe(2));
    handlers.get("outbox-changed")?.();
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
