using System.Text.Json;
using ClonusCds.Api.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ClonusCds.Api.Audit;

/// <summary><see cref="IAuditStore"/> on the PostgreSQL database every replica shares (code lists as jsonb).</summary>
internal sealed class PostgresAuditStore(PostgresStorage storage) : IAuditStore
{
    private const string Insert = """
        INSERT INTO assessment_audit (assessment_id, recorded_at, client, route, service_id, hook, knowledge_base_version,
            engine_version, request_sha256, primary_etiology, urgency, recommendations, pitfalls, latency_ms, instance)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
        ON CONFLICT (assessment_id) DO NOTHING;
        """;

    private const string Select = """
        SELECT assessment_id, recorded_at, client, route, service_id, hook, knowledge_base_version, engine_version, request_sha256,
            primary_etiology, urgency, recommendations::text, pitfalls::text, latency_ms, instance
        FROM assessment_audit WHERE assessment_id = $1;
        """;

    public async Task WriteAsync(IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        await using var connection = await storage.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var r in records)
        {
            var command = new NpgsqlBatchCommand(Insert);
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = r.AssessmentId });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = r.RecordedAt.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.Client });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.Route });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)r.Service ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)r.Hook ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.KnowledgeBaseVersion });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.EngineVersion });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.RequestSha256 });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.PrimaryEtiology });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.Urgency });
            command.Parameters.Add(new NpgsqlParameter<string>
            {
                TypedValue = JsonSerializer.Serialize(r.Recommendations, AuditJsonContext.Default.AuditRecommendations), NpgsqlDbType = NpgsqlDbType.Jsonb,
            });
            command.Parameters.Add(new NpgsqlParameter<string>
            {
                TypedValue = JsonSerializer.Serialize(r.Pitfalls, AuditJsonContext.Default.IReadOnlyListString), NpgsqlDbType = NpgsqlDbType.Jsonb,
            });
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = r.LatencyMs });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = r.Instance });
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    public async Task<AuditRecord?> GetAsync(Guid assessmentId, CancellationToken ct)
    {
        await using var connection = await storage.DataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(Select, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = assessmentId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return AuditRows.Read(reader, reader.GetGuid(0), new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc)));
    }

    public async Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var connection = await storage.DataSource.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("DELETE FROM assessment_audit WHERE recorded_at < $1;", connection);
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = cutoff.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return await command.ExecuteNonQueryAsync(ct);
    }
}
