using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>The fake FHIR server used by the fetch tests: it must itself behave, or those tests prove nothing.</summary>
public sealed class FakeFhirServerTests
{
    private static readonly HttpClient Client = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Serves_a_fixture_prefetch_at_the_urls_the_catalog_templates_produce_and_records_requests()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        var fixture = FixtureLoader.Load("01-order-select-tramadol-sertraline-hunter-met.json");
        fhir.RegisterPrefetch(fixture.Request);
        Assert.StartsWith("http://127.0.0.1:", fhir.BaseUrl, StringComparison.Ordinal);

        var patient = await Client.GetAsync($"{fhir.BaseUrl}/Patient/{fixture.PatientId}");
        Assert.Equal(HttpStatusCode.OK, patient.StatusCode);
        Assert.Equal("application/fhir+json", patient.Content.Headers.ContentType?.MediaType);
        Assert.Equal(fixture.PatientId, JsonDocument.Parse(await patient.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString());

        // Parameter order and percent-encoding do not matter, as for a real server.
        var labs = "Observation?_count=50&_sort=-date&patient=" + fixture.PatientId + "&code=" +
                   Uri.EscapeDataString(string.Join(',', ClonusCds.Api.CdsHooks.CdsServiceCatalog.LabLoincCodes.Select(c => "http://loinc.org|" + c)));
        var labResponse = await Client.GetAsync($"{fhir.BaseUrl}/{labs}");
        Assert.Equal(HttpStatusCode.OK, labResponse.StatusCode);
        Assert.Equal("Bundle", JsonDocument.Parse(await labResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("resourceType").GetString());

        var missing = await Client.GetAsync($"{fhir.BaseUrl}/Observation?patient=someone-else");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        Assert.Equal(3, fhir.Requests.Count);
        Assert.Equal($"Patient/{fixture.PatientId}", fhir.Requests[0].Key);
        Assert.Equal(FakeFhirServer.KeyFor("labs", (JsonObject)fixture.Request["context"]!), fhir.Requests[1].Key);
    }

    [Fact]
    public async Task Demands_the_bearer_token_when_told_to()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.RequiredBearerToken = "tok";
        fhir.Register("Patient/p1", new JsonObject { ["resourceType"] = "Patient", ["id"] = "p1" });

        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.GetAsync($"{fhir.BaseUrl}/Patient/p1")).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{fhir.BaseUrl}/Patient/p1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "tok");
        Assert.Equal(HttpStatusCode.OK, (await Client.SendAsync(request)).StatusCode);
        Assert.Equal([null, "Bearer tok"], fhir.Requests.Select(r => r.Authorization));
    }

    [Fact]
    public async Task Paginates_with_next_links_back_to_itself()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        var fixture = FixtureLoader.Load("03-order-sign-linezolid-escitalopram.json");
        var medications = (JsonObject)fixture.Request["prefetch"]!["medications"]!;
        var pages = fhir.RegisterPaged("MedicationRequest?patient=pt-mrsa-3310&status=active", medications, 2);

        var ids = new List<string>();
        string? next = $"{fhir.BaseUrl}/MedicationRequest?status=active&patient=pt-mrsa-3310";
        while (next is not null)
        {
            var page = JsonDocument.Parse(await Client.GetStringAsync(next)).RootElement;
            Assert.Equal(3, page.GetProperty("total").GetInt32());
            ids.AddRange(page.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("id").GetString()!));
            next = page.GetProperty("link").EnumerateArray().Where(l => l.GetProperty("relation").GetString() == "next")
                .Select(l => l.GetProperty("url").GetString()).FirstOrDefault();
        }

        Assert.Single(pages);
        Assert.Equal(["medrx-3310-1", "medrx-3310-2", "medrx-3310-3"], ids);
    }

    [Fact]
    public async Task Fails_and_delays_when_told_to()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        fhir.Register("Patient/p1", new JsonObject { ["resourceType"] = "Patient", ["id"] = "p1" });
        fhir.Fail("Observation", 500);
        Assert.Equal(HttpStatusCode.InternalServerError, (await Client.GetAsync($"{fhir.BaseUrl}/Observation?patient=p1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync($"{fhir.BaseUrl}/Patient/p1")).StatusCode);

        fhir.Delay = TimeSpan.FromSeconds(5);
        using var quick = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => quick.GetAsync($"{fhir.BaseUrl}/Patient/p1"));
    }
}
