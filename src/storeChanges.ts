// The window's lists follow changes made by other processes (a CLI run,
// another window): the app emits "store-changed" when it notices another
// process committed to the database (src-tauri/src/watch.rs).
import { useEffect } from "react";
import { listen } from "@tauri-apps/api/event";

export const STORE_EVENT = "store-changed";

/** Calls `reload` whenever one of `events` (by default: the store changed) arrives. */
export function useReloadOn(reload: () => void, events: string[] = [STORE_EVENT]) {
  const key = events.join("|");
  useEffect(() => {
    const stops = key.split("|").map((name) => listen(name, () => reload()));
    return () => {
      for (const stop of stops) stop.then((unlisten) => unlisten());
    };
  }, [reload, key]);
}
