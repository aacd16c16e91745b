-- Baseline matching in ordered passes (docs/fingerprints.md, "Matching"). A track points at the finding that last
-- reported it, whose rule, place and words the weaker passes compare; the tool's own fingerprints are kept on the
-- finding for pass 2. A track a weaker pass matched to a result with another fingerprint has moved there: it is no
-- longer present, yet not absent either; what its findings show follows the track it moved to.
ALTER TABLE findings ADD COLUMN tool_fingerprints TEXT;
ALTER TABLE tracks ADD COLUMN last_ordinal BIGINT;
ALTER TABLE tracks ADD COLUMN moved_to_fingerprint BIGINT;
ALTER TABLE tracks ADD COLUMN moved_to_occurrence BIGINT;
UPDATE tracks SET last_ordinal = (
    SELECT max(f.ordinal) FROM findings f
    WHERE f.import_seq = tracks.last_import AND f.fingerprint_id = tracks.fingerprint_id AND f.occurrence = tracks.occurrence)
WHERE present = 1;
CREATE INDEX tracks_by_move ON tracks (moved_to_fingerprint, moved_to_occurrence) WHERE moved_to_fingerprint IS NOT NULL;
