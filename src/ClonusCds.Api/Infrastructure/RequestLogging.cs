using System.Diagnostics;
using ClonusCds.Core.KnowledgeBase;
using Serilog.AspNetCore;
using Serilog.Events;

namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// The request log line, written by Serilog.AspNetCore's request logging middleware
/// (<c>UseSerilogRequestLogging</c>, configured by <see cref="Configure"/>): one line per request
/// with trace id, method, route template (never the raw path or query), status, elapsed time, and
/// for assessments the etiology, urgency, knowledge-base version and assessmentId (the key of its
/// audit record). No body, header or free text is ever logged: those can carry patient data.
/// Endpoints hand their conclusions to the line through <see cref="HttpContext.Items"/> under the
/// keys below.
/// </summary>
internal static class RequestLogging
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

    /// <summary>
    /// The line's text. Serilog.AspNetCore's default template names <c>{RequestPath}</c>, the raw
    /// path, which this service never logs; the route template stands in its place.
    /// </summary>
    public const string MessageTemplate =
        "HTTP {Method} {Route} responded {StatusCode} in {ElapsedMs:0.000} ms (trace {TraceId}; etiology {Etiology}; urgency {Urgency}; knowledge base {KnowledgeBaseVersion}; assessment {AssessmentId})";

    /// <summary>Options for <c>app.UseSerilogRequestLogging</c>.</summary>
    public static void Configure(RequestLoggingOptions options, IServiceProvider services)
    {
        var version = services.GetRequiredService<ClinicalKnowledgeBase>().Manifest.Version;
        // The host's logger, not the static Log.Logger (which this service leaves untouched).
        options.Logger = services.GetRequiredService<Serilog.ILogger>();
        options.MessageTemplate = MessageTemplate;
        // Information for every answered request, as before the library; Error (with the
        // exception) only when an exception got past the exception handler.
        options.GetLevel = static (_, _, exception) => exception is null ? LogEventLevel.Information : LogEventLevel.Error;
        // Replaces the library's default properties (RequestMethod, RequestPath, StatusCode,
        // Elapsed): the raw path (second argument) is dropped, the names stay the line's own.
        options.GetMessageTemplateProperties = static (http, _, elapsedMs, statusCode) =>
        [
            new LogEventProperty("Method", new ScalarValue(http.Request.Method)),
            new LogEventProperty("StatusCode", new ScalarValue(statusCode)),
            new LogEventProperty("ElapsedMs", new ScalarValue(elapsedMs)),
        ];
        options.EnrichDiagnosticContext = (diagnostics, http) =>
        {
            var endpoint = http.GetEndpoint() ?? http.Items[EndpointKey] as Endpoint;
            diagnostics.Set("TraceId", ProblemDetailsSetup.TraceId(http));
            diagnostics.Set("Route", (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)");
            diagnostics.Set("Etiology", http.Items[EtiologyKey] as string);
            diagnostics.Set("Urgency", http.Items[UrgencyKey] as string);
            diagnostics.Set("KnowledgeBaseVersion", version);
            diagnostics.Set("AssessmentId", http.Items[AssessmentIdKey] is Guid id ? id.ToString() : null);
        };
    }

    /// <summary>
    /// Middleware placed right after the library's: records the matched endpoint (the exception
    /// handler clears the live one, and both it and the line need the route) and the request's
    /// start (the audit trail's latency). The library keeps its own start time to itself.
    /// </summary>
    public static Task Mark(HttpContext context, RequestDelegate next)
    {
        context.Items[EndpointKey] = context.GetEndpoint();
        context.Items[StartedKey] = Stopwatch.GetTimestamp();
        return next(context);
    }
}
