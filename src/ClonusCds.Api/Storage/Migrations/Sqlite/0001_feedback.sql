-- CDS Hooks feedback (issue 9). IF NOT EXISTS: a database created before versioned migrations
-- (schema in PRAGMA user_version = 1) already has this table and adopts it unchanged.
-- Timestamps are fixed-width UTC text ("2021-12-11T10:05:31.0000000Z"), which sorts in time order.
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id TEXT NOT NULL,
    card_uuid TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
    outcome_timestamp TEXT NOT NULL,
    accepted_suggestions TEXT NOT NULL,
    override_system TEXT NULL,
    override_code TEXT NULL,
    override_display TEXT NULL,
    user_comment TEXT NULL,
    received_at TEXT NOT NULL,
    dedupe_key TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_feedback_dedupe_key ON feedback (dedupe_key);
CREATE INDEX IF NOT EXISTS ix_feedback_service_received ON feedback (service_id, received_at, id);
CREATE INDEX IF NOT EXISTS ix_feedback_card ON feedback (card_uuid);
