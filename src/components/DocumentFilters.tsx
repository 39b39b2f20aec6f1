import type { RefObject } from "react";
import type { DocumentFilter } from "../ui/filters";

/** Search and filters above the document list. */
export function DocumentFilters({
  filter,
  onChange,
  searchRef,
}: {
  filter: DocumentFilter;
  onChange: (f: DocumentFilter) => void;
  searchRef: RefObject<HTMLInputElement | null>;
}) {
  return (
    <div className="filters" role="search" aria-label="Find documents">
      <input
        ref={searchRef}
        type="search"
        aria-label="Search documents"
        placeholder="Search title and text…"
        value={filter.text}
        onChange={(e) => onChange({ ...filter, text: e.target.value })}
        data-testid="document-search"
        aria-keyshortcuts="/ Control+F"
      />
      <div className="inline">
        <select aria-label="Kind of document" value={filter.kind} onChange={(e) => onChange({ ...filter, kind: e.target.value })}>
          <option value="">RCAs and post-mortems</option>
          <option value="rca">RCAs</option>
          <option value="postmortem">Post-mortems</option>
        </select>
        <select
          aria-label="Published or draft"
          value={filter.published}
          onChange={(e) => onChange({ ...filter, published: e.target.value as DocumentFilter["published"] })}
        >
          <option value="">Published or draft</option>
          <option value="published">Published</option>
          <option value="draft">Drafts</option>
        </select>
      </div>
    </div>
  );
}
