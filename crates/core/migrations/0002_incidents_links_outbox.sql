-- Local incident records, their links to records in external services,
-- and the durable journal of outbound writes.

CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,                 -- UUID; also the external correlation key
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',         -- Markdown
    severity    TEXT NOT NULL CHECK (severity IN ('P1', 'P2', 'P3', 'P4')),
    status      TEXT NOT NULL CHECK (status IN ('open', 'mitigated', 'resolved', 'closed')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE external_links (
    id             TEXT PRIMARY KEY,
    incident_id    TEXT REFERENCES incidents (id) ON DELETE CASCADE,
    connection_id  TEXT NOT NULL REFERENCES integration_config (id) ON DELETE CASCADE,
    provider       TEXT NOT NULL,
    external_id    TEXT NOT NULL,                 -- ServiceNow sys_id, ADO id, Confluence page id
    external_key   TEXT,                          -- ServiceNow number (INC...), ADO id as text
    url            TEXT NOT NULL,
    remote_state   TEXT,
    remote_priority TEXT,
    version        INTEGER,                       -- Confluence page version
    last_synced_at TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (incident_id, connection_id)
);

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    connection_id   TEXT NOT NULL REFERENCES integration_config (id) ON DELETE CASCADE,
    operation       TEXT NOT NULL,                -- e.g. servicenow.create_incident
    subject_id      TEXT NOT NULL,                -- the local record the write is for
    payload         TEXT NOT NULL DEFAULT '{}',   -- JSON, never a secret
    state           TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE INDEX outbox_by_state ON outbox (state, next_attempt_at);
