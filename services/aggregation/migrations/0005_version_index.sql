-- What a version holds, kept beside it when it commits, so that reading it back costs what the
-- version changed, not what the round holds; and which versions have their files built. Portable
-- SQL, as 0001.

-- How many initiatives each partner has in the version (JSON object, partner code -> count), from
-- the previous version's and the rows the version's transaction touched; NULL for versions
-- committed before this migration (counted from the rows when asked).
ALTER TABLE dataset_versions ADD COLUMN by_partner_json TEXT;
-- The round tracker as it stood when the version committed (JSON), so that its files are the same
-- whenever they are built; NULL until taken.
ALTER TABLE dataset_versions ADD COLUMN tracker_json TEXT;

-- The rows a version ended, as `initiatives_from` finds those it started: its change log reads both.
CREATE INDEX initiatives_to ON initiatives (round, to_version);

-- One row per version whose seven files are in the `datasets` object store; retention removes
-- the files of older versions (and their row), which are built again when asked for.
CREATE TABLE dataset_files (
    round    TEXT NOT NULL,
    version  BIGINT NOT NULL,
    built_at TEXT NOT NULL,
    PRIMARY KEY (round, version)
);
