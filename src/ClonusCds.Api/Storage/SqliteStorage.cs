using System.Globalization;
using ClonusCds.Api.CdsHooks.Feedback;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Storage;

/// <summary>
/// The embedded SQLite file (WAL mode) behind the feedback store and the audit trail. The directory,
/// the file and the schema are created on first use, so a service that never stores anything
/// never creates it; migrations (<see cref="SchemaMigrations"/>) run once per process.
/// </summary>
internal sealed partial class SqliteStorage
{
    private readonly string _connectionString;
    private readonly ILogger<SqliteStorage> _logger;
    private readonly Lock _initLock = new();
    private volatile bool _initialized;

    public SqliteStorage(IOptions<StorageOptions> options, IHostEnvironment environment, ILogger<SqliteStorage> logger)
    {
        DatabasePath = ResolvePath(options.Value.SqlitePath, environment.ContentRootPath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Seconds a command waits for another writer (Microsoft.Data.Sqlite retries SQLITE_BUSY).
            DefaultTimeout = 30,
        }.ToString();
        _logger = logger;
    }

    /// <summary>The absolute database file path.</summary>
    public string DatabasePath { get; }

    /// <summary>The configured path, or the default, made absolute against the content root.</summary>
    internal static string ResolvePath(string? configured, string contentRoot)
    {
        var path = string.IsNullOrWhiteSpace(configured) ? CdsFeedbackOptions.DefaultDatabasePath : configured.Trim();
        return Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(contentRoot, path));
    }

    /// <summary>An open connection to a migrated database.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        EnsureInitialized();
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the directory, the file, WAL mode and the schema, once per process.</summary>
    public void EnsureInitialized()
    {
        if (_initialized)
        {
            return;
        }

        lock (_initLock)
        {
            if (_initialized)
            {
                return;
            }

            var directory = Path.GetDirectoryName(DatabasePath);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            using (var connection = new SqliteConnection(_connectionString))
            {
                connection.Open();
                using var wal = connection.CreateCommand();
                // Persistent in the file: readers never block the writer and vice versa.
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                _ = wal.ExecuteScalar();
                using var version = connection.CreateCommand();
                version.CommandText = "PRAGMA user_version;";
                var legacy = Convert.ToInt32(version.ExecuteScalar(), CultureInfo.InvariantCulture);
                if (legacy > 1)
                {
                    // Before versioned migrations the schema version lived here; only 1 ever shipped.
                    throw new StorageMigrationException(
                        $"The SQLite database at {DatabasePath} has legacy schema version {legacy}, which no build of this service wrote.");
                }
            }

            var applied = SchemaMigrations.Apply(StorageProvider.Sqlite, _connectionString);
            _initialized = true;
            LogReady(_logger, DatabasePath, SchemaMigrations.Known(StorageProvider.Sqlite)[^1], applied.Count == 0 ? "none" : string.Join(", ", applied));
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information,
        Message = "SQLite storage ready at {DatabasePath} (schema {SchemaVersion}; migrations applied now: {Applied})")]
    private static partial void LogReady(ILogger logger, string databasePath, string schemaVersion, string applied);
}
