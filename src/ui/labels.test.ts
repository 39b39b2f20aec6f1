import { describe, expect, it } from "vitest";
import { remotePriorityLabel, remoteStateLabel, statusLabel } from "./labels";
import { outboxCounts } from "./outbox";

describe("display values", () => {
  it("shows ServiceNow's labels for stored codes and keeps labels the service sent", () => {
    expect(remoteStateLabel("servicenow", "2")).toBe("In Progress");
    expect(remotePriorityLabel("servicenow", "1")).toBe("1 - Critical");
    expect(remoteStateLabel("servicenow", "Awaiting Vendor")).toBe("Awaiting Vendor");
    expect(remotePriorityLabel("servicenow", "1 - Critical")).toBe("1 - Critical");
  });

  it("keeps Azure DevOps states (already words) and names priorities", () => {
    expect(remoteStateLabel("azure_devops", "Active")).toBe("Active");
    expect(remotePriorityLabel("azure_devops", "2")).toBe("Priority 2");
    expect(remoteStateLabel("azure_devops", null)).toBeNull();
  });

  it("capitalises local statuses", () => {
    expect(statusLabel("monitoring")).toBe("Monitoring");
    expect(statusLabel("investigating")).toBe("Investigating");
  });

  it("counts what the Activity badge shows", () => {
    expect(outboxCounts([{ state: "pending" }, { state: "in_flight" }, { state: "failed" }, { state: "done" }])).toEqual({ pending: 2, failed: 1 });
  });
});
