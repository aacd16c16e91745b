-- Candidate patches (docs/validation.md, "Candidate patches"): a unified diff offered for a case, labelled with who wrote it,
-- and the ladder that checked it in the sandbox. The steps' booleans are null until reached (the ladder stops at the first
-- failure); the log holds each step's output (JSON), embargoed like the diff, so neither goes into the audit chain.
CREATE TABLE patches (
    id                  TEXT PRIMARY KEY,
    case_seq            INTEGER NOT NULL REFERENCES cases(seq),
    digest              TEXT NOT NULL,
    diff                TEXT NOT NULL,
    author              TEXT NOT NULL,
    added_by            TEXT NOT NULL,
    added_org           TEXT NOT NULL,
    added_at            INTEGER NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('queued', 'done')),
    job_id              TEXT,
    finished_at         INTEGER,
    applies             INTEGER,
    builds              INTEGER,
    reproducers_stopped INTEGER,
    tests_pass          INTEGER,
    verdict             TEXT,
    error               TEXT,
    log                 TEXT,
    UNIQUE (case_seq, digest)
);
CREATE INDEX patches_by_case ON patches (case_seq, added_at);

-- Other open cases whose reproducer a patch also stopped while it reproduces unpatched: likely one root cause with the patch's
-- case. Shown with the patch, never merged on its own.
CREATE TABLE patch_disarms (
    patch_id TEXT NOT NULL REFERENCES patches(id),
    case_seq INTEGER NOT NULL REFERENCES cases(seq),
    PRIMARY KEY (patch_id, case_seq)
);
