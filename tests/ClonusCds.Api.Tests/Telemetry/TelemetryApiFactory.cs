using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ClonusCds.Api.Tests.Telemetry;

/// <summary>
/// ActivitySource and Meter listeners are process-wide: a tracer provider in one test host also
/// sees the spans of every other host running at the same time. These tests count spans and
/// measurements exactly, so they run alone.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryTestGroup
{
    public const string Name = "Telemetry (process-wide listeners)";
}

/// <summary>
/// The API with the given settings, plus in-memory exporters added to whatever tracer and meter
/// providers the service's own registration builds (none when telemetry is not configured).
/// </summary>
public sealed class TelemetryApiFactory(IReadOnlyDictionary<string, string?> settings) : ClonusApiFactory
{
    private readonly List<Activity> _spans = [];
    private readonly List<MetricSnapshot> _metrics = [];

    /// <summary>Settings that switch tracing and metrics on: OTLP to a loopback port nobody listens on.</summary>
    public static Dictionary<string, string?> Otlp(params (string Key, string? Value)[] more)
    {
        var result = new Dictionary<string, string?> { ["Telemetry:OtlpEndpoint"] = $"http://127.0.0.1:{ClosedPort()}" };
        foreach (var (key, value) in more)
        {
            result[key] = value;
        }

        return result;
    }

    /// <summary>Finished spans, as the exporters received them (after the service's redaction).</summary>
    public IReadOnlyList<Activity> Spans
    {
        get
        {
            lock (_spans)
            {
                return _spans.ToList();
            }
        }
    }

    /// <summary>Collects metrics now and returns the latest snapshot of each instrument.</summary>
    public IReadOnlyDictionary<string, MetricSnapshot> CollectMetrics()
    {
        // False when any exporter failed: the OTLP one does, with nobody listening. The in-memory one has its copy.
        Services.GetRequiredService<MeterProvider>().ForceFlush(10_000);
        lock (_metrics)
        {
            return _metrics.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.Last());
        }
    }

    /// <summary>
    /// Collects until <paramref name="ready"/> holds (up to 10 s): ASP.NET Core records a request's
    /// duration when the request ends, which is after the client has the response.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, MetricSnapshot>> CollectMetricsUntil(Func<IReadOnlyDictionary<string, MetricSnapshot>, bool> ready)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var metrics = CollectMetrics();
            if (ready(metrics) || DateTime.UtcNow > deadline)
            {
                return metrics;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Waits (up to 10 s) until a span matching <paramref name="match"/> has ended: a server span ends after the client has its response.</summary>
    public async Task<Activity> WaitForSpan(Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (Spans.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, "the expected span never ended; spans: " + string.Join(", ", Spans.Select(s => s.DisplayName)));
            await Task.Delay(20);
        }
    }

    protected override void Configure(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new LockedExporter(_spans))));
            services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(_metrics));
        });
    }

    /// <summary>A loopback port that was free a moment ago (bound, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The in-memory exporter's job, with a lock: spans end on several threads.</summary>
    private sealed class LockedExporter(List<Activity> spans) : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            lock (spans)
            {
                foreach (var activity in batch)
                {
                    spans.Add(activity);
                }
            }

            return ExportResult.Success;
        }
    }
}
