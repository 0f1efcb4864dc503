using ClonusCds.Api.Storage;
using Npgsql;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>
/// The CDS Hooks jti record on the PostgreSQL database every replica shares. One statement
/// inserts the (issuer, jti) if absent, or takes over a row whose expiry has passed; a live row
/// makes it affect nothing, which is a replay. Two replicas racing with the same token: the primary
/// key lets exactly one insert win. Expired rows are purged at most once a minute per replica.
/// A store failure refuses the token (fail closed) and is logged without the jti.
/// </summary>
internal sealed partial class PostgresJtiReplayStore(PostgresStorage storage, TimeProvider time, ILogger<PostgresJtiReplayStore> logger) : IJtiReplayStore
{
    /// <summary>How often one replica purges expired rows.</summary>
    internal static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    private const string Record = """
        INSERT INTO jti_seen (issuer, jti, expires_at) VALUES (@issuer, @jti, @expires_at)
        ON CONFLICT (issuer, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE jti_seen.expires_at <= @now;
        """;

    private const string Purge = "DELETE FROM jti_seen WHERE expires_at <= @now;";

    private long _nextPurgeTicks;

    public async ValueTask<CdsReplayOutcome> TryRecordAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        try
        {
            await using var connection = await storage.DataSource.OpenConnectionAsync(ct);
            await using (var command = new NpgsqlCommand(Record, connection))
            {
                command.Parameters.AddWithValue("issuer", issuer);
                command.Parameters.AddWithValue("jti", jti);
                command.Parameters.AddWithValue("expires_at", keepUntil.UtcDateTime);
                command.Parameters.AddWithValue("now", now.UtcDateTime);
                var affected = await command.ExecuteNonQueryAsync(ct);
                if (affected == 0)
                {
                    return CdsReplayOutcome.Replayed;
                }
            }

            var next = Interlocked.Read(ref _nextPurgeTicks);
            if (now.UtcTicks >= next && Interlocked.CompareExchange(ref _nextPurgeTicks, now.UtcTicks + PurgeInterval.Ticks, next) == next)
            {
                await using var purge = new NpgsqlCommand(Purge, connection);
                purge.Parameters.AddWithValue("now", now.UtcDateTime);
                var purged = await purge.ExecuteNonQueryAsync(ct);
                if (purged > 0)
                {
                    LogPurged(logger, purged);
                }
            }

            return CdsReplayOutcome.Recorded;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            LogUnavailable(logger, ex.GetType().Name);
            return CdsReplayOutcome.Unavailable;
        }
    }

    /// <summary>Expired rows now (tests and operations).</summary>
    internal async Task<int> PurgeExpiredAsync(CancellationToken ct)
    {
        await using var connection = await storage.DataSource.OpenConnectionAsync(ct);
        await using var purge = new NpgsqlCommand(Purge, connection);
        purge.Parameters.AddWithValue("now", time.GetUtcNow().UtcDateTime);
        return await purge.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(EventId = 4110, Level = LogLevel.Error,
        Message = "CDS Hooks replay store unavailable ({ExceptionType}): the token was refused")]
    private static partial void LogUnavailable(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Debug, Message = "Purged {Count} expired CDS Hooks jti records")]
    private static partial void LogPurged(ILogger logger, int count);
}
