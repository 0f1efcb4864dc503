using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Audit;

/// <summary>The assessment audit trail (configuration section "Audit").</summary>
public sealed class AuditOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Audit";

    /// <summary>Record every assessment (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Days a record is kept; older records are purged (default 7 years: set the site's policy).</summary>
    public int RetentionDays { get; set; } = 2557;

    /// <summary>Minutes between purges of expired records.</summary>
    public int PurgeIntervalMinutes { get; set; } = 60;

    /// <summary>
    /// Records waiting to be written. When the store falls this far behind, new records are dropped,
    /// counted (metric clonus.audit.dropped) and logged, rather than slow or fail the answer.
    /// </summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Most records written in one transaction.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// How long the writer lets a batch gather before writing it (0: write at once). Fewer, larger
    /// transactions keep the writer's CPU off the request path under load; a crash can lose at most
    /// this much more. A graceful stop writes at once.
    /// </summary>
    public int FlushIntervalMilliseconds { get; set; } = 200;

    /// <summary>Attempts to write one batch before it is dropped (and counted).</summary>
    public int WriteAttempts { get; set; } = 5;

    /// <summary>The replica's name in records; unset: host name and process id.</summary>
    public string? Instance { get; set; }
}

/// <summary>Start-up checks of the audit settings.</summary>
internal sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        var problems = new List<string>();
        if (options.RetentionDays is < 1 or > 36_500)
        {
            problems.Add("Audit:RetentionDays must be between 1 and 36500.");
        }

        if (options.PurgeIntervalMinutes is < 1 or > 10_080)
        {
            problems.Add("Audit:PurgeIntervalMinutes must be between 1 and 10080.");
        }

        if (options.QueueCapacity is < 1 or > 1_000_000)
        {
            problems.Add("Audit:QueueCapacity must be between 1 and 1000000.");
        }

        if (options.BatchSize is < 1 or > 10_000)
        {
            problems.Add("Audit:BatchSize must be between 1 and 10000.");
        }

        if (options.FlushIntervalMilliseconds is < 0 or > 10_000)
        {
            problems.Add("Audit:FlushIntervalMilliseconds must be between 0 and 10000.");
        }

        if (options.WriteAttempts is < 1 or > 100)
        {
            problems.Add("Audit:WriteAttempts must be between 1 and 100.");
        }

        if (options.Instance is { Length: > 200 })
        {
            problems.Add("Audit:Instance must be at most 200 characters.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
