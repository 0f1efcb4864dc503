using System.Diagnostics;
using ClonusCds.Core.KnowledgeBase;

namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// One structured log line per request: trace id, method, route template (never the raw path or
/// query), status, elapsed time, and for assessments the etiology, urgency, knowledge-base
/// version and assessmentId (the key of its audit record). No body, header or free text is ever logged: those can carry patient data.
/// </summary>
internal sealed partial class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger, ClinicalKnowledgeBase kb)
{
    /// <summary>HttpContext.Items key for the etiology an endpoint concluded.</summary>
    public const string EtiologyKey = "clonus.etiology";
    /// <summary>HttpContext.Items key for the urgency an endpoint concluded.</summary>
    public const string UrgencyKey = "clonus.urgency";
    /// <summary>HttpContext.Items key for the matched endpoint (the exception handler clears the live one).</summary>
    public const string EndpointKey = "clonus.endpoint";
    /// <summary>HttpContext.Items key for the request's start (Stopwatch timestamp; the audit trail's latency).</summary>
    public const string StartedKey = "clonus.started";
    /// <summary>HttpContext.Items key for the assessmentId of the answer (a Guid; its audit record's id).</summary>
    public const string AssessmentIdKey = "clonus.assessment";

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        context.Items[EndpointKey] = context.GetEndpoint();
        context.Items[StartedKey] = started;
        try
        {
            await next(context);
        }
        finally
        {
            Write(context, started);
        }
    }

    private void Write(HttpContext context, long started)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var endpoint = context.GetEndpoint() ?? context.Items[EndpointKey] as Endpoint;
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var traceId = ProblemDetailsSetup.TraceId(context);
        LogRequest(logger, traceId, context.Request.Method, route, context.Response.StatusCode, elapsed,
            context.Items[EtiologyKey] as string, context.Items[UrgencyKey] as string, kb.Manifest.Version,
            context.Items[AssessmentIdKey] is Guid id ? id.ToString() : null);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "HTTP {Method} {Route} responded {StatusCode} in {ElapsedMs:0.000} ms (trace {TraceId}; etiology {Etiology}; urgency {Urgency}; knowledge base {KnowledgeBaseVersion}; assessment {AssessmentId})")]
    private static partial void LogRequest(ILogger logger, string traceId, string method, string route, int statusCode, double elapsedMs,
        string? etiology, string? urgency, string knowledgeBaseVersion, string? assessmentId);
}
