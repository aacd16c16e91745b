-- Logins are unique within an org, not across the installation (docs/access.md, "Logins"): an org admin adding a
-- member must not learn that the login belongs to someone in another org. A login held in several orgs signs in
-- with the org named.
ALTER TABLE members DROP CONSTRAINT members_login_key;
ALTER TABLE members ADD CONSTRAINT members_org_login UNIQUE (org_id, login);
CREATE INDEX members_by_login ON members (login);

-- The member a token speaks for is a login in an org: the org is kept beside the login (made_by_member).
ALTER TABLE tokens ADD COLUMN made_by_member_org BIGINT REFERENCES orgs(id);
UPDATE tokens SET made_by_member_org = (SELECT m.org_id FROM members m WHERE m.login = tokens.made_by_member)
    WHERE made_by_member IS NOT NULL;
