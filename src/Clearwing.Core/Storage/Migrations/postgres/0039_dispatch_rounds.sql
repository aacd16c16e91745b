-- Dispatch rounds (docs/dispatch.md): a maintainer org silent past a case's escalation deadline is escalated, a decision of its
-- own; related cases go out together, each recording the case that led them (one notification, one report against the
-- project's capacity).
ALTER TABLE dispatch_decisions DROP CONSTRAINT dispatch_decisions_decision_check;
ALTER TABLE dispatch_decisions ADD CONSTRAINT dispatch_decisions_decision_check
    CHECK (decision IN ('sent', 'waits', 'unresolved', 'escalated'));
ALTER TABLE dispatch_decisions ADD COLUMN together_with BIGINT REFERENCES cases(seq);

-- The notification a pending sent case goes out in: the case that led its related cases (a case id), null when it went alone.
ALTER TABLE notification_pending ADD COLUMN together_with TEXT;
