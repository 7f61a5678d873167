-- JVAP ids: every initiative gets one when it first enters the database (`JVAP-000123`), from one
-- sequence per database, never reused, kept across versions and rounds. Portable SQL, as 0001.

-- One row per id ever given: `number` is the sequence (the next is MAX + 1, taken inside the
-- applying transaction, so two writers cannot give the same one: the second fails on the key and
-- tries again); the partner whose initiative it is, and where it was first given.
CREATE TABLE jvap_ids (
    number        BIGINT PRIMARY KEY,
    jvap_id       TEXT NOT NULL UNIQUE,
    partner       TEXT NOT NULL,
    round         TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    assigned_at   TEXT NOT NULL
);

-- Each row of an initiative carries its id (rows of earlier schemas get theirs when the store
-- migrates: `ids::assign_missing`).
ALTER TABLE initiatives ADD COLUMN jvap_id TEXT;
CREATE INDEX initiatives_by_id ON initiatives (jvap_id);
