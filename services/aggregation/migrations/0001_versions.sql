-- Portable SQL: the same file runs on SQLite and PostgreSQL. Timestamps are RFC 3339 text and JSON is
-- text, so both backends (through sqlx's Any driver) read them the same way.

-- One row per accepted submission that has been applied; its dataset version is the one it led to.
CREATE TABLE submissions (
    submission_id   TEXT PRIMARY KEY,
    partner         TEXT NOT NULL,
    round           TEXT NOT NULL,
    mode            TEXT NOT NULL,
    accepted_at     TEXT NOT NULL,
    dataset_version BIGINT NOT NULL,
    records         BIGINT NOT NULL
);

-- Published dataset versions. The primary key (round, version) serialises racing replicas: the
-- second to insert the same version fails and retries against the new state.
CREATE TABLE dataset_versions (
    round         TEXT NOT NULL,
    version       BIGINT NOT NULL,
    submission_id TEXT NOT NULL UNIQUE,
    published_at  TEXT NOT NULL,
    initiatives   BIGINT NOT NULL,
    PRIMARY KEY (round, version)
);

-- One row per version of an initiative. A row is current from `from_version` (inclusive) until
-- `to_version` (exclusive; NULL while current), so dataset version N is every row with
-- from_version <= N AND (to_version IS NULL OR to_version > N). Rows are never deleted.
CREATE TABLE initiatives (
    submission_id TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    round         TEXT NOT NULL,
    partner       TEXT NOT NULL,
    partner_ref   TEXT,
    record_json   TEXT NOT NULL,
    warnings_json TEXT NOT NULL,
    from_version  BIGINT NOT NULL,
    to_version    BIGINT,
    PRIMARY KEY (submission_id, seq)
);

CREATE INDEX initiatives_current ON initiatives (round, partner, to_version);
CREATE INDEX initiatives_by_ref ON initiatives (round, partner, partner_ref);
CREATE INDEX initiatives_from ON initiatives (round, from_version);
