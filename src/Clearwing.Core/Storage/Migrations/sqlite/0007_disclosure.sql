-- Disclosure policy and the embargo clock's own facts (docs/disclosure-policies.md). The clock's other instants
-- (notified, fixed, fix verified, disclosed, the maintainer's first move) are read from case_transitions.
-- Times are Unix milliseconds (UTC). Profiles are stored by name: the profiles themselves are data in the code.

-- The coordinator's default profile: at most one row; without one, the shipped 'coordinator' profile applies.
CREATE TABLE disclosure_default (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    profile TEXT NOT NULL,
    set_by  TEXT NOT NULL,
    set_at  INTEGER NOT NULL
);

-- Projects whose cases run on another profile than the default.
CREATE TABLE project_disclosure (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id),
    profile    TEXT NOT NULL,
    set_by     TEXT NOT NULL,
    set_at     INTEGER NOT NULL
);

-- Maintainers ask for more embargo time; the coordinator approves or refuses, once. The reason and note may
-- be embargoed text: they stay here and never go into the audit payload.
CREATE TABLE embargo_extensions (
    id         TEXT PRIMARY KEY,
    case_seq   INTEGER NOT NULL REFERENCES cases(seq),
    days       INTEGER NOT NULL CHECK (days BETWEEN 1 AND 365),
    reason     TEXT NOT NULL,
    asked_by   TEXT NOT NULL,
    asked_org  TEXT NOT NULL,
    asked_at   INTEGER NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'refused')),
    decided_by TEXT,
    decided_at INTEGER,
    note       TEXT,
    CHECK ((state = 'pending') = (decided_by IS NULL) AND (decided_by IS NULL) = (decided_at IS NULL))
);
CREATE INDEX embargo_extensions_by_case ON embargo_extensions (case_seq, asked_at);

-- The clock's facts that are not lifecycle moves: a fix the maintainer announced (when, and the day it is
-- scheduled for), exploitation in the wild becoming known, full technical details published.
CREATE TABLE case_clock (
    case_seq             INTEGER PRIMARY KEY REFERENCES cases(seq),
    fix_announced_at     INTEGER,
    fix_scheduled_for    INTEGER,
    exploited_at         INTEGER,
    details_published_at INTEGER,
    CHECK ((fix_announced_at IS NULL) = (fix_scheduled_for IS NULL))
);

-- The deadline listing reads the cases between notification and disclosure, a small part of all cases.
CREATE INDEX cases_by_state ON cases (state);
