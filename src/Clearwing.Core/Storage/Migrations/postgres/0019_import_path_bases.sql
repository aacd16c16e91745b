-- The folders an import's absolute paths were made relative to, and why each (JSON: [{"folder": …, "source": …}]):
-- a person comparing two imports of one log from two checkouts sees which base each used.
ALTER TABLE imports ADD COLUMN path_bases TEXT;
