-- Notifications (docs/notifications.md). A dispatch round's send leaves its case in notification_pending in the send's own
-- transaction; the end of the round groups what is pending into notifications, one per group and channel, each with its delivery
-- job (jobs.id), and deletes the pending rows in that transaction. A round that stopped between the two leaves rows pending,
-- which the next round takes: no sent case goes unannounced. State is read from the job: queued, retried, done or dead.
CREATE TABLE notification_pending (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_seq    BIGINT  NOT NULL REFERENCES cases(seq),
    org_id      BIGINT  NOT NULL REFERENCES orgs(id),
    project_id  BIGINT  NOT NULL REFERENCES projects(id),
    priority    BIGINT  NOT NULL,
    bypass      TEXT,
    reason      TEXT NOT NULL,
    sent_at     BIGINT  NOT NULL,
    sent_by     TEXT NOT NULL
);

-- channel: webhook (target a URL, signed with the secret in the environment variable secret_env), email (one message) or
-- digest (one message a day; collecting = 1 while it still takes the day's cases, due_at the hour it goes, digest_key one per
-- project, address and day). detail: how much of the report an e-mail carries (intake.emailDetail).
CREATE TABLE notifications (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    org_id        BIGINT  NOT NULL REFERENCES orgs(id),
    project_id    BIGINT  NOT NULL REFERENCES projects(id),
    channel       TEXT NOT NULL CHECK (channel IN ('webhook', 'email', 'digest')),
    target        TEXT NOT NULL,
    secret_env    TEXT,
    detail        TEXT NOT NULL CHECK (detail IN ('link', 'summary', 'full')),
    digest_key    TEXT UNIQUE,
    collecting    BIGINT  NOT NULL,
    due_at        BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    job_id        TEXT NOT NULL,
    last_error    TEXT,
    delivered_at  BIGINT,
    outcome       TEXT
);
CREATE INDEX notifications_by_time ON notifications (created_at, seq);

CREATE TABLE notification_cases (
    notification_seq  BIGINT  NOT NULL REFERENCES notifications(seq),
    case_seq          BIGINT  NOT NULL REFERENCES cases(seq),
    sent_at           BIGINT  NOT NULL,
    PRIMARY KEY (notification_seq, case_seq)
);
