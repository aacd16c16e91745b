-- Commitments (DESIGN.md "Commitment"; docs/commitments.md): one per case, made when the case is
-- confirmed. digest is SHA3-256 over the length-prefixed version tag, case id, salt and canonical report.
-- salt and report are secret until revealed_at is set (the case is disclosed); the public queries select
-- them only when it is. vendor, product and deadline form the optional early notice, all or none.
-- Times are Unix milliseconds (UTC).
CREATE TABLE commitments (
    case_id      TEXT PRIMARY KEY REFERENCES cases(id),
    digest       TEXT NOT NULL UNIQUE CHECK (length(digest) = 64),
    version      TEXT NOT NULL,
    salt         BYTEA NOT NULL CHECK (octet_length(salt) = 32),
    report       BYTEA NOT NULL,
    committed_at BIGINT NOT NULL,
    vendor       TEXT,
    product      TEXT,
    deadline     BIGINT,
    published_at BIGINT,
    revealed_at  BIGINT,
    CHECK ((vendor IS NULL) = (product IS NULL) AND (vendor IS NULL) = (deadline IS NULL) AND (vendor IS NULL) = (published_at IS NULL))
);
-- The public list pages newest first by (committed_at, digest).
CREATE INDEX commitments_by_time ON commitments (committed_at, digest);
