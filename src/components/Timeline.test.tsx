import { describe, expect, it, vi, beforeEach } from "vitest";
import { render, screen, within, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

// Markdown as the core renders it: the text is escaped there, so a test
// marker shows that the pane shows the renderer's output, not the raw text.
vi.mock("../bindings", () => ({
  commands: { previewMarkdown: async (text: string) => `<p data-rendered="1">${text.replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")}</p>` },
}));

import { CommandError } from "../api";
import { dispatch } from "../ui/shortcuts";
import type { LifecycleApi, Timeline, TimelineEvent } from "../ui/lifecycle";
import { TimelinePane } from "./Timeline";

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function event(over: Partial<TimelineEvent>): TimelineEvent {
  return {
    id: "ev-1",
    incident_id: "inc-1",
    kind: "note",
    occurred_at: minutesAgo(12),
    author: "ana",
    text: "Errors on **pay**",
    source: "local",
    connection: null,
    external_id: null,
    posted: [],
    ...over,
  };
}

function timeline(status: string, events: TimelineEvent[], links = [{ connection: "sn", provider: "servicenow" }]): Timeline {
  return { incident: { id: "inc-1", status, links }, events };
}

function fakeApi(over: Partial<LifecycleApi> = {}): LifecycleApi {
  return {
    timeline: vi.fn(async () => timeline("investigating", [])),
    addEvent: vi.fn(),
    postEvent: vi.fn(),
    closeCodes: vi.fn(async () => [{ connection: "sn", choices: [{ value: "Solved (Permanently)", label: "Solved (Permanently)" }, { value: "Workaround", label: "Solved (Work Around)" }] }]),
    setStatus: vi.fn(),
    sync: vi.fn(),
    ...over,
  };
}

function pane(api: LifecycleApi, more: { onChanged?: () => void; onOpenActivity?: () => void; onOpenSettings?: () => void } = {}) {
  return render(
    <TimelinePane incidentId="inc-1" api={api} onChanged={more.onChanged ?? vi.fn()} onOpenSettings={more.onOpenSettings ?? vi.fn()} onOpenActivity={more.onOpenActivity ?? vi.fn()} />,
  );
}

beforeEach(() => vi.clearAllMocks());

describe("timeline pane", () => {
  it("shows each event newest first: local relative time with the exact time on hover, kind, author, source, rendered Markdown", async () => {
    const api = fakeApi({
      timeline: vi.fn(async () =>
        timeline("identified", [
          event({ id: "a", kind: "detected", occurred_at: minutesAgo(90), text: "Alerts fire" }),
          event({ id: "b", kind: "note", occurred_at: minutesAgo(12), author: "Beth Agent", source: "servicenow", connection: "sn", text: "Caller says **pay** fails" }),
          event({ id: "c", kind: "mitigated", occurred_at: minutesAgo(2), posted: [{ connection: "sn", channel: "work_notes", remote_id: "j1", posted_at: minutesAgo(2) }], text: "Rolled back" }),
        ]),
      ),
    });
    pane(api);
    const list = await screen.findByRole("list", { name: "Events, newest first" });
    const items = within(list).getAllByRole("listitem");
    expect(items.map((li) => li.dataset.event)).toEqual(["c", "b", "a"]);
    const pulled = items[1];
    expect(pulled).toHaveTextContent("12 min ago");
    expect(pulled.querySelector("time")?.getAttribute("title")).toMatch(/\d{1,2}:\d{2}/);
    expect(within(pulled).getByTestId("event-author")).toHaveTextContent("Beth Agent");
    expect(within(pulled).getByTestId("event-source")).toHaveTextContent("ServiceNow (sn)");
    expect(pulled).toHaveTextContent("Note");
    await waitFor(() => expect(pulled.querySelector("strong")).toHaveTextContent("pay"));
    expect(within(items[0]).getByTestId("event-posted")).toHaveTextContent("Posted to sn as work notes");
    expect(within(items[2]).getByTestId("event-source")).toHaveTextContent("Local");
    expect(screen.getByTestId("lifecycle-status")).toHaveTextContent("Identified");
  });

  it("'Mitigated now' records a mitigation, posted as chosen, and refreshes", async () => {
    const user = userEvent.setup();
    const onChanged = vi.fn();
    const api = fakeApi({
      addEvent: vi.fn(async () => ({ event: event({ id: "m", kind: "mitigated" }), posts: [{ connection: "sn", posted: { channel: "comments", remote_id: "j2", reconciled: false }, error: null }] })),
    });
    pane(api, { onChanged });
    await screen.findByText(/Nothing on the timeline yet/);
    await user.click(screen.getByLabelText(/Customer-visible comments/));
    await user.click(screen.getByRole("button", { name: "Mitigated now" }));
    expect(api.addEvent).toHaveBeenCalledWith("inc-1", { text: "Mitigated.", kind: "mitigated", at: null, post: "comments" });
    expect(await screen.findByText("Mitigation recorded and posted to sn.")).toBeInTheDocument();
    expect(onChanged).toHaveBeenCalled();
    expect(api.timeline).toHaveBeenCalledTimes(2);
  });

  it("the add-note shortcut opens the form with the focus in the text; Ctrl+Enter adds kind, local time and post choice", async () => {
    const user = userEvent.setup();
    const api = fakeApi({ addEvent: vi.fn(async () => ({ event: event({ id: "n" }), posts: [] })) });
    pane(api);
    await screen.findByText(/Nothing on the timeline yet/);
    dispatch("add-note");
    const text = await screen.findByLabelText("What happened (Markdown)");
    await waitFor(() => expect(text).toHaveFocus());
    await user.selectOptions(screen.getByLabelText("Kind"), "update");
    await user.type(screen.getByLabelText("When (local time)"), "2026-03-01T14:05");
    await user.type(text, "Pool size back to 40");
    await user.keyboard("{Control>}{Enter}{/Control}");
    expect(api.addEvent).toHaveBeenCalledWith("inc-1", { text: "Pool size back to 40", kind: "update", at: "2026-03-01T14:05", post: "work_notes" });
    await waitFor(() => expect(screen.queryByRole("form", { name: "Add to the timeline" })).toBeNull());
  });

  it("an empty note is refused in the form; the core's refusal of a time shows at the time field", async () => {
    const user = userEvent.setup();
    const api = fakeApi({
      addEvent: vi.fn(async () => {
        throw new CommandError({ kind: "invalid_input", field: "at", message: "invalid at: '2099-01-01 10:00' is in the future" });
      }),
    });
    pane(api);
    await user.click(await screen.findByRole("button", { name: /Add note/ }));
    await user.click(screen.getByRole("button", { name: /Add and post as work notes/ }));
    expect(screen.getByText("Write what happened.")).toBeInTheDocument();
    expect(api.addEvent).not.toHaveBeenCalled();
    await user.type(screen.getByLabelText("What happened (Markdown)"), "Later");
    await user.click(screen.getByRole("button", { name: /Add and post/ }));
    expect(await screen.findByText(/is in the future/)).toHaveClass("field-error");
    await user.keyboard("{Escape}");
  });

  it("a post that did not go out says so on its event, with Retry now and Open Activity", async () => {
    const user = userEvent.setup();
    const openActivity = vi.fn();
    const api = fakeApi({
      addEvent: vi.fn(async () => ({ event: event({ id: "n1" }), posts: [{ connection: "sn", posted: null, error: "network error: could not connect." }] })),
      timeline: vi.fn(async () => timeline("investigating", [event({ id: "n1", text: "Checking the pool" })])),
      postEvent: vi.fn(async () => ({ event: event({ id: "n1" }), posts: [{ connection: "sn", posted: { channel: "work_notes", remote_id: "j", reconciled: true }, error: null }] })),
    });
    pane(api, { onOpenActivity: openActivity });
    await user.click(await screen.findByRole("button", { name: /Add note/ }));
    await user.type(screen.getByLabelText("What happened (Markdown)"), "Checking the pool");
    await user.click(screen.getByRole("button", { name: /Add and post/ }));
    const alert = await screen.findByText(/Not posted to sn yet: network error/);
    const box = alert.closest("[data-unposted]") as HTMLElement;
    await user.click(within(box).getByRole("button", { name: "Open Activity" }));
    expect(openActivity).toHaveBeenCalled();
    await user.click(within(box).getByRole("button", { name: "Retry now" }));
    expect(api.postEvent).toHaveBeenCalledWith("n1", "work_notes");
    await waitFor(() => expect(screen.queryByText(/Not posted to sn yet/)).toBeNull());
  });

  it("resolving asks for the instance's close code and notes before sending", async () => {
    const user = userEvent.setup();
    const api = fakeApi({
      timeline: vi.fn(async () => timeline("monitoring", [])),
      setStatus: vi.fn(async () => ({ incident: { id: "inc-1", status: "resolved", links: [] }, event: event({ kind: "resolved" }), moves: [{ connection: "sn", record: "INC0010001", state: "Resolved", error: null }] })),
    });
    pane(api);
    const select = await screen.findByTestId("status-select");
    expect([...(select as HTMLSelectElement).options].map((o) => o.value)).toEqual(["", "investigating", "identified", "resolved"]);
    await user.selectOptions(select, "resolved");
    const code = await screen.findByLabelText("Resolution code");
    expect([...(code as HTMLSelectElement).options].map((o) => o.textContent)).toEqual(["Choose…", "Solved (Permanently)", "Solved (Work Around)"]);
    await user.click(screen.getByRole("button", { name: "Change to Resolved" }));
    expect(screen.getByText("Choose how it was resolved.")).toBeInTheDocument();
    expect(screen.getByText(/Say how it was resolved/)).toBeInTheDocument();
    expect(api.setStatus).not.toHaveBeenCalled();
    await user.selectOptions(code, "Workaround");
    expect(screen.queryByText("Choose how it was resolved.")).toBeNull();
    await user.type(screen.getByLabelText("Resolution notes"), "Rolled back 4.2.1; fix in 4.2.2");
    await user.click(screen.getByRole("button", { name: "Change to Resolved" }));
    expect(api.setStatus).toHaveBeenCalledWith("inc-1", { status: "resolved", close_code: "Workaround", close_notes: "Rolled back 4.2.1; fix in 4.2.2" });
  });

  it("a status change without ServiceNow asks for nothing more; closed offers no change", async () => {
    const user = userEvent.setup();
    const api = fakeApi({
      timeline: vi.fn(async () => timeline("identified", [], [{ connection: "ado", provider: "azure_devops" }])),
      setStatus: vi.fn(async () => ({ incident: { id: "inc-1", status: "resolved", links: [] }, event: event({}), moves: [{ connection: "ado", record: "42", state: "Resolved", error: "network error" }] })),
    });
    pane(api);
    await user.selectOptions(await screen.findByTestId("status-select"), "resolved");
    expect(screen.queryByLabelText("Resolution code")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Change to Resolved" }));
    expect(api.setStatus).toHaveBeenCalledWith("inc-1", { status: "resolved", close_code: null, close_notes: null });
    expect(api.closeCodes).not.toHaveBeenCalled();
    expect(await screen.findByText(/42 in ado is not Resolved yet: network error/)).toBeInTheDocument();
  });

  it("a refused status change shows next to the control, with a retry for a service failure", async () => {
    const user = userEvent.setup();
    const api = fakeApi({
      timeline: vi.fn(async () => timeline("closed", [])),
    });
    pane(api);
    expect(await screen.findByText(/Closed is final/)).toBeInTheDocument();
    expect(screen.queryByTestId("status-select")).toBeNull();

    const failing = fakeApi({
      setStatus: vi.fn(async () => {
        throw new CommandError({ kind: "remote", field: null, message: "ServiceNow answered 503" });
      }),
    });
    const { container } = pane(failing);
    const select = await within(container).findByTestId("status-select");
    await user.selectOptions(select, "identified");
    await user.click(within(container).getByRole("button", { name: "Change to Identified" }));
    const form = within(container).getByRole("form", { name: "Status" });
    expect(await within(form).findByText("ServiceNow answered 503")).toBeInTheDocument();
    await user.click(within(form).getByRole("button", { name: "Retry" }));
    expect(failing.setStatus).toHaveBeenCalledTimes(2);
  });

  it("Sync pulls from every record and names one it could not read, with Retry and Open settings", async () => {
    const user = userEvent.setup();
    const openSettings = vi.fn();
    const api = fakeApi({
      sync: vi.fn(async () => ({
        records: [
          { connection: "sn", record: "INC0010001", synced: true, new_events: 2, error: null },
          { connection: "ado", record: "42", synced: false, new_events: 0, error: "'ado' needs you to sign in again" },
        ],
        added: [event({ id: "x" }), event({ id: "y" })],
      })),
    });
    pane(api, { onOpenSettings: openSettings });
    await user.click(await screen.findByRole("button", { name: "Sync" }));
    expect(await screen.findByText("Synced 1 of 2 records; 2 new events.")).toBeInTheDocument();
    const box = screen.getByText(/Could not read 42 in ado/).closest("[data-unsynced]") as HTMLElement;
    await user.click(within(box).getByRole("button", { name: "Open settings" }));
    expect(openSettings).toHaveBeenCalled();
    await user.click(within(box).getByRole("button", { name: "Retry" }));
    expect(api.sync).toHaveBeenCalledTimes(2);
  });

  it("an incident not filed anywhere keeps its notes local", async () => {
    pane(fakeApi({ timeline: vi.fn(async () => timeline("investigating", [], [])) }));
    expect(await screen.findByText(/not filed yet: they stay here/)).toBeInTheDocument();
    expect(screen.getByLabelText(/Work notes/)).toBeDisabled();
    expect(screen.getByLabelText(/Don't post/)).toBeEnabled();
  });
});
