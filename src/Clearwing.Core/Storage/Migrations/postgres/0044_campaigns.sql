-- Usage credits and campaigns (docs/campaigns.md). Amounts are whole billionths of the org's credit currency (nanos): sums stay
-- exact in both engines, and a token at a fraction of a micro-dollar still counts.

-- What the coordinator grants an org (a negative amount takes some back); the balance is the grants less what the org's campaigns
-- spent. Every grant of an org is in one currency.
CREATE TABLE credit_grants (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    amount_nanos  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    note          TEXT,
    granted_by    TEXT NOT NULL,
    granted_at    BIGINT NOT NULL
);
CREATE INDEX credit_grants_by_org ON credit_grants (org_id);

-- A campaign: its file as given (read again on resume), the folder relative paths in it are read from, the org that pays and
-- the campaign's budget in its currency (null: none). The
-- runner and its lease say which process works on it now, so that two cannot at once.
CREATE TABLE campaigns (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT NOT NULL,
    org_id        BIGINT NOT NULL REFERENCES orgs(id),
    file          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    base_folder   TEXT NOT NULL,
    currency      TEXT NOT NULL,
    budget_nanos  BIGINT,
    state         TEXT NOT NULL CHECK (state IN ('open', 'done')),
    runner        TEXT,
    lease_until   BIGINT,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT
);
CREATE INDEX campaigns_by_org ON campaigns (org_id);

-- Each repository of a campaign, with the commit its revision was resolved to the first time (a resumed campaign stays on it).
CREATE TABLE campaign_repositories (
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    idx           INTEGER NOT NULL,
    url           TEXT NOT NULL,
    revision      TEXT,
    commit_id     TEXT,
    project       TEXT NOT NULL,
    problem       TEXT,
    PRIMARY KEY (campaign_id, idx)
);

-- Each finder on each repository: where its run stands, what it reported, and the import of its findings once complete.
CREATE TABLE campaign_runs (
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    repository    INTEGER NOT NULL,
    finder        INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'incomplete', 'imported')),
    planned       INTEGER NOT NULL DEFAULT 0,
    done          INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    findings      INTEGER NOT NULL DEFAULT 0,
    import_id     TEXT,
    new_cases     BIGINT NOT NULL DEFAULT 0,
    problem       TEXT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, repository, finder)
);

-- The unit ledger of every run: a unit's row is committed before the next unit starts, so a resumed campaign asks no unit twice;
-- its cost is what the campaign's org spent on it.
CREATE TABLE campaign_units (
    campaign_id   BIGINT NOT NULL REFERENCES campaigns(id),
    repository    INTEGER NOT NULL,
    finder        INTEGER NOT NULL,
    unit          TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('done', 'rejected')),
    findings      TEXT NOT NULL,
    output        TEXT,
    problem       TEXT,
    model         TEXT,
    input_tokens  BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL,
    cost_nanos    BIGINT NOT NULL,
    attempts      INTEGER NOT NULL,
    request_id    TEXT,
    committed_at  BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, repository, finder, unit)
);
