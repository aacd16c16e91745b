-- The one-time setup code (docs/access.md, "Setting up in the browser"): a server that starts on a database without orgs
-- prints a link with a secret code, and its first visitor creates the coordinator org and its admin with it. Only the
-- code's SHA-256 is kept (256 random bits need no slow hash). One row at most: a new code replaces the one before, and
-- the code is deleted in the transaction that uses it.
CREATE TABLE setup_codes (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    code_hash  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
