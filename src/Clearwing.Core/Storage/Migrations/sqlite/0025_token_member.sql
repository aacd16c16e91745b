-- The member a token speaks for (docs/access.md, "Tokens"): the login of the member who made it, directly or with a
-- token of theirs, or for whom the database's administrator made it (tokens create --for). Removing that member
-- revokes the token. Null for a token made by the database's administrator for no one.
ALTER TABLE tokens ADD COLUMN made_by_member TEXT;

-- Earlier tokens recorded only created_by: 'member:LOGIN', or 'token:ID (NAME)' for one made with a token (ids are
-- 16 hex digits). Follow such chains back to the member at their start.
WITH RECURSIVE chain (id, member) AS (
    SELECT id, substr(created_by, 8) FROM tokens WHERE created_by LIKE 'member:%'
    UNION
    SELECT t.id, chain.member FROM tokens t JOIN chain ON t.created_by LIKE 'token:%' AND substr(t.created_by, 7, 16) = chain.id
)
UPDATE tokens SET made_by_member = (SELECT chain.member FROM chain WHERE chain.id = tokens.id);

CREATE INDEX tokens_by_member ON tokens (made_by_member) WHERE made_by_member IS NOT NULL;
