-- Renamed rules (SARIF reportingDescriptor.deprecatedIds): each id of a rule maps to the id its fingerprints use, the one
-- the project's baseline knew first, so an upgraded tool's results keep their fingerprints.
CREATE TABLE rule_aliases (
    project_id   INTEGER NOT NULL,
    tool         TEXT NOT NULL,
    rule_id      TEXT NOT NULL,
    canonical_id TEXT NOT NULL,
    learned_at   INTEGER NOT NULL,
    PRIMARY KEY (project_id, tool, rule_id)
) WITHOUT ROWID;

-- The rule ids each tool has reported in a project: which of a renamed rule's former ids the baseline fingerprints by.
CREATE TABLE project_rules (
    project_id INTEGER NOT NULL,
    tool       TEXT NOT NULL,
    rule_id    TEXT NOT NULL,
    PRIMARY KEY (project_id, tool, rule_id)
) WITHOUT ROWID;
INSERT INTO project_rules (project_id, tool, rule_id) SELECT DISTINCT project_id, tool, rule_id FROM findings;
