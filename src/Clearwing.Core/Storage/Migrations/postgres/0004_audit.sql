-- The audit chain (DESIGN.md "Event"; hashes defined in docs/audit.md). Times are Unix milliseconds (UTC).
-- seq is assigned by the appender (the head's seq + 1, under advisory lock (72204, 0)), never by an identity
-- or sequence, which would leave a gap for every rolled-back transaction; here a gap always means a missing
-- row. The payload is kept as the exact canonical JSON text that payload_hash was computed over.
CREATE TABLE events (
    seq           BIGINT PRIMARY KEY,
    at            BIGINT NOT NULL,
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
-- Append-only: the store refuses edits, deletes and TRUNCATE from any code path. Someone with direct write
-- access (or the table's owner) can disable these triggers; the hash chain is what catches that.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit chain is append-only: % on events refused', TG_OP;
END
$$;
CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
