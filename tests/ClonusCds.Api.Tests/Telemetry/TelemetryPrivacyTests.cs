using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClonusCds.Api.Tests.CdsHooks;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ClonusCds.Api.Tests.Telemetry;

/// <summary>
/// Whatever leaves the service as telemetry (span names, attributes, events, statuses, the
/// resource, metric tags, the Prometheus page) carries no patient data: requests full of marker
/// strings go through the REST API and CDS Hooks (with a FHIR fetch whose URLs hold the patient
/// id), and no marker, raw path or query string may come out.
/// </summary>
[Collection(TelemetryTestGroup.Name)]
public sealed partial class TelemetryPrivacyTests
{
    private const string PatientId = "PHIPT-93417";
    private const string FamilyName = "Zelinskaya-PHI";
    private const string Mrn = "MRN-PHI-88213";
    private const string MedicationName = "Sertralina-Marker-7731";
    private const string ConditionText = "Jane Doe widget syndrome 4411";
    private const string FreeText = "Take with J. Doe's lunch";
    private const string QueryValue = "QMRN-55031";
    private const string UserAgent = "PatientPortal-UA-6620";
    private const string PathId = "PATHID-20417";
    private const string Token = "secret-token-PHI-3390";

    private static readonly string[] Markers =
        [PatientId, FamilyName, Mrn, MedicationName, ConditionText, FreeText, QueryValue, UserAgent, PathId, Token, "J. Doe", "Okafor", "pt-hunter-0147"];

    /// <summary>The Hunter order-select fixture about patient <see cref="PatientId"/>, named <see cref="FamilyName"/>, nothing prefetched.</summary>
    internal static CdsFixture MarkedFetchingFixture(FakeFhirServer fhir)
    {
        var original = FixtureLoader.Load("01-order-select-tramadol-sertraline-hunter-met.json");
        var text = original.RequestJson
            .Replace("pt-hunter-0147", PatientId, StringComparison.Ordinal)
            .Replace("Okafor", FamilyName, StringComparison.Ordinal)
            .Replace("MRN-0147", Mrn, StringComparison.Ordinal);
        var fixture = original with { Request = (JsonObject)JsonNode.Parse(text)! };
        fhir.RegisterPrefetch(fixture.Request);
        fixture.Request.Remove("prefetch");
        fixture.Request["fhirServer"] = fhir.BaseUrl;
        fixture.Request["fhirAuthorization"] = FhirAuthorizationJson.For(Token);
        return fixture;
    }

    [Fact]
    public async Task No_span_event_status_resource_metric_tag_or_scrape_carries_patient_data_a_raw_path_or_a_query()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        await using var factory = new TelemetryApiFactory(TelemetryApiFactory.Otlp(("Telemetry:PrometheusEnabled", "true")));
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", $"Portal/1.0 ({UserAgent})");

        var body = $$"""
            {"patient":{"ageYears":34},"clonus":{"present":true,"types":["inducible"],"onset":"acute"},"vitals":{"temperatureC":38.4},
             "exam":{"agitation":true,"diaphoresis":true,"tremor":true,"reflexes":"increased","tone":"normal"},
             "medications":[{"name":"sertraline","rxcui":"36437"},{"name":"{{MedicationName}}","dose":"{{FreeText}}"},{"name":"Ultram","change":"new","daysSinceChange":1}],
             "conditions":[{"display":"{{ConditionText}}"}]}
            """;
        var (ok, _) = await client.PostJson($"{Http.Assessments}?view=full&mrn={QueryValue}", body);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var (badView, _) = await client.PostJson($"{Http.Assessments}?view={QueryValue}", body);
        Assert.Equal(HttpStatusCode.BadRequest, badView.StatusCode);
        var (badBody, _) = await client.PostJson(Http.Assessments, "{\"clonus\":{\"present\":\"" + MedicationName + "\"}}");
        Assert.Equal(HttpStatusCode.BadRequest, badBody.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/patients/{PathId}?mrn={QueryValue}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/knowledge/sources/{PathId}")).StatusCode);

        var fixture = MarkedFetchingFixture(fhir);
        var (cds, _) = await client.PostJson($"/cds-services/{fixture.Service}?mrn={QueryValue}", fixture.RequestJson);
        Assert.Equal(HttpStatusCode.OK, cds.StatusCode);
        // The marker patient id really went over the wire, in the fetched URLs.
        Assert.Contains(fhir.Requests, r => r.Key == $"Patient/{PatientId}");
        Assert.Contains(fhir.Requests, r => r.PathAndQuery.Contains("?patient=" + PatientId, StringComparison.Ordinal));

        var cdsSpan = await factory.WaitForSpan(s => s.Kind == ActivityKind.Server && s.GetTagItem("http.route") as string == "/cds-services/{id}");
        var scrape = await client.GetStringAsync("/metrics");
        var spans = factory.Spans;
        Assert.Contains(spans, s => s.Kind == ActivityKind.Client && s.ParentSpanId == cdsSpan.SpanId);
        Assert.Contains(spans, s => s.Kind == ActivityKind.Server && s.GetTagItem("http.route") as string == "/api/v1/assessments/");
        Assert.Contains(spans, s => s.Kind == ActivityKind.Server && s.GetTagItem("http.response.status_code") is 404);

        var texts = new List<(string Where, string Text)>();
        foreach (var span in spans)
        {
            var where = $"span '{span.DisplayName}'";
            texts.Add((where + " name", span.DisplayName));
            texts.Add((where + " status", span.StatusDescription ?? ""));
            texts.Add((where + " tracestate", span.TraceStateString ?? ""));
            texts.AddRange(span.TagObjects.Select(t => ($"{where} {t.Key}", $"{t.Key}={t.Value}")));
            foreach (var e in span.Events)
            {
                texts.Add((where + " event", e.Name));
                texts.AddRange(e.Tags.Select(t => ($"{where} event {e.Name} {t.Key}", $"{t.Key}={t.Value}")));
            }
        }

        var resource = factory.Services.GetRequiredService<TracerProvider>().GetResource();
        texts.AddRange(resource.Attributes.Select(a => ("resource", $"{a.Key}={a.Value}")));
        foreach (var (name, metric) in factory.CollectMetrics())
        {
            foreach (var point in metric.MetricPoints)
            {
                foreach (var tag in point.Tags)
                {
                    texts.Add(($"metric {name}", $"{tag.Key}={tag.Value}"));
                }
            }
        }

        texts.Add(("/metrics", scrape));

        foreach (var (where, text) in texts)
        {
            foreach (var marker in Markers)
            {
                Assert.False(text.Contains(marker, StringComparison.OrdinalIgnoreCase), $"{where} carries '{marker}': {text}");
            }
        }

        foreach (var span in spans)
        {
            foreach (var tag in span.TagObjects)
            {
                Assert.DoesNotContain(tag.Key, new[] { "url.path", "url.query", "user_agent.original", "client.address", "http.request.header.user-agent" });
                var value = tag.Value?.ToString() ?? "";
                Assert.False(value.Contains('?', StringComparison.Ordinal), $"span '{span.DisplayName}' {tag.Key} has a query: {value}");
                Assert.False(tag.Key != "http.route" && tag.Key != "url.full" && value.Contains('/', StringComparison.Ordinal) && value.Length > 3,
                    $"span '{span.DisplayName}' {tag.Key} looks like a path: {value}");
            }

            if (span.GetTagItem("url.full") is { } url)
            {
                Assert.Matches(RedactedUrl(), url.ToString()!);
            }
        }

        Assert.Contains(spans, s => (s.GetTagItem("url.full") as string)?.EndsWith("/Patient", StringComparison.Ordinal) == true);
    }

    [GeneratedRegex(@"^http://127\.0\.0\.1:\d+/([A-Z][A-Za-z]+)?$")]
    private static partial Regex RedactedUrl();
}
