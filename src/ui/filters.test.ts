import { describe, expect, it } from "vitest";
import { filterDocuments, filterIncidents, NO_DOCUMENT_FILTER, NO_INCIDENT_FILTER } from "./filters";

const incidents = [
  { id: "a1", title: "Checkout returns 500", description: "Errors on **pay**", severity: "P1", status: "investigating", links: [{ connection: "sn", external_id: "x", external_key: "INC0010001" }] },
  { id: "b2", title: "Slow search", description: "p99 at 4 s", severity: "P3", status: "monitoring", links: [] },
  { id: "c3", title: "Login loop", description: "SSO redirect", severity: "P1", status: "resolved", links: [] },
];

describe("incident filters", () => {
  it("shows everything with no filter (the same array, no copy)", () => {
    expect(filterIncidents(incidents, NO_INCIDENT_FILTER)).toBe(incidents);
  });

  it("matches every word of the text in any order and case, in title, description or INC number", () => {
    expect(filterIncidents(incidents, { ...NO_INCIDENT_FILTER, text: "500 CHECKOUT" }).map((i) => i.id)).toEqual(["a1"]);
    expect(filterIncidents(incidents, { ...NO_INCIDENT_FILTER, text: "inc0010001" }).map((i) => i.id)).toEqual(["a1"]);
    expect(filterIncidents(incidents, { ...NO_INCIDENT_FILTER, text: "redirect" }).map((i) => i.id)).toEqual(["c3"]);
    expect(filterIncidents(incidents, { ...NO_INCIDENT_FILTER, text: "checkout slow" })).toEqual([]);
  });

  it("filters by severity, status and filed or not, combined", () => {
    expect(filterIncidents(incidents, { ...NO_INCIDENT_FILTER, severity: "P1" }).map((i) => i.id)).toEqual(["a1", "c3"]);
    expect(filterIncidents(incidents, { ...NO_INCIDENT_FILTER, severity: "P1", filed: "not_filed" }).map((i) => i.id)).toEqual(["c3"]);
    expect(filterIncidents(incidents, { ...NO_INCIDENT_FILTER, filed: "filed" }).map((i) => i.id)).toEqual(["a1"]);
    expect(filterIncidents(incidents, { ...NO_INCIDENT_FILTER, status: "monitoring" }).map((i) => i.id)).toEqual(["b2"]);
  });
});

describe("document filters", () => {
  const docs = [
    { id: "d1", title: "RCA: checkout", markdown: "## Summary", kind: "rca", pages: [{}] },
    { id: "d2", title: "Post-mortem: login", markdown: "SSO", kind: "postmortem", pages: [] },
  ];
  it("filters by text, kind and published", () => {
    expect(filterDocuments(docs, { ...NO_DOCUMENT_FILTER, text: "sso" }).map((d) => d.id)).toEqual(["d2"]);
    expect(filterDocuments(docs, { ...NO_DOCUMENT_FILTER, kind: "rca" }).map((d) => d.id)).toEqual(["d1"]);
    expect(filterDocuments(docs, { ...NO_DOCUMENT_FILTER, published: "draft" }).map((d) => d.id)).toEqual(["d2"]);
  });
});
