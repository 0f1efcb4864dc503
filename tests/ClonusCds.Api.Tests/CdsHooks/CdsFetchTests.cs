using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ClonusCds.Api.CdsHooks;
using Microsoft.AspNetCore.Hosting;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>
/// The service fetching what was not prefetched from the EHR's FHIR server ("FHIR Resource Access"),
/// against a real loopback FHIR server: bearer token on every call and never logged, only missing keys
/// fetched, pagination followed, and 412 when the data cannot be had.
/// </summary>
public sealed class CdsFetchTests
{
    internal const string Token = "secret-token-123";
    internal const string HunterFixture = "01-order-select-tramadol-sertraline-hunter-met.json";
    private const string LinezolidFixture = "03-order-sign-linezolid-escitalopram.json";

    private static JsonObject Authorization() => FhirAuthorizationJson.For(Token);

    /// <summary>Serves the fixture's prefetch from the fake server, strips the given keys (all when none given) and points fhirServer at it.</summary>
    internal static CdsFixture FetchingFixture(string file, FakeFhirServer fhir, IReadOnlyDictionary<string, int>? pageSizes = null, params string[] removeKeys)
    {
        var fixture = FixtureLoader.Load(file);
        fhir.RegisterPrefetch(fixture.Request, pageSizes);
        var prefetch = (JsonObject)fixture.Request["prefetch"]!;
        foreach (var key in removeKeys.Length == 0 ? prefetch.Select(p => p.Key).ToList() : removeKeys.ToList())
        {
            prefetch.Remove(key);
        }

        if (prefetch.Count == 0)
        {
            fixture.Request.Remove("prefetch");
        }

        fixture.Request["fhirServer"] = fhir.BaseUrl;
        fixture.Request["fhirAuthorization"] = Authorization();
        return fixture;
    }

    private static async Task<(HttpResponseMessage Response, System.Text.Json.JsonElement Body)> Post(ClonusApiFactory factory, CdsFixture fixture) =>
        await factory.CreateClient().PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

    private static void AssertCards(CdsFixture fixture, HttpResponseMessage response, System.Text.Json.JsonElement body)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {CdsFixtureTests.Describe(body)}");
        var problems = CdsConformance.CheckResponse(body, fixture.RequestElement)
            .Concat(CardExpectations.Compare(body, fixture.Expect)).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + CdsFixtureTests.Describe(body));
    }

    /// <summary>Page 1 of a searchset as an EHR would prefetch it: the first entries, the full total, a next link.</summary>
    private static JsonObject FirstPage(JsonObject bundle, int pageSize, string self, string next)
    {
        var entries = (JsonArray)bundle["entry"]!;
        var page = (JsonObject)bundle.DeepClone();
        page["total"] = entries.Count;
        page["entry"] = new JsonArray(entries.Take(pageSize).Select(e => e!.DeepClone()).ToArray());
        page["link"] = new JsonArray(
            new JsonObject { ["relation"] = "self", ["url"] = self },
            new JsonObject { ["relation"] = "next", ["url"] = next });
        return page;
    }

    private static HashSet<string> Keys(FakeFhirServer fhir) => fhir.Requests.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public async Task With_no_prefetch_the_service_fetches_everything_with_the_bearer_token_and_never_logs_it()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.RequiredBearerToken = Token;
        await using var factory = new ClonusApiFactory();
        var fixture = FetchingFixture(HunterFixture, fhir);
        var context = (JsonObject)fixture.Request["context"]!;

        var (response, body) = await Post(factory, fixture);

        AssertCards(fixture, response, body);
        var requests = fhir.Requests;
        Assert.NotEmpty(requests);
        Assert.All(requests, r => Assert.Equal($"Bearer {Token}", r.Authorization));
        Assert.Contains(requests, r => r.Key == $"Patient/{fixture.PatientId}");
        foreach (var key in CdsServiceCatalog.Prefetch.Keys)
        {
            Assert.Contains(FakeFhirServer.KeyFor(key, context), Keys(fhir));
        }

        Assert.All(requests, r => Assert.Equal(200, r.Status));
        Assert.DoesNotContain(factory.Logs.Events, e => e.AllText.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_keys_that_were_not_prefetched_are_fetched()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.RequiredBearerToken = Token;
        await using var factory = new ClonusApiFactory();
        var fixture = FetchingFixture(HunterFixture, fhir, null, "vitals", "labs", "findings");
        var context = (JsonObject)fixture.Request["context"]!;

        var (response, body) = await Post(factory, fixture);

        AssertCards(fixture, response, body);
        var fetched = Keys(fhir);
        foreach (var key in new[] { "vitals", "labs", "findings" })
        {
            Assert.Contains(FakeFhirServer.KeyFor(key, context), fetched);
        }

        foreach (var key in new[] { "patient", "conditions", "medications" })
        {
            Assert.DoesNotContain(FakeFhirServer.KeyFor(key, context), fetched);
        }
    }

    [Fact]
    public async Task When_everything_is_prefetched_the_fhir_server_is_not_called()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        await using var factory = new ClonusApiFactory();
        var fixture = FixtureLoader.Load(HunterFixture).WithEmptySupplementaryKeys();
        fhir.RegisterPrefetch(fixture.Request);
        fixture.Request["fhirServer"] = fhir.BaseUrl;
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, body) = await Post(factory, fixture);

        AssertCards(fixture, response, body);
        Assert.Empty(fhir.Requests);
    }

    [Fact]
    public async Task A_paginated_search_is_followed_to_the_page_with_the_risky_drug()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.RequiredBearerToken = Token;
        await using var factory = new ClonusApiFactory();
        // Metformin and atorvastatin on page 1, escitalopram alone on page 2.
        var fixture = FetchingFixture(LinezolidFixture, fhir, new Dictionary<string, int> { ["medications"] = 2 }, "medications");

        var (response, body) = await Post(factory, fixture);

        AssertCards(fixture, response, body);
        Assert.Contains(fhir.Requests, r => r.Key.StartsWith("_page?", StringComparison.Ordinal) && r.Key.Contains("page=2", StringComparison.Ordinal) && r.Status == 200);
        Assert.All(fhir.Requests, r => Assert.Equal($"Bearer {Token}", r.Authorization));
    }

    [Fact]
    public async Task A_paginated_prefetch_is_completed_from_the_fhir_server()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.RequiredBearerToken = Token;
        await using var factory = new ClonusApiFactory();
        var fixture = FixtureLoader.Load(LinezolidFixture);
        var medications = (JsonObject)fixture.Request["prefetch"]!["medications"]!;
        var context = (JsonObject)fixture.Request["context"]!;
        // The EHR sends page 1 (metformin, atorvastatin) as prefetch; its next link leads to page 2
        // (escitalopram) on the EHR's FHIR server.
        var relativeUrl = FakeFhirServer.RelativeUrl(CdsServiceCatalog.Prefetch["medications"], context);
        var pages = fhir.RegisterPaged(relativeUrl, medications, 2);
        var page1 = FirstPage(medications, 2, fhir.BaseUrl + "/" + relativeUrl, pages[0]);
        fixture.Request["prefetch"]!["medications"] = page1;
        fixture.Request["fhirServer"] = fhir.BaseUrl;
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, body) = await Post(factory, fixture);

        AssertCards(fixture, response, body);
        Assert.Contains(fhir.Requests, r => pages[0].EndsWith(r.PathAndQuery, StringComparison.Ordinal) && r.Status == 200);
        Assert.All(fhir.Requests, r => Assert.Equal($"Bearer {Token}", r.Authorization));
    }

    [Fact]
    public async Task The_access_token_is_not_sent_to_a_next_link_outside_the_fhir_server()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        await using var elsewhere = await FakeFhirServer.StartAsync("/other");
        await using var factory = new ClonusApiFactory();
        var fixture = FixtureLoader.Load(LinezolidFixture);
        var medications = (JsonObject)fixture.Request["prefetch"]!["medications"]!;
        var pages = elsewhere.RegisterPaged("MedicationRequest?patient=x", medications, 2);
        var page1 = FirstPage(medications, 2, elsewhere.BaseUrl + "/MedicationRequest?patient=x", pages[0]);
        fixture.Request["prefetch"]!["medications"] = page1;
        fixture.Request["fhirServer"] = fhir.BaseUrl;
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, _) = await Post(factory, fixture);

        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}");
        Assert.DoesNotContain(elsewhere.Requests, r => r.Authorization?.Contains(Token, StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task No_prefetch_and_no_fhir_server_is_412()
    {
        await using var factory = new ClonusApiFactory();
        var fixture = FixtureLoader.Load(HunterFixture);
        fixture.Request.Remove("prefetch");

        var (response, _) = await Post(factory, fixture);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task A_prefetch_missing_one_key_with_no_fhir_server_is_412()
    {
        await using var factory = new ClonusApiFactory();
        var fixture = FixtureLoader.Load(HunterFixture);
        ((JsonObject)fixture.Request["prefetch"]!).Remove("findings");

        var (response, _) = await Post(factory, fixture);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
    }

    [Fact]
    public async Task Fhir_authorization_without_fhir_server_is_400()
    {
        await using var factory = new ClonusApiFactory();
        var fixture = FixtureLoader.Load(HunterFixture);
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, _) = await Post(factory, fixture);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_fhir_server_answering_500_is_412()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Fail("", 500);
        await using var factory = new ClonusApiFactory();
        var fixture = FetchingFixture(HunterFixture, fhir);

        var (response, _) = await Post(factory, fixture);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.NotEmpty(fhir.Requests);
    }

    [Fact]
    public async Task A_fhir_server_refusing_the_token_is_412()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.RequiredBearerToken = "a-different-token";
        await using var factory = new ClonusApiFactory();
        var fixture = FetchingFixture(HunterFixture, fhir);

        var (response, _) = await Post(factory, fixture);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.DoesNotContain(factory.Logs.Events, e => e.AllText.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fhir_server_slower_than_the_timeout_is_412_within_seconds()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Delay = TimeSpan.FromSeconds(10);
        await using var factory = new ShortTimeoutFactory();
        var fixture = FetchingFixture(HunterFixture, fhir);
        var client = factory.CreateClient();
        await client.GetAsync("/health/live"); // start the host outside the timing

        var clock = Stopwatch.StartNew();
        var (response, _) = await client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);
        clock.Stop();

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed.TotalSeconds:0.0} s with a 1 s FHIR timeout");
    }

    /// <summary>The service with a 1-second FHIR timeout.</summary>
    [Fact]
    public async Task Every_fetch_failure_gives_the_caller_the_same_412_detail_and_the_log_the_cause()
    {
        // Unreachable, timeout and an HTTP error must look the same to the caller (no network
        // oracle, issue 12); the specific cause is logged, without patient data.
        await using var factory = new ShortTimeoutFactory();
        var client = factory.CreateClient();
        var details = new List<string>();

        await using (var failing = await FakeFhirServer.StartAsync())
        {
            failing.Fail("", 500);
            var fixture = FetchingFixture(HunterFixture, failing);
            var (response, body) = await client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);
            Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
            details.Add(body.GetProperty("detail").GetString()!);
            // The log line carries the cause and the same trace id as the caller's ProblemDetails.
            var traceId = body.GetProperty("traceId").GetString()!;
            Assert.Contains(factory.Logs.Events, e => e.AllText.Contains("answered 500", StringComparison.Ordinal) && e.AllText.Contains(traceId, StringComparison.Ordinal));
        }

        await using (var slow = await FakeFhirServer.StartAsync())
        {
            slow.Delay = TimeSpan.FromSeconds(10);
            var fixture = FetchingFixture(HunterFixture, slow);
            var (response, body) = await client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);
            Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
            details.Add(body.GetProperty("detail").GetString()!);
        }

        var gone = await FakeFhirServer.StartAsync();
        var unreachable = FetchingFixture(HunterFixture, gone);
        await gone.DisposeAsync(); // nothing listens there any more
        var (refused, refusedBody) = await client.PostJson($"/cds-services/{unreachable.Service}", unreachable.RequestJson);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        details.Add(refusedBody.GetProperty("detail").GetString()!);

        Assert.Single(details.Distinct());
        Assert.Contains("the FHIR server could not be read", details[0], StringComparison.Ordinal);
        var logged = factory.Logs.Events.Where(e => e.Message.Contains("answered 412", StringComparison.Ordinal)).Select(e => e.AllText).ToList();
        Assert.Contains(logged, l => l.Contains("answered 500", StringComparison.Ordinal));
        Assert.Contains(logged, l => l.Contains("did not answer within", StringComparison.Ordinal));
        Assert.Contains(logged, l => l.Contains("could not be reached", StringComparison.Ordinal));
    }

    private sealed class ShortTimeoutFactory : ClonusApiFactory
    {
        protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("CdsHooks:Fhir:TimeoutSeconds", "1");
    }
}
