-- Portable SQL, like 0001: the same file runs on SQLite and PostgreSQL.

-- One row per summary request (jvap.summary.requested): the e-mail of a round's summary to the
-- Steering Committee and what became of it. A request whose outcome is final (sent, skipped, failed)
-- is never sent again; `retrying` counts the SMTP attempts made so far.
CREATE TABLE deliveries (
    request_id   TEXT PRIMARY KEY,
    round        TEXT NOT NULL,
    reason       TEXT NOT NULL,     -- round_closed | on_demand
    version      BIGINT,            -- the dataset version sent; NULL when there was none
    recipients   TEXT NOT NULL,     -- JSON array of e-mail addresses
    outcome      TEXT NOT NULL,     -- sent | skipped | retrying | failed
    detail       TEXT,              -- why skipped or failed, or the last error while retrying
    message_id   TEXT,              -- the e-mail's Message-ID header
    attempts     BIGINT NOT NULL,
    requested_at TEXT NOT NULL,
    sent_at      TEXT,              -- when the SMTP server accepted the e-mail
    updated_at   TEXT NOT NULL
);

CREATE INDEX deliveries_by_round ON deliveries (round, requested_at);
