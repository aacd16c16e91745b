-- Half of each page of cases left free, so that an import counting its findings into the cases it sees again (finding_count
-- and last_seen, in no index) updates each row on its own page: a heap-only update, which writes none of the table's ten
-- indexes. Full pages made every such update a new row version in every index: 18.4 s of a 54 s re-import of a million results
-- against 800,000 cases (docs/performance.md). Pages written before this migration keep their fill until the table is rewritten
-- (VACUUM FULL cases, which locks it: at a quiet time).
ALTER TABLE cases SET (fillfactor = 50);
