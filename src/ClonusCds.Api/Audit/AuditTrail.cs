using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using ClonusCds.Api.CdsHooks.Trust;
using ClonusCds.Api.Infrastructure;
using ClonusCds.Api.Security;
using ClonusCds.Core;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Audit;

/// <summary>An answer waiting to be written: the assessment and request by reference; hashing and code lists happen on the writer.</summary>
internal sealed record PendingAudit(
    Assessment Assessment,
    PatientContext Request,
    DateTimeOffset RecordedAt,
    string Client,
    string Route,
    string? Service,
    string? Hook,
    double LatencyMs,
    IReadOnlySet<string>? ShownCodes);

/// <summary>
/// The hand-off between the endpoints and <see cref="AuditWriter"/>: a bounded in-memory queue. An
/// endpoint only enqueues (no I/O, no hashing on the request path); when the queue is full the record
/// is dropped and counted rather than slow or fail the answer. What is queued and not yet written is
/// lost if the process is killed (SIGKILL, OOM, power); a graceful stop writes it first.
/// </summary>
internal sealed partial class AuditTrail
{
    private readonly Channel<PendingAudit> _queue;
    private readonly bool _enabled;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditTrail> _logger;
    private long _dropped;
    private long _lastDropLog;

    public AuditTrail(IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditTrail> logger)
    {
        var o = options.Value;
        _enabled = o.Enabled;
        _time = time;
        _logger = logger;
        Instance = string.IsNullOrWhiteSpace(o.Instance) ? $"{Environment.MachineName}/{Environment.ProcessId}" : o.Instance.Trim();
        _queue = Channel.CreateBounded<PendingAudit>(new BoundedChannelOptions(o.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite answers false when full: the caller never waits.
            SingleReader = true,
            SingleWriter = false,
        });
    }

    /// <summary>The engine build recorded in every record.</summary>
    public static string EngineVersion { get; } =
        typeof(TriageEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(TriageEngine).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>This replica's name in records.</summary>
    public string Instance { get; }

    /// <summary>Whether assessments are recorded.</summary>
    public bool Enabled => _enabled;

    /// <summary>Records waiting.</summary>
    public long Depth => _queue.Reader.Count;

    /// <summary>Records dropped since start (queue full, shutting down, or a batch that could not be written).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal ChannelReader<PendingAudit> Reader => _queue.Reader;

    /// <summary>Raised with (count, reason) whenever records are dropped (metrics).</summary>
    public event Action<long, string>? RecordsDropped;

    /// <summary>Queues the answer to one request for the audit trail. Never blocks, never throws.</summary>
    public void Record(HttpContext http, Assessment assessment, PatientContext request, string? service = null, string? hook = null,
        IReadOnlySet<string>? shownCodes = null)
    {
        if (!_enabled)
        {
            return;
        }

        var started = http.Items[RequestLogging.StartedKey] is long t ? t : Stopwatch.GetTimestamp();
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
        var pending = new PendingAudit(assessment, request, _time.GetUtcNow(), ClientOf(http), route, service, hook,
            Stopwatch.GetElapsedTime(started).TotalMilliseconds, shownCodes);
        http.Items[RequestLogging.AssessmentIdKey] = assessment.AssessmentId;
        if (!_queue.Writer.TryWrite(pending))
        {
            Drop(1, _queue.Reader.Completion.IsCompleted || IsCompleting ? "shutting_down" : "queue_full");
        }
    }

    /// <summary>Counts and logs dropped records (the log at most once a second, with the running total).</summary>
    public void Drop(long count, string reason)
    {
        var total = Interlocked.Add(ref _dropped, count);
        RecordsDropped?.Invoke(count, reason);
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastDropLog);
        if (now - last >= Stopwatch.Frequency && Interlocked.CompareExchange(ref _lastDropLog, now, last) == last)
        {
            LogDropped(_logger, count, reason, total);
        }
    }

    private volatile bool _completing;

    private bool IsCompleting => _completing;

    /// <summary>No more records are accepted (graceful shutdown); the writer drains what is queued.</summary>
    public void Complete()
    {
        _completing = true;
        _queue.Writer.TryComplete();
    }

    /// <summary>The full record: request hash and code lists (on the writer, off the request path).</summary>
    public AuditRecord Build(PendingAudit p)
    {
        var a = p.Assessment;
        var shown = p.ShownCodes;
        IReadOnlyList<string> Codes(IReadOnlyList<RecommendationItem> items) =>
            [.. items.Select(i => i.Code).Where(c => shown is null || shown.Contains(c))];
        var recommendations = new AuditRecommendations(
            Codes(a.Recommendations.FirstLine), Codes(a.Recommendations.Adjunct), Codes(a.Recommendations.Refractory),
            Codes(a.Recommendations.Monitoring), Codes(a.Recommendations.Workup));
        return new AuditRecord(a.AssessmentId, p.RecordedAt, p.Client, p.Route, p.Service, p.Hook, a.KnowledgeBaseVersion, EngineVersion,
            RequestHash(p.Request), WireName(a.Etiology.Primary), WireName(a.Urgency), recommendations, Codes(a.Pitfalls),
            Math.Round(p.LatencyMs, 3), Instance);
    }

    private static string WireName<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>
    /// SHA-256 (lower-case hex) of the canonical request: the patient context as the service's own
    /// serializer writes it (compact, contract property order, absent fields left out, enum wire names).
    /// </summary>
    public static string RequestHash(PatientContext request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, ClonusJson.Options)));

    /// <summary>The caller, as authenticated: REST client id (else subject, else issuer), CDS Hooks issuer, or "anonymous".</summary>
    internal static string ClientOf(HttpContext http)
    {
        if (http.Items[ApiAuthenticator.ClientKey] is ApiClientIdentity api)
        {
            return LogSafe.Printable(api.ClientId, 200) ?? api.Issuer;
        }

        if (http.Items[CdsJwtFilter.ClientKey] is CdsClientIdentity cds)
        {
            return cds.Tenant is { Length: > 0 } tenant ? $"{cds.Issuer} (tenant {LogSafe.Printable(tenant, 100)})" : cds.Issuer;
        }

        return "anonymous";
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Error,
        Message = "Audit records dropped: {Count} ({Reason}); {Total} dropped since start")]
    private static partial void LogDropped(ILogger logger, long count, string reason, long total);
}
