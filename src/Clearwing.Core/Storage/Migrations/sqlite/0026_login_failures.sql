-- Failed password logins, counted per login and client address (docs/access.md, "Passwords"): five in a row from one
-- address lock that address out of that login for 15 minutes, so a guesser who knows a login cannot lock its member
-- out from everywhere. Keys are SHA-256 digests (of the login, and of the login and the address): neither logins a
-- guesser made up nor client addresses are kept. Unknown logins are counted as known ones are, so the work a login
-- costs does not tell them apart. Rows of old failures are pruned as new ones come.
CREATE TABLE login_failures (
    login_address_hash TEXT PRIMARY KEY,
    login_hash         TEXT NOT NULL,
    failures           INTEGER NOT NULL,
    locked_until       INTEGER,
    last_failed_at     INTEGER NOT NULL
);
CREATE INDEX login_failures_by_login ON login_failures (login_hash);
CREATE INDEX login_failures_by_time ON login_failures (last_failed_at);

-- The per-login lock is gone with it.
UPDATE members SET failed_logins = 0, locked_until = NULL;
