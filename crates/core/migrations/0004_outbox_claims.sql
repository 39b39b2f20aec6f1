-- Who is delivering an in-flight outbox entry, so two processes (the
-- desktop app and the CLI) never send the same write at once, and an entry
-- left by a process that died can be taken over and reconciled.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
