using System.Diagnostics;
using System.Net;
using ClonusCds.Api.OpenApi;
using ClonusCds.Api.Tests.CdsHooks;

namespace ClonusCds.Api.Tests.Telemetry;

/// <summary>Spans: the request's server span, the FHIR reads as its children, names from route templates; probes and scrapes untraced.</summary>
[Collection(TelemetryTestGroup.Name)]
public sealed class TelemetryTracingTests
{
    [Fact]
    public async Task Each_fhir_read_is_a_client_span_child_of_the_cds_request_span_in_the_same_trace()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        await using var factory = new TelemetryApiFactory(TelemetryApiFactory.Otlp());
        var fixture = TelemetryPrivacyTests.MarkedFetchingFixture(fhir);

        var (response, _) = await factory.CreateClient().PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var server = await factory.WaitForSpan(s => s.Kind == ActivityKind.Server && s.GetTagItem("http.route") as string == "/cds-services/{id}");
        Assert.Equal("POST /cds-services/{id}", server.DisplayName);
        Assert.Equal(200, server.GetTagItem("http.response.status_code"));
        // The request log line names the same trace.
        var line = factory.Logs.Events.Last(e => e.IsRequestLine && e.Values["Route"] == "/cds-services/{id}");
        Assert.Equal(server.TraceId.ToString(), line.Values["TraceId"]);
        var reads = factory.Spans.Where(s => s.Kind == ActivityKind.Client && s.ParentSpanId == server.SpanId).ToList();
        // One child span per request the FHIR server received, all in the request's trace.
        Assert.NotEmpty(fhir.Requests);
        Assert.Equal(fhir.Requests.Count, reads.Count);
        Assert.All(reads, r =>
        {
            Assert.Equal("System.Net.Http", r.Source.Name);
            Assert.Equal(server.TraceId, r.TraceId);
            Assert.Equal("GET", r.DisplayName);
            Assert.Equal(200, r.GetTagItem("http.response.status_code"));
            Assert.Equal("127.0.0.1", r.GetTagItem("server.address"));
        });
        // url.full keeps the origin and the resource type read, nothing of the base path, id or search.
        var origin = new Uri(fhir.BaseUrl).GetLeftPart(UriPartial.Authority);
        var expected = fhir.Requests.Select(q => origin + "/" + q.Key.Split('/', '?')[0]).Order(StringComparer.Ordinal);
        Assert.Equal(expected, reads.Select(r => (string)r.GetTagItem("url.full")!).Order(StringComparer.Ordinal));
        Assert.Contains(reads, r => (string)r.GetTagItem("url.full")! == origin + "/Patient");
        Assert.Contains(reads, r => (string)r.GetTagItem("url.full")! == origin + "/Observation");
    }

    [Fact]
    public async Task A_failed_fhir_read_records_the_error_type_and_no_message()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Fail("Patient", 500);
        await using var factory = new TelemetryApiFactory(TelemetryApiFactory.Otlp());
        var fixture = TelemetryPrivacyTests.MarkedFetchingFixture(fhir);

        var (response, _) = await factory.CreateClient().PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var server = await factory.WaitForSpan(s => s.Kind == ActivityKind.Server && s.GetTagItem("http.route") as string == "/cds-services/{id}");
        Assert.Equal(412, server.GetTagItem("http.response.status_code"));
        var failed = Assert.Single(factory.Spans, s => s.Kind == ActivityKind.Client && s.GetTagItem("http.response.status_code") is 500);
        Assert.Equal(server.SpanId, failed.ParentSpanId);
        Assert.Equal("500", failed.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Null(failed.StatusDescription);
        Assert.Empty(failed.Events);
    }

    [Fact]
    public async Task Health_probes_and_metric_scrapes_are_not_traced()
    {
        await using var factory = new TelemetryApiFactory(TelemetryApiFactory.Otlp(("Telemetry:PrometheusEnabled", "true")));
        var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        var example = WorkedExamples.All.Single(e => e.Name == "01-serotonin-toxicity-severe").Example;
        await client.PostJson(Http.Assessments, example.Value.GetRawText());

        // The assessment, sent last, is traced; by the time its span has ended the others had too.
        await factory.WaitForSpan(s => s.GetTagItem("http.route") as string == "/api/v1/assessments/");
        await Task.Delay(100);
        var server = factory.Spans.Where(s => s.Kind == ActivityKind.Server).ToList();
        Assert.Equal(["POST /api/v1/assessments/"], server.Select(s => s.DisplayName));
    }
}
