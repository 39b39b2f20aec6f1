import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

const createIncident = vi.fn();
vi.mock("../bindings", () => ({ commands: { createIncident: (...a: unknown[]) => createIncident(...a) } }));

import { IncidentEditor } from "./Incidents";

describe("Incident editor", () => {
  it("refuses an empty title inline", async () => {
    const user = userEvent.setup();
    render(<IncidentEditor onSaved={vi.fn()} />);
    await user.click(screen.getByRole("button", { name: "Record incident" }));
    expect(screen.getByText("Give the incident a title.")).toBeInTheDocument();
    expect(createIncident).not.toHaveBeenCalled();
  });

  it("records the incident and reports automatic filings", async () => {
    const user = userEvent.setup();
    const onSaved = vi.fn();
    createIncident.mockResolvedValue({
      status: "ok",
      data: { incident: { id: "i-1" }, auto_filed: [{ connection: "sn", filed: null, error: "network error: could not connect" }] },
    });
    render(<IncidentEditor onSaved={onSaved} />);
    await user.type(screen.getByLabelText("Title"), "Checkout down");
    await user.selectOptions(screen.getByLabelText("Severity"), "P1");
    await user.type(screen.getByLabelText("Description (Markdown)"), "Errors on **pay**");
    await user.click(screen.getByRole("button", { name: "Record incident" }));
    expect(createIncident).toHaveBeenCalledWith({ title: "Checkout down", severity: "P1", description: "Errors on **pay**", status: "investigating" });
    expect(onSaved).toHaveBeenCalledWith("i-1");
    expect(await screen.findByText(/Not filed to 'sn' yet/)).toBeInTheDocument();
  });

  it("shows a server-side title error next to the title", async () => {
    const user = userEvent.setup();
    createIncident.mockResolvedValue({ status: "error", error: { kind: "invalid_input", field: "title", message: "invalid title: must be one line" } });
    render(<IncidentEditor onSaved={vi.fn()} />);
    await user.type(screen.getByLabelText("Title"), "ok title");
    await user.click(screen.getByRole("button", { name: "Record incident" }));
    expect(await screen.findByText("invalid title: must be one line")).toBeInTheDocument();
  });
});
