-- Nothing to change here. On PostgreSQL this leaves room on the pages of cases and tracks for the updates each import
-- makes; SQLite updates a row in place.
SELECT 1;
