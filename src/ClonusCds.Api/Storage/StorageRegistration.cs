using ClonusCds.Api.Audit;
using ClonusCds.Api.CdsHooks.Feedback;
using ClonusCds.Api.CdsHooks.Trust;
using ClonusCds.Api.Infrastructure.Telemetry;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClonusCds.Api.Storage;

/// <summary>
/// The storage seam: one setting (Storage:Provider) chooses where feedback, the CDS Hooks replay
/// record and the audit trail live. sqlite (default): one embedded file, replay record in memory.
/// postgres: one database shared by every replica, migrated at start-up (<see cref="MigrateAsync"/>).
/// </summary>
internal static class StorageRegistration
{
    /// <summary>Registers the stores of the configured provider, the audit trail and the storage health check.</summary>
    public static IServiceCollection AddClonusStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.Section)
            .PostConfigure(o => o.SqlitePath ??= configuration[$"{CdsFeedbackOptions.Section}:{nameof(CdsFeedbackOptions.DatabasePath)}"])
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();

        // Chosen from the raw setting; an invalid value is refused at start-up by the validator.
        if (StorageOptions.TryParse(configuration[$"{StorageOptions.Section}:{nameof(StorageOptions.Provider)}"], out var provider)
            && provider == StorageProvider.Postgres)
        {
            services.AddSingleton<PostgresStorage>();
            services.AddSingleton<IFeedbackStore, PostgresFeedbackStore>();
            services.AddSingleton<IJtiReplayStore, PostgresJtiReplayStore>();
            services.AddSingleton<IAuditStore, PostgresAuditStore>();
        }
        else
        {
            services.AddSingleton<SqliteStorage>();
            services.AddSingleton<IFeedbackStore, SqliteFeedbackStore>();
            services.AddSingleton<IJtiReplayStore, CdsJtiReplayCache>();
            services.AddSingleton<IAuditStore, SqliteAuditStore>();
        }

        // The audit trail reports to the metrics (clonus.audit.queue.depth, .dropped, .written).
        services.AddSingleton(sp =>
        {
            var trail = ActivatorUtilities.CreateInstance<AuditTrail>(sp);
            if (sp.GetService<ClonusMetrics>() is { } metrics)
            {
                metrics.ObserveAuditQueue(() => trail.Depth);
                trail.RecordsDropped += metrics.AuditDropped;
            }

            return trail;
        });
        services.AddSingleton(sp =>
        {
            var writer = ActivatorUtilities.CreateInstance<AuditWriter>(sp);
            if (sp.GetService<ClonusMetrics>() is { } metrics)
            {
                writer.RecordsWritten += metrics.AuditWritten;
            }

            return writer;
        });
        services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);
        return services;
    }

    /// <summary>
    /// Before the service listens: on PostgreSQL, waits for the server and applies the migrations
    /// (a failure stops start-up with a message naming the host and database, never the password).
    /// SQLite migrates on first use.
    /// </summary>
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken ct)
    {
        if (services.GetService<PostgresStorage>() is { } postgres)
        {
            await postgres.MigrateAsync(ct);
        }
    }
}

/// <summary>Ready only when the shared database answers (PostgreSQL); the SQLite file is created on demand.</summary>
internal sealed class StorageHealthCheck(IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<PostgresStorage>() is not { } postgres)
        {
            return HealthCheckResult.Healthy("sqlite");
        }

        try
        {
            await using var command = postgres.DataSource.CreateCommand("SELECT 1");
            command.CommandTimeout = 5;
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("postgres");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy($"postgres unreachable ({ex.GetType().Name})");
        }
    }
}
