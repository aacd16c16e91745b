-- Cases by project alone. Keyed also by severity and last seen, the index had an entry moved whenever an import
-- touched a case (every known case a re-import sees again) and new cases landing in as many places as there are
-- severities; listings sort a project's cases by priority anyway, and by severity the same way.
DROP INDEX cases_by_project;
CREATE INDEX cases_by_project ON cases (project_id);
