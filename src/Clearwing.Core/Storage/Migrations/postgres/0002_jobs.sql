-- The durable job queue (DESIGN.md "Job"). Times are Unix milliseconds (UTC).
-- run_after is when the job is next due for a claim: its scheduled time while queued, its lease
-- expiry while running (ClaimAsync and ExtendLeaseAsync keep it equal to lease_expires), so one
-- index finds both new work and the work of a crashed worker.
-- attempts counts claims, not failures: a worker that dies mid-job has used an attempt too.
-- lease_owner on a done job is the worker that completed it.
CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts        BIGINT NOT NULL,
    max_attempts    BIGINT NOT NULL CHECK (max_attempts >= 1),
    run_after       BIGINT NOT NULL,
    lease_owner     TEXT,
    lease_expires   BIGINT,
    last_error      TEXT,
    idempotency_key TEXT,
    created_at      BIGINT NOT NULL,
    completed_at    BIGINT
);
-- Claiming: the due jobs in due order, with kind in the index so a kind filter needs no row lookups.
CREATE INDEX jobs_due ON jobs (run_after, kind) WHERE state IN ('queued', 'running');
-- Dead-lettering jobs whose last allowed attempt lost its lease.
CREATE INDEX jobs_leases ON jobs (lease_expires) WHERE state = 'running';
-- Listing and counting by state for the CLI.
CREATE INDEX jobs_by_state ON jobs (state, created_at);
-- An idempotency key is unique per kind for the life of the table, done jobs included.
CREATE UNIQUE INDEX jobs_idempotency ON jobs (kind, idempotency_key) WHERE idempotency_key IS NOT NULL;
