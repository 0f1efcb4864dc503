using System.Globalization;
using System.Text.Json;
using ClonusCds.Api.CdsHooks.Feedback;
using ClonusCds.Api.Storage;
using Microsoft.Data.Sqlite;

namespace ClonusCds.Api.Audit;

/// <summary><see cref="IAuditStore"/> on the embedded SQLite file (timestamps as fixed-width UTC text).</summary>
internal sealed class SqliteAuditStore(SqliteStorage storage) : IAuditStore
{
    private const string Insert = """
        INSERT OR IGNORE INTO assessment_audit (assessment_id, recorded_at, client, route, service_id, hook, knowledge_base_version,
            engine_version, request_sha256, primary_etiology, urgency, recommendations, pitfalls, latency_ms, instance)
        VALUES ($id, $recorded_at, $client, $route, $service_id, $hook, $kb, $engine, $sha, $etiology, $urgency, $recommendations,
            $pitfalls, $latency, $instance);
        """;

    private const string Select = """
        SELECT assessment_id, recorded_at, client, route, service_id, hook, knowledge_base_version, engine_version, request_sha256,
            primary_etiology, urgency, recommendations, pitfalls, latency_ms, instance
        FROM assessment_audit WHERE assessment_id = $id;
        """;

    private static readonly string[] Parameters =
        ["$id", "$recorded_at", "$client", "$route", "$service_id", "$hook", "$kb", "$engine", "$sha", "$etiology", "$urgency", "$recommendations", "$pitfalls", "$latency", "$instance"];

    public async Task WriteAsync(IReadOnlyList<AuditRecord> records, CancellationToken ct)
    {
        await using var connection = await storage.OpenAsync(ct);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Insert;
        var p = Parameters.Select(name => command.Parameters.Add(name, name == "$latency" ? SqliteType.Real : SqliteType.Text)).ToArray();
        foreach (var r in records)
        {
            p[0].Value = Id(r.AssessmentId);
            p[1].Value = FeedbackFormat.Sortable(r.RecordedAt);
            p[2].Value = r.Client;
            p[3].Value = r.Route;
            p[4].Value = (object?)r.Service ?? DBNull.Value;
            p[5].Value = (object?)r.Hook ?? DBNull.Value;
            p[6].Value = r.KnowledgeBaseVersion;
            p[7].Value = r.EngineVersion;
            p[8].Value = r.RequestSha256;
            p[9].Value = r.PrimaryEtiology;
            p[10].Value = r.Urgency;
            p[11].Value = JsonSerializer.Serialize(r.Recommendations, AuditJsonContext.Default.AuditRecommendations);
            p[12].Value = JsonSerializer.Serialize(r.Pitfalls, AuditJsonContext.Default.IReadOnlyListString);
            p[13].Value = r.LatencyMs;
            p[14].Value = r.Instance;
            await command.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    public async Task<AuditRecord?> GetAsync(Guid assessmentId, CancellationToken ct)
    {
        await using var connection = await storage.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = Select;
        command.Parameters.AddWithValue("$id", Id(assessmentId));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return AuditRows.Read(reader, Guid.Parse(reader.GetString(0), CultureInfo.InvariantCulture), FeedbackFormat.ParseStored(reader.GetString(1)));
    }

    public async Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var connection = await storage.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM assessment_audit WHERE recorded_at < $cutoff;";
        command.Parameters.AddWithValue("$cutoff", FeedbackFormat.Sortable(cutoff));
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static string Id(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);
}
