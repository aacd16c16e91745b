-- The spine: projects, imports, cases, fingerprint membership, baseline tracks, findings.
-- Times are Unix milliseconds (UTC) on both engines so the shared SQL never converts them.
-- Rows that the outside world names carry a random text id; joins run on integer keys, which keep
-- the million-row statements of an import fast. Project ids stay on every hot table (sharding by org
-- will key on them).
CREATE TABLE projects (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE imports (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    revision    TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    results     INTEGER NOT NULL,
    new         INTEGER NOT NULL,
    unchanged   INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    absent      INTEGER NOT NULL,
    suppressed  INTEGER NOT NULL,
    new_cases   INTEGER NOT NULL,
    UNIQUE (project_id, sha256)
);

CREATE TABLE cases (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    title         TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'new',
    first_seen    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    finding_count INTEGER NOT NULL DEFAULT 0,
    max_severity  INTEGER NOT NULL DEFAULT 0,
    merged_into   TEXT,
    created_at    INTEGER NOT NULL
);
CREATE INDEX cases_by_project ON cases (project_id, max_severity, last_seen);

-- Every fingerprint of a project belongs to exactly one case (the unique key says so).
CREATE TABLE fingerprints (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    case_seq    INTEGER NOT NULL,
    UNIQUE (project_id, fingerprint)
);
CREATE INDEX fingerprints_by_case ON fingerprints (case_seq);

-- Baseline state per tracked result: the n-th occurrence of a fingerprint. Keyed by itself and without
-- an index on presence: the importer holds a project's tracks in memory and marks absence by key.
CREATE TABLE tracks (
    fingerprint_id INTEGER NOT NULL,
    occurrence     INTEGER NOT NULL,
    project_id     INTEGER NOT NULL,
    tool           TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    present        INTEGER NOT NULL,
    last_import    INTEGER NOT NULL,
    last_revision  TEXT NOT NULL,
    PRIMARY KEY (fingerprint_id, occurrence)
) WITHOUT ROWID;

-- Findings arrive in key order (import, then ordinal), so the key is the table: no second B-tree.
CREATE TABLE findings (
    import_seq         INTEGER NOT NULL,
    ordinal            INTEGER NOT NULL,
    project_id         INTEGER NOT NULL,
    fingerprint_id     INTEGER NOT NULL,
    occurrence         INTEGER NOT NULL,
    baseline_state     TEXT NOT NULL,
    tool               TEXT NOT NULL,
    tool_version       TEXT,
    model              TEXT,
    rule_id            TEXT NOT NULL,
    cwe                TEXT,
    level              INTEGER NOT NULL,
    severity           INTEGER NOT NULL,
    message            TEXT NOT NULL,
    path               TEXT,
    start_line         INTEGER,
    end_line           INTEGER,
    start_column       INTEGER,
    function           TEXT,
    snippet            TEXT,
    fingerprint_source INTEGER NOT NULL,
    suppressed         INTEGER NOT NULL,
    evidence           TEXT,
    reproducer         TEXT,
    cvss_vector        TEXT,
    confidence         REAL,
    revision           TEXT NOT NULL,
    observed_at        INTEGER NOT NULL,
    PRIMARY KEY (import_seq, ordinal)
) WITHOUT ROWID;
CREATE INDEX findings_by_fingerprint ON findings (fingerprint_id);

-- Manual merges and splits, with the reason the person gave.
CREATE TABLE case_changes (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL,
    other_case   TEXT NOT NULL,
    action       TEXT NOT NULL,
    reason       TEXT NOT NULL,
    fingerprints INTEGER NOT NULL,
    changed_at   INTEGER NOT NULL
);
CREATE INDEX case_changes_by_case ON case_changes (case_id);
