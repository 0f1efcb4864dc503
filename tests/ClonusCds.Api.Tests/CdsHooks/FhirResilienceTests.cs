using System.Diagnostics;
using System.Net;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>
/// The FHIR client's resilience pipeline (Microsoft.Extensions.Http.Resilience): one quick retry of
/// a fast transient failure inside the request's budget, none of anything else, the budget holding
/// retries included, and nothing about the request in the logs.
/// </summary>
public sealed class FhirResilienceTests
{
    private static SettingsApiFactory Factory(params (string Key, string Value)[] settings) =>
        new(settings.ToDictionary(s => s.Key, s => (string?)s.Value));

    private static async Task<HttpResponseMessage> Call(SettingsApiFactory factory, FakeFhirServer fhir)
    {
        var fixture = CdsFetchTests.FetchingFixture(CdsFetchTests.HunterFixture, fhir);
        var (response, _) = await factory.CreateClient().PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);
        return response;
    }

    private static int RequestsFor(FakeFhirServer fhir, string pathPrefix) =>
        fhir.Requests.Count(r => r.PathAndQuery.Contains(pathPrefix, StringComparison.Ordinal));

    [Theory]
    [InlineData(503)]
    [InlineData(502)]
    [InlineData(504)]
    public async Task A_fast_transient_failure_is_retried_once_and_the_call_succeeds(int status)
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.FailFirst("Patient", status, times: 1);
        await using var factory = Factory();

        var response = await Call(factory, fhir);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, RequestsFor(fhir, "Patient"));
        Assert.All(fhir.Requests, r => Assert.Equal("Bearer " + CdsFetchTests.Token, r.Authorization));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(429)]
    public async Task Other_failures_are_not_retried(int status)
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.FailFirst("Patient", status, times: 1);
        await using var factory = Factory();

        await Call(factory, fhir);

        Assert.Equal(1, RequestsFor(fhir, "Patient"));
    }

    [Fact]
    public async Task With_retries_off_a_transient_failure_is_a_412()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.FailFirst("Patient", 503, times: 1);
        await using var factory = Factory(("CdsHooks:Fhir:MaxRetries", "0"));

        var response = await Call(factory, fhir);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal(1, RequestsFor(fhir, "Patient"));
    }

    [Fact]
    public async Task A_failure_that_persists_is_tried_at_most_max_retries_plus_one_times_and_is_a_412()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Fail("Patient", 503);
        await using var factory = Factory(("CdsHooks:Fhir:MaxRetries", "2"));

        var response = await Call(factory, fhir);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Equal(3, RequestsFor(fhir, "Patient"));
    }

    [Fact]
    public async Task A_per_attempt_timeout_retries_a_hung_attempt_and_the_budget_bounds_the_whole_read()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Delay = TimeSpan.FromSeconds(10);
        await using var factory = Factory(("CdsHooks:Fhir:TimeoutSeconds", "2"), ("CdsHooks:Fhir:AttemptTimeoutSeconds", "0.6"));
        var client = factory.CreateClient();
        await client.GetAsync("/health/live");

        var clock = Stopwatch.StartNew();
        var response = await Call(factory, fhir);
        clock.Stop();

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed.TotalSeconds:0.0} s with a 2 s budget");
        // Two attempts of 0.6 s each fit in the budget: the hung first one was retried.
        Assert.True(RequestsFor(fhir, "Patient") >= 2, $"{RequestsFor(fhir, "Patient")} attempt(s)");
    }

    [Fact]
    public async Task Retries_log_nothing_about_the_request()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.FailFirst("Patient", 503, times: 1);
        fhir.FailFirst("MedicationRequest", 503, times: 1);
        await using var factory = Factory();

        var response = await Call(factory, fhir);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(factory.Logs.Events, e => e.AllText.Contains(CdsFetchTests.Token, StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Events, e => e.AllText.Contains(fhir.BaseUrl, StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Events, e => e.AllText.Contains("/Patient", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs.Events, e => e.AllText.Contains("MedicationRequest?", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("CdsHooks:Fhir:MaxRetries", "3", "MaxRetries")]
    [InlineData("CdsHooks:Fhir:TimeoutSeconds", "0", "TimeoutSeconds")]
    [InlineData("CdsHooks:Fhir:AttemptTimeoutSeconds", "0", "AttemptTimeoutSeconds")]
    public void Settings_out_of_range_stop_start_up_naming_the_setting(string key, string value, string named)
    {
        using var factory = Factory((key, value));
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(named, ex.ToString(), StringComparison.Ordinal);
    }
}
