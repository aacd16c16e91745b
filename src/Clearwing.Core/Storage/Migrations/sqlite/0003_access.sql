-- Who may see and do what (DESIGN.md "Org, member, role, grant"). Times are Unix milliseconds (UTC).
CREATE TABLE orgs (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('coordinator', 'maintainer', 'validator', 'downstream')),
    created_at  INTEGER NOT NULL
);

-- A member logs in on the web with a password (PBKDF2-SHA256; null = no web login). Repeated
-- failures lock the login for a while; the counter resets on success. Every session carries the
-- member's session stamp; changing it (logout, new password) ends all their sessions at once.
CREATE TABLE members (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES orgs(id),
    login          TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'triager', 'viewer')),
    password_hash  TEXT,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   INTEGER,
    session_stamp  TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX members_by_org ON members (org_id);

-- API tokens: only the SHA-256 of the secret is kept (the secret is shown once). The id is public
-- (listings, revocation); the secret never is.
CREATE TABLE tokens (
    id            TEXT PRIMARY KEY,
    org_id        INTEGER NOT NULL REFERENCES orgs(id),
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'triager', 'viewer')),
    secret_sha256 TEXT NOT NULL UNIQUE,
    created_by    TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER,
    revoked_at    INTEGER,
    last_used_at  INTEGER
);
CREATE INDEX tokens_by_org ON tokens (org_id);

-- Need-to-know: an org sees a case only through a grant. A validator org's grant is for validation
-- (the findings, not the maintainers' discussion); a maintainer org's is full.
CREATE TABLE grants (
    case_seq    INTEGER NOT NULL REFERENCES cases(seq),
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    access      TEXT NOT NULL CHECK (access IN ('full', 'validation')),
    granted_by  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    granted_at  INTEGER NOT NULL,
    PRIMARY KEY (case_seq, org_id)
);
CREATE INDEX grants_by_org ON grants (org_id, case_seq);
