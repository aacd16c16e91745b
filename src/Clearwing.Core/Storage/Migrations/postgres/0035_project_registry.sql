-- The project registry (docs/intake-policy.md): each project's intake policy as imported, and the package URLs and
-- repositories it claims, by which a case finds its project's owner. A package or repository belongs to one project.
CREATE TABLE project_policies (
    project_id    BIGINT PRIMARY KEY REFERENCES projects(id),
    owner_org_id  BIGINT  NOT NULL REFERENCES orgs(id),
    policy        TEXT NOT NULL,
    source        TEXT NOT NULL,
    digest        TEXT NOT NULL,
    imported_at   BIGINT  NOT NULL,
    imported_by   TEXT NOT NULL
);
CREATE INDEX project_policies_by_owner ON project_policies (owner_org_id);

CREATE TABLE project_packages (
    package_key  TEXT PRIMARY KEY,
    project_id   BIGINT NOT NULL  REFERENCES projects(id)
);
CREATE INDEX project_packages_by_project ON project_packages (project_id);

CREATE TABLE project_repositories (
    repository  TEXT PRIMARY KEY,
    project_id  BIGINT NOT NULL  REFERENCES projects(id)
);
CREATE INDEX project_repositories_by_project ON project_repositories (project_id);
