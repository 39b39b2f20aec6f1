import { describe, expect, it } from "vitest";
import { eventTime, mergedCloseCodes, nextStatuses, postedSummary, sourceLabel } from "./lifecycle";

describe("incident lifecycle in the window", () => {
  it("offers the status changes the core allows", () => {
    expect(nextStatuses("investigating")).toEqual(["identified", "monitoring", "resolved"]);
    expect(nextStatuses("monitoring")).toEqual(["investigating", "identified", "resolved"]);
    expect(nextStatuses("resolved")).toEqual(["investigating", "identified", "monitoring", "closed"]);
    expect(nextStatuses("closed")).toEqual([]);
  });

  it("names where an event was written and where it was posted", () => {
    expect(sourceLabel({ source: "local", connection: null })).toBe("Local");
    expect(sourceLabel({ source: "servicenow", connection: "sn" })).toBe("ServiceNow (sn)");
    expect(sourceLabel({ source: "azure_devops", connection: "ado" })).toBe("Azure DevOps (ado)");
    expect(postedSummary([])).toBeNull();
    expect(
      postedSummary([
        { connection: "sn", channel: "comments", remote_id: "1", posted_at: "" },
        { connection: "ado", channel: "comment", remote_id: "2", posted_at: "" },
      ]),
    ).toBe("Posted to sn as customer-visible comments, to ado as a comment");
  });

  it("sends a local time as typed (the core reads it in this time zone) and an empty one as now", () => {
    expect(eventTime(" 2026-03-01T14:05 ")).toBe("2026-03-01T14:05");
    expect(eventTime("")).toBeNull();
  });

  it("offers each close code once, in the instances' order", () => {
    const merged = mergedCloseCodes([
      { connection: "sn", choices: [{ value: "Solved", label: "Solved (Permanently)" }, { value: "Workaround", label: "Solved (Work Around)" }] },
      { connection: "sn2", choices: [{ value: "Workaround", label: "Work around" }, { value: "Duplicate", label: "Duplicate" }] },
    ]);
    expect(merged.map((c) => c.value)).toEqual(["Solved", "Workaround", "Duplicate"]);
    expect(merged[1].label).toBe("Solved (Work Around)");
  });
});
