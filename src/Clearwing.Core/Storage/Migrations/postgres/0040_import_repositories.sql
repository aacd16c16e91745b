-- The repositories an import's files say were analysed (SARIF versionControlProvenance repositoryUri), a JSON array as
-- written: a case whose findings came from a repository a project's intake policy claims goes to that project's owner
-- (docs/intake-policy.md, "Owners").
ALTER TABLE imports ADD COLUMN repositories TEXT;
