// Times as people read them: relative to now in the local time zone
// ("12 min ago"), with the exact local time available on hover.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Parses an RFC 3339 / ISO time, or a ServiceNow "YYYY-MM-DD HH:MM:SS" (UTC). */
export function parseTime(text: string | null | undefined): Date | null {
  if (!text) return null;
  const trimmed = text.trim();
  const normalised = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(trimmed) ? `${trimmed.replace(" ", "T")}Z` : trimmed;
  const date = new Date(normalised);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "just now", "12 min ago", "3 h ago", "yesterday", "5 days ago", or a date for older times; "in 4 min" for the future. */
export function relativeTime(when: Date, now: Date = new Date()): string {
  const delta = now.getTime() - when.getTime();
  const future = delta < 0;
  const span = Math.abs(delta);
  const say = (amount: number, unit: string) => (future ? `in ${amount} ${unit}` : `${amount} ${unit} ago`);
  if (span < 45_000) return future ? "in a moment" : "just now";
  if (span < HOUR) return say(Math.max(1, Math.round(span / MINUTE)), "min");
  if (span < DAY) return say(Math.round(span / HOUR), "h");
  const days = Math.round(span / DAY);
  if (!future && days === 1) return "yesterday";
  if (days < 30) return say(days, days === 1 ? "day" : "days");
  return when.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

/** The exact local time, for the tooltip: "Sun, 22 Nov 2026, 08:32:14". */
export function exactTime(when: Date): string {
  return when.toLocaleString(undefined, {
    weekday: "short",
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  });
}

/** How long something has been open: "42 min", "3 h 5 min", "2 days". */
export function age(since: Date, now: Date = new Date()): string {
  const span = Math.max(0, now.getTime() - since.getTime());
  if (span < HOUR) return `${Math.max(1, Math.floor(span / MINUTE))} min`;
  if (span < DAY) {
    const hours = Math.floor(span / HOUR);
    const minutes = Math.floor((span % HOUR) / MINUTE);
    return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  const days = Math.floor(span / DAY);
  return `${days} ${days === 1 ? "day" : "days"}`;
}
