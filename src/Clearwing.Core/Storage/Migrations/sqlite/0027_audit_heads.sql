-- Signed heads of the audit chain (docs/audit.md, "Published heads"): the server signs the chain's head every 1,000
-- events and at least hourly with a key derived from the installation's key file, which is not in the database. A
-- database writer who cuts or rewrites the chain cannot sign a head to match, and `audit verify` checks the chain
-- against every head here, the newest first of all. The list is public: anyone may keep a copy of it.
CREATE TABLE audit_heads (
    seq          INTEGER PRIMARY KEY,
    hash         TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    key_id       TEXT NOT NULL,
    signature    TEXT NOT NULL
);
