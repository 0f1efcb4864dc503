using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.CdsHooks.Feedback;

/// <summary>
/// <see cref="IFeedbackStore"/> on an embedded SQLite file (WAL mode). The directory, file and
/// schema are created on first use; the schema version lives in <c>PRAGMA user_version</c>.
/// Idempotency is the unique <c>dedupe_key</c> column with <c>INSERT OR IGNORE</c> inside one
/// transaction, so concurrent duplicate posts store one row.
/// </summary>
internal sealed partial class SqliteFeedbackStore : IFeedbackStore
{
    /// <summary>The schema this code writes and reads.</summary>
    public const int SchemaVersion = 1;

    private const string CreateSchema = """
        CREATE TABLE IF NOT EXISTS feedback (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            service_id TEXT NOT NULL,
            card_uuid TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
            outcome_timestamp TEXT NOT NULL,
            accepted_suggestions TEXT NOT NULL,
            override_system TEXT NULL,
            override_code TEXT NULL,
            override_display TEXT NULL,
            user_comment TEXT NULL,
            received_at TEXT NOT NULL,
            dedupe_key TEXT NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS ux_feedback_dedupe_key ON feedback (dedupe_key);
        CREATE INDEX IF NOT EXISTS ix_feedback_service_received ON feedback (service_id, received_at, id);
        CREATE INDEX IF NOT EXISTS ix_feedback_card ON feedback (card_uuid);
        PRAGMA user_version = 1;
        """;

    private const string Insert = """
        INSERT OR IGNORE INTO feedback (service_id, card_uuid, outcome, outcome_timestamp, accepted_suggestions,
            override_system, override_code, override_display, user_comment, received_at, dedupe_key)
        VALUES ($service_id, $card_uuid, $outcome, $outcome_timestamp, $accepted_suggestions,
            $override_system, $override_code, $override_display, $user_comment, $received_at, $dedupe_key);
        """;

    private const string Select = """
        SELECT id, service_id, card_uuid, outcome, outcome_timestamp, accepted_suggestions,
            override_system, override_code, override_display, user_comment, received_at
        FROM feedback
        WHERE service_id = $service_id AND ($since IS NULL OR received_at >= $since)
        ORDER BY received_at DESC, id DESC
        LIMIT $limit OFFSET $offset;
        """;

    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteFeedbackStore> _logger;
    private readonly Lock _initLock = new();
    private volatile bool _initialized;

    public SqliteFeedbackStore(IOptions<CdsFeedbackOptions> options, IHostEnvironment environment, TimeProvider time, ILogger<SqliteFeedbackStore> logger)
    {
        DatabasePath = ResolvePath(options.Value.DatabasePath, environment.ContentRootPath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Seconds a command waits for another writer (Microsoft.Data.Sqlite retries SQLITE_BUSY).
            DefaultTimeout = 30,
        }.ToString();
        _time = time;
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

    public async Task<FeedbackSaveResult> SaveAsync(string serviceId, IReadOnlyList<FeedbackEntry> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serviceId);
        ArgumentNullException.ThrowIfNull(items);
        EnsureInitialized();
        var receivedAt = FeedbackFormat.Sortable(_time.GetUtcNow());

        await using var connection = await OpenAsync(cancellationToken);
        // BEGIN IMMEDIATE: take the write lock up front, so racing writers queue instead of failing.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Insert;
        var serviceParameter = command.Parameters.Add("$service_id", SqliteType.Text);
        var card = command.Parameters.Add("$card_uuid", SqliteType.Text);
        var outcome = command.Parameters.Add("$outcome", SqliteType.Text);
        var timestamp = command.Parameters.Add("$outcome_timestamp", SqliteType.Text);
        var suggestions = command.Parameters.Add("$accepted_suggestions", SqliteType.Text);
        var system = command.Parameters.Add("$override_system", SqliteType.Text);
        var code = command.Parameters.Add("$override_code", SqliteType.Text);
        var display = command.Parameters.Add("$override_display", SqliteType.Text);
        var comment = command.Parameters.Add("$user_comment", SqliteType.Text);
        var received = command.Parameters.Add("$received_at", SqliteType.Text);
        var key = command.Parameters.Add("$dedupe_key", SqliteType.Text);
        serviceParameter.Value = serviceId;
        received.Value = receivedAt;

        var stored = 0;
        foreach (var item in items)
        {
            card.Value = item.Card;
            outcome.Value = FeedbackFormat.Wire(item.Outcome);
            timestamp.Value = FeedbackFormat.Sortable(item.OutcomeTimestamp);
            suggestions.Value = FeedbackFormat.SuggestionsJson(item.AcceptedSuggestionIds);
            system.Value = (object?)item.OverrideReason?.System ?? DBNull.Value;
            code.Value = (object?)item.OverrideReason?.Code ?? DBNull.Value;
            display.Value = (object?)item.OverrideReason?.Display ?? DBNull.Value;
            comment.Value = (object?)item.UserComment ?? DBNull.Value;
            key.Value = FeedbackFormat.DedupeKey(serviceId, item);
            stored += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new FeedbackSaveResult(items.Count, stored);
    }

    public async Task<IReadOnlyList<StoredFeedback>> ListAsync(string serviceId, FeedbackQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serviceId);
        ArgumentNullException.ThrowIfNull(query);
        EnsureInitialized();

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = Select;
        command.Parameters.AddWithValue("$service_id", serviceId);
        command.Parameters.AddWithValue("$since", query.Since is { } since ? FeedbackFormat.Sortable(since) : DBNull.Value);
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, FeedbackQuery.MaxLimit));
        command.Parameters.AddWithValue("$offset", Math.Max(query.Offset, 0));

        var results = new List<StoredFeedback>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var outcome = FeedbackFormat.TryParseOutcome(reader.GetString(3), out var parsed) ? parsed : FeedbackOutcome.Overridden;
            var reason = reader.IsDBNull(6) || reader.IsDBNull(7)
                ? null
                : new FeedbackCoding(reader.GetString(6), reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8));
            var entry = new FeedbackEntry(
                reader.GetString(2),
                outcome,
                FeedbackFormat.ParseSuggestionsJson(reader.GetString(5)),
                reason,
                reader.IsDBNull(9) ? null : reader.GetString(9),
                FeedbackFormat.ParseStored(reader.GetString(4)));
            results.Add(new StoredFeedback(reader.GetInt64(0), reader.GetString(1), entry, FeedbackFormat.ParseStored(reader.GetString(10))));
        }

        return results;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
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
    private void EnsureInitialized()
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

            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            using (var wal = connection.CreateCommand())
            {
                // Persistent in the file: readers never block the writer and vice versa.
                wal.CommandText = "PRAGMA journal_mode = WAL;";
                _ = wal.ExecuteScalar();
            }

            using var transaction = connection.BeginTransaction(deferred: false);
            int version;
            using (var read = connection.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = "PRAGMA user_version;";
                version = Convert.ToInt32(read.ExecuteScalar(), CultureInfo.InvariantCulture);
            }

            if (version > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"The feedback database has schema version {version}; this build understands up to {SchemaVersion}. Deploy the newer build or point CdsHooks:Feedback:DatabasePath elsewhere.");
            }

            if (version < SchemaVersion)
            {
                using var create = connection.CreateCommand();
                create.Transaction = transaction;
                create.CommandText = CreateSchema;
                _ = create.ExecuteNonQuery();
            }

            transaction.Commit();
            _initialized = true;
            LogReady(_logger, DatabasePath, SchemaVersion, version < SchemaVersion);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information,
        Message = "CDS feedback database ready at {DatabasePath} (schema {SchemaVersion}; created {Created})")]
    private static partial void LogReady(ILogger logger, string databasePath, int schemaVersion, bool created);
}
