-- The life of an incident: its timeline, and what was posted where.
--
-- Local statuses become investigating / identified / monitoring /
-- resolved / closed. The CHECK on `incidents.status` is rewritten and the
-- stored rows mapped (open -> investigating, mitigated -> monitoring) by
-- this migration's hook in `store/migrations.rs`: a table rebuild would
-- cascade-delete every link and document reference, since foreign keys
-- are on while migrations run.

-- One event of an incident's timeline. `occurred_at` is UTC (RFC 3339,
-- milliseconds), the time the person says it happened; `created_at` when
-- it was recorded. Events pulled from a service carry its connection and
-- the service's own id for the entry, so a second pull cannot add it again.
CREATE TABLE incident_events (
    id            TEXT PRIMARY KEY,
    incident_id   TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('detected', 'acknowledged', 'update', 'mitigated', 'resolved', 'note')),
    occurred_at   TEXT NOT NULL,
    author        TEXT NOT NULL,
    text          TEXT NOT NULL,                 -- Markdown
    source        TEXT NOT NULL CHECK (source IN ('local', 'servicenow', 'azure_devops')),
    connection_id TEXT REFERENCES integration_config (id) ON DELETE SET NULL,
    external_id   TEXT,
    created_at    TEXT NOT NULL
);

CREATE INDEX incident_events_by_time ON incident_events (incident_id, occurred_at);
CREATE UNIQUE INDEX incident_events_pulled ON incident_events (connection_id, external_id)
    WHERE external_id IS NOT NULL;

-- A local event posted to a linked record: the service's id for the
-- journal entry or comment. Written in the transaction that marks the
-- outbox write done; a pull skips these remote ids.
CREATE TABLE event_posts (
    event_id      TEXT NOT NULL REFERENCES incident_events (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES integration_config (id) ON DELETE CASCADE,
    remote_id     TEXT NOT NULL,
    channel       TEXT NOT NULL,                 -- work_notes, comments (ServiceNow), comment (Azure DevOps)
    posted_at     TEXT NOT NULL,
    PRIMARY KEY (event_id, connection_id)
);

-- Who a linked record is assigned to, as its service shows it.
ALTER TABLE external_links ADD COLUMN remote_assignee TEXT;
