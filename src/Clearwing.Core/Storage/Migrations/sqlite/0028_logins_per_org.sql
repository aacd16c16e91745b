-- Logins are unique within an org, not across the installation (docs/access.md, "Logins"): an org admin adding a
-- member must not learn that the login belongs to someone in another org. A login held in several orgs signs in
-- with the org named. SQLite cannot drop the inline UNIQUE, so the table is rebuilt (nothing references it).
CREATE TABLE members_per_org (
    id             INTEGER PRIMARY KEY,
    org_id         INTEGER NOT NULL REFERENCES orgs(id),
    login          TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'triager', 'viewer')),
    password_hash  TEXT,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   INTEGER,
    session_stamp  TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (org_id, login)
);
INSERT INTO members_per_org (id, org_id, login, role, password_hash, failed_logins, locked_until, session_stamp, created_at)
    SELECT id, org_id, login, role, password_hash, failed_logins, locked_until, session_stamp, created_at FROM members;
DROP TABLE members;
ALTER TABLE members_per_org RENAME TO members;
CREATE INDEX members_by_login ON members (login);

-- The member a token speaks for is a login in an org: the org is kept beside the login (made_by_member).
ALTER TABLE tokens ADD COLUMN made_by_member_org INTEGER REFERENCES orgs(id);
UPDATE tokens SET made_by_member_org = (SELECT m.org_id FROM members m WHERE m.login = tokens.made_by_member)
    WHERE made_by_member IS NOT NULL;
