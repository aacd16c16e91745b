-- Where a finding came from beyond its tool and model (docs/native-findings.md, "Provenance"): prompt version, unit, tokens
-- and cost of the request that reported it, as compact JSON; NULL when its finder said nothing of it (SARIF, older imports).
ALTER TABLE findings ADD COLUMN provenance TEXT;
