// Links in the rendered RCA preview never navigate the app window: a click
// on an absolute link is handed to the system browser (the Rust side
// accepts https, and plain http only to this machine); any other target is
// ignored. The window's navigation guard refuses the rest.
import type { MouseEvent } from "react";
import { commands } from "./bindings";
import { call } from "./api";

export function absoluteUrl(href: string): string | null {
  try {
    const url = new URL(href);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

export function openPreviewLink(event: MouseEvent<HTMLElement>, onError: (message: string) => void = () => {}) {
  const anchor = (event.target as Element | null)?.closest?.("a[href]");
  if (!anchor) return;
  event.preventDefault();
  const target = absoluteUrl(anchor.getAttribute("href") ?? "");
  if (target) call(commands.openLink(target)).catch((e: unknown) => onError(e instanceof Error ? e.message : String(e)));
}
