-- The size of an import's files. An import is hashed beside the read unless an earlier import of the project has the
-- same size (only then can it be the same files, and the hash must come first to skip them); NULL for imports made
-- before sizes were kept, which always hash first.
ALTER TABLE imports ADD COLUMN bytes BIGINT;
