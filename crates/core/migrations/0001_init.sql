-- Incident Bridge: first schema. Foundation tables for connections, sealed
-- credentials, the vault's key material and the hash-chained audit log.

CREATE TABLE vault_meta (
    -- exactly one row
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    vault_id         TEXT NOT NULL,            -- random; names the keychain entry / key file
    kek_source       TEXT NOT NULL CHECK (kek_source IN ('keychain', 'keyfile', 'passphrase')),
    kek_id           TEXT NOT NULL,            -- changes on every rotation
    kdf_salt         BLOB,                     -- Argon2id salt when kek_source = 'passphrase'
    fingerprint_salt BLOB NOT NULL,            -- salts credential fingerprints
    created_at       TEXT NOT NULL,
    rotated_at       TEXT
);

-- The data-encryption key, wrapped (AES-256-GCM) under the key-encryption key.
CREATE TABLE vault_keys (
    version     INTEGER PRIMARY KEY,
    wrapped_key BLOB NOT NULL,
    nonce       BLOB NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE integration_config (
    id                  TEXT PRIMARY KEY,
    provider            TEXT NOT NULL CHECK (provider IN ('confluence', 'servicenow', 'azure_devops')),
    display_name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    base_url            TEXT NOT NULL,
    auth_type           TEXT NOT NULL CHECK (auth_type IN ('oauth2', 'api_token', 'pat', 'basic')),
    provider_config     TEXT NOT NULL DEFAULT '{}',
    is_default          INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    auto_create_enabled INTEGER NOT NULL DEFAULT 0 CHECK (auto_create_enabled IN (0, 1)),
    status              TEXT NOT NULL CHECK (status IN ('connected', 'needs_reconnect', 'error')),
    status_detail       TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

-- At most one default connection per provider.
CREATE UNIQUE INDEX integration_config_one_default
    ON integration_config (provider) WHERE is_default = 1;

CREATE TABLE credentials (
    id            TEXT PRIMARY KEY,
    connection_id TEXT NOT NULL REFERENCES integration_config (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('access_token', 'refresh_token', 'api_token', 'pat', 'password', 'client_secret')),
    ciphertext    BLOB NOT NULL,
    nonce         BLOB NOT NULL,
    key_version   INTEGER NOT NULL,
    fingerprint   TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT,
    UNIQUE (connection_id, kind)
);

CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL CHECK (actor IN ('ui', 'cli', 'background')),
    action        TEXT NOT NULL,
    connection    TEXT,
    outcome       TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);

-- The newest entry's seq and hash, so that removing rows from the end of the
-- chain is noticed too.
CREATE TABLE audit_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL,
    hash     TEXT NOT NULL
);
