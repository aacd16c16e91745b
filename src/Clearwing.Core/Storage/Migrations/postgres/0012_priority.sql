-- Each case's place in every queue (docs/priority.md): the factors as last computed, the points they give
-- (all but the deadline's, which depends on the hour a list is read and is added by the listing query), and
-- whether they are stale. Anything that changes a factor bumps `version` and sets `stale`; the next listing
-- recomputes stale rows and stores them only if `version` has not moved meanwhile, so a change made during a
-- recomputation is never overwritten by the older result. A case without a row is one nothing has happened to since
-- an import opened it (PriorityStore.Fresh), so imports write no rows for the cases they open.
CREATE TABLE case_priority (
    case_seq             BIGINT PRIMARY KEY REFERENCES cases(seq),
    version              INTEGER NOT NULL DEFAULT 1,
    stale                INTEGER NOT NULL DEFAULT 1,
    closed               INTEGER NOT NULL DEFAULT 0,
    points               INTEGER NOT NULL DEFAULT 0,
    ssvc                 TEXT,
    ssvc_missing         TEXT,
    exploitation         TEXT NOT NULL DEFAULT 'none',
    exploitation_source  TEXT,
    cvss_tenths          INTEGER,
    cvss_vector          TEXT,
    exposure_orgs        INTEGER NOT NULL DEFAULT 0,
    exposure_products    INTEGER NOT NULL DEFAULT 0,
    deadline_at          BIGINT,
    deadline_kind        TEXT
);
CREATE INDEX case_priority_stale ON case_priority (case_seq) WHERE stale = 1;
-- Cases something already happened to get a stale row; the others are fresh.
INSERT INTO case_priority (case_seq)
SELECT seq FROM cases
WHERE state <> 'new'
   OR seq IN (SELECT case_seq FROM case_ssvc) OR seq IN (SELECT case_seq FROM case_cvss)
   OR seq IN (SELECT case_seq FROM case_aliases) OR seq IN (SELECT case_seq FROM case_clock)
   OR seq IN (SELECT x.case_seq FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id WHERE f.cvss_vector IS NOT NULL);
