-- Dispatch rounds (docs/dispatch.md): a maintainer org silent past a case's escalation deadline is escalated, a decision of its
-- own; related cases go out together, each recording the case that led them (one notification, one report against the
-- project's capacity). SQLite cannot change a CHECK, so the table is rebuilt.
CREATE TABLE dispatch_decisions_v2 (
    id            INTEGER PRIMARY KEY,
    case_seq      INTEGER NOT NULL REFERENCES cases(seq),
    decided_at    INTEGER NOT NULL,
    decision      TEXT NOT NULL CHECK (decision IN ('sent', 'waits', 'unresolved', 'escalated')),
    bypass        TEXT,
    project_id    INTEGER REFERENCES projects(id),
    org_id        INTEGER REFERENCES orgs(id),
    priority      INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    decided_by    TEXT NOT NULL,
    together_with INTEGER REFERENCES cases(seq)
);
INSERT INTO dispatch_decisions_v2 (id, case_seq, decided_at, decision, bypass, project_id, org_id, priority, reason, decided_by)
    SELECT id, case_seq, decided_at, decision, bypass, project_id, org_id, priority, reason, decided_by FROM dispatch_decisions;
DROP TABLE dispatch_decisions;
ALTER TABLE dispatch_decisions_v2 RENAME TO dispatch_decisions;
CREATE INDEX dispatch_decisions_by_case ON dispatch_decisions (case_seq, id);
CREATE INDEX dispatch_decisions_sent ON dispatch_decisions (project_id, decided_at) WHERE decision = 'sent';

-- The notification a pending sent case goes out in: the case that led its related cases (a case id), null when it went alone.
ALTER TABLE notification_pending ADD COLUMN together_with TEXT;
