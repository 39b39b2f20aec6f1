// Search and filters for the incident and document lists. Pure functions,
// so the lists stay fast (one pass, no allocation per keystroke beyond the
// result) and the rules are tested on their own.

export type IncidentFilter = {
  text: string;
  severity: string; // "" = any
  status: string; // "" = any
  filed: "" | "filed" | "not_filed";
};

export const NO_INCIDENT_FILTER: IncidentFilter = { text: "", severity: "", status: "", filed: "" };

type FilterableIncident = {
  id: string;
  title: string;
  description: string;
  severity: string;
  status: string;
  links: { connection: string; external_id: string; external_key?: string | null }[];
};

/** Words of the query must all appear (any order, any case) in the title, description, id, or a linked record's number. */
function matchesText(haystack: string[], query: string): boolean {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = haystack.join("\n").toLocaleLowerCase();
  return words.every((w) => text.includes(w));
}

export function filterIncidents<T extends FilterableIncident>(incidents: T[], f: IncidentFilter): T[] {
  const active = f.text.trim() !== "" || f.severity !== "" || f.status !== "" || f.filed !== "";
  if (!active) return incidents;
  return incidents.filter((i) => {
    if (f.severity && i.severity !== f.severity) return false;
    if (f.status && i.status !== f.status) return false;
    if (f.filed === "filed" && i.links.length === 0) return false;
    if (f.filed === "not_filed" && i.links.length > 0) return false;
    return matchesText(
      [i.title, i.description, i.id, ...i.links.flatMap((l) => [l.external_key ?? "", l.external_id, l.connection])],
      f.text,
    );
  });
}

export type DocumentFilter = { text: string; kind: string; published: "" | "published" | "draft" };
export const NO_DOCUMENT_FILTER: DocumentFilter = { text: "", kind: "", published: "" };

type FilterableDocument = { id: string; title: string; markdown: string; kind: string; pages: unknown[] };

export function filterDocuments<T extends FilterableDocument>(docs: T[], f: DocumentFilter): T[] {
  return docs.filter((d) => {
    if (f.kind && d.kind !== f.kind) return false;
    if (f.published === "published" && d.pages.length === 0) return false;
    if (f.published === "draft" && d.pages.length > 0) return false;
    return matchesText([d.title, d.markdown, d.id], f.text);
  });
}
