using DbUp;
using DbUp.Builder;
using DbUp.Engine;

namespace ClonusCds.Api.Storage;

/// <summary>
/// Versioned schema migrations, applied with DbUp: plain SQL files embedded from
/// <c>Storage/Migrations/{Sqlite,Postgres}</c>, run in name order, one transaction each, recorded in
/// the <c>schema_versions</c> table. The two folders hold the same migrations, one file per number,
/// identical in meaning (a test compares the resulting schemas). A database that has run a
/// migration this build does not know was upgraded by a newer build: start-up refuses it rather
/// than write to a schema it does not understand.
/// </summary>
internal static class SchemaMigrations
{
    /// <summary>The journal table.</summary>
    public const string JournalTable = "schema_versions";

    /// <summary>Resource-name prefix of one backend's scripts.</summary>
    public static string Prefix(StorageProvider provider) =>
        provider == StorageProvider.Postgres ? "ClonusCds.Migrations.Postgres." : "ClonusCds.Migrations.Sqlite.";

    /// <summary>The migrations this build carries, in order (short names such as "0001_feedback").</summary>
    public static IReadOnlyList<string> Known(StorageProvider provider)
    {
        var prefix = Prefix(provider);
        return [.. typeof(SchemaMigrations).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => ShortName(n, provider))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>"ClonusCds.Migrations.Postgres.0001_feedback.sql" → "0001_feedback".</summary>
    public static string ShortName(string scriptName, StorageProvider provider)
    {
        var name = scriptName.StartsWith(Prefix(provider), StringComparison.Ordinal) ? scriptName[Prefix(provider).Length..] : scriptName;
        return name.EndsWith(".sql", StringComparison.Ordinal) ? name[..^4] : name;
    }

    /// <summary>Applies what is missing; returns the short names of the migrations it ran (empty when up to date).</summary>
    /// <exception cref="StorageMigrationException">A migration failed, or the database is newer than this build.</exception>
    public static IReadOnlyList<string> Apply(StorageProvider provider, string connectionString)
    {
        var upgrader = Builder(provider, connectionString).Build();
        var unknown = upgrader.GetExecutedButNotDiscoveredScripts();
        if (unknown.Count > 0)
        {
            throw new StorageMigrationException(
                $"The {Name(provider)} database has run migrations this build does not know ({string.Join(", ", unknown.Select(s => ShortName(s, provider)))}): " +
                "it was upgraded by a newer build. Deploy that build, or point the storage settings at another database.");
        }

        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            // The error is the database's message about our own SQL (no patient data); the script name says which.
            throw new StorageMigrationException(
                $"Migration {ShortName(result.ErrorScript?.Name ?? "?", provider)} failed on the {Name(provider)} database: {result.Error?.Message}", result.Error);
        }

        return [.. result.Scripts.Select(s => ShortName(s.Name, provider))];
    }

    private static UpgradeEngineBuilder Builder(StorageProvider provider, string connectionString)
    {
        var builder = provider == StorageProvider.Postgres
            ? DeployChanges.To.PostgresqlDatabase(connectionString).JournalToPostgresqlTable("public", JournalTable)
            : DeployChanges.To.SqliteDatabase(connectionString).JournalToSqliteTable(JournalTable);
        var prefix = Prefix(provider);
        return builder
            .WithScriptsEmbeddedInAssembly(typeof(SchemaMigrations).Assembly, name => name.StartsWith(prefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToNowhere();
    }

    private static string Name(StorageProvider provider) => provider == StorageProvider.Postgres ? "PostgreSQL" : "SQLite";
}

/// <summary>The schema could not be brought to this build's version; the service does not start.</summary>
public sealed class StorageMigrationException : Exception
{
    public StorageMigrationException()
    {
    }

    public StorageMigrationException(string message) : base(message)
    {
    }

    public StorageMigrationException(string message, Exception? inner) : base(message, inner)
    {
    }
}
