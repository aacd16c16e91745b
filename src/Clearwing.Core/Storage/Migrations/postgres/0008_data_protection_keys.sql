-- The keys that protect session cookies and CSRF tokens (ASP.NET Core data protection), shared by every
-- server process on this database, so a session issued by one is honoured by the others.
CREATE TABLE data_protection_keys (
    name        TEXT PRIMARY KEY,
    xml         TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
