import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

const getDocument = vi.fn();
const saveDocument = vi.fn();
const refreshDocumentTimeline = vi.fn();
vi.mock("../bindings", () => ({
  commands: {
    listDocuments: async () => ({ status: "ok", data: [] }),
    listIncidents: async () => ({ status: "ok", data: [] }),
    listConnections: async () => ({ status: "ok", data: [] }),
    actionItems: async () => ({ status: "ok", data: [] }),
    previewDocument: async () => ({ status: "ok", data: "<p>preview</p>" }),
    getDocument: (...a: unknown[]) => getDocument(...a),
    saveDocument: (...a: unknown[]) => saveDocument(...a),
    refreshDocumentTimeline: (...a: unknown[]) => refreshDocumentTimeline(...a),
  },
}));

import { Documents } from "./Documents";

const doc = {
  id: "d1",
  kind: "rca",
  title: "RCA: checkout",
  markdown: "# RCA\n\n## Timeline\n\n(old)\n",
  incident_id: "i1",
  created_at: "2026-12-07T08:00:00Z",
  updated_at: "2026-12-07T08:00:00Z",
  pages: [],
  space: null,
  parent: null,
  labels: [],
};

describe("Timeline from incident", () => {
  it("saves unsaved edits first, then shows the rewritten Timeline section", async () => {
    const user = userEvent.setup();
    getDocument.mockResolvedValue({ status: "ok", data: doc });
    saveDocument.mockImplementation(async (_id: string, title: string, markdown: string) => ({ status: "ok", data: { ...doc, title, markdown } }));
    const refreshed = "# RCA\n\n## Timeline\n\n- 10:02 UTC detected: checkout 5xx\n\nmy edit\n";
    refreshDocumentTimeline.mockResolvedValue({ status: "ok", data: { ...doc, markdown: refreshed } });
    render(<Documents open="d1" />);

    const editor = (await screen.findByLabelText("Markdown")) as HTMLTextAreaElement;
    await user.type(editor, "my edit");
    await user.click(screen.getByRole("button", { name: "Timeline from incident" }));

    expect(saveDocument).toHaveBeenCalledWith("d1", "RCA: checkout", `${doc.markdown}my edit`);
    expect(refreshDocumentTimeline).toHaveBeenCalledWith("d1");
    expect(saveDocument.mock.invocationCallOrder[0]).toBeLessThan(refreshDocumentTimeline.mock.invocationCallOrder[0]);
    await vi.waitFor(() => expect(editor.value).toBe(refreshed));
    expect(screen.getByRole("button", { name: "Saved" })).toBeDisabled();
  });

  it("is offered only for a document made from an incident", async () => {
    getDocument.mockResolvedValue({ status: "ok", data: { ...doc, incident_id: null } });
    render(<Documents open="d1" />);
    await screen.findByLabelText("Markdown");
    expect(screen.queryByRole("button", { name: "Timeline from incident" })).toBeNull();
  });
});
