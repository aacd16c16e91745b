-- A case's aliases (CVE, GHSA, ... ids), by which outside feeds find it.
CREATE TABLE case_aliases (
    case_seq  INTEGER NOT NULL REFERENCES cases(seq),
    alias     TEXT NOT NULL,
    set_by    TEXT NOT NULL,
    set_at    INTEGER NOT NULL,
    PRIMARY KEY (case_seq, alias)
);
CREATE INDEX case_aliases_by_alias ON case_aliases (alias);

-- CISA's Known Exploited Vulnerabilities catalog, as last imported (replaced whole on each import).
CREATE TABLE kev (
    cve_id           TEXT PRIMARY KEY,
    vendor_project   TEXT NOT NULL,
    product          TEXT NOT NULL,
    name             TEXT NOT NULL,
    date_added       TEXT NOT NULL,
    due_date         TEXT,
    ransomware       TEXT,
    catalog_version  TEXT NOT NULL
);

-- FIRST's EPSS scores, as last imported (replaced whole on each import); kept as the file's decimal text.
CREATE TABLE epss (
    cve         TEXT PRIMARY KEY,
    score       TEXT NOT NULL,
    percentile  TEXT NOT NULL,
    scored_on   TEXT NOT NULL
);
