using System.Net;
using System.Text.RegularExpressions;

namespace ClonusCds.Api.Tests.Telemetry;

/// <summary>GET /metrics: absent unless Telemetry:PrometheusEnabled, then the Prometheus text format.</summary>
[Collection(TelemetryTestGroup.Name)]
public sealed partial class PrometheusEndpointTests
{
    private const string SerotoninCase = """
        {"patient":{"ageYears":34},"clonus":{"present":true,"types":["inducible"],"onset":"acute"},"vitals":{"temperatureC":38.4},
         "exam":{"agitation":true,"diaphoresis":true,"tremor":true,"reflexes":"increased","tone":"normal"},
         "medications":[{"name":"sertraline","rxcui":"36437"},{"name":"Ultram","change":"new","daysSinceChange":1}]}
        """;

    [Fact]
    public async Task Metrics_is_not_served_by_default()
    {
        await using var factory = new ClonusApiFactory();
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Metrics_is_not_served_when_only_otlp_is_configured()
    {
        await using var factory = new TelemetryApiFactory(TelemetryApiFactory.Otlp());
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task With_prometheus_enabled_metrics_serves_the_text_format_with_clonus_assessments_total()
    {
        await using var factory = new SettingsApiFactory(new Dictionary<string, string?> { ["Telemetry:PrometheusEnabled"] = "true" });
        var client = factory.CreateClient();
        var (assessed, _) = await client.PostJson(Http.Assessments, SerotoninCase);
        Assert.Equal(HttpStatusCode.OK, assessed.StatusCode);

        var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.MediaType());
        Assert.Contains("# TYPE clonus_assessments_total counter", text, StringComparison.Ordinal);
        var sample = Assert.Single(text.Split('\n'), l => l.StartsWith("clonus_assessments_total{", StringComparison.Ordinal));
        var match = Sample().Match(sample);
        Assert.True(match.Success, sample);
        Assert.Contains("etiology=\"serotonin_toxicity\"", match.Groups["labels"].Value, StringComparison.Ordinal);
        Assert.Contains("urgency=\"emergency\"", match.Groups["labels"].Value, StringComparison.Ordinal);
        Assert.Contains("route=\"/api/v1/assessments/\"", match.Groups["labels"].Value, StringComparison.Ordinal);
        Assert.Equal("1", match.Groups["value"].Value);
        // Request latency by route, from ASP.NET Core's own meter.
        Assert.Contains("http_server_request_duration_seconds_count{", text, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/api/v1/assessments/\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_trail_reports_records_written_and_its_queue_depth()
    {
        await using var factory = new SettingsApiFactory(new Dictionary<string, string?> { ["Telemetry:PrometheusEnabled"] = "true" });
        var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            var (assessed, _) = await client.PostJson(Http.Assessments, SerotoninCase);
            Assert.Equal(HttpStatusCode.OK, assessed.StatusCode);
        }

        // The writer is in the background: wait until the three records are counted.
        string text = "";
        for (var i = 0; i < 100; i++)
        {
            text = await client.GetStringAsync("/metrics");
            if (text.Contains("clonus_audit_written_total{otel_scope_name=\"ClonusCds\"} 3", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(100);
        }

        var audit = string.Join(" | ", text.Split('\n').Where(l => l.Contains("audit", StringComparison.Ordinal)));
        Assert.True(audit.Contains("clonus_audit_written_total{otel_scope_name=\"ClonusCds\"} 3", StringComparison.Ordinal), audit);
        Assert.Contains("# TYPE clonus_audit_queue_depth gauge", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^clonus_audit_queue_depth\{[^}]*\} \d+", text);
    }

    [GeneratedRegex(@"^clonus_assessments_total\{(?<labels>[^}]*)\} (?<value>\d+)")]
    private static partial Regex Sample();
}
