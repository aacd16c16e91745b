-- Advisories (docs/advisories.md). One per case, made when someone first edits, schedules or publishes it. content is the
-- edited AdvisoryContent as JSON, NULL while no one has edited it (the advisory then shows what the case holds). local_id is
-- the id under the installation's prefix, drawn when the row is made; id is the published id (the CVE alias at the first
-- publication, else local_id), NULL until then and never changed after. version counts the published versions.
CREATE TABLE advisories (
    case_seq       INTEGER PRIMARY KEY REFERENCES cases(seq),
    local_id       TEXT NOT NULL UNIQUE,
    id             TEXT UNIQUE,
    content        TEXT,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'reviewed', 'scheduled', 'published')),
    scheduled_for  INTEGER,
    edited_by      TEXT,
    edited_at      INTEGER,
    reviewed_by    TEXT,
    reviewed_at    INTEGER,
    last_error     TEXT,
    version        INTEGER NOT NULL,
    CHECK ((status = 'scheduled') = (scheduled_for IS NOT NULL))
);
CREATE INDEX advisories_due ON advisories (scheduled_for) WHERE status = 'scheduled';

-- The last number drawn under the prefix, per year: CW-2027-0001, CW-2027-0002, …
CREATE TABLE advisory_numbers (
    year  INTEGER PRIMARY KEY,
    last  INTEGER NOT NULL
);

-- Published versions, never updated or deleted: the content as published and the documents written from it, in one row so
-- that the formats go out together or not at all. cve is NULL when the flaw has no CVE id (a CVE record needs one). seq orders
-- them as stored (the ROLIE feed, newest first). csaf_path and csaf_vex_path:
-- where the CSAF provider serves the two CSAF documents, under /.well-known/csaf/ (their filenames follow their tracking ids).
CREATE TABLE advisory_versions (
    seq           INTEGER PRIMARY KEY,
    advisory_id   TEXT NOT NULL,
    version       INTEGER NOT NULL,
    case_seq      INTEGER NOT NULL REFERENCES cases(seq),
    published_at  INTEGER NOT NULL,
    published_by  TEXT NOT NULL,
    summary       TEXT NOT NULL,
    content       TEXT NOT NULL,
    osv           TEXT NOT NULL,
    csaf          TEXT NOT NULL,
    csaf_vex      TEXT NOT NULL,
    cve           TEXT,
    csaf_path     TEXT NOT NULL,
    csaf_vex_path TEXT NOT NULL,
    UNIQUE (advisory_id, version)
);
CREATE INDEX advisory_versions_by_time ON advisory_versions (published_at, advisory_id);
CREATE INDEX advisory_versions_by_csaf_path ON advisory_versions (csaf_path);
CREATE INDEX advisory_versions_by_csaf_vex_path ON advisory_versions (csaf_vex_path);

-- Where an org is told things that are not a project's: for now, that an advisory naming its products is out (docs/advisories.md,
-- "Telling exposed orgs"). A webhook is signed with the secret in the environment variable secret_env, as a project's are.
CREATE TABLE org_channels (
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    channel     TEXT NOT NULL CHECK (channel IN ('webhook', 'email')),
    target      TEXT NOT NULL,
    secret_env  TEXT,
    CHECK ((channel = 'webhook') = (secret_env IS NOT NULL)),
    PRIMARY KEY (org_id, channel, target)
);

-- A notification about a published advisory (its id) rather than about dispatched cases: its one case is the advisory's.
ALTER TABLE notifications ADD COLUMN advisory_id TEXT;

-- The public feed's generation: a publication adds one in its transaction, so a feed node notices it by reading one row.
CREATE TABLE advisory_feed (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  INTEGER NOT NULL
);
INSERT INTO advisory_feed (id, generation) VALUES (1, 0);
