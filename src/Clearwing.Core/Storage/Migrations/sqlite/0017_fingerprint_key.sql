-- A project's fingerprints are unique through an index of their own rather than a table constraint: an import that
-- adds more fingerprints than the table held drops it and builds it again once, sorted, instead of inserting
-- fingerprints (hashes, in no order) one by one all over it. The table is rebuilt because SQLite cannot drop a
-- constraint; its rows, ids and other index are kept.
CREATE TABLE fingerprints_rebuilt (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    case_seq    INTEGER NOT NULL
);
INSERT INTO fingerprints_rebuilt (id, project_id, fingerprint, case_seq) SELECT id, project_id, fingerprint, case_seq FROM fingerprints;
DROP TABLE fingerprints;
ALTER TABLE fingerprints_rebuilt RENAME TO fingerprints;
CREATE UNIQUE INDEX fingerprints_key ON fingerprints (project_id, fingerprint);
CREATE INDEX fingerprints_by_case ON fingerprints (case_seq);
