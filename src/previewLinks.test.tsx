import { describe, expect, it, vi, beforeEach } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

const openLink = vi.fn();
vi.mock("./bindings", () => ({ commands: { openLink: (...args: unknown[]) => openLink(...args) } }));

import { openPreviewLink } from "./previewLinks";

beforeEach(() => {
  openLink.mockReset();
  openLink.mockResolvedValue({ status: "ok", data: null });
});

function Preview({ html }: { html: string }) {
  return <div data-testid="preview" onClick={(e) => openPreviewLink(e)} dangerouslySetInnerHTML={{ __html: html }} />;
}

describe("links in the preview", () => {
  it("send an absolute link to the system browser and keep the window where it is", async () => {
    const user = userEvent.setup();
    const before = window.location.href;
    render(<Preview html={'<p><a href="https://status.example/incident/42"><em>status</em></a></p>'} />);
    await user.click(screen.getByText("status"));
    expect(openLink).toHaveBeenCalledWith("https://status.example/incident/42");
    expect(window.location.href).toBe(before);
  });

  it("ignore relative targets and anchors instead of navigating", async () => {
    const user = userEvent.setup();
    const before = window.location.href;
    render(<Preview html={'<a href="runbooks/db.md">runbook</a> <a href="#impact">impact</a>'} />);
    await user.click(screen.getByText("runbook"));
    await user.click(screen.getByText("impact"));
    expect(openLink).not.toHaveBeenCalled();
    expect(window.location.href).toBe(before);
  });
});
