using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClonusCds.Api.Storage;

/// <summary>
/// The PostgreSQL database every replica shares: one pooled <see cref="NpgsqlDataSource"/>, and
/// the schema migrated at start-up (<see cref="MigrateAsync"/>, called from Program.cs before the
/// service listens). Replicas starting together take a PostgreSQL advisory lock, so one migrates
/// and the others wait and then find the schema current.
/// </summary>
internal sealed partial class PostgresStorage : IAsyncDisposable
{
    /// <summary>The advisory lock key that serialises migrations ("clonus" in ASCII).</summary>
    internal const long MigrationLockKey = 0x636c6f6e7573;

    private readonly StorageOptions _options;
    private readonly ILogger<PostgresStorage> _logger;

    public PostgresStorage(IOptions<StorageOptions> options, ILogger<PostgresStorage> logger)
    {
        _options = options.Value;
        _logger = logger;
        var builder = new NpgsqlConnectionStringBuilder(_options.ConnectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "clonus-cds";
        }

        ConnectionString = builder.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        Database = builder.Database ?? "(default)";
        Host = builder.Host ?? "(default)";
    }

    /// <summary>The pooled data source.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>The connection string (with its password: never log it).</summary>
    internal string ConnectionString { get; }

    /// <summary>Database name (for logs).</summary>
    public string Database { get; }

    /// <summary>Host (for logs).</summary>
    public string Host { get; }

    /// <summary>
    /// Waits for the server (up to Storage:StartupTimeoutSeconds), then applies the missing
    /// migrations under the advisory lock.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.StartupTimeoutSeconds * (double)Stopwatch.Frequency);
        NpgsqlConnection? connection = null;
        for (var attempt = 1; connection is null; attempt++)
        {
            try
            {
                connection = await DataSource.OpenConnectionAsync(cancellationToken);
            }
            catch (NpgsqlException ex) when (Stopwatch.GetTimestamp() < deadline && ex.IsTransient)
            {
                LogWaiting(_logger, Host, Database, attempt, ex.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), cancellationToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
            {
                throw new StorageMigrationException(
                    $"PostgreSQL at host {Host}, database {Database} is unreachable ({ex.GetType().Name}: {ex.Message}). Check Storage:ConnectionString.", ex);
            }
        }

        await using (connection)
        {
            await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
            {
                command.Parameters.AddWithValue("key", MigrationLockKey);
                command.CommandTimeout = _options.StartupTimeoutSeconds;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            try
            {
                var applied = SchemaMigrations.Apply(StorageProvider.Postgres, ConnectionString);
                LogReady(_logger, Host, Database, SchemaMigrations.Known(StorageProvider.Postgres)[^1], applied.Count == 0 ? "none" : string.Join(", ", applied));
            }
            finally
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                unlock.Parameters.AddWithValue("key", MigrationLockKey);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information,
        Message = "PostgreSQL storage ready (host {Host}, database {Database}, schema {SchemaVersion}; migrations applied now: {Applied})")]
    private static partial void LogReady(ILogger logger, string host, string database, string schemaVersion, string applied);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning,
        Message = "Waiting for PostgreSQL (host {Host}, database {Database}; attempt {Attempt}: {Error})")]
    private static partial void LogWaiting(ILogger logger, string host, string database, int attempt, string error);
}
