namespace ClonusCds.Api.Audit;

/// <summary>Durable audit records: SQLite (one process) or PostgreSQL (every replica).</summary>
internal interface IAuditStore
{
    /// <summary>Writes the records in one transaction; a record whose id is already stored is skipped (a retried batch is harmless).</summary>
    Task WriteAsync(IReadOnlyList<AuditRecord> records, CancellationToken ct);

    /// <summary>The record, or null.</summary>
    Task<AuditRecord?> GetAsync(Guid assessmentId, CancellationToken ct);

    /// <summary>Deletes records recorded before <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken ct);
}

/// <summary>The row reading both audit stores share.</summary>
internal static class AuditRows
{
    /// <summary>
    /// One row, columns in the order both stores select (assessment_id, recorded_at, client, route,
    /// service_id, hook, knowledge_base_version, engine_version, request_sha256, primary_etiology,
    /// urgency, recommendations, pitfalls, latency_ms, instance); the id and time are read by the
    /// store, each backend its own way; the code lists are JSON text.
    /// </summary>
    public static AuditRecord Read(System.Data.Common.DbDataReader reader, Guid assessmentId, DateTimeOffset recordedAt) => new(
        assessmentId,
        recordedAt,
        reader.GetString(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.GetString(6),
        reader.GetString(7),
        reader.GetString(8),
        reader.GetString(9),
        reader.GetString(10),
        System.Text.Json.JsonSerializer.Deserialize(reader.GetString(11), AuditJsonContext.Default.AuditRecommendations) ?? AuditRecommendations.Empty,
        System.Text.Json.JsonSerializer.Deserialize(reader.GetString(12), AuditJsonContext.Default.IReadOnlyListString) ?? [],
        reader.GetDouble(13),
        reader.GetString(14));
}
