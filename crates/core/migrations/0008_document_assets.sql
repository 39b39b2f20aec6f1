-- A document's evidence and page metadata, and what each publish sent.

-- Asset bytes, stored once per content (SHA-256, lowercase hex).
CREATE TABLE asset_blobs (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    bytes  BLOB NOT NULL
);

-- The images and files a document owns, by attachment file name.
CREATE TABLE document_assets (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,  -- the attachment's file name on the page
    reference   TEXT NOT NULL,  -- how the Markdown points at it
    media_type  TEXT NOT NULL,
    sha256      TEXT NOT NULL REFERENCES asset_blobs (sha256),
    origin      TEXT NOT NULL CHECK (origin IN ('file', 'pasted', 'attached')),
    added_at    TEXT NOT NULL,
    PRIMARY KEY (document_id, name),
    UNIQUE (document_id, reference)
);

-- Front matter: where the page goes and its labels.
CREATE TABLE document_meta (
    document_id TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    space_key   TEXT,
    parent_id   TEXT,
    labels      TEXT NOT NULL DEFAULT '[]',  -- JSON array of label names
    source_name TEXT                          -- file name it was imported from
);

-- Every attachment uploaded to a published page, with the content sent.
CREATE TABLE page_attachments (
    document_id   TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES integration_config (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    attachment_id TEXT NOT NULL,
    version       INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL,
    PRIMARY KEY (document_id, connection_id, name)
);

-- What the page was last left with by a publish: a hash of its title and
-- storage body (an unchanged page is not written again), the labels set,
-- and the Markdown it was written from (for "what changed since").
CREATE TABLE page_publish_state (
    document_id   TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL REFERENCES integration_config (id) ON DELETE CASCADE,
    body_hash     TEXT NOT NULL,
    labels        TEXT NOT NULL DEFAULT '[]',
    markdown      TEXT NOT NULL,
    PRIMARY KEY (document_id, connection_id)
);
