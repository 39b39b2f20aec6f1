import { afterEach, describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";

const showIncident = vi.fn();
vi.mock("../bindings", () => ({
  commands: {
    listIncidents: async () => ({ status: "ok", data: [incident] }),
    listConnections: async () => ({ status: "ok", data: [] }),
    showIncident: (...a: unknown[]) => showIncident(...a),
    previewMarkdown: async (text: string) => `<p>${text}</p>`,
  },
}));
vi.mock("../ui/lifecycleApi", () => ({
  lifecycleApi: {
    timeline: async () => ({ incident: { id: "inc-1", status: "investigating", links: [] }, events: [] }),
    addEvent: vi.fn(),
    postEvent: vi.fn(),
    closeCodes: vi.fn(),
    setStatus: vi.fn(),
    sync: vi.fn(),
  },
}));

const incident = {
  id: "inc-1",
  title: "Checkout errors",
  description: "5xx on checkout",
  severity: "P1",
  status: "investigating",
  created_at: "2026-12-07T08:00:00Z",
  updated_at: "2026-12-07T08:00:00Z",
  links: [],
};

import { Incidents } from "./Incidents";

afterEach(() => {
  vi.useRealTimers();
});

describe("An open incident", () => {
  it("reads its linked records again every 3 minutes while it stays open, and stops when closed", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    showIncident.mockResolvedValue({ status: "ok", data: { incident, sync: [] } });
    const view = render(<Incidents open="inc-1" virtual={false} />);
    expect(await screen.findByRole("heading", { name: /Checkout errors/ })).toBeInTheDocument();
    expect(showIncident).toHaveBeenCalledTimes(1);

    await vi.advanceTimersByTimeAsync(2 * 60 * 1000);
    expect(showIncident).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(60 * 1000);
    expect(showIncident).toHaveBeenCalledTimes(2);
    expect(showIncident).toHaveBeenLastCalledWith("inc-1");
    await vi.advanceTimersByTimeAsync(3 * 60 * 1000);
    expect(showIncident).toHaveBeenCalledTimes(3);

    view.unmount();
    await vi.advanceTimersByTimeAsync(10 * 60 * 1000);
    expect(showIncident).toHaveBeenCalledTimes(3);
  });
});
