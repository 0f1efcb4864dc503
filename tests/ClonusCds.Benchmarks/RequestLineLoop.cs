using System.Diagnostics;
using System.Globalization;
using ClonusCds.Api.Infrastructure;
using ClonusCds.Core.KnowledgeBase;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.AspNetCore;
using Serilog.Extensions.Hosting;
using Serilog.Extensions.Logging;

namespace ClonusCds.Benchmarks;

/// <summary>
/// The request line's whole cost per request, the service's logger and sink included, standard
/// output redirected by the caller: <c>dotnet ClonusCds.Benchmarks.dll --request-line [requests]
/// [rounds] &gt; /tmp/log.jsonl</c> (figures on standard error). Two variants, interleaved:
/// <c>library</c>, Serilog.AspNetCore's request logging middleware configured by
/// <see cref="RequestLogging.Configure"/> with <see cref="RequestLogging.Mark"/> after it, and
/// <c>hand-written</c>, the middleware it replaced (issue 17; the code of commit 064ff9d,
/// <c>src/ClonusCds.Api/Infrastructure/RequestLogging.cs</c>, copied below), which logged through
/// Microsoft.Extensions.Logging into the same Serilog logger. Both run an assessment-shaped
/// request (matched route, etiology, urgency, assessment id) on one thread.
/// </summary>
public static partial class RequestLineLoop
{
    /// <summary>Arguments: requests per variant and round (default 50,000), rounds (default 5).</summary>
    public static int Run(ReadOnlySpan<string> args, TextWriter report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        if (!Console.IsOutputRedirected)
        {
            report.WriteLine("redirect standard output (to a file): this writes a log line per request");
            return 2;
        }

        var kb = ClinicalKnowledgeBase.LoadEmbedded();
        var providers = new LoggerProviderCollection();
        using var logger = SerilogSetup.CreateLogger(new ConfigurationBuilder().Build(), providers);
        var services = new ServiceCollection().AddSingleton(kb).AddSerilog(logger, dispose: false, providers).BuildServiceProvider();

        var options = new RequestLoggingOptions();
        RequestLogging.Configure(options, services);
        RequestDelegate endpoint = static http =>
        {
            http.Items[RequestLogging.EtiologyKey] = "serotonin_toxicity";
            http.Items[RequestLogging.UrgencyKey] = "emergency";
            http.Items[RequestLogging.AssessmentIdKey] = Guid.NewGuid();
            http.Response.StatusCode = 200;
            return Task.CompletedTask;
        };
        var middleware = Activator.CreateInstance(
            typeof(RequestLoggingOptions).Assembly.GetType("Serilog.AspNetCore.RequestLoggingMiddleware", throwOnError: true)!,
            (RequestDelegate)(http => RequestLogging.Mark(http, endpoint)), services.GetRequiredService<DiagnosticContext>(), options)!;
        var library = middleware.GetType().GetMethod("Invoke")!.CreateDelegate<Func<HttpContext, Task>>(middleware);

        using var loggerFactory = LoggerFactory.Create(b => b.ClearProviders().AddSerilog(logger));
        var handWritten = new HandWrittenRequestLogging(endpoint, loggerFactory.CreateLogger("ClonusCds.Api.Infrastructure.RequestLogging"), kb.Manifest.Version);

        var route = new RouteEndpoint(endpoint, RoutePatternFactory.Parse("/api/v1/assessments/"), 0, EndpointMetadataCollection.Empty, "assessments");
        var variants = new (string Name, Func<HttpContext, Task> Invoke)[] { ("library", library), ("hand-written", handWritten.InvokeAsync) };
        report.WriteLine($"{requests} requests per variant and round; {rounds} rounds");
        var results = variants.ToDictionary(v => v.Name, _ => new List<(double Cpu, double Bytes)>());
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var (name, invoke) in variants)
            {
                // Round 0 (three times as long) warms both paths up and is not counted.
                var result = Measure(invoke, route, round == 0 ? 3 * requests : requests);
                if (round > 0)
                {
                    results[name].Add(result);
                }
            }
        }

        report.WriteLine($"{"variant",-14} {"CPU µs/request",15} {"B/request",10}   per round (CPU µs/request)");
        foreach (var (name, list) in results)
        {
            var cpu = list.Select(r => r.Cpu).Order().ToArray();
            var bytes = list.Select(r => r.Bytes).Order().ToArray();
            report.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-14} {cpu[cpu.Length / 2],15:F2} {bytes[bytes.Length / 2],10:F0}   {string.Join(", ", list.Select(r => r.Cpu.ToString("F2", CultureInfo.InvariantCulture)))}"));
        }

        return 0;
    }

    private static (double Cpu, double Bytes) Measure(Func<HttpContext, Task> invoke, Endpoint route, int requests)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var cpu = Environment.CpuUsage.TotalTime;
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < requests; i++)
        {
            // A fresh context per request, as Kestrel's pooled one is reset; its cost counts in both variants.
            var http = new DefaultHttpContext();
            http.Request.Method = "POST";
            http.Request.Path = "/api/v1/assessments";
            http.SetEndpoint(route);
            invoke(http).GetAwaiter().GetResult();
        }

        return ((Environment.CpuUsage.TotalTime - cpu).TotalMicroseconds / requests, (GC.GetTotalAllocatedBytes(precise: true) - bytes) / (double)requests);
    }

    /// <summary>The middleware issue 17 replaced (commit 064ff9d), unchanged apart from its constructor.</summary>
    private sealed partial class HandWrittenRequestLogging(RequestDelegate next, Microsoft.Extensions.Logging.ILogger logger, string version)
    {
        public async Task InvokeAsync(HttpContext context)
        {
            var started = Stopwatch.GetTimestamp();
            context.Items[RequestLogging.EndpointKey] = context.GetEndpoint();
            context.Items[RequestLogging.StartedKey] = started;
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

            var endpoint = context.GetEndpoint() ?? context.Items[RequestLogging.EndpointKey] as Endpoint;
            var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var traceId = ProblemDetailsSetup.TraceId(context);
            LogRequest(logger, traceId, context.Request.Method, route, context.Response.StatusCode, elapsed,
                context.Items[RequestLogging.EtiologyKey] as string, context.Items[RequestLogging.UrgencyKey] as string, version,
                context.Items[RequestLogging.AssessmentIdKey] is Guid id ? id.ToString() : null);
        }

        [LoggerMessage(EventId = 1, Level = LogLevel.Information,
            Message = "HTTP {Method} {Route} responded {StatusCode} in {ElapsedMs:0.000} ms (trace {TraceId}; etiology {Etiology}; urgency {Urgency}; knowledge base {KnowledgeBaseVersion}; assessment {AssessmentId})")]
        private static partial void LogRequest(Microsoft.Extensions.Logging.ILogger logger, string traceId, string method, string route, int statusCode, double elapsedMs,
            string? etiology, string? urgency, string knowledgeBaseVersion, string? assessmentId);
    }
}
