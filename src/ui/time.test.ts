import { describe, expect, it } from "vitest";
import { age, exactTime, parseTime, relativeTime } from "./time";

const now = new Date("2026-11-22T08:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("relative times", () => {
  it("reads like a person would say it", () => {
    expect(relativeTime(ago(10_000), now)).toBe("just now");
    expect(relativeTime(ago(12 * 60_000), now)).toBe("12 min ago");
    expect(relativeTime(ago(3 * 3_600_000 + 5 * 60_000), now)).toBe("3 h ago");
    expect(relativeTime(ago(26 * 3_600_000), now)).toBe("yesterday");
    expect(relativeTime(ago(5 * 86_400_000), now)).toBe("5 days ago");
    expect(relativeTime(new Date(now.getTime() + 4 * 60_000), now)).toBe("in 4 min");
  });

  it("falls back to a date for old times", () => {
    expect(relativeTime(ago(90 * 86_400_000), now)).toMatch(/2026/);
  });

  it("parses RFC 3339 and ServiceNow's UTC format, and refuses garbage", () => {
    expect(parseTime("2026-11-22T07:32:14.741Z")?.toISOString()).toBe("2026-11-22T07:32:14.741Z");
    expect(parseTime("2026-11-22 07:32:14")?.toISOString()).toBe("2026-11-22T07:32:14.000Z");
    expect(parseTime("yesterday-ish")).toBeNull();
    expect(parseTime(null)).toBeNull();
  });

  it("gives the exact local time for the tooltip, with seconds", () => {
    expect(exactTime(new Date("2026-11-22T07:32:14Z"))).toMatch(/32:14/);
  });

  it("says how long an incident has been open", () => {
    expect(age(ago(42 * 60_000), now)).toBe("42 min");
    expect(age(ago(3 * 3_600_000 + 5 * 60_000), now)).toBe("3 h 5 min");
    expect(age(ago(2 * 86_400_000 + 1000), now)).toBe("2 days");
  });
});
