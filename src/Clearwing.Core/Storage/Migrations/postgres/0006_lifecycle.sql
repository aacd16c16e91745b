-- Every lifecycle move of a case, in order (docs/lifecycle.md); cases.state is the last one's target.
-- The disclosure clock reads its instants from here: notified, fixed, fix verified, disclosed, and the
-- maintainer's first move.
CREATE TABLE case_transitions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_seq      BIGINT NOT NULL REFERENCES cases(seq),
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    action        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    org           TEXT NOT NULL,
    org_kind      TEXT NOT NULL,
    reason        TEXT,
    rejection     TEXT,
    duplicate_of  TEXT,
    fix_commit    TEXT,
    fixed_version TEXT,
    at            BIGINT NOT NULL
);
CREATE INDEX case_transitions_by_case ON case_transitions (case_seq, id);
