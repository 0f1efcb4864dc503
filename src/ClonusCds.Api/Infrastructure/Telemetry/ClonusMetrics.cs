using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ClonusCds.Api.Infrastructure.Telemetry;

/// <summary>
/// The service's own instruments, on the meter <see cref="MeterName"/> (docs/operations.md,
/// "Telemetry"). A singleton; every tag value is a code from a small fixed set (a route template,
/// an enum's wire name, a reason or outcome word), never patient data. With no listener (telemetry
/// not configured) each call is one enabled-check.
/// </summary>
public sealed class ClonusMetrics : IDisposable
{
    /// <summary>The meter's name (what an exporter or <c>dotnet-counters</c> subscribes to).</summary>
    public const string MeterName = "ClonusCds";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _assessments;
    private readonly Counter<long> _auditDropped;
    private readonly Counter<long> _auditWritten;
    private readonly Counter<long> _fhirFetch;
    private Func<long>? _auditQueueDepth;

    /// <summary>
    /// Creates the instruments on a meter from <paramref name="meterFactory"/> (the host's, under
    /// dependency injection), or on a meter of its own, disposed with this object, when none is given.
    /// </summary>
    public ClonusMetrics(IMeterFactory? meterFactory = null)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _assessments = _meter.CreateCounter<long>("clonus.assessments", "{assessment}",
            "Assessments completed, by route template, etiology and urgency (wire names).");
        _auditDropped = _meter.CreateCounter<long>("clonus.audit.dropped", "{record}",
            "Audit records not written, by reason.");
        _auditWritten = _meter.CreateCounter<long>("clonus.audit.written", "{record}",
            "Audit records written.");
        _fhirFetch = _meter.CreateCounter<long>("clonus.fhir.fetch", "{request}",
            "Reads from a CDS client's FHIR server, by outcome.");
        _meter.CreateObservableGauge("clonus.audit.queue.depth", ObserveAuditQueueDepth, "{record}",
            "Audit records waiting to be written (reported once a queue is registered).");
    }

    /// <summary>
    /// One assessment answered. <paramref name="route"/> is the route template
    /// (<c>/api/v1/assessments/</c>, <c>/cds-services/{id}</c>); <paramref name="etiology"/> and
    /// <paramref name="urgency"/> are the snake_case wire names.
    /// </summary>
    public void AssessmentCompleted(string route, string etiology, string urgency)
    {
        if (!_assessments.Enabled)
        {
            return;
        }

        // TagList holds up to eight tags inline: no allocation on the assessment path.
        var tags = new TagList { { "route", route }, { "etiology", etiology }, { "urgency", urgency } };
        _assessments.Add(1, in tags);
    }

    /// <summary>
    /// Registers the audit queue's depth, read at each collection for the gauge
    /// <c>clonus.audit.queue.depth</c>. Until it is called the gauge reports nothing. A later call
    /// replaces the earlier callback.
    /// </summary>
    public void ObserveAuditQueue(Func<long> depth)
    {
        ArgumentNullException.ThrowIfNull(depth);
        Volatile.Write(ref _auditQueueDepth, depth);
    }

    /// <summary><paramref name="count"/> audit records not written, for <paramref name="reason"/> (<c>queue_full</c>, <c>write_failed</c>).</summary>
    public void AuditDropped(long count, string reason) =>
        _auditDropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    /// <summary><paramref name="count"/> audit records written.</summary>
    public void AuditWritten(long count) => _auditWritten.Add(count);

    /// <summary>
    /// One read from a FHIR server ended with <paramref name="outcome"/>: <c>ok</c>, <c>not_found</c>,
    /// <c>http_error</c>, <c>timeout</c>, <c>unreachable</c>, <c>refused</c> or <c>invalid_response</c>
    /// (<see cref="CdsHooks.Fhir.FhirFetcher"/>).
    /// </summary>
    public void FhirFetch(string outcome) =>
        _fhirFetch.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private IEnumerable<Measurement<long>> ObserveAuditQueueDepth() =>
        Volatile.Read(ref _auditQueueDepth) is { } depth ? [new Measurement<long>(depth())] : [];

    /// <summary>Disposes the meter when this object created it (not one from an <see cref="IMeterFactory"/>).</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
