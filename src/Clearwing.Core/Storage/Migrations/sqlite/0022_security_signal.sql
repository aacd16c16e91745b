-- Whether a finding is about security (0 not, 1 unknown, 2 security; docs/signal.md) and the evidence in words; a case
-- takes its findings' highest. Rows from before are unknown: they stay in the vulnerability queue, where they were.
ALTER TABLE findings ADD COLUMN signal INTEGER NOT NULL DEFAULT 1;
ALTER TABLE findings ADD COLUMN signal_reason TEXT;
ALTER TABLE cases ADD COLUMN signal INTEGER NOT NULL DEFAULT 1;
-- What a project does with findings that are not security relevant: keep them as quality findings, outside the
-- vulnerability queue (the default), or open cases for them in it, ranked below everything else.
ALTER TABLE projects ADD COLUMN non_security TEXT NOT NULL DEFAULT 'quality' CHECK (non_security IN ('quality', 'cases'));
