-- Portable SQL, like 0001: the same file runs on SQLite and PostgreSQL.

-- One row per reminder: one partner, one round, one day (UTC). The primary key is what makes a
-- reminder go out at most once a day whatever the replicas and restarts: an instance sends only
-- after its INSERT of the row took (or after it moved a `retrying` row to `sending` itself).
CREATE TABLE reminders (
    round         TEXT NOT NULL,
    partner       TEXT NOT NULL,
    day           TEXT NOT NULL,     -- YYYY-MM-DD, UTC
    kind          TEXT NOT NULL,     -- deadline | rejected
    deadline      TEXT NOT NULL,     -- YYYY-MM-DD: the round's deadline then
    days_left     BIGINT NOT NULL,   -- from day to the deadline (0 on the day)
    submission_id TEXT,              -- the rejected submission a `rejected` reminder is about
    recipients    TEXT NOT NULL,     -- JSON array of e-mail addresses
    outcome       TEXT NOT NULL,     -- sending | sent | skipped | retrying | failed
    detail        TEXT,
    attempts      BIGINT NOT NULL,
    sent_at       TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (round, partner, day)
);

CREATE INDEX reminders_by_submission ON reminders (round, partner, submission_id);
