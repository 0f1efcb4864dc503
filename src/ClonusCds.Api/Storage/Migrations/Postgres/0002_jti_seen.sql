-- CDS Hooks JWT replay protection shared by every replica: each (issuer, jti) is remembered until
-- its token's exp plus the clock skew (insert-if-absent; expired rows are purged).
CREATE TABLE IF NOT EXISTS jti_seen (
    issuer TEXT NOT NULL,
    jti TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (issuer, jti)
);
CREATE INDEX IF NOT EXISTS ix_jti_seen_expires_at ON jti_seen (expires_at);
