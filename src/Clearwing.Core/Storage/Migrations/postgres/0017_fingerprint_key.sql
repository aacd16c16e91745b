-- Nothing to change here. On SQLite this moves the fingerprints' uniqueness into an index that a large import drops and
-- builds again; PostgreSQL's import inserts all its new fingerprints in one set-based statement and keeps the constraint.
SELECT 1;
