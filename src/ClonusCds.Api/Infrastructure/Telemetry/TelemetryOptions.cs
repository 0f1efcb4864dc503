namespace ClonusCds.Api.Infrastructure.Telemetry;

/// <summary>Configuration section "Telemetry" (docs/operations.md, "Telemetry (OpenTelemetry)").</summary>
public sealed class TelemetryOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Telemetry";

    /// <summary>The standard OpenTelemetry variable, honoured when <see cref="OtlpEndpoint"/> is not set.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The Prometheus scraping route, served only when <see cref="PrometheusEnabled"/> is true.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// The OTLP collector (e.g. <c>http://collector:4317</c>). When set, or when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is, traces and metrics are exported to it.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Serves GET /metrics in the Prometheus text format. Off by default.</summary>
    public bool PrometheusEnabled { get; set; }

    /// <summary>The <c>service.name</c> resource attribute.</summary>
    public string ServiceName { get; set; } = "clonus-cds";
}

/// <summary>What the "Telemetry" settings (and the environment) turn on, decided once at startup.</summary>
/// <param name="OtlpEndpoint">Where OTLP goes: the setting, else the standard variable, else null (no OTLP).</param>
/// <param name="PrometheusEnabled">Whether GET /metrics is served.</param>
/// <param name="ServiceName">The service.name resource attribute.</param>
internal sealed record TelemetrySettings(Uri? OtlpEndpoint, bool PrometheusEnabled, string ServiceName)
{
    /// <summary>Spans are recorded only when they go somewhere: OTLP.</summary>
    public bool Tracing => OtlpEndpoint is not null;

    /// <summary>Metrics are collected when OTLP or Prometheus takes them.</summary>
    public bool Metrics => OtlpEndpoint is not null || PrometheusEnabled;

    /// <summary>Reads the section and the standard variable; an endpoint that is not an absolute http(s) URL stops startup.</summary>
    public static TelemetrySettings From(IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new();
        var fromSetting = !string.IsNullOrWhiteSpace(options.OtlpEndpoint);
        var raw = fromSetting
            ? options.OtlpEndpoint
            : configuration[TelemetryOptions.OtlpEndpointVariable] ?? Environment.GetEnvironmentVariable(TelemetryOptions.OtlpEndpointVariable);
        Uri? endpoint = null;
        if (!string.IsNullOrWhiteSpace(raw))
        {
            if (!Uri.TryCreate(raw.Trim(), UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                throw new InvalidOperationException(
                    $"{(fromSetting ? "Telemetry:OtlpEndpoint" : TelemetryOptions.OtlpEndpointVariable)} must be an absolute http or https URL.");
            }
        }

        var name = string.IsNullOrWhiteSpace(options.ServiceName) ? "clonus-cds" : options.ServiceName.Trim();
        return new TelemetrySettings(endpoint, options.PrometheusEnabled, name);
    }
}
