-- Every import updates each case it sees (counts, last seen) and each track it reports again (last import). A row updated
-- where its page has room is a heap-only update: no new entry in any of the table's indexes, and the old version is
-- pruned on the page. Full pages, the default, make every such update a new entry in every index; this leaves room.
-- Only pages written from now on keep it; VACUUM FULL or CLUSTER rewrites the existing ones.
ALTER TABLE cases SET (fillfactor = 70);
ALTER TABLE tracks SET (fillfactor = 50);

-- An import loads its project's fingerprints: through the unique key (ordered by hash) it fetched each row from wherever
-- it lay; by project alone, in the order the rows were stored.
CREATE INDEX fingerprints_by_project ON fingerprints (project_id);
