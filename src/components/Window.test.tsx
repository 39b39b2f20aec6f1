import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

const previewMarkdown = vi.fn();
vi.mock("../bindings", () => ({ commands: { previewMarkdown: (...a: unknown[]) => previewMarkdown(...a) } }));

import { CommandError } from "../api";
import { Problem } from "./common";
import { HelpOverlay } from "./HelpOverlay";
import { Markdown } from "./Markdown";
import { VirtualList } from "./VirtualList";
import { CONTEXTUAL, onAction, SHORTCUTS } from "../ui/shortcuts";

describe("errors with a way out", () => {
  it("offers to sign in again when the sign-in expired", async () => {
    const user = userEvent.setup();
    const open = vi.fn();
    render(<Problem error={new CommandError({ kind: "auth_needed", field: null, message: "'sn' needs you to sign in again" })} onOpenSettings={open} onRetry={vi.fn()} />);
    expect(screen.getByRole("alert")).toHaveTextContent("'sn' needs you to sign in again");
    await user.click(screen.getByRole("button", { name: "Reconnect in Settings" }));
    expect(open).toHaveBeenCalled();
    expect(screen.queryByRole("button", { name: "Retry" })).toBeNull();
  });

  it("offers a retry when the service failed, and nothing for bad input", async () => {
    const user = userEvent.setup();
    const retry = vi.fn();
    const { rerender } = render(<Problem error={new CommandError({ kind: "remote", field: null, message: "network error" })} onRetry={retry} />);
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(retry).toHaveBeenCalledTimes(1);
    rerender(<Problem error={new CommandError({ kind: "invalid_input", field: "title", message: "invalid title" })} onRetry={retry} />);
    expect(screen.queryByRole("button")).toBeNull();
  });
});

describe("help overlay", () => {
  it("lists every shortcut and takes the focus to its Close button", () => {
    render(<HelpOverlay onClose={vi.fn()} />);
    expect(screen.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeInTheDocument();
    for (const s of SHORTCUTS.filter((s) => !CONTEXTUAL.has(s.action))) expect(screen.getByText(s.description)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Close" })).toHaveFocus();
  });

  it("lists a screen's own shortcut only while that screen offers it", () => {
    const note = SHORTCUTS.find((s) => s.action === "add-note")!;
    const { unmount } = render(<HelpOverlay onClose={vi.fn()} />);
    expect(screen.queryByText(note.description)).toBeNull();
    unmount();
    const stop = onAction("add-note", () => {});
    render(<HelpOverlay onClose={vi.fn()} />);
    expect(screen.getByText(note.description)).toBeInTheDocument();
    stop();
  });
});

describe("Markdown", () => {
  it("shows the core's sanitised HTML, never the raw text as markup", async () => {
    previewMarkdown.mockResolvedValue("<p>Errors on <strong>pay</strong> &lt;img src=x onerror=alert(1)&gt;</p>");
    const { container } = render(<Markdown text={"Errors on **pay** <img src=x onerror=alert(1)>"} />);
    expect(await screen.findByText("pay")).toContainHTML("pay");
    expect(container.querySelector("strong")).not.toBeNull();
    expect(container.querySelector("img")).toBeNull();
    expect(previewMarkdown).toHaveBeenCalledWith("Errors on **pay** <img src=x onerror=alert(1)>");
  });

  it("shows the text as text while the render is unavailable", async () => {
    previewMarkdown.mockRejectedValue(new Error("no IPC"));
    const { container } = render(<Markdown text={"<b>not bold</b>"} />);
    expect(await screen.findByText("<b>not bold</b>")).toBeInTheDocument();
    expect(container.querySelector("b")).toBeNull();
  });
});

describe("virtual list", () => {
  const items = Array.from({ length: 5000 }, (_, i) => ({ id: `i${i}`, title: `Incident ${i}` }));
  const row = (i: { title: string }) => <button type="button">{i.title}</button>;

  it("renders only the rows in view of 5,000", () => {
    render(<VirtualList items={items} rowHeight={50} height={500} keyOf={(i) => i.id} selectedKey={null} onSelect={vi.fn()} renderRow={row} label="Incidents" />);
    const rendered = screen.getAllByRole("listitem");
    expect(rendered.length).toBeLessThan(30);
    expect(rendered[0]).toHaveAttribute("aria-setsize", "5000");
  });

  it("moves the selection with the arrow keys", async () => {
    const user = userEvent.setup();
    const onSelect = vi.fn();
    render(<VirtualList items={items} rowHeight={50} height={500} keyOf={(i) => i.id} selectedKey="i0" onSelect={onSelect} renderRow={row} label="Incidents" />);
    screen.getByText("Incident 0").focus();
    await user.keyboard("{ArrowDown}");
    expect(onSelect).toHaveBeenLastCalledWith(items[1]);
    await user.keyboard("{End}");
    expect(onSelect).toHaveBeenLastCalledWith(items[4999]);
  });

  it("renders every row when asked (the measurement's baseline)", () => {
    render(<VirtualList items={items.slice(0, 300)} rowHeight={50} height={500} keyOf={(i) => i.id} selectedKey={null} onSelect={vi.fn()} renderRow={row} label="Incidents" virtual={false} />);
    expect(screen.getAllByRole("listitem")).toHaveLength(300);
  });
});
