-- The assessment audit trail: what the service advised, for which request (by hash), from which
-- knowledge base, to which client. No patient data: no names, identifiers, free text or request.
-- Code lists are JSON text.
CREATE TABLE IF NOT EXISTS assessment_audit (
    assessment_id TEXT NOT NULL PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    client TEXT NOT NULL,
    route TEXT NOT NULL,
    service_id TEXT NULL,
    hook TEXT NULL,
    knowledge_base_version TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    primary_etiology TEXT NOT NULL,
    urgency TEXT NOT NULL,
    recommendations TEXT NOT NULL,
    pitfalls TEXT NOT NULL,
    latency_ms REAL NOT NULL,
    instance TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_assessment_audit_recorded_at ON assessment_audit (recorded_at);
