-- leadgen SQLite schema, version 3: smaller contact and company rows.
-- A bulk import spends its time writing b-tree pages (twice: WAL, then checkpoint),
-- so bytes per row are much of what it costs.
--
-- `provenance` holds the record's provenance grouped by origin (a JSON array of
-- `[[source, observed_at, confidence], [field, ...]]`); a row that has it keeps an
-- empty map in `doc`. Rows written by versions 1 and 2 leave it NULL and keep their
-- provenance in `doc`, which stays the truth for them.
ALTER TABLE contacts ADD COLUMN provenance TEXT;
ALTER TABLE companies ADD COLUMN provenance TEXT;
