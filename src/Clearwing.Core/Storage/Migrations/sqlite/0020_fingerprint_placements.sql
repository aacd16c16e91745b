-- Why a fingerprint is in a case it did not open: a person merged or split it there (and, with the matching passes, a
-- rule matched or joined it to another finding's case). A fingerprint without rows opened its own case; with rows, the
-- last one says why it is where it is, and the first one's from_case is the case it opened.
CREATE TABLE fingerprint_placements (
    seq            INTEGER PRIMARY KEY,
    fingerprint_id INTEGER NOT NULL,
    case_id        TEXT NOT NULL,
    from_case      TEXT,
    kind           TEXT NOT NULL CHECK (kind IN ('merged', 'split', 'matched', 'joined')),
    pass           INTEGER,
    other_finding  TEXT,
    reason         TEXT NOT NULL,
    placed_by      TEXT NOT NULL,
    placed_at      INTEGER NOT NULL
);
CREATE INDEX fingerprint_placements_by_fingerprint ON fingerprint_placements (fingerprint_id, seq);
