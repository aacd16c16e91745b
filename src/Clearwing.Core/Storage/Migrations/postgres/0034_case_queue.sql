-- The case queue at a million findings (issue 16; docs/case-queue.md).
-- Each case carries its place in the priority order as sort keys beside its own, so an index holds the order and a page
-- reads about as many index entries as it shows: PriorityStore writes them with the factors (case_priority), in the same
-- transaction. Every key descends (the soonest deadline is the greatest negated one, an open case is 1), so a page's cursor
-- is one row-value comparison, which both engines seek to in the index: the 50th page costs what the first does. The
-- defaults are a fresh case's (PriorityStore.Fresh: open, 15 points as an undecided SSVC, no deadline, no CVSS), so an
-- import writes nothing for the cases it opens. No deadline is -9223372036854775807 and no CVSS -1; a closed case has no
-- deadline in the queue (its deadline gives no points).
ALTER TABLE cases ADD COLUMN queue_open BIGINT NOT NULL DEFAULT 1;
ALTER TABLE cases ADD COLUMN queue_points BIGINT NOT NULL DEFAULT 15;
ALTER TABLE cases ADD COLUMN queue_neg_deadline BIGINT NOT NULL DEFAULT -9223372036854775807;
ALTER TABLE cases ADD COLUMN queue_cvss BIGINT NOT NULL DEFAULT -1;
UPDATE cases SET queue_open = 1 - q.closed, queue_points = q.points,
       queue_neg_deadline = CASE WHEN q.closed = 1 OR q.deadline_at IS NULL THEN -9223372036854775807 ELSE -q.deadline_at END,
       queue_cvss = COALESCE(q.cvss_tenths, -1)
FROM case_priority q WHERE q.case_seq = cases.seq AND q.stale = 0;

-- The orders a page reads, over the cases lists show, each with the project and state after the order's keys: those filters
-- are checked in the index, without the case's row. None holds last_seen, which every import rewrites for every case it
-- sees: an import's update of a case stays heap-only (0029_room_to_update.sql) unless it reports more than the case had
-- (signal, max_severity). The priority order, over the cases without a deadline (written as a range: an equality on a
-- middle column keeps SQLite from reading the index in order; PriorityStore.NoDeadlineSql):
CREATE INDEX cases_by_priority ON cases (queue_open DESC, signal DESC, queue_points DESC, queue_neg_deadline DESC, queue_cvss DESC,
                                         max_severity DESC, seq DESC, project_id, state)
    WHERE merged_into IS NULL AND queue_neg_deadline <= -9223372036854775807;
-- The cases with a deadline (open ones), in the same order: their score depends on the hour, so they are read apart
-- (PriorityStore.Order); and they have the most points, so the cases without one would be read past them.
CREATE INDEX cases_with_deadline ON cases (queue_open DESC, signal DESC, queue_points DESC, queue_neg_deadline DESC, queue_cvss DESC,
                                           max_severity DESC, seq DESC, project_id, state)
    WHERE merged_into IS NULL AND queue_neg_deadline > -9223372036854775807;
CREATE INDEX cases_by_deadline ON cases (queue_neg_deadline DESC, seq DESC, project_id, state) WHERE merged_into IS NULL;
CREATE INDEX cases_by_age ON cases (first_seen, seq, project_id, state) WHERE merged_into IS NULL;
-- The cases merged into one, which the case page reads (their reproducers are the survivor's): few, and without this index
-- each read of a case page scanned every case (15 ms at 200,000).
CREATE INDEX cases_merged ON cases (merged_into) WHERE merged_into IS NOT NULL;
-- The few exposed cases, for the exposure filter.
CREATE INDEX case_priority_exposed ON case_priority (case_seq) WHERE exposure_orgs > 0;

-- Which tools reported each case's findings (findings.tool), for the finder filter: one lookup by key per case, where its
-- findings would be many. The intake writer adds a pair when a tool may report into a case for the first time; merges and
-- splits recompute the cases whose fingerprints moved (CaseFinders, on the case-changed hook).
CREATE TABLE case_finders (
    tool     TEXT NOT NULL,
    case_seq BIGINT NOT NULL,
    PRIMARY KEY (tool, case_seq)
);
INSERT INTO case_finders (tool, case_seq)
SELECT DISTINCT f.tool, x.case_seq FROM findings f JOIN fingerprints x ON x.id = f.fingerprint_id;
