-- Whether a new finding joins the case of another finder's finding about the same flaw (the same file, overlapping
-- lines and the same CWE, or a shared advisory alias; docs/fingerprints.md, "Joins"): on unless the project switches
-- it off.
ALTER TABLE projects ADD COLUMN cross_finder_joins INTEGER NOT NULL DEFAULT 1;
