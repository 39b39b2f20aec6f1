-- An RCA's action items and the work item or task each was filed as.
-- A row is written when the item is journaled for filing; the external
-- columns are filled in the transaction that marks its outbox write done.
CREATE TABLE action_items (
    document_id    TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    connection_id  TEXT NOT NULL REFERENCES integration_config (id) ON DELETE CASCADE,
    item_key       TEXT NOT NULL,  -- hash of the item's title (docs::action_items::item_key)
    title          TEXT NOT NULL,
    owner          TEXT NOT NULL,
    due            TEXT,           -- YYYY-MM-DD
    filed_as       TEXT NOT NULL,  -- Azure DevOps work item type, or ServiceNow table
    external_id    TEXT,           -- work item id, or sys_id
    external_key   TEXT,           -- what people call it: #id, or the task number
    url            TEXT,
    remote_state   TEXT,           -- last state read from the service
    remote_done    INTEGER NOT NULL DEFAULT 0,
    last_synced_at TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (document_id, connection_id, item_key)
);
