-- Products of downstream orgs (DESIGN.md "Product") and the SBOM each was last described by: a new SBOM of the
-- same product replaces its components and dependencies whole. Times are Unix milliseconds (UTC).
CREATE TABLE products (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    org_id           BIGINT NOT NULL REFERENCES orgs(id),
    name             TEXT NOT NULL,
    sbom_format      TEXT NOT NULL CHECK (sbom_format IN ('cyclonedx-json', 'cyclonedx-xml', 'spdx-json')),
    spec_version     TEXT NOT NULL,
    serial_number    TEXT,
    root_ref         TEXT,
    root_name        TEXT,
    file_name        TEXT NOT NULL,
    sha256           TEXT NOT NULL,
    component_count  BIGINT NOT NULL,
    direct_count     BIGINT NOT NULL,
    edge_count       BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    imported_at      BIGINT NOT NULL,
    imported_by      TEXT NOT NULL,
    UNIQUE (org_id, name)
);

-- A product's components in SBOM order. purl is kept as given; purl_key is the package identity without version
-- (PackageUrl.Key, pkg:type/namespace/name), which exposure looks up. org_id is repeated so the table can be sharded by org.
CREATE TABLE product_components (
    product_seq  BIGINT NOT NULL REFERENCES products(seq),
    ordinal      BIGINT NOT NULL,
    org_id       BIGINT NOT NULL,
    bom_ref      TEXT NOT NULL,
    name         TEXT NOT NULL,
    version      TEXT,
    purl         TEXT,
    purl_key     TEXT,
    direct       BIGINT NOT NULL,
    PRIMARY KEY (product_seq, ordinal)
);
CREATE INDEX product_components_by_purl_key ON product_components (purl_key, product_seq) WHERE purl_key IS NOT NULL;

-- The dependency graph: component from_ordinal depends on (or contains) to_ordinal. Exposure walks it upwards from an
-- affected component by loading one product's edges, a range of the primary key; no second index to maintain.
CREATE TABLE product_dependencies (
    product_seq   BIGINT NOT NULL REFERENCES products(seq),
    from_ordinal  BIGINT NOT NULL,
    to_ordinal    BIGINT NOT NULL,
    PRIMARY KEY (product_seq, from_ordinal, to_ordinal)
);
