-- One process at a time refreshes a connection's OAuth tokens. The desktop
-- app, its outbox worker and CLI runs share the database, and authorization
-- servers that rotate refresh tokens (Atlassian) refuse every refresh but
-- the first; whoever holds this row refreshes, the others wait and then use
-- the tokens it stored. A lease whose holder died (pid check) or that
-- expired is taken over.
CREATE TABLE refresh_leases (
    connection_id TEXT PRIMARY KEY REFERENCES integration_config (id) ON DELETE CASCADE,
    holder        TEXT NOT NULL,   -- pid:<pid>:<random>
    taken_at      TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
