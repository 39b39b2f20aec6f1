import { beforeEach, describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

const publishDocument = vi.fn();
const runOutbox = vi.fn();
const discardOutbox = vi.fn();
const testConnection = vi.fn();
vi.mock("../bindings", () => ({
  commands: {
    publishDocument: (...a: unknown[]) => publishDocument(...a),
    runOutbox: (...a: unknown[]) => runOutbox(...a),
    discardOutbox: (...a: unknown[]) => discardOutbox(...a),
    testConnection: (...a: unknown[]) => testConnection(...a),
  },
}));

import type { Action } from "../bindings";
import { CommandError } from "../api";
import { NavigationContext } from "../ui/navigation";
import { Problem } from "./common";

function failure(kind: string, message: string, action: Action | null) {
  return new CommandError({ kind, field: null, message, action });
}

function renderProblem(error: unknown) {
  const navigate = vi.fn();
  render(
    <NavigationContext.Provider value={navigate}>
      <Problem error={error} onOpenSettings={vi.fn()} />
    </NavigationContext.Provider>,
  );
  return navigate;
}

describe("an error's suggested action", () => {
  beforeEach(() => vi.clearAllMocks());

  it("signs in to the named connection again", async () => {
    const user = userEvent.setup();
    const navigate = renderProblem(
      failure("auth_needed", "authentication needed for connection 'ado': not signed in yet", { type: "reconnect", connection: "ado" }),
    );
    // One way out, the one that names the connection.
    expect(screen.queryByRole("button", { name: "Reconnect in Settings" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Sign in to 'ado' again" }));
    expect(navigate).toHaveBeenCalledWith({ screen: "integrations", record: "ado", intent: "sign-in" });
  });

  it("opens the connection that lacks a setting", async () => {
    const user = userEvent.setup();
    const navigate = renderProblem(
      failure("invalid_input", "invalid project: connection 'ado' has no project", { type: "edit_connection", connection: "ado", setting: "project" }),
    );
    await user.click(screen.getByRole("button", { name: "Open 'ado' in Settings" }));
    expect(navigate).toHaveBeenCalledWith({ screen: "integrations", record: "ado" });
  });

  it("overwrites a page's edits only after the person confirms", async () => {
    const user = userEvent.setup();
    publishDocument.mockResolvedValue({ status: "ok", data: { page: { version: 4 }, created: false, uploaded: [], unchanged: false } });
    renderProblem(failure("conflict", "the page was edited in Confluence…", { type: "overwrite", document: "doc-1", connection: "team wiki" }));
    await user.click(screen.getByRole("button", { name: "Overwrite their edits…" }));
    expect(publishDocument).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Overwrite" }));
    expect(publishDocument).toHaveBeenCalledWith("doc-1", "team wiki", null, null, true, false);
    expect(await screen.findByText("Published over their edits: version 4.")).toBeInTheDocument();
  });

  it("cancelling the overwrite sends nothing", async () => {
    const user = userEvent.setup();
    renderProblem(failure("conflict", "edited", { type: "overwrite", document: "doc-1", connection: "wiki" }));
    await user.click(screen.getByRole("button", { name: "Overwrite their edits…" }));
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(publishDocument).not.toHaveBeenCalled();
    expect(screen.getByRole("button", { name: "Overwrite their edits…" })).toBeInTheDocument();
  });

  it("delivers the outbox so an interrupted write is reconciled", async () => {
    const user = userEvent.setup();
    runOutbox.mockResolvedValue({ status: "ok", data: { delivered: ["e1"], failed: [], retrying: [], busy: [] } });
    renderProblem(failure("conflict", "outbox entry e1 may have been sent", { type: "run_outbox" }));
    await user.click(screen.getByRole("button", { name: "Send the outbox now" }));
    expect(runOutbox).toHaveBeenCalledTimes(1);
    expect(await screen.findByText("Sent 1; 0 need you.")).toBeInTheDocument();
  });

  it("discards an unreadable entry after confirming", async () => {
    const user = userEvent.setup();
    discardOutbox.mockResolvedValue({ status: "ok", data: {} });
    renderProblem(failure("internal", "outbox entry e9 cannot be read", { type: "discard_entry", entry: "e9" }));
    await user.click(screen.getByRole("button", { name: "Discard this write…" }));
    expect(discardOutbox).not.toHaveBeenCalled();
    await user.click(screen.getByRole("button", { name: "Discard" }));
    expect(discardOutbox).toHaveBeenCalledWith("e9");
  });

  it("tests the connection again and shows what a failure says", async () => {
    const user = userEvent.setup();
    testConnection.mockResolvedValue({ status: "error", error: { kind: "remote", field: null, message: "network error: could not connect", action: null } });
    renderProblem(failure("remote", "could not connect", { type: "test_connection", connection: "sn" }));
    await user.click(screen.getByRole("button", { name: "Test 'sn' again" }));
    expect(testConnection).toHaveBeenCalledWith("sn");
    expect(await screen.findByText("network error: could not connect")).toBeInTheDocument();
  });

  it("opens the document to attach a missing image", async () => {
    const user = userEvent.setup();
    const navigate = renderProblem(
      failure("invalid_input", "invalid image: 'graph.png' is not an asset of this document", { type: "attach_asset", document: "doc-1", name: "graph.png" }),
    );
    await user.click(screen.getByRole("button", { name: "Open the document to attach 'graph.png'" }));
    expect(navigate).toHaveBeenCalledWith({ screen: "documents", record: "doc-1" });
  });

  it("offers no button for a missing input: the form marks the field", () => {
    renderProblem(failure("invalid_input", "invalid space: choose the space", { type: "supply_input", field: "space" }));
    expect(screen.queryByRole("button")).toBeNull();
  });
});
