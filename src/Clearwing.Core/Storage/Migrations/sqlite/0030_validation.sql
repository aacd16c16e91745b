-- Validation (docs/validation.md): reproducers attached to a case, the runs that try them in the sandbox, and what each
-- reproducer did in each run. A finding's own reproducer stays on the finding (findings.reproducer) and is read through its
-- fingerprint, so it follows merges and splits; only reproducers attached later are stored here.
CREATE TABLE reproducers (
    id        TEXT PRIMARY KEY,
    case_seq  INTEGER NOT NULL REFERENCES cases(seq),
    digest    TEXT NOT NULL,
    body      TEXT NOT NULL,
    added_by  TEXT NOT NULL,
    added_org TEXT NOT NULL,
    added_at  INTEGER NOT NULL,
    UNIQUE (case_seq, digest)
);

-- One try of a case's reproducers: to validate the case, or against its fix. A run is queued with its job and done once its
-- results are stored; the verdict sums up its reproducers' (docs/validation.md, "Runs").
CREATE TABLE validation_runs (
    id           TEXT PRIMARY KEY,
    case_seq     INTEGER NOT NULL REFERENCES cases(seq),
    purpose      TEXT NOT NULL CHECK (purpose IN ('validate', 'fix')),
    revision     TEXT,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'done')),
    job_id       TEXT,
    requested_by TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    finished_at  INTEGER,
    verdict      TEXT,
    runs         INTEGER,
    crashes      INTEGER,
    crash_type   TEXT,
    crash_state  TEXT,
    security     INTEGER,
    error        TEXT
);
CREATE INDEX validation_runs_by_case ON validation_runs (case_seq, requested_at);

-- Each reproducer's verdict in a run, with the log of its build and of every attempt (JSON): program output, which may be
-- embargoed, so it stays here and never goes into the audit chain.
CREATE TABLE validation_results (
    run_id   TEXT NOT NULL REFERENCES validation_runs(id),
    ordinal  INTEGER NOT NULL,
    digest   TEXT NOT NULL,
    source   TEXT NOT NULL,
    verdict  TEXT NOT NULL,
    error    TEXT,
    log      TEXT NOT NULL,
    PRIMARY KEY (run_id, ordinal)
);

-- Whether a case whose reproducer reproduced is confirmed without a person: the coordinator's choice per project, on by default.
ALTER TABLE projects ADD COLUMN auto_confirm INTEGER NOT NULL DEFAULT 1;
-- How a fix was verified: 'reproducer' (its reproducers ran against the fix and did not reproduce), 'rescan' (a later import no
-- longer reported it) or 'person' (someone moved it); null until it is.
ALTER TABLE cases ADD COLUMN fix_verification TEXT;
-- What a move rests on, when it rests on a check: the validation run (its id) of a confirmation or of a verified or failed fix,
-- or the import (import:ID) that verified a fix by rescan.
ALTER TABLE case_transitions ADD COLUMN evidence TEXT;
