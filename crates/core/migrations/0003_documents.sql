-- RCA and post-mortem documents (Markdown) and the Confluence pages they
-- are published as.

CREATE TABLE documents (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('rca', 'postmortem')),
    title       TEXT NOT NULL,
    markdown    TEXT NOT NULL,
    incident_id TEXT REFERENCES incidents (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE published_pages (
    id            TEXT PRIMARY KEY,
    document_id   TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES integration_config (id) ON DELETE CASCADE,
    page_id       TEXT NOT NULL,
    space_key     TEXT NOT NULL,
    title         TEXT NOT NULL,
    version       INTEGER NOT NULL,      -- the page version we last wrote
    url           TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    UNIQUE (document_id, connection_id)
);
