using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ClonusCds.Api.Infrastructure.Telemetry;

/// <summary>
/// OpenTelemetry for the service (section "Telemetry"; docs/operations.md, "Telemetry (OpenTelemetry)").
/// <list type="bullet">
/// <item>Nothing configured: <see cref="ClonusMetrics"/> is registered (its instruments then have
/// no listener) and no tracer or meter provider is built, so requests pay nothing.</item>
/// <item>An OTLP endpoint (Telemetry:OtlpEndpoint, else OTEL_EXPORTER_OTLP_ENDPOINT): spans (ASP.NET
/// Core server, HttpClient children) through <see cref="TelemetryRedaction"/>, and metrics, both by OTLP.</item>
/// <item>Telemetry:PrometheusEnabled: metrics on GET /metrics (<see cref="UseClonusTelemetry"/> maps it).</item>
/// </list>
/// </summary>
internal static class TelemetryRegistration
{
    /// <summary>The runtime's meter (.NET 9+): GC, heap, JIT, thread pool, CPU, mostly observed only at collection.</summary>
    internal const string RuntimeMeter = "System.Runtime";

    /// <summary>Registers the metrics singleton and, when something consumes them, the providers.</summary>
    public static IServiceCollection AddClonusTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = TelemetrySettings.From(configuration);
        services.AddSingleton(settings);
        services.TryAddSingleton<ClonusMetrics>();
        if (!settings.Tracing && !settings.Metrics)
        {
            return services;
        }

        var otel = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName));
        if (settings.Tracing)
        {
            otel.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o =>
                {
                    o.Filter = http => !IsUntraced(http.Request.Path);
                    o.RecordException = false;
                })
                .AddHttpClientInstrumentation(o => o.RecordException = false)
                // Before the exporters: every span is scrubbed before anything exports it.
                .AddProcessor(new TelemetryRedaction())
                .AddOtlpExporter(o => o.Endpoint = SignalEndpoint(settings.OtlpEndpoint!, o.Protocol, "v1/traces")));
        }

        if (settings.Metrics)
        {
            otel.WithMetrics(metrics =>
            {
                metrics.AddMeter(ClonusMetrics.MeterName)
                    // ASP.NET Core's meters: http.server.request.duration by http.route (template),
                    // method and status; Kestrel connections; routing, rate limiting, exceptions.
                    .AddAspNetCoreInstrumentation()
                    // http.client.request.duration by server address, method and status.
                    .AddHttpClientInstrumentation()
                    .AddMeter(RuntimeMeter);
                if (settings.OtlpEndpoint is { } endpoint)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = SignalEndpoint(endpoint, o.Protocol, "v1/metrics"));
                }

                if (settings.PrometheusEnabled)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        }

        return services;
    }

    /// <summary>Maps GET /metrics (the Prometheus scraping endpoint) when Telemetry:PrometheusEnabled is true.</summary>
    public static WebApplication UseClonusTelemetry(this WebApplication app)
    {
        if (app.Services.GetRequiredService<TelemetrySettings>().PrometheusEnabled)
        {
            // GET /metrics: the Prometheus text format (TelemetryOptions.MetricsPath).
            app.MapPrometheusScrapingEndpoint(TelemetryOptions.MetricsPath);
        }

        return app;
    }

    /// <summary>Requests not traced: probes and scrapes, which would drown the interesting spans.</summary>
    internal static bool IsUntraced(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(TelemetryOptions.MetricsPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The endpoint one signal is sent to. gRPC takes the collector's address as it is; OTLP over
    /// HTTP (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf) takes one path per signal, appended here to
    /// the base as the OTLP specification says for OTEL_EXPORTER_OTLP_ENDPOINT.
    /// </summary>
    internal static Uri SignalEndpoint(Uri endpoint, OtlpExportProtocol protocol, string signalPath) =>
        protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
            : endpoint;
}
