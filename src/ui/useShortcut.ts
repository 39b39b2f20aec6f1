import { useEffect, useRef } from "react";
import { onAction, type Action } from "./shortcuts";

/** Lets the mounted component handle `action` while it is on screen. Return false to pass it on. */
export function useShortcut(action: Action, handler: () => boolean | void) {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => onAction(action, () => latest.current()), [action]);
}
