-- Revalidation: an admin runs a submission (or a whole round) through validation again, and
-- aggregation rebuilds the partner's initiatives from its accepted submissions, in their original
-- order of acceptance, under the new verdicts. Portable SQL, as 0001.

-- A rebuild's version is led to by a submission that already led to one: the submission id of a
-- version is no longer unique. The run that made a version is kept beside it.
CREATE TABLE dataset_versions_new (
    round         TEXT NOT NULL,
    version       BIGINT NOT NULL,
    submission_id TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    initiatives   BIGINT NOT NULL,
    revalidation  TEXT,
    PRIMARY KEY (round, version)
);
INSERT INTO dataset_versions_new (round, version, submission_id, published_at, initiatives)
    SELECT round, version, submission_id, published_at, initiatives FROM dataset_versions;
DROP TABLE dataset_versions;
ALTER TABLE dataset_versions_new RENAME TO dataset_versions;

-- A rebuild can bring an ended row back (the submission that replaced it is now rejected): the
-- same (submission, seq) is then current again from a later version, as a new row.
CREATE TABLE initiatives_new (
    submission_id TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    round         TEXT NOT NULL,
    partner       TEXT NOT NULL,
    partner_ref   TEXT,
    record_json   TEXT NOT NULL,
    warnings_json TEXT NOT NULL,
    from_version  BIGINT NOT NULL,
    to_version    BIGINT,
    PRIMARY KEY (submission_id, seq, from_version)
);
INSERT INTO initiatives_new
    (submission_id, seq, round, partner, partner_ref, record_json, warnings_json, from_version, to_version)
    SELECT submission_id, seq, round, partner, partner_ref, record_json, warnings_json, from_version, to_version
    FROM initiatives;
DROP TABLE initiatives;
ALTER TABLE initiatives_new RENAME TO initiatives;
CREATE INDEX initiatives_current ON initiatives (round, partner, to_version);
CREATE INDEX initiatives_by_ref ON initiatives (round, partner, partner_ref);
CREATE INDEX initiatives_from ON initiatives (round, from_version);

-- An accepted submission that a revalidation rejected: the run that did, NULL while accepted.
-- Its rows stay in history; rebuilds leave it out.
ALTER TABLE submissions ADD COLUMN rejected_by TEXT;

-- Each revalidated outcome handled, once: redeliveries find it here. `dataset_version` is the
-- version the rebuild published, NULL when the dataset did not change.
CREATE TABLE revalidations (
    submission_id   TEXT NOT NULL,
    revalidation    TEXT NOT NULL,
    round           TEXT NOT NULL,
    verdict         TEXT NOT NULL,
    dataset_version BIGINT,
    handled_at      TEXT NOT NULL,
    PRIMARY KEY (submission_id, revalidation)
);
