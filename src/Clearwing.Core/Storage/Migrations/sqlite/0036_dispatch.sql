-- Dispatch (docs/dispatch.md): every decision a round made about a confirmed case — sent to its owner, waiting for the
-- project's capacity, or left to the coordinator — with the reason; a round records a case's decision when it differs from
-- the last one. The sent ones, per project and instant, are what the next rounds count against the project's capacity.
CREATE TABLE dispatch_decisions (
    id          INTEGER PRIMARY KEY,
    case_seq    INTEGER NOT NULL REFERENCES cases(seq),
    decided_at  INTEGER NOT NULL,
    decision    TEXT NOT NULL CHECK (decision IN ('sent', 'waits', 'unresolved')),
    bypass      TEXT,
    project_id  INTEGER REFERENCES projects(id),
    org_id      INTEGER REFERENCES orgs(id),
    priority    INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    decided_by  TEXT NOT NULL
);
CREATE INDEX dispatch_decisions_by_case ON dispatch_decisions (case_seq, id);
CREATE INDEX dispatch_decisions_sent ON dispatch_decisions (project_id, decided_at) WHERE decision = 'sent';
