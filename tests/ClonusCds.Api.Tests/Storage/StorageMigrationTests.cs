using ClonusCds.Api.CdsHooks.Trust;
using ClonusCds.Api.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

using ClonusCds.Api.Tests.Support;

namespace ClonusCds.Api.Tests.Storage;

/// <summary>Migrations on both backends: the same schema, safe concurrent start-up, refusal of a newer database, adoption of the pre-migration file.</summary>
[Collection(PostgresClusterDefinition.Name)]
public sealed class StorageMigrationTests(PostgresCluster cluster) : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("clonus-migrations-test-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal static PostgresStorage Postgres(string connectionString) =>
        new(Options.Create(new StorageOptions { Provider = "postgres", ConnectionString = connectionString, StartupTimeoutSeconds = 5 }), NullLogger<PostgresStorage>.Instance);

    private SqliteStorage Sqlite(string file) =>
        new(Options.Create(new StorageOptions { SqlitePath = Path.Combine(_root.FullName, file) }), new TestHostEnvironment(_root.FullName), NullLogger<SqliteStorage>.Instance);

    [Fact]
    public void Both_backends_carry_the_same_numbered_migrations()
    {
        Assert.Equal(SchemaMigrations.Known(StorageProvider.Sqlite), SchemaMigrations.Known(StorageProvider.Postgres));
        Assert.Equal(["0001_feedback", "0002_jti_seen", "0003_assessment_audit"], SchemaMigrations.Known(StorageProvider.Postgres));
    }

    /// <summary>Tables, columns (order, nullability, kind), primary keys and indexes agree; column types differ only as mapped here.</summary>
    [Fact]
    public async Task Both_backends_end_with_the_same_schema()
    {
        var sqlite = Sqlite("schema.db");
        sqlite.EnsureInitialized();
        var pgConnection = await cluster.CreateDatabaseAsync("schema");
        await using var postgres = Postgres(pgConnection);
        await postgres.MigrateAsync(CancellationToken.None);

        var fromSqlite = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var connection = new SqliteConnection($"Data Source={sqlite.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            foreach (var table in await Db.Strings(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_versions'"))
            {
                fromSqlite[table] = await Db.Strings(connection,
                    $"SELECT name || ' ' || CASE WHEN upper(type) = 'INTEGER' THEN 'integer' WHEN upper(type) = 'REAL' THEN 'real' ELSE 'text' END || ' ' || CASE WHEN \"notnull\" = 1 OR pk > 0 THEN 'not null' ELSE 'null' END || CASE WHEN pk > 0 THEN ' pk' ELSE '' END FROM pragma_table_info('{table}') ORDER BY cid");
                fromSqlite[table].AddRange((await Db.Strings(connection, $"SELECT name FROM pragma_index_list('{table}') WHERE origin = 'c' ORDER BY name")).Select(i => "index " + i));
            }
        }

        var fromPostgres = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        await using (var connection = new NpgsqlConnection(pgConnection))
        {
            await connection.OpenAsync();
            foreach (var table in await Db.Strings(connection, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_versions'"))
            {
                fromPostgres[table] = await Db.Strings(connection, $"""
                    SELECT c.column_name || ' ' ||
                        CASE WHEN c.data_type IN ('bigint', 'integer') THEN 'integer' WHEN c.data_type = 'double precision' THEN 'real' ELSE 'text' END || ' ' ||
                        CASE WHEN c.is_nullable = 'NO' THEN 'not null' ELSE 'null' END ||
                        CASE WHEN EXISTS (SELECT 1 FROM information_schema.key_column_usage k JOIN information_schema.table_constraints t
                            ON t.constraint_name = k.constraint_name AND t.constraint_type = 'PRIMARY KEY'
                            WHERE k.table_name = c.table_name AND k.column_name = c.column_name) THEN ' pk' ELSE '' END
                    FROM information_schema.columns c WHERE c.table_schema = 'public' AND c.table_name = '{table}' ORDER BY c.ordinal_position
                    """);
                fromPostgres[table].AddRange((await Db.Strings(connection,
                    $"SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = '{table}' AND indexname NOT LIKE '%_pkey' ORDER BY indexname")).Select(i => "index " + i));
            }
        }

        Assert.Equal(["assessment_audit", "feedback", "jti_seen"], fromSqlite.Keys);
        Assert.Equal(fromSqlite.Keys, fromPostgres.Keys);
        foreach (var table in fromSqlite.Keys)
        {
            Assert.Equal(fromSqlite[table], fromPostgres[table]);
        }
    }

    [Fact]
    public async Task Replicas_starting_together_migrate_once_without_errors()
    {
        var database = await cluster.CreateDatabaseAsync("concurrent migrations");
        var replicas = Enumerable.Range(0, 4).Select(_ => Postgres(database)).ToList();
        await Task.WhenAll(replicas.Select(r => Task.Run(() => r.MigrateAsync(CancellationToken.None))));
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var journal = await Db.Strings(connection, "SELECT scriptname FROM schema_versions ORDER BY scriptname");
        Assert.Equal(SchemaMigrations.Known(StorageProvider.Postgres), journal.Select(n => SchemaMigrations.ShortName(n, StorageProvider.Postgres)));
        // Restarting is a no-op.
        await replicas[0].MigrateAsync(CancellationToken.None);
        Assert.Equal(journal.Count, (await Db.Strings(connection, "SELECT scriptname FROM schema_versions")).Count);
        foreach (var r in replicas)
        {
            await r.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_database_upgraded_by_a_newer_build_is_refused_on_both_backends()
    {
        var database = await cluster.CreateDatabaseAsync("newer");
        await using (var postgres = Postgres(database))
        {
            await postgres.MigrateAsync(CancellationToken.None);
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("INSERT INTO schema_versions (scriptname, applied) VALUES ('ClonusCds.Migrations.Postgres.0099_future.sql', now())", connection);
            await command.ExecuteNonQueryAsync();
            var ex = await Assert.ThrowsAsync<StorageMigrationException>(() => Postgres(database).MigrateAsync(CancellationToken.None));
            Assert.Contains("0099_future", ex.Message, StringComparison.Ordinal);
            Assert.Contains("newer build", ex.Message, StringComparison.Ordinal);
        }

        var sqlite = Sqlite("newer.db");
        sqlite.EnsureInitialized();
        await using (var connection = new SqliteConnection($"Data Source={sqlite.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_versions (scriptname, applied) VALUES ('ClonusCds.Migrations.Sqlite.0099_future.sql', datetime('now'))";
            await command.ExecuteNonQueryAsync();
        }

        var again = Sqlite("newer.db");
        var sqliteEx = Assert.Throws<StorageMigrationException>(again.EnsureInitialized);
        Assert.Contains("0099_future", sqliteEx.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_feedback_file_from_before_versioned_migrations_is_adopted_with_its_rows()
    {
        var path = Path.Combine(_root.FullName, "legacy.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            // The schema the first release created (PRAGMA user_version = 1), with one stored row.
            command.CommandText = """
                CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, service_id TEXT NOT NULL, card_uuid TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'overridden')), outcome_timestamp TEXT NOT NULL, accepted_suggestions TEXT NOT NULL,
                    override_system TEXT NULL, override_code TEXT NULL, override_display TEXT NULL, user_comment TEXT NULL, received_at TEXT NOT NULL,
                    dedupe_key TEXT NOT NULL);
                CREATE UNIQUE INDEX ux_feedback_dedupe_key ON feedback (dedupe_key);
                CREATE INDEX ix_feedback_service_received ON feedback (service_id, received_at, id);
                CREATE INDEX ix_feedback_card ON feedback (card_uuid);
                PRAGMA user_version = 1;
                INSERT INTO feedback (service_id, card_uuid, outcome, outcome_timestamp, accepted_suggestions, received_at, dedupe_key)
                VALUES ('clonus-patient-view', 'legacy-card', 'overridden', '2021-01-01T00:00:00.0000000Z', '[]', '2021-01-01T00:00:00.0000000Z', 'k');
                """;
            await command.ExecuteNonQueryAsync();
        }

        var storage = Sqlite("legacy.db");
        var store = new ClonusCds.Api.CdsHooks.Feedback.SqliteFeedbackStore(storage, TimeProvider.System);
        var rows = await store.ListAsync("clonus-patient-view", new(), CancellationToken.None);
        Assert.Equal("legacy-card", Assert.Single(rows).Entry.Card);
        await using var check = new SqliteConnection($"Data Source={path};Pooling=False");
        await check.OpenAsync();
        Assert.Equal(3, (await Db.Strings(check, "SELECT scriptname FROM schema_versions")).Count);
    }

    [Fact]
    public async Task An_unreachable_server_stops_start_up_with_a_message_that_names_host_and_database_but_not_the_password()
    {
        var builder = new NpgsqlConnectionStringBuilder(await cluster.CreateDatabaseAsync("unreachable")) { Port = 1, Timeout = 2 };
        var password = builder.Password!;
        await using var postgres = new PostgresStorage(
            Options.Create(new StorageOptions { Provider = "postgres", ConnectionString = builder.ConnectionString, StartupTimeoutSeconds = 3 }), NullLogger<PostgresStorage>.Instance);
        var ex = await Assert.ThrowsAsync<StorageMigrationException>(() => postgres.MigrateAsync(CancellationToken.None));
        Assert.Contains("127.0.0.1", ex.Message, StringComparison.Ordinal);
        Assert.Contains(builder.Database!, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mysql", null, "Storage:Provider")]
    [InlineData("postgres", null, "Storage:ConnectionString is required")]
    [InlineData("postgres", "Host=db;Bogus Key=1;Password=hunter2", "not a valid Npgsql connection string")]
    public void Invalid_settings_are_refused_at_start_up_with_the_setting_named(string provider, string? connectionString, string expected)
    {
        var result = new StorageOptionsValidator().Validate(null, new StorageOptions { Provider = provider, ConnectionString = connectionString });
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_service_refuses_to_start_on_an_unknown_provider()
    {
        using var factory = new SettingsApiFactory(new Dictionary<string, string?> { ["Storage:Provider"] = "oracle" });
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Storage:Provider must be 'sqlite'", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shared_replay_store_remembers_until_expiry_purges_and_is_shared_between_instances()
    {
        var database = await cluster.CreateDatabaseAsync("replay");
        var time = new ManualTime();
        await using var one = Postgres(database);
        await one.MigrateAsync(CancellationToken.None);
        await using var two = Postgres(database);
        var a = new PostgresJtiReplayStore(one, time, NullLogger<PostgresJtiReplayStore>.Instance);
        var b = new PostgresJtiReplayStore(two, time, NullLogger<PostgresJtiReplayStore>.Instance);
        var until = time.Now.AddMinutes(5);

        Assert.Equal(CdsReplayOutcome.Recorded, await a.TryRecordAsync("iss", "j1", until, default));
        Assert.Equal(CdsReplayOutcome.Replayed, await b.TryRecordAsync("iss", "j1", until, default));
        Assert.Equal(CdsReplayOutcome.Replayed, await a.TryRecordAsync("iss", "j1", until, default));
        Assert.Equal(CdsReplayOutcome.Recorded, await b.TryRecordAsync("other-iss", "j1", until, default));

        // Raced: exactly one of many wins.
        var raced = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => (i % 2 == 0 ? a : b).TryRecordAsync("iss", "race", until, default).AsTask()));
        Assert.Equal(1, raced.Count(r => r == CdsReplayOutcome.Recorded));

        // After the expiry the jti is forgotten (the token itself is expired by then), and purged.
        time.Now = until;
        Assert.Equal(3, await a.PurgeExpiredAsync(default));
        Assert.Equal(CdsReplayOutcome.Recorded, await b.TryRecordAsync("iss", "j1", time.Now.AddMinutes(5), default));
        Assert.Equal(CdsReplayOutcome.Replayed, await a.TryRecordAsync("iss", "j1", time.Now.AddMinutes(5), default));
    }

    [Fact]
    public async Task An_unreachable_replay_store_refuses_the_token()
    {
        var builder = new NpgsqlConnectionStringBuilder(await cluster.CreateDatabaseAsync("replay down")) { Port = 1, Timeout = 2 };
        await using var down = Postgres(builder.ConnectionString);
        var store = new PostgresJtiReplayStore(down, TimeProvider.System, NullLogger<PostgresJtiReplayStore>.Instance);
        Assert.Equal(CdsReplayOutcome.Unavailable, await store.TryRecordAsync("iss", "j", DateTimeOffset.UtcNow.AddMinutes(5), default));
    }

    [Fact]
    public async Task Both_audit_stores_return_what_was_written_and_purge_the_same()
    {
        await using var postgres = Postgres(await cluster.CreateDatabaseAsync("audit stores"));
        await postgres.MigrateAsync(CancellationToken.None);
        var stores = new ClonusCds.Api.Audit.IAuditStore[] { new ClonusCds.Api.Audit.SqliteAuditStore(Sqlite("audit.db")), new ClonusCds.Api.Audit.PostgresAuditStore(postgres) };
        var at = new DateTimeOffset(2026, 3, 4, 5, 6, 7, 891, TimeSpan.Zero);
        var record = new ClonusCds.Api.Audit.AuditRecord(Guid.NewGuid(), at, "client-1", "/cds-services/{id}", "clonus-order-select", "order-select",
            "2026.12.2", "1.0.0+abc", new string('a', 64), "serotonin_toxicity", "emergency",
            new(["discontinue_serotonergic_agents", "benzodiazepine"], [], ["cyproheptadine"], ["continuous_cardiac_monitoring"], []),
            ["avoid_physical_restraints"], 12.345, "host/1");
        var old = record with { AssessmentId = Guid.NewGuid(), RecordedAt = at.AddDays(-10), Service = null, Hook = null };
        foreach (var store in stores)
        {
            await store.WriteAsync([record, old], CancellationToken.None);
            await store.WriteAsync([record], CancellationToken.None); // a retried batch: skipped, not duplicated
            var back = await store.GetAsync(record.AssessmentId, CancellationToken.None);
            Assert.NotNull(back);
            Assert.Equal(record with { Recommendations = back.Recommendations, Pitfalls = back.Pitfalls }, back);
            Assert.Equal(record.Recommendations.FirstLine, back.Recommendations.FirstLine);
            Assert.Equal(record.Recommendations.Refractory, back.Recommendations.Refractory);
            Assert.Equal(record.Recommendations.Monitoring, back.Recommendations.Monitoring);
            Assert.Equal(record.Pitfalls, back.Pitfalls);
            Assert.Null((await store.GetAsync(old.AssessmentId, CancellationToken.None))!.Hook);
            Assert.Equal(1, await store.PurgeAsync(at.AddDays(-1), CancellationToken.None));
            Assert.Null(await store.GetAsync(old.AssessmentId, CancellationToken.None));
            Assert.Null(await store.GetAsync(Guid.NewGuid(), CancellationToken.None));
        }
    }
}
