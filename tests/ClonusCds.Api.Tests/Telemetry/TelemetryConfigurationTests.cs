using System.Net;
using ClonusCds.Api.Infrastructure.Telemetry;
using ClonusCds.Api.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ClonusCds.Api.Tests.Telemetry;

/// <summary>The "Telemetry" settings: nothing built unless configured; OTLP accepted from the setting or the standard variable.</summary>
[Collection(TelemetryTestGroup.Name)]
public sealed class TelemetryConfigurationTests
{
    private static string Example => WorkedExamples.All.Single(e => e.Name == "01-serotonin-toxicity-severe").Example.Value.GetRawText();

    [Fact]
    public async Task With_nothing_configured_no_tracer_or_meter_provider_is_built_and_assessments_still_work()
    {
        // An empty value here also hides the variable should the machine running the tests have it set.
        await using var factory = new SettingsApiFactory(new Dictionary<string, string?> { [TelemetryOptions.OtlpEndpointVariable] = "" });
        var client = factory.CreateClient();

        var (response, _) = await client.PostJson(Http.Assessments, Example);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(factory.Services.GetService<TracerProvider>());
        Assert.Null(factory.Services.GetService<MeterProvider>());
        Assert.NotNull(factory.Services.GetService<ClonusMetrics>());
        Assert.Equal(new TelemetrySettings(null, false, "clonus-cds"), factory.Services.GetRequiredService<TelemetrySettings>());
    }

    [Fact]
    public async Task An_otlp_endpoint_with_nothing_listening_is_accepted_and_switches_on_traces_and_metrics()
    {
        await using var factory = new TelemetryApiFactory(new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = "http://127.0.0.1:4317",
            ["Telemetry:ServiceName"] = "clonus-cds-test",
        });
        var client = factory.CreateClient();

        var (response, _) = await client.PostJson(Http.Assessments, Example);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Uri("http://127.0.0.1:4317"), factory.Services.GetRequiredService<TelemetrySettings>().OtlpEndpoint);
        var tracer = factory.Services.GetRequiredService<TracerProvider>();
        Assert.NotNull(factory.Services.GetService<MeterProvider>());
        Assert.Contains(tracer.GetResource().Attributes, a => a.Key == "service.name" && (string)a.Value == "clonus-cds-test");
        await factory.WaitForSpan(s => s.GetTagItem("http.route") as string == "/api/v1/assessments/");
    }

    [Fact]
    public async Task The_standard_OTEL_EXPORTER_OTLP_ENDPOINT_variable_is_honoured()
    {
        await using var factory = new TelemetryApiFactory(new Dictionary<string, string?>
        {
            [TelemetryOptions.OtlpEndpointVariable] = "http://127.0.0.1:4317",
        });
        _ = factory.CreateClient();

        Assert.Equal(new Uri("http://127.0.0.1:4317"), factory.Services.GetRequiredService<TelemetrySettings>().OtlpEndpoint);
        Assert.NotNull(factory.Services.GetService<TracerProvider>());
        Assert.NotNull(factory.Services.GetService<MeterProvider>());
    }

    [Fact]
    public void An_otlp_endpoint_that_is_not_an_http_url_stops_startup()
    {
        var ex = StartupFailure.Of<InvalidOperationException>(() =>
            new SettingsApiFactory(new Dictionary<string, string?> { ["Telemetry:OtlpEndpoint"] = "collector:4317" }));
        Assert.Contains("Telemetry:OtlpEndpoint", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc, "http://collector:4317", "v1/traces", "http://collector:4317/")]
    [InlineData(OtlpExportProtocol.HttpProtobuf, "http://collector:4318", "v1/traces", "http://collector:4318/v1/traces")]
    [InlineData(OtlpExportProtocol.HttpProtobuf, "https://collector.example/otlp/", "v1/metrics", "https://collector.example/otlp/v1/metrics")]
    public void Otlp_over_http_gets_one_path_per_signal_and_grpc_the_address_as_it_is(OtlpExportProtocol protocol, string endpoint, string signal, string expected) =>
        Assert.Equal(new Uri(expected), TelemetryRegistration.SignalEndpoint(new Uri(endpoint), protocol, signal));
}
