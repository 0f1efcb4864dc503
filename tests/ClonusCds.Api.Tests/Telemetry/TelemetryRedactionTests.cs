using System.Diagnostics;
using ClonusCds.Api.Infrastructure.Telemetry;

namespace ClonusCds.Api.Tests.Telemetry;

/// <summary>The span scrubber on its own: URLs cut to origin and resource type; attributes by allow-list.</summary>
public sealed class TelemetryRedactionTests
{
    [Theory]
    [InlineData("https://fhir.example/Patient/123/_history/2?x=y", "https://fhir.example/Patient")]
    [InlineData("https://fhir.example:8443/r4/Observation?patient=123&code=http://loinc.org|8310-5", "https://fhir.example:8443/Observation")]
    [InlineData("https://fhir.example/fhir/MedicationRequest?patient=Smith-John&status=active", "https://fhir.example/MedicationRequest")]
    [InlineData("https://user:secret@fhir.example/fhir/Medication/Doe", "https://fhir.example/Medication")]
    [InlineData("https://fhir.example/tenant-42/Jones/Patient/Jones#frag", "https://fhir.example/Patient")]
    [InlineData("https://fhir.example/fhir/_page?set=abc&page=2", "https://fhir.example/")]
    [InlineData("https://fhir.example/fhir/Appointment/555", "https://fhir.example/")]
    [InlineData("https://idp.example/.well-known/jwks.json", "https://idp.example/")]
    [InlineData("http://[::1]:8080/Condition?patient=1", "http://[::1]:8080/Condition")]
    public void A_url_keeps_only_its_origin_and_the_resource_type_read(string url, string expected) =>
        Assert.Equal(expected, TelemetryRedaction.RedactUrl(url));

    [Theory]
    [InlineData("Patient/123")]
    [InlineData("not a url")]
    [InlineData(null)]
    public void What_is_not_an_absolute_url_is_dropped(string? url) => Assert.Null(TelemetryRedaction.RedactUrl(url));

    [Fact]
    public void The_resource_types_are_those_the_prefetch_templates_read_and_medication() =>
        Assert.Equal(["Condition", "Medication", "MedicationRequest", "MedicationStatement", "Observation", "Patient"],
            TelemetryRedaction.ResourceTypes.Order(StringComparer.Ordinal));

    [Fact]
    public void A_server_span_keeps_only_allow_listed_attributes_and_is_named_by_its_route()
    {
        using var activity = Start(ActivityKind.Server);
        activity.SetTag("http.request.method", "POST");
        activity.SetTag("http.route", "/cds-services/{id}");
        activity.SetTag("http.response.status_code", 500);
        activity.SetTag("url.path", "/cds-services/x/Patient/123");
        activity.SetTag("url.query", "?mrn=Redacted");
        activity.SetTag("user_agent.original", "App (patient 123)");
        activity.SetTag("client.address", "10.0.0.9");
        activity.SetTag("server.address", "clonus.example");
        activity.SetTag("error.type", "System.InvalidOperationException");
        activity.SetStatus(ActivityStatusCode.Error, "Patient Jane Doe not found");
        activity.DisplayName = "POST /cds-services/x/Patient/123";

        TelemetryRedaction.Scrub(activity);

        Assert.Equal(
            ["error.type=System.InvalidOperationException", "http.request.method=POST", "http.response.status_code=500", "http.route=/cds-services/{id}"],
            activity.TagObjects.Select(t => $"{t.Key}={t.Value}").Order(StringComparer.Ordinal));
        Assert.Equal("POST /cds-services/{id}", activity.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
        Assert.Null(activity.StatusDescription);
    }

    [Fact]
    public void A_server_span_without_a_route_is_named_by_its_method_alone()
    {
        using var activity = Start(ActivityKind.Server);
        activity.SetTag("http.request.method", "GET");
        activity.DisplayName = "GET /api/v1/patients/123";

        TelemetryRedaction.Scrub(activity);

        Assert.Equal("GET", activity.DisplayName);
    }

    [Fact]
    public void A_client_span_keeps_its_server_and_a_redacted_url()
    {
        using var activity = Start(ActivityKind.Client);
        activity.SetTag("http.request.method", "GET");
        activity.SetTag("url.full", "https://fhir.example/r4/Observation?patient=123&category=vital-signs");
        activity.SetTag("server.address", "fhir.example");
        activity.SetTag("server.port", 443);
        activity.SetTag("http.response.status_code", 200);
        activity.SetTag("url.template", "/r4/Observation");
        activity.SetTag("http.request.header.authorization", "Bearer abc");
        activity.DisplayName = "GET https://fhir.example/r4/Observation?patient=123";

        TelemetryRedaction.Scrub(activity);

        Assert.Equal(
            ["http.request.method=GET", "http.response.status_code=200", "server.address=fhir.example", "server.port=443", "url.full=https://fhir.example/Observation"],
            activity.TagObjects.Select(t => $"{t.Key}={t.Value}").Order(StringComparer.Ordinal));
        Assert.Equal("GET", activity.DisplayName);
    }

    /// <summary>A recorded activity of the given kind from a source of this test's own.</summary>
    private static Activity Start(ActivityKind kind)
    {
        var source = new ActivitySource("ClonusCds.Tests.Redaction." + Guid.NewGuid().ToString("N"));
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var activity = source.StartActivity("test", kind)!;
        listener.Dispose();
        return activity;
    }
}
