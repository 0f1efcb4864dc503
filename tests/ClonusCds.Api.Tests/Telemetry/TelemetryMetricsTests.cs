using System.Diagnostics.Metrics;
using System.Net;
using ClonusCds.Api.Infrastructure.Telemetry;
using ClonusCds.Api.OpenApi;
using ClonusCds.Api.Tests.CdsHooks;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace ClonusCds.Api.Tests.Telemetry;

/// <summary>The ClonusCds meter through the service's meter provider: assessments, FHIR reads, audit instruments.</summary>
[Collection(TelemetryTestGroup.Name)]
public sealed class TelemetryMetricsTests
{
    /// <summary>The README's curl example: serotonin toxicity, emergency.</summary>
    private const string ReadmeSerotoninCase = """
        {
          "patient": { "ageYears": 34 },
          "clonus": { "present": true, "types": ["inducible"], "onset": "acute" },
          "vitals": { "temperatureC": 38.4 },
          "exam": { "agitation": true, "diaphoresis": true, "tremor": true, "reflexes": "increased", "tone": "normal" },
          "medications": [ { "name": "sertraline", "rxcui": "36437" }, { "name": "Ultram", "change": "new", "daysSinceChange": 1 } ]
        }
        """;

    private static Dictionary<string, string?> PrometheusOnly() => new() { ["Telemetry:PrometheusEnabled"] = "true" };

    /// <summary>Sums of a counter by the values of the given tags.</summary>
    internal static Dictionary<string, long> Sums(IReadOnlyDictionary<string, MetricSnapshot> metrics, string name, params string[] tagKeys)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!metrics.TryGetValue(name, out var metric))
        {
            return result;
        }

        foreach (var point in metric.MetricPoints)
        {
            var tags = TagsOf(point);
            var key = string.Join("|", tagKeys.Select(k => tags.GetValueOrDefault(k)?.ToString() ?? "-"));
            result[key] = result.GetValueOrDefault(key) + point.GetSumLong();
        }

        return result;
    }

    internal static Dictionary<string, object?> TagsOf(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }

    [Fact]
    public async Task Assessments_are_counted_by_route_etiology_and_urgency()
    {
        await using var factory = new TelemetryApiFactory(PrometheusOnly());
        var client = factory.CreateClient();
        var other = WorkedExamples.All.Single(e => e.Name == "07-stroke-tizanidine-fluvoxamine").Example.Value.GetRawText();

        var answers = new List<System.Text.Json.JsonElement>();
        foreach (var body in new[] { ReadmeSerotoninCase, ReadmeSerotoninCase, other })
        {
            var (response, answer) = await client.PostJson(Http.Assessments, body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(answer);
        }

        // Refused requests are not assessments.
        var (refused, _) = await client.PostJson(Http.Assessments, """{"clonus":{"present":"yes"}}""");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        var fixture = FixtureLoader.Load("01-order-select-tramadol-sertraline-hunter-met.json").WithEmptySupplementaryKeys();
        var (cds, _) = await client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);
        Assert.Equal(HttpStatusCode.OK, cds.StatusCode);

        var counts = Sums(factory.CollectMetrics(), "clonus.assessments", "route", "etiology", "urgency");
        Assert.Equal(2, counts["/api/v1/assessments/|serotonin_toxicity|emergency"]);
        // Every count is what an answer said, under the REST route; the CDS call under its template,
        // with the etiology and urgency its request log line names.
        var expected = answers
            .GroupBy(a => $"/api/v1/assessments/|{a.GetProperty("etiology").GetProperty("primary").GetString()}|{a.GetProperty("urgency").GetString()}")
            .ToDictionary(g => g.Key, g => (long)g.Count());
        var line = factory.Logs.Events.Last(e => e.IsRequestLine && e.Values["Route"] == "/cds-services/{id}");
        expected[$"/cds-services/{{id}}|{line.Values["Etiology"]}|{line.Values["Urgency"]}"] = 1;
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), counts.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Request_duration_by_route_template_comes_from_the_aspnetcore_meter()
    {
        await using var factory = new TelemetryApiFactory(PrometheusOnly());
        var client = factory.CreateClient();
        await client.PostJson(Http.Assessments, ReadmeSerotoninCase);
        await client.GetAsync("/api/v1/knowledge/sources/PATHID-4402");

        var metrics = await factory.CollectMetricsUntil(m =>
            m.TryGetValue("http.server.request.duration", out var d) && d.MetricPoints.Sum(p => p.GetHistogramCount()) >= 2);
        var duration = metrics["http.server.request.duration"];
        Assert.Equal("s", duration.Unit);
        var routes = duration.MetricPoints.Select(p => TagsOf(p).GetValueOrDefault("http.route") as string).ToList();
        Assert.Contains("/api/v1/assessments/", routes);
        Assert.Contains("/api/v1/knowledge/sources/{id}", routes);
        Assert.DoesNotContain(routes, r => r?.Contains("PATHID", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Each_fhir_read_is_counted_ok()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        await using var factory = new TelemetryApiFactory(PrometheusOnly());
        var fixture = TelemetryPrivacyTests.MarkedFetchingFixture(fhir);

        var (response, _) = await factory.CreateClient().PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcomes = Sums(factory.CollectMetrics(), "clonus.fhir.fetch", "outcome");
        Assert.Equal(new Dictionary<string, long> { ["ok"] = fhir.Requests.Count(r => r.Status == 200) }, outcomes);
        Assert.True(outcomes["ok"] > 1);
    }

    [Theory]
    [InlineData("http_error", "false", true)]
    [InlineData("refused", "true", false)]
    [InlineData("unreachable", "false", false)]
    public async Task A_failed_fhir_read_is_counted_by_its_outcome(string outcome, string refuseLoopback, bool serverFails)
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        if (serverFails)
        {
            fhir.Fail("", 500);
        }

        var settings = PrometheusOnly();
        if (refuseLoopback == "true")
        {
            settings["CdsHooks:Fhir:AllowLoopback"] = "false";
        }

        await using var factory = new TelemetryApiFactory(settings);
        var fixture = TelemetryPrivacyTests.MarkedFetchingFixture(fhir);
        if (outcome == "unreachable")
        {
            fixture.Request["fhirServer"] = $"http://127.0.0.1:{TelemetryApiFactory.ClosedPort()}/fhir/r4";
        }

        var (response, _) = await factory.CreateClient().PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var outcomes = Sums(factory.CollectMetrics(), "clonus.fhir.fetch", "outcome");
        Assert.Equal([outcome], outcomes.Keys);
        Assert.True(outcomes[outcome] >= 1);
    }

    [Fact]
    public async Task Audit_instruments_reach_the_meter_provider_and_the_queue_gauge_follows_the_registered_queue()
    {
        await using var factory = new TelemetryApiFactory(PrometheusOnly());
        _ = factory.CreateClient();
        var metrics = factory.Services.GetRequiredService<ClonusMetrics>();

        // The service's audit trail registers its queue at start-up: empty, nothing answered yet.
        Assert.Equal(0, Assert.Single(factory.CollectMetrics()["clonus.audit.queue.depth"].MetricPoints).GetGaugeLastValueLong());

        long depth = 7;
        metrics.ObserveAuditQueue(() => depth);
        metrics.AuditWritten(5);
        metrics.AuditWritten(2);
        metrics.AuditDropped(3, "queue_full");
        metrics.AuditDropped(1, "write_failed");
        var collected = factory.CollectMetrics();

        Assert.Equal(7, Assert.Single(collected["clonus.audit.queue.depth"].MetricPoints).GetGaugeLastValueLong());
        Assert.Equal(new Dictionary<string, long> { [""] = 7 }, Sums(collected, "clonus.audit.written"));
        Assert.Equal(new Dictionary<string, long> { ["queue_full"] = 3, ["write_failed"] = 1 }, Sums(collected, "clonus.audit.dropped", "reason"));

        depth = 2;
        Assert.Equal(2, Assert.Single(factory.CollectMetrics()["clonus.audit.queue.depth"].MetricPoints).GetGaugeLastValueLong());
    }

    [Fact]
    public void ClonusMetrics_records_on_its_meter_with_the_documented_names_units_and_tags()
    {
        using var meterFactory = new TestMeterFactory();
        using var metrics = new ClonusMetrics(meterFactory);
        var seen = new List<(string Instrument, string? Unit, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meterFactory)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen.Add((instrument.Name, instrument.Unit, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();

        listener.RecordObservableInstruments();
        Assert.Empty(seen);

        metrics.AssessmentCompleted("/api/v1/assessments/", "serotonin_toxicity", "emergency");
        metrics.FhirFetch("timeout");
        metrics.AuditDropped(4, "queue_full");
        metrics.AuditWritten(9);
        metrics.ObserveAuditQueue(() => 12);
        listener.RecordObservableInstruments();

        Assert.Equal(ClonusMetrics.MeterName, meterFactory.Created.Single().Name);
        Assert.Collection(seen,
            m => Assert.Equal(("clonus.assessments", "{assessment}", 1L, "etiology=serotonin_toxicity,route=/api/v1/assessments/,urgency=emergency"), (m.Instrument, m.Unit, m.Value, Tags(m.Tags))),
            m => Assert.Equal(("clonus.fhir.fetch", "{request}", 1L, "outcome=timeout"), (m.Instrument, m.Unit, m.Value, Tags(m.Tags))),
            m => Assert.Equal(("clonus.audit.dropped", "{record}", 4L, "reason=queue_full"), (m.Instrument, m.Unit, m.Value, Tags(m.Tags))),
            m => Assert.Equal(("clonus.audit.written", "{record}", 9L, ""), (m.Instrument, m.Unit, m.Value, Tags(m.Tags))),
            m => Assert.Equal(("clonus.audit.queue.depth", "{record}", 12L, ""), (m.Instrument, m.Unit, m.Value, Tags(m.Tags))));
    }

    private static string Tags(Dictionary<string, object?> tags) =>
        string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));

    /// <summary>Meters with this factory as their scope, so a listener can tell them from any other "ClonusCds" meter in the process.</summary>
    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            Created.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Created)
            {
                meter.Dispose();
            }
        }
    }
}
