import { useEffect, useState } from "react";
import { exactTime, parseTime, relativeTime } from "../ui/time";

/** Re-renders every 30 s so "12 min ago" stays true while the screen is open. */
export function useNow(intervalMs = 30_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** A time as "12 min ago", with the exact local time on hover (and for screen readers via title). */
export function Time({ at, prefix }: { at: string | null | undefined; prefix?: string }) {
  const now = useNow();
  const when = parseTime(at);
  if (!when) return <>{at ?? "—"}</>;
  const exact = exactTime(when);
  return (
    <time dateTime={when.toISOString()} title={exact}>
      {prefix ? `${prefix} ` : ""}
      {relativeTime(when, now)}
    </time>
  );
}
