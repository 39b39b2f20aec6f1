// A document's evidence in the editor: pasted or dropped images become
// assets, the page's front-matter fields (space, parent, labels), and the
// Markdown diff shown before an update is confirmed.
import { useEffect, useState } from "react";
import { commands, type DiffLine, type Document, type PublishDiff } from "../bindings";
import { call, messageOf } from "../api";
import { ErrorText, Field } from "./common";

/** Reads a pasted or dropped file as base64 (without the data: prefix). */
export function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error("cannot read the image"));
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(",") + 1));
    };
    reader.readAsDataURL(file);
  });
}

/** The image files in a paste or drop, if any. */
export function imagesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  return Array.from(data.files).filter((f) => f.type.startsWith("image/"));
}

/** Stores each image as an asset of `id`; returns the Markdown to insert. */
export async function storeImages(id: string, files: File[]): Promise<string> {
  const snippets: string[] = [];
  for (const file of files) {
    const pasted = await call(commands.pasteImage(id, await readBase64(file)));
    snippets.push(pasted.markdown);
  }
  return snippets.join("\n\n");
}

export function MetaFields({ doc, onSaved }: { doc: Document; onSaved: (d: Document) => void }) {
  const [space, setSpace] = useState(doc.space ?? "");
  const [parent, setParent] = useState(doc.parent ?? "");
  const [labels, setLabels] = useState(doc.labels.join(", "));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(true);

  async function save() {
    setError(null);
    try {
      const list = labels
        .split(/[,\s]+/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0);
      onSaved(await call(commands.setDocumentMeta(doc.id, { space: space || null, parent: parent || null, labels: list })));
      setSaved(true);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  return (
    <fieldset className="doc-meta" aria-label="Page details">
      <legend>Page details</legend>
      <div className="inline">
        <Field id="meta-space" label="Space">
          <input id="meta-space" value={space} placeholder="KEY" onChange={(e) => (setSpace(e.target.value), setSaved(false))} />
        </Field>
        <Field id="meta-parent" label="Parent page id">
          <input id="meta-parent" value={parent} placeholder="optional" onChange={(e) => (setParent(e.target.value), setSaved(false))} />
        </Field>
        <Field id="meta-labels" label="Labels">
          <input id="meta-labels" value={labels} placeholder="rca, payments" onChange={(e) => (setLabels(e.target.value), setSaved(false))} />
        </Field>
        <button type="button" onClick={save} disabled={saved} data-action="save-meta">
          {saved ? "Details saved" : "Save details"}
        </button>
      </div>
      <ErrorText message={error} />
    </fieldset>
  );
}

function lineText(line: DiffLine): string {
  switch (line.kind) {
    case "added":
      return `+ ${line.text}`;
    case "removed":
      return `- ${line.text}`;
    case "same":
      return `  ${line.text}`;
    case "skipped":
      return `… ${line.lines} unchanged line${line.lines === 1 ? "" : "s"}`;
  }
}

/** The Markdown diff since the last publish, with confirm / cancel. */
export function UpdateConfirm({
  docId,
  connection,
  onConfirm,
  onCancel,
}: {
  docId: string;
  connection: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const [diff, setDiff] = useState<PublishDiff | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call(commands.changesSincePublish(docId, connection)).then(setDiff, (e) => setError(messageOf(e)));
  }, [docId, connection]);
  if (diff === undefined && !error) return null;
  return (
    <div className="update-confirm" role="dialog" aria-label="Changes since the last publish">
      <h4>Changes since the last publish</h4>
      {diff && !diff.changed && <p className="muted">The text is unchanged; only images, diagrams or labels may differ.</p>}
      {diff && diff.changed && (
        <pre className="diff" data-testid="publish-diff">
          {diff.lines.map((l, i) => (
            <span key={i} className={`diff-${l.kind}`}>
              {lineText(l)}
              {"\n"}
            </span>
          ))}
        </pre>
      )}
      <ErrorText message={error} />
      <div className="inline">
        <button type="button" className="primary" onClick={onConfirm} data-action="confirm-update">
          Update the page
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
