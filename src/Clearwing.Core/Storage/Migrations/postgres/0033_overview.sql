-- The program overview (docs/overview.md) reads these tallies instead of every case and every move; the stores keep them exact in
-- the transactions that change what they count (Cases/OverviewTally). Each counts the cases the overview counts (not merged away,
-- in the vulnerability queue: security and unknown cases, and quality ones in projects that open cases for them): under org_id 0
-- every such case, under an org's id the cases granted to it.

-- When a case entered the state a move ends: the move before it, or the case's creation. A stay's length is at - entered_at.
ALTER TABLE case_transitions ADD COLUMN entered_at BIGINT;
UPDATE case_transitions t SET entered_at = coalesce(
    (SELECT p.at FROM case_transitions p WHERE p.case_seq = t.case_seq AND p.id < t.id ORDER BY p.id DESC LIMIT 1),
    (SELECT c.created_at FROM cases c WHERE c.seq = t.case_seq));

-- Cases by project, state, and whether a decision (out of triage, to confirmed or rejected) or a validation run's answer
-- validated them.
CREATE TABLE overview_cases (
    org_id     BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    state      TEXT NOT NULL,
    validated  BIGINT NOT NULL,
    cases      BIGINT NOT NULL,
    PRIMARY KEY (org_id, project_id, state, validated)
);

-- Cases by the week (its Monday 00:00 UTC, Unix milliseconds) they were first seen ('opened'), first moved to fixed ('fixed')
-- and first moved to fix verified ('fix_verified'), and whether they are disclosed.
CREATE TABLE overview_weeks (
    org_id    BIGINT NOT NULL,
    week      BIGINT NOT NULL,
    event     TEXT NOT NULL,
    disclosed BIGINT NOT NULL,
    cases     BIGINT NOT NULL,
    PRIMARY KEY (org_id, week, event, disclosed)
);

-- Stays that ended, by their length in hours (whole hours below two days, whole days from two days on), the state left, and
-- whether the case is disclosed.
CREATE TABLE overview_stays (
    org_id    BIGINT NOT NULL,
    hours     BIGINT NOT NULL,
    state     TEXT NOT NULL,
    disclosed BIGINT NOT NULL,
    stays     BIGINT NOT NULL,
    PRIMARY KEY (org_id, state, hours, disclosed)
);

-- The open cases on the clock (notified, or with the fix in progress) by their next open deadline (case_priority.deadline_at).
CREATE TABLE overview_deadlines (
    org_id      BIGINT NOT NULL,
    deadline_at BIGINT NOT NULL,
    cases       BIGINT NOT NULL,
    PRIMARY KEY (org_id, deadline_at)
);

-- An import looks up the project's quality cases, which a new finding may bring into the queue; they are few.
CREATE INDEX cases_quality ON cases (project_id) WHERE signal = 0;
-- The ten nearest deadlines at risk, soonest first.
CREATE INDEX case_priority_by_deadline ON case_priority (deadline_at) WHERE deadline_at IS NOT NULL;

-- The cases stored so far: the same counts as OverviewTally's, each for every case (org 0) and for each org of its grants.
CREATE TEMPORARY TABLE counted AS
SELECT c.seq, c.project_id, c.state, c.first_seen,
       CASE WHEN c.state = 'disclosed' THEN 1 ELSE 0 END AS disclosed,
       CASE WHEN c.state NOT IN ('new', 'triage')
                 OR EXISTS (SELECT 1 FROM case_transitions vt
                            WHERE vt.case_seq = c.seq AND vt.from_state = 'triage' AND vt.to_state IN ('confirmed', 'rejected'))
                 OR EXISTS (SELECT 1 FROM validation_runs vr
                            WHERE vr.case_seq = c.seq AND vr.purpose = 'validate' AND vr.state = 'done' AND vr.verdict <> 'error')
            THEN 1 ELSE 0 END AS validated
FROM cases c
WHERE c.merged_into IS NULL
      AND (c.signal > 0 OR EXISTS (SELECT 1 FROM projects np WHERE np.id = c.project_id AND np.non_security = 'cases'));

CREATE TEMPORARY TABLE counted_for AS
SELECT 0 AS o, seq FROM counted
UNION ALL
SELECT g.org_id, g.case_seq FROM grants g JOIN counted k ON k.seq = g.case_seq;

INSERT INTO overview_cases (org_id, project_id, state, validated, cases)
SELECT f.o, k.project_id, k.state, k.validated, count(*) FROM counted_for f JOIN counted k ON k.seq = f.seq
GROUP BY f.o, k.project_id, k.state, k.validated;

INSERT INTO overview_weeks (org_id, week, event, disclosed, cases)
SELECT o, week, event, disclosed, count(*) FROM (
    SELECT f.o, ((k.first_seen + 259200000) / 604800000) * 604800000 - 259200000 AS week, 'opened' AS event, k.disclosed
    FROM counted_for f JOIN counted k ON k.seq = f.seq
    UNION ALL
    SELECT f.o, ((e.at + 259200000) / 604800000) * 604800000 - 259200000, e.event, e.disclosed
    FROM counted_for f JOIN (
        SELECT t.case_seq, t.to_state AS event, min(t.at) AS at, max(k.disclosed) AS disclosed
        FROM counted k JOIN case_transitions t ON t.case_seq = k.seq
        WHERE t.to_state IN ('fixed', 'fix_verified')
        GROUP BY t.case_seq, t.to_state) e ON e.case_seq = f.seq) s
GROUP BY o, week, event, disclosed;

INSERT INTO overview_stays (org_id, hours, state, disclosed, stays)
SELECT o, hours, state, disclosed, count(*) FROM (
    SELECT f.o, t.from_state AS state, k.disclosed,
           CASE WHEN t.at <= t.entered_at THEN 0
                WHEN t.at - t.entered_at < 172800000 THEN (t.at - t.entered_at) / 3600000
                ELSE (t.at - t.entered_at) / 86400000 * 24 END AS hours
    FROM counted_for f JOIN counted k ON k.seq = f.seq JOIN case_transitions t ON t.case_seq = k.seq) s
GROUP BY o, hours, state, disclosed;

INSERT INTO overview_deadlines (org_id, deadline_at, cases)
SELECT f.o, q.deadline_at, count(*) FROM counted_for f JOIN counted k ON k.seq = f.seq JOIN case_priority q ON q.case_seq = k.seq
WHERE k.state IN ('notified', 'fix_in_progress') AND q.deadline_at IS NOT NULL
GROUP BY f.o, q.deadline_at;

DROP TABLE counted_for;
DROP TABLE counted;
