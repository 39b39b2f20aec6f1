import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { commands, type Action, type ConnectionView, type Document, type Incident, type Page, type PlannedRequest, type Space } from "../bindings";
import { call, CommandError, messageOf } from "../api";
import { ErrorText, Field, Notice, Spinner } from "./common";
import { actionOf, ErrorAction } from "./ErrorAction";
import { openPreviewLink } from "../previewLinks";
import { useReloadOn } from "../storeChanges";
import { DocumentFilters } from "./DocumentFilters";
import { Time } from "./Time";
import { filterDocuments, NO_DOCUMENT_FILTER } from "../ui/filters";
import { useShortcut } from "../ui/useShortcut";
import { ActionItems } from "./ActionItems";
import { imagesOf, MetaFields, storeImages, UpdateConfirm } from "./Evidence";
import { PlannedRequests } from "./Review";

export function Documents({ open }: { open?: string | null }) {
  const [docs, setDocs] = useState<Document[] | null>(null);
  const [selected, setSelected] = useState<string | null>(open ?? null);
  const [filter, setFilter] = useState(NO_DOCUMENT_FILTER);
  const search = useRef<HTMLInputElement>(null);
  const shown = useMemo(() => filterDocuments(docs ?? [], filter), [docs, filter]);
  useShortcut("search", () => search.current?.focus());
  useEffect(() => {
    if (open) setSelected(open);
  }, [open]);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setDocs(await call(commands.listDocuments()));
    } catch (e) {
      setError(messageOf(e));
    }
  }, []);
  useEffect(() => {
    load();
  }, [load]);
  useReloadOn(load);

  return (
    <section aria-labelledby="documents-title" className="split">
      <div className="list-pane">
        <h1 id="documents-title">RCAs &amp; post-mortems</h1>
        <NewDocument
          onCreated={(id) => {
            setSelected(id);
            load();
          }}
        />
        <ErrorText message={error} />
        <DocumentFilters filter={filter} onChange={setFilter} searchRef={search} />
        {docs === null ? (
          <Spinner label="Loading documents…" />
        ) : (
          <ul className="items" aria-label="Documents">
            {shown.length === 0 && <li className="muted small">{docs.length === 0 ? "No documents yet: start one above." : "No document matches."}</li>}
            {shown.map((d) => (
              <li key={d.id}>
                <button type="button" className={selected === d.id ? "item active" : "item"} onClick={() => setSelected(d.id)}>
                  <span className="badge">{d.kind}</span> {d.title}
                  {d.pages.length > 0 && <span className="muted small"> · published v{d.pages[0].version}</span>}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="detail-pane">
        {selected ? <DocumentEditor key={selected} id={selected} onChanged={load} /> : <p className="muted">Select a document, or start one from a template.</p>}
      </div>
    </section>
  );
}

function NewDocument({ onCreated }: { onCreated: (id: string) => void }) {
  const [kind, setKind] = useState("rca");
  const [title, setTitle] = useState("");
  const [incident, setIncident] = useState("");
  const [incidents, setIncidents] = useState<Incident[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call(commands.listIncidents()).then(setIncidents, () => setIncidents([]));
  }, []);
  return (
    <form
      className="new-doc"
      aria-label="New document"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          const doc = await call(commands.newDocument(kind, title, incident || null));
          setTitle("");
          onCreated(doc.id);
        } catch (err) {
          setError(messageOf(err));
        }
      }}
    >
      <div className="inline">
        <select aria-label="Kind" value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="rca">RCA</option>
          <option value="postmortem">Post-mortem</option>
        </select>
        <input aria-label="Title of the new document" placeholder="Title" value={title} onChange={(e) => setTitle(e.target.value)} />
      </div>
      <select aria-label="For incident" value={incident} onChange={(e) => setIncident(e.target.value)}>
        <option value="">No incident</option>
        {incidents.map((i) => (
          <option key={i.id} value={i.id}>
            {i.severity} {i.title}
          </option>
        ))}
      </select>
      <button type="submit" className="primary" data-action="new-document">
        Create from template
      </button>
      <ErrorText message={error} />
    </form>
  );
}

function DocumentEditor({ id, onChanged }: { id: string; onChanged: () => void }) {
  const [doc, setDoc] = useState<Document | null>(null);
  const [title, setTitle] = useState("");
  const [markdown, setMarkdown] = useState("");
  const [preview, setPreview] = useState("");
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [assetsVersion, setAssetsVersion] = useState(0);

  useEffect(() => {
    call(commands.getDocument(id)).then(
      (d) => {
        setDoc(d);
        setTitle(d.title);
        setMarkdown(d.markdown);
      },
      (e) => setError(messageOf(e)),
    );
  }, [id]);

  useEffect(() => {
    const timer = setTimeout(() => {
      call(commands.previewDocument(id, markdown)).then(setPreview, () => setPreview(""));
    }, 150);
    return () => clearTimeout(timer);
  }, [id, markdown, assetsVersion]);

  // A pasted or dropped image is stored as an asset and shown where the
  // cursor was, as Markdown that names it.
  async function addImages(files: File[], target: HTMLTextAreaElement) {
    if (files.length === 0) return;
    setError(null);
    try {
      const snippet = await storeImages(id, files);
      const at = target.selectionStart ?? markdown.length;
      const next = `${markdown.slice(0, at)}${snippet}${markdown.slice(target.selectionEnd ?? at)}`;
      setMarkdown(next);
      setDirty(true);
      setAssetsVersion((v) => v + 1);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  async function save(): Promise<boolean> {
    setSaving(true);
    setError(null);
    try {
      setDoc(await call(commands.saveDocument(id, title, markdown)));
      setDirty(false);
      onChanged();
      return true;
    } catch (e) {
      setError(messageOf(e));
      return false;
    } finally {
      setSaving(false);
    }
  }

  useShortcut("save", () => {
    if (dirty) save();
  });

  // Rewrites the Timeline section from the incident's timeline as it is
  // now; unsaved edits are saved first so none is lost.
  async function refreshTimeline() {
    if (dirty && !(await save())) return;
    setSaving(true);
    setError(null);
    try {
      const d = await call(commands.refreshDocumentTimeline(id));
      setDoc(d);
      setMarkdown(d.markdown);
      setDirty(false);
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setSaving(false);
    }
  }

  if (!doc) return error ? <ErrorText message={error} /> : <Spinner label="Opening the document…" />;
  return (
    <article className="doc-editor" aria-label="Document editor">
      <div className="inline">
        <input aria-label="Document title" className="title-input" value={title} onChange={(e) => (setTitle(e.target.value), setDirty(true))} />
        <button type="button" onClick={save} disabled={saving || !dirty}>
          {saving ? <Spinner label="Saving…" /> : dirty ? "Save" : "Saved"}
        </button>
        {doc.incident_id && (
          <button type="button" onClick={refreshTimeline} disabled={saving} data-action="refresh-timeline" title="Rewrite the Timeline section from the incident's timeline">
            Timeline from incident
          </button>
        )}
      </div>
      <MetaFields doc={doc} onSaved={(d) => (setDoc(d), onChanged())} />
      <div className="editor-panes">
        <textarea
          aria-label="Markdown"
          value={markdown}
          onChange={(e) => (setMarkdown(e.target.value), setDirty(true))}
          onPaste={(e) => {
            const files = imagesOf(e.clipboardData);
            if (files.length > 0) {
              e.preventDefault();
              addImages(files, e.currentTarget);
            }
          }}
          onDragOver={(e) => {
            if (e.dataTransfer.types.includes("Files")) e.preventDefault();
          }}
          onDrop={(e) => {
            const files = imagesOf(e.dataTransfer);
            if (files.length > 0) {
              e.preventDefault();
              addImages(files, e.currentTarget);
            }
          }}
          spellCheck
        />
        <div
          className="preview"
          role="region"
          aria-label="Preview"
          tabIndex={0}
          data-testid="preview"
          onClick={(e) => openPreviewLink(e, setError)}
          dangerouslySetInnerHTML={{ __html: preview }}
        />
      </div>
      <ErrorText message={error} />
      <PublishPanel doc={doc} beforePublish={async () => (dirty ? save() : true)} onPublished={(d) => (setDoc(d), onChanged())} />
      <ActionItems docId={doc.id} version={`${doc.updated_at}|${doc.pages.map((p) => p.version).join(",")}`} beforeFiling={async () => (dirty ? save() : true)} />
    </article>
  );
}

function PublishPanel({
  doc,
  beforePublish,
  onPublished,
}: {
  doc: Document;
  beforePublish: () => Promise<boolean>;
  onPublished: (doc: Document) => void;
}) {
  const [targets, setTargets] = useState<ConnectionView[]>([]);
  const [target, setTarget] = useState("");
  const [spaces, setSpaces] = useState<Space[] | null>(null);
  const [space, setSpace] = useState("");
  const [parentQuery, setParentQuery] = useState("");
  const [parents, setParents] = useState<Page[]>([]);
  const [parent, setParent] = useState<Page | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);
  // What the failed publish suggests (sign in again, attach an image, …).
  const [errorAction, setErrorAction] = useState<Action | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [minorEdit, setMinorEdit] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [requests, setRequests] = useState<PlannedRequest[] | null>(null);

  useEffect(() => {
    call(commands.listConnections()).then((all) => {
      const wiki = all.filter((c) => c.provider === "confluence");
      setTargets(wiki);
      const preferred = wiki.find((c) => c.is_default) ?? wiki[0];
      if (preferred) {
        setTarget(preferred.name);
        setSpace(preferred.config.space ?? "");
      }
    });
  }, []);

  const published = doc.pages.find((p) => p.connection === target);

  async function loadSpaces() {
    setBusy("spaces");
    setError(null);
    try {
      setSpaces(await call(commands.confluenceSpaces(target)));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  async function findParents() {
    setBusy("parents");
    try {
      setParents((await call(commands.confluenceSearch(target, parentQuery, space || null))).pages);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  // An update first shows what changed in the text since the last publish.
  async function requestPublish() {
    if (!(await beforePublish())) return;
    if (published) setConfirming(true);
    else publish(false);
  }

  // The Review step: the exact requests, built as the publish would build them.
  async function review() {
    if (!(await beforePublish())) return;
    setBusy("review");
    setError(null);
    try {
      setRequests(await call(commands.publishRequests(doc.id, target, space || null, parent?.id ?? null, false, minorEdit)));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  async function publish(force: boolean) {
    setConfirming(false);
    setRequests(null);
    if (!(await beforePublish())) return;
    setBusy("publish");
    setError(null);
    setErrorAction(null);
    setConflict(null);
    setDone(null);
    try {
      const result = await call(commands.publishDocument(doc.id, target, space || null, parent?.id ?? null, force, minorEdit));
      const files = result.uploaded.length > 0 ? ` · uploaded ${result.uploaded.join(", ")}` : "";
      setDone(
        result.unchanged
          ? "Nothing changed since the last publish: nothing was sent."
          : `${result.created ? "Published" : "Updated"}: version ${result.page.version}${files}`,
      );
      onPublished(await call(commands.getDocument(doc.id)));
    } catch (e) {
      // A conflict has its own confirmed overwrite below, with this form's options.
      if (e instanceof CommandError && e.kind === "conflict") setConflict(e.message);
      else {
        setError(messageOf(e));
        setErrorAction(actionOf(e));
      }
    } finally {
      setBusy(null);
    }
  }

  useShortcut("publish", () => {
    if (busy === null && target) publish(false);
  });

  if (targets.length === 0) return <p className="muted">Add a Confluence connection in Settings → Integrations to publish.</p>;
  return (
    <section className="publish" aria-label="Publish to Confluence">
      <h3>Publish to Confluence</h3>
      <div className="inline">
        <Field id="publish-target" label="Connection">
          <select id="publish-target" value={target} onChange={(e) => setTarget(e.target.value)}>
            {targets.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </Field>
        {!published && (
          <Field id="publish-space" label="Space">
            {spaces ? (
              <select id="publish-space" value={space} onChange={(e) => setSpace(e.target.value)}>
                <option value="">Choose a space</option>
                {spaces.map((s) => (
                  <option key={s.key} value={s.key}>
                    {s.name} ({s.key})
                  </option>
                ))}
              </select>
            ) : (
              <span className="inline">
                <input id="publish-space" value={space} placeholder="KEY" onChange={(e) => setSpace(e.target.value)} />
                <button type="button" onClick={loadSpaces} disabled={busy !== null}>
                  {busy === "spaces" ? <Spinner label="Loading spaces…" /> : "List spaces"}
                </button>
              </span>
            )}
          </Field>
        )}
      </div>
      {!published && (
        <div className="inline">
          <input aria-label="Search for a parent page" placeholder="Parent page (optional): search…" value={parentQuery} onChange={(e) => setParentQuery(e.target.value)} />
          <button type="button" onClick={findParents} disabled={!parentQuery.trim() || busy !== null}>
            {busy === "parents" ? <Spinner label="Searching…" /> : "Search"}
          </button>
          {parent && (
            <span>
              Under “{parent.title}”{" "}
              <button type="button" className="link" onClick={() => setParent(null)}>
                clear
              </button>
            </span>
          )}
        </div>
      )}
      {parents.length > 0 && !parent && (
        <ul className="items small">
          {parents.map((p) => (
            <li key={p.id}>
              <button type="button" className="item" onClick={() => (setParent(p), setParents([]))}>
                {p.title} <span className="muted">({p.space_key})</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {published && (
        <p className="published" data-testid="published-page">
          Page{" "}
          <button type="button" className="link" onClick={() => call(commands.openLink(published.url))} data-url={published.url}>
            {published.title}
          </button>{" "}
          · version {published.version} · last published <Time at={published.published_at} />
        </p>
      )}
      {published && (
        <label className="inline">
          <input type="checkbox" checked={minorEdit} onChange={(e) => setMinorEdit(e.target.checked)} data-testid="minor-edit" /> Minor edit (don’t notify
          watchers)
        </label>
      )}
      <button type="button" className="primary" onClick={requestPublish} disabled={busy !== null || !target || confirming} data-action="publish">
        {busy === "publish" ? <Spinner label="Publishing…" /> : published ? "Update page" : "Publish to Confluence"}
      </button>
      <button type="button" onClick={review} disabled={busy !== null || !target} data-action="review-publish">
        {busy === "review" ? <Spinner label="Building the requests…" /> : "Review requests"}
      </button>
      {requests && (
        <div className="review" aria-label="Review before publishing">
          <PlannedRequests requests={requests} empty="Nothing changed since the last publish: nothing would be sent." testId="publish-request" />
          <button type="button" onClick={() => setRequests(null)}>
            Close review
          </button>
        </div>
      )}
      {confirming && <UpdateConfirm docId={doc.id} connection={target} onConfirm={() => publish(false)} onCancel={() => setConfirming(false)} />}
      {done && <Notice>{done}</Notice>}
      {conflict && (
        <div className="conflict" role="alert">
          <p>{conflict}</p>
          <button type="button" className="danger" onClick={() => publish(true)}>
            Overwrite their changes
          </button>
          <button type="button" onClick={() => setConflict(null)}>
            Keep theirs for now
          </button>
        </div>
      )}
      <ErrorText message={error} />
      {error && errorAction && <ErrorAction action={errorAction} />}
    </section>
  );
}
