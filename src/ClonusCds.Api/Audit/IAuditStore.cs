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
