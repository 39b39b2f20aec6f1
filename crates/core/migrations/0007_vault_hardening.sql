-- Vault hardening. The Argon2id parameters of a passphrase vault are kept
-- beside its salt, so they can be raised later (NULL: the first release's
-- 19 MiB, 2 passes, 1 lane). The audit chain gets a keyed seal: the newest
-- row it covers, and an HMAC over that row's hash under a key derived from
-- the vault's data-encryption key, which whoever can only write this file
-- cannot recompute.

ALTER TABLE vault_meta ADD COLUMN kdf_memory_kib INTEGER;
ALTER TABLE vault_meta ADD COLUMN kdf_passes INTEGER;
ALTER TABLE vault_meta ADD COLUMN kdf_lanes INTEGER;

CREATE TABLE audit_seal (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL,
    mac  TEXT NOT NULL
);
