-- OSV advisories as imported (clearwing osv import): one row per id, the newer `modified` kept. Times are Unix ms UTC.
CREATE TABLE osv_advisories (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    modified     INTEGER NOT NULL,
    published    INTEGER,
    withdrawn    INTEGER,
    summary      TEXT,
    record       TEXT NOT NULL,
    imported_at  INTEGER NOT NULL
);

CREATE TABLE osv_aliases (
    advisory_seq  INTEGER NOT NULL REFERENCES osv_advisories(seq) ON DELETE CASCADE,
    alias         TEXT NOT NULL,
    PRIMARY KEY (advisory_seq, alias)
);
CREATE INDEX osv_aliases_by_alias ON osv_aliases (alias);

-- One row per affected[] entry. ecosystem as OSV spells it (Debian:12); ecosystem_base without the suffix;
-- normalized_name as the ecosystem compares names (PyPI: PEP 503); purl_key = the canonical pkg:type/ns/name of purl.
CREATE TABLE osv_affected (
    advisory_seq     INTEGER NOT NULL REFERENCES osv_advisories(seq) ON DELETE CASCADE,
    ordinal          INTEGER NOT NULL,
    ecosystem        TEXT,
    ecosystem_base   TEXT,
    name             TEXT,
    normalized_name  TEXT,
    purl             TEXT,
    purl_key         TEXT,
    PRIMARY KEY (advisory_seq, ordinal)
);
CREATE INDEX osv_affected_by_package ON osv_affected (ecosystem_base, normalized_name);
CREATE INDEX osv_affected_by_purl ON osv_affected (purl_key);

-- events: the range's events in the record's order, as OSV writes them ([{"introduced":"0"},{"fixed":"1.2"}]).
CREATE TABLE osv_ranges (
    advisory_seq      INTEGER NOT NULL,
    affected_ordinal  INTEGER NOT NULL,
    ordinal           INTEGER NOT NULL,
    type              TEXT NOT NULL CHECK (type IN ('SEMVER', 'ECOSYSTEM', 'GIT')),
    repo              TEXT,
    events            TEXT NOT NULL,
    PRIMARY KEY (advisory_seq, affected_ordinal, ordinal),
    FOREIGN KEY (advisory_seq, affected_ordinal) REFERENCES osv_affected(advisory_seq, ordinal) ON DELETE CASCADE
);

CREATE TABLE osv_versions (
    advisory_seq      INTEGER NOT NULL,
    affected_ordinal  INTEGER NOT NULL,
    ordinal           INTEGER NOT NULL,
    version           TEXT NOT NULL,
    PRIMARY KEY (advisory_seq, affected_ordinal, ordinal),
    FOREIGN KEY (advisory_seq, affected_ordinal) REFERENCES osv_affected(advisory_seq, ordinal) ON DELETE CASCADE
);
