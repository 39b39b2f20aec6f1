import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

const actionItems = vi.fn();
const reviewActionItems = vi.fn();
const fileActionItems = vi.fn();
vi.mock("../bindings", () => ({
  commands: {
    actionItems: (...a: unknown[]) => actionItems(...a),
    reviewActionItems: (...a: unknown[]) => reviewActionItems(...a),
    fileActionItems: (...a: unknown[]) => fileActionItems(...a),
    listConnections: async () => ({
      status: "ok",
      data: [
        { name: "wiki", provider: "confluence", is_default: true },
        { name: "ado", provider: "azure_devops", is_default: false },
      ],
    }),
    openLink: async () => ({ status: "ok", data: null }),
  },
}));

import { ActionItems } from "./ActionItems";

const unfiled = {
  key: "k1",
  title: "Add alert on queue depth",
  owner: "alice",
  due: "2026-12-20",
  checked: false,
  line: 9,
  filings: [],
};

describe("Action items", () => {
  it("lists the items, reviews the exact creates, then files them", async () => {
    const user = userEvent.setup();
    actionItems.mockResolvedValueOnce({ status: "ok", data: [unfiled] });
    reviewActionItems.mockResolvedValue({
      status: "ok",
      data: [{ method: "POST", url: "https://dev.azure.com/acme/Ops/_apis/wit/workitems/$Task?api-version=7.1", body: '[{"op":"add","path":"/fields/System.Title","value":"Add alert on queue depth"}]' }],
    });
    fileActionItems.mockResolvedValue({ status: "ok", data: [{ document_id: "d1", key: "k1", title: unfiled.title, created: true, filing: {} }] });
    actionItems.mockResolvedValue({
      status: "ok",
      data: [{ ...unfiled, filings: [{ connection: "ado", filed_as: "Task", external_key: "#1042", url: "https://dev.azure.com/acme/_workitems/edit/1042", state: "New", done: false }] }],
    });
    render(<ActionItems docId="d1" version="v1" beforeFiling={async () => true} />);
    expect(await screen.findByText(/Add alert on queue depth/)).toBeInTheDocument();
    expect(screen.getByText(/not filed/)).toBeInTheDocument();

    await user.click(await screen.findByRole("button", { name: "File action items" }));
    expect(reviewActionItems).toHaveBeenCalledWith("d1", "ado");
    expect(fileActionItems).not.toHaveBeenCalled();
    expect(screen.getByTestId("action-item-request").textContent).toContain("POST https://dev.azure.com/acme/Ops/_apis/wit/workitems/$Task");

    await user.click(screen.getByRole("button", { name: "Send 1 create" }));
    expect(fileActionItems).toHaveBeenCalledWith("d1", "ado");
    expect(await screen.findByText("1 filed, 0 already filed on ado.")).toBeInTheDocument();
    expect(await screen.findByRole("button", { name: "Task #1042" })).toBeInTheDocument();
    expect(screen.getByText("(New)")).toBeInTheDocument();
  });

  it("shows why the items cannot be read", async () => {
    actionItems.mockResolvedValue({
      status: "error",
      error: { kind: "invalid_input", field: "action item 1 (line 9)", message: "invalid action item 1 (line 9): 'X': due date 'tomorrow' is not a date written YYYY-MM-DD" },
    });
    render(<ActionItems docId="d1" version="v1" beforeFiling={async () => true} />);
    expect(await screen.findByText(/due date 'tomorrow' is not a date/)).toBeInTheDocument();
  });
});
