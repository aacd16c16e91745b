-- CVSS vectors people set on a case (a validator's assessment, the coordinator's correction), every one
-- kept: the latest is the case's, the earlier ones its history. Vectors that arrived with findings are
-- read from the findings themselves.
CREATE TABLE case_cvss (
    id          INTEGER PRIMARY KEY,
    case_seq    INTEGER NOT NULL REFERENCES cases(seq),
    vector      TEXT NOT NULL,
    version     TEXT NOT NULL,
    score       TEXT NOT NULL,
    severity    TEXT NOT NULL,
    reason      TEXT,
    set_by      TEXT NOT NULL,
    org         TEXT NOT NULL,
    set_at      INTEGER NOT NULL
);
CREATE INDEX case_cvss_by_case ON case_cvss (case_seq, id);
