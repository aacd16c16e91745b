-- An import loads its project's fingerprints: through the unique key (ordered by hash) it read each row from wherever it
-- lay, a million random reads for a million fingerprints (3 s); by project alone, the index lists them in key order, so
-- the rows are read in the order they are stored (0.3 s). (On PostgreSQL this migration also leaves room on the pages of
-- cases and tracks for the updates each import makes; SQLite updates a row in place.)
CREATE INDEX fingerprints_by_project ON fingerprints (project_id);
