-- The audit chain (DESIGN.md "Event"; hashes defined in docs/audit.md). Times are Unix milliseconds (UTC).
-- seq is assigned by the appender (the head's seq + 1, under the chain lock), never by a sequence, so a
-- rolled-back transaction leaves no gap and a gap always means a missing row. The payload is kept as the
-- exact canonical JSON text that payload_hash was computed over, so the verifier can recheck it.
CREATE TABLE events (
    seq           INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    actor         TEXT NOT NULL,
    org           TEXT,
    subject       TEXT NOT NULL,
    action        TEXT NOT NULL,
    payload       TEXT NOT NULL,
    payload_hash  TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash          TEXT NOT NULL
);
-- `clearwing audit list --subject S`, newest first.
CREATE INDEX events_by_subject ON events (subject, seq);
-- Append-only: the store refuses edits and deletes from any code path. Someone with direct write access can
-- drop these triggers; the hash chain is what catches that.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'the audit chain is append-only: UPDATE on events refused');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'the audit chain is append-only: DELETE on events refused');
END;
