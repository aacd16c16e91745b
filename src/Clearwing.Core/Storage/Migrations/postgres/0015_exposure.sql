-- The packages a case affects, each with the versions it affects: a vers range set by a person, or an OSV advisory
-- that one of the case's aliases names (its affected entries decide the versions; refreshed when aliases or the OSV
-- data change). purl_key is the package identity without version (PackageUrl.Key), as product components store it.
CREATE TABLE case_packages (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_seq  BIGINT NOT NULL REFERENCES cases(seq),
    purl_key  TEXT NOT NULL,
    vers      TEXT,
    advisory  TEXT,
    set_by    TEXT NOT NULL,
    set_at    BIGINT NOT NULL,
    CHECK ((vers IS NULL) <> (advisory IS NULL))
);
CREATE INDEX case_packages_by_case ON case_packages (case_seq);
CREATE INDEX case_packages_by_key ON case_packages (purl_key);

-- What exposure found: each product component with an affected (or undecidable) version of a case's package, the
-- org that owns the product, and the dependency path that brings the component in. Recomputed per case when its
-- packages change and per product when its SBOM does.
CREATE TABLE case_exposure (
    case_seq     BIGINT NOT NULL REFERENCES cases(seq),
    product_seq  BIGINT NOT NULL REFERENCES products(seq),
    ordinal      BIGINT NOT NULL,
    org_id       BIGINT NOT NULL,
    affected     BIGINT NOT NULL,
    reason       TEXT,
    basis        TEXT NOT NULL,
    path         TEXT NOT NULL,
    PRIMARY KEY (case_seq, product_seq, ordinal)
);
CREATE INDEX case_exposure_by_product ON case_exposure (product_seq);
