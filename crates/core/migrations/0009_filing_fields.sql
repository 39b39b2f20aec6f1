-- Fields a connection sets on every filing (ServiceNow columns, Azure
-- DevOps reference names). `value` is what is sent: a reference given by
-- name is stored resolved (a sys_id, an identity), `display` keeps the name
-- the person typed. A value may hold placeholders ({title}, {severity},
-- {id}) filled in from the incident at filing time.
CREATE TABLE filing_defaults (
    connection_id TEXT NOT NULL REFERENCES integration_config (id) ON DELETE CASCADE,
    field         TEXT NOT NULL,
    value         TEXT NOT NULL,
    display       TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (connection_id, field)
);

-- What the service says a create needs (required fields, allowed values,
-- defaults, reference tables), read before filing and kept with the time
-- it was read. `scope` names what it describes: `incident` (ServiceNow) or
-- `work_item_type:<Type>` (Azure DevOps).
CREATE TABLE service_metadata (
    connection_id TEXT NOT NULL REFERENCES integration_config (id) ON DELETE CASCADE,
    scope         TEXT NOT NULL,
    body          TEXT NOT NULL,   -- JSON: the fields as fields::FieldRule
    fetched_at    TEXT NOT NULL,
    PRIMARY KEY (connection_id, scope)
);
