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

/// <summary>
/// The hand-off between the endpoints and <see cref="AuditWriter"/>: a bounded in-memory queue of
/// finished records. The endpoint builds the small record (codes, versions, the request hash) and
/// enqueues it; no I/O on the request path. The queue holds no reference to the answer or the request:
/// holding those (tens of KB each) while the writer catches up would carry them past the youngest
/// garbage-collector generation, which measured about 100 µs of CPU per answer under load. When the
/// queue is full the record is dropped and counted rather than slow or fail the answer. What is queued and not yet written is
/// lost if the process is killed (SIGKILL, OOM, power); a graceful stop writes it first.
/// </summary>
internal sealed partial class AuditTrail
{
    private readonly Channel<AuditRecord> _queue;
    private readonly bool _enabled;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditTrail> _logger;
    private readonly int _batchSize;
    // Pulsed when a whole batch is queued (or on completion): the writer sleeps on it, not on a poll.
    private readonly object _batchGate = new();
    private volatile bool _batchSignalled;
    private long _queued;
    private long _dropped;
    private long _lastDropLog;

    public AuditTrail(IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditTrail> logger)
    {
        var o = options.Value;
        _enabled = o.Enabled;
        _batchSize = Math.Max(1, o.BatchSize);
        _time = time;
        _logger = logger;
        Instance = string.IsNullOrWhiteSpace(o.Instance) ? $"{Environment.MachineName}/{Environment.ProcessId}" : o.Instance.Trim();
        _queue = Channel.CreateBounded<AuditRecord>(new BoundedChannelOptions(o.QueueCapacity)
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
    public long Depth => Interlocked.Read(ref _queued);

    /// <summary>Records dropped since start (queue full, shutting down, or a batch that could not be written).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal ChannelReader<AuditRecord> Reader => _queue.Reader;

    /// <summary>The next queued record, if any (the writer's only way to take one, so <see cref="Depth"/> stays exact).</summary>
    internal bool TryTake(out AuditRecord record)
    {
        if (_queue.Reader.TryRead(out record!))
        {
            Interlocked.Decrement(ref _queued);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Blocks the calling (writer) thread until a whole batch is queued, the queue is completed, or
    /// <paramref name="timeout"/> passes. Woken by the request that completes a batch; never polls.
    /// </summary>
    internal void WaitForBatch(TimeSpan timeout)
    {
        if (_completing || Interlocked.Read(ref _queued) >= _batchSize)
        {
            return;
        }

        lock (_batchGate)
        {
            _batchSignalled = false;
            // A batch completed (or a stop came) just before the reset would not wake us: look again.
            if (_completing || Interlocked.Read(ref _queued) >= _batchSize)
            {
                return;
            }

            Monitor.Wait(_batchGate, timeout);
        }
    }

    private void SignalBatch()
    {
        lock (_batchGate)
        {
            _batchSignalled = true;
            Monitor.PulseAll(_batchGate);
        }
    }

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
        http.Items[RequestLogging.AssessmentIdKey] = assessment.AssessmentId;
        AuditRecord pending;
        try
        {
            pending = Build(assessment, request, _time.GetUtcNow(), ClientOf(http), route, service, hook,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, shownCodes);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The answer is never failed for its audit record; the loss is counted and logged.
            Drop(1, "build_failed");
            return;
        }

        if (!_queue.Writer.TryWrite(pending))
        {
            Drop(1, _completing ? "shutting_down" : "queue_full");
        }
        else if (Interlocked.Increment(ref _queued) >= _batchSize && !_batchSignalled)
        {
            SignalBatch();
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

    /// <summary>No more records are accepted (graceful shutdown); the writer drains what is queued.</summary>
    public void Complete()
    {
        _completing = true;
        _queue.Writer.TryComplete();
        SignalBatch();
    }

    /// <summary>The record of one answer: code lists (those shown, when <paramref name="shown"/> is given) and the request hash.</summary>
    public AuditRecord Build(Assessment a, PatientContext request, DateTimeOffset recordedAt, string client, string route, string? service,
        string? hook, double latencyMs, IReadOnlySet<string>? shown = null)
    {
        var r = a.Recommendations;
        var recommendations = new AuditRecommendations(Codes(r.FirstLine, shown), Codes(r.Adjunct, shown), Codes(r.Refractory, shown),
            Codes(r.Monitoring, shown), Codes(r.Workup, shown));
        return new AuditRecord(a.AssessmentId, recordedAt, client, route, service, hook, a.KnowledgeBaseVersion, EngineVersion,
            RequestHash(request), WireNames.Of(a.Etiology.Primary), WireNames.Of(a.Urgency), recommendations, Codes(a.Pitfalls, shown),
            Math.Round(latencyMs, 3), Instance);
    }

    private static string[] Codes(IReadOnlyList<RecommendationItem> items, IReadOnlySet<string>? shown)
    {
        if (items.Count == 0)
        {
            return [];
        }

        var codes = new List<string>(items.Count);
        foreach (var item in items)
        {
            if (shown is null || shown.Contains(item.Code))
            {
                codes.Add(item.Code);
            }
        }

        return [.. codes];
    }

    [ThreadStatic]
    private static System.Buffers.ArrayBufferWriter<byte>? t_buffer;

    /// <summary>
    /// SHA-256 (lower-case hex) of the canonical request: the patient context as the service's own
    /// serializer writes it (compact, contract property order, absent fields left out, enum wire names).
    /// </summary>
    public static string RequestHash(PatientContext request)
    {
        // A per-thread buffer: the canonical bytes are hashed, never kept.
        var buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(4096);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, request, ClonusJson.Options);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

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
