using ClonusCds.Api.CdsHooks.Feedback;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Storage;

/// <summary>The storage backends (configuration value, lower case).</summary>
public enum StorageProvider
{
    /// <summary>An embedded SQLite file: one process, no setup (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server shared by every replica.</summary>
    Postgres,
}

/// <summary>
/// Where the service keeps its state: CDS Hooks feedback, the CDS Hooks JWT replay record (PostgreSQL
/// only; one SQLite process keeps it in memory) and the assessment audit trail. Configuration section
/// "Storage"; environment variables <c>Storage__Provider</c>, <c>Storage__ConnectionString</c>.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Storage";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>An Npgsql connection string, required for <c>postgres</c> (never logged: it may hold a password).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The SQLite file, relative to the content root. Unset: the legacy setting
    /// <c>CdsHooks:Feedback:DatabasePath</c>, else <see cref="CdsFeedbackOptions.DefaultDatabasePath"/>
    /// (the file keeps its historical name so existing feedback is not orphaned).
    /// </summary>
    public string? SqlitePath { get; set; }

    /// <summary>Seconds a start-up waits for the PostgreSQL server (and for another replica's migration) before giving up.</summary>
    public int StartupTimeoutSeconds { get; set; } = 30;

    /// <summary>Reads a Storage:Provider value (case and surrounding spaces ignored); false for anything but sqlite or postgres.</summary>
    public static bool TryParse(string? value, out StorageProvider provider)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "sqlite":
                provider = StorageProvider.Sqlite;
                return true;
            case "postgres":
                provider = StorageProvider.Postgres;
                return true;
            default:
                provider = StorageProvider.Sqlite;
                return false;
        }
    }
}

/// <summary>Refuses, at start-up, a provider other than sqlite/postgres and postgres without a connection string.</summary>
internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var problems = new List<string>();
        if (!StorageOptions.TryParse(options.Provider, out var provider))
        {
            problems.Add("Storage:Provider must be 'sqlite' (the default) or 'postgres'.");
        }
        else if (provider == StorageProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                problems.Add("Storage:ConnectionString is required when Storage:Provider is 'postgres' (an Npgsql connection string, e.g. Host=db;Database=clonus;Username=clonus;Password=…).");
            }
            else
            {
                try
                {
                    _ = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
                }
                catch (ArgumentException)
                {
                    // The message may quote the string (and a password): say only that it is invalid.
                    problems.Add("Storage:ConnectionString is not a valid Npgsql connection string.");
                }
            }
        }

        if (options.StartupTimeoutSeconds is < 1 or > 600)
        {
            problems.Add("Storage:StartupTimeoutSeconds must be between 1 and 600.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
