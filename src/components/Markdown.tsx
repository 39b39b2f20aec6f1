import { useEffect, useState } from "react";
import { commands } from "../bindings";

/**
 * Markdown shown as formatted text. The HTML comes from the core's
 * renderer, the one publishing uses: raw HTML in the text is escaped and
 * script/data links are neutralised there, so this never puts the person's
 * own text into the page as markup. Until it arrives the text shows as is.
 */
export function Markdown({ text, className, label }: { text: string; className?: string; label?: string }) {
  const [html, setHtml] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    if (!text.trim()) {
      setHtml("");
      return;
    }
    commands.previewMarkdown(text).then(
      (rendered) => current && setHtml(rendered),
      () => current && setHtml(null),
    );
    return () => {
      current = false;
    };
  }, [text]);
  const classes = `markdown ${className ?? ""}`.trim();
  if (!text.trim()) return <p className="muted">—</p>;
  if (html === null)
    return (
      <div className={classes} aria-label={label}>
        <p className="plain">{text}</p>
      </div>
    );
  return <div className={classes} aria-label={label} dangerouslySetInnerHTML={{ __html: html }} />;
}
