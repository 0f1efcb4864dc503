-- CDS Hooks JWT replay protection: each (issuer, jti) is remembered until its token's exp plus
-- the clock skew. One process on SQLite keeps this in memory (CdsJtiReplayCache); the table is
-- here so that both backends have the same schema.
CREATE TABLE IF NOT EXISTS jti_seen (
    issuer TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (issuer, jti)
);
CREATE INDEX IF NOT EXISTS ix_jti_seen_expires_at ON jti_seen (expires_at);
