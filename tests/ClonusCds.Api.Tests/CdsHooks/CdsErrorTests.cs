using System.Net;
using System.Text.Json.Nodes;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>Malformed and unexpected calls to the CDS services: the right 4xx, extensions ignored, never a 500.</summary>
public sealed class CdsErrorTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private const string NothingToSay = "08-patient-view-hypertension-nothing-to-say.json";
    private const string OrderSelect = "02-order-select-tramadol-sertraline-no-toxicity.json";

    private readonly HttpClient _client = factory.CreateClient();

    private async Task<HttpResponseMessage> Post(string service, string body) => (await _client.PostJson($"/cds-services/{service}", body)).Response;

    [Fact]
    public async Task An_unknown_service_is_404()
    {
        var fixture = FixtureLoader.Load(NothingToSay);
        Assert.Equal(HttpStatusCode.NotFound, (await Post("no-such-service", fixture.RequestJson)).StatusCode);
    }

    [Theory]
    [InlineData("hook")]
    [InlineData("hookInstance")]
    [InlineData("context")]
    public async Task A_request_missing_a_required_field_is_400(string field)
    {
        var fixture = FixtureLoader.Load(NothingToSay);
        fixture.Request.Remove(field);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(fixture.Service, fixture.RequestJson)).StatusCode);
    }

    [Theory]
    [InlineData("""{"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": {"patientId": "1"}""")]
    [InlineData("""{"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": {"patientId": "1",}}""")]
    [InlineData("""{"hook": patient-view}""")]
    [InlineData("not json at all")]
    public async Task Malformed_json_is_400(string body)
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("clonus-patient-view", body)).StatusCode);
    }

    [Fact]
    public async Task A_hook_the_service_does_not_serve_is_400()
    {
        var fixture = FixtureLoader.Load("03-order-sign-linezolid-escitalopram.json");
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("clonus-patient-view", fixture.RequestJson)).StatusCode);
    }

    [Fact]
    public async Task Patient_view_sent_to_the_order_service_is_400()
    {
        var fixture = FixtureLoader.Load(NothingToSay);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("clonus-order-check", fixture.RequestJson)).StatusCode);
    }

    [Fact]
    public async Task Order_select_without_draft_orders_is_400()
    {
        var fixture = FixtureLoader.Load(OrderSelect);
        ((JsonObject)fixture.Request["context"]!).Remove("draftOrders");
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(fixture.Service, fixture.RequestJson)).StatusCode);
    }

    [Fact]
    public async Task Order_sign_without_draft_orders_is_400()
    {
        var fixture = FixtureLoader.Load("03-order-sign-linezolid-escitalopram.json");
        ((JsonObject)fixture.Request["context"]!).Remove("draftOrders");
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(fixture.Service, fixture.RequestJson)).StatusCode);
    }

    [Fact]
    public async Task Extensions_at_top_level_and_in_context_are_ignored()
    {
        var fixture = FixtureLoader.Load(NothingToSay);
        fixture.Request["extension"] = new JsonObject
        {
            ["com.example.timestamp"] = "2017-11-27T22:13:25Z",
            ["com.cds-hooks.sandbox.myextension-practitionerspecialty"] = "gastroenterology",
        };
        ((JsonObject)fixture.Request["context"]!)["extension"] = new JsonObject
        {
            ["com.example.workflow"] = new JsonObject { ["step"] = 3, ["flags"] = new JsonArray("a", "b") },
        };

        var (response, body) = await _client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(CdsConformance.CheckResponse(body, fixture.RequestElement));
        Assert.Empty(CardExpectations.Compare(body, fixture.Expect));
    }

    [Fact]
    public async Task Unknown_fields_in_a_prefetched_fhir_resource_are_ignored()
    {
        var fixture = FixtureLoader.Load(NothingToSay);
        var patient = (JsonObject)fixture.Request["prefetch"]!["patient"]!;
        patient["extension"] = new JsonArray(new JsonObject { ["url"] = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", ["valueCode"] = "M" });
        patient["_birthDate"] = new JsonObject { ["id"] = "bd" };

        var (response, body) = await _client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(CardExpectations.Compare(body, fixture.Expect));
    }

    [Fact]
    public async Task Invalid_FHIR_in_a_prefetched_resource_is_a_400_naming_its_path()
    {
        var fixture = FixtureLoader.Load(OrderSelect);
        fixture.Request["prefetch"]!["medications"]!["entry"]![0]!["resource"]!["status"] = 42;

        var (response, body) = await _client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = body.GetProperty("errors").GetProperty("prefetch.medications.entry[0].resource.status")[0].GetString()!;
        Assert.StartsWith("Not valid FHIR R4:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_FHIR_in_a_draft_order_is_a_400_naming_its_path()
    {
        var fixture = FixtureLoader.Load(OrderSelect);
        fixture.Request["context"]!["draftOrders"]!["entry"]![0]!["resource"]!["authoredOn"] = "yesterday";

        var (response, body) = await _client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(body.GetProperty("errors").TryGetProperty("context.draftOrders.entry[0].resource.authoredOn", out _), body.ToString());
    }

    [Fact]
    public async Task A_status_code_outside_the_value_set_and_a_zoneless_dateTime_are_tolerated_as_before()
    {
        var fixture = FixtureLoader.Load(OrderSelect);
        var order = fixture.Request["prefetch"]!["medications"]!["entry"]![0]!["resource"]!;
        order["status"] = "held-by-pharmacy";
        order["authoredOn"] = "2026-01-05T09:30:00";

        var (response, body) = await _client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(CardExpectations.Compare(body, fixture.Expect));
    }

    public static TheoryData<string, string> OddBodies() => new()
    {
        { "array", "[]" },
        { "string", "\"patient-view\"" },
        { "number", "42" },
        { "null", "null" },
        { "empty object", "{}" },
        { "empty body", "" },
        { "hook as number", """{"hook": 5, "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": {}}""" },
        { "context as array", """{"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": []}""" },
        { "context without patientId", """{"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": {"userId": "Practitioner/1"}}""" },
        { "patientId as number", """{"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": {"userId": "Practitioner/1", "patientId": 12}}""" },
        { "prefetch as array", """{"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": {"userId": "Practitioner/1", "patientId": "1"}, "prefetch": []}""" },
        { "fhirServer not a URL", """{"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "fhirServer": "not a url", "fhirAuthorization": {"access_token": "t", "token_type": "Bearer", "expires_in": 300, "scope": "user/*.read", "subject": "s"}, "context": {"userId": "Practitioner/1", "patientId": "1"}}""" },
        { "deeply nested context", "{\"hook\":\"patient-view\",\"hookInstance\":\"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea\",\"context\":" + new string('[', 300) + new string(']', 300) + "}" },
    };

    [Theory]
    [MemberData(nameof(OddBodies))]
    public async Task An_odd_body_is_a_4xx_never_a_500(string name, string body)
    {
        var status = (int)(await Post("clonus-patient-view", body)).StatusCode;
        Assert.True(status is >= 400 and < 500, $"{name}: {status}");
    }

    [Fact]
    public async Task Deep_nesting_inside_a_prefetched_resource_is_never_a_500()
    {
        var fixture = FixtureLoader.Load(NothingToSay);
        var json = fixture.RequestJson;
        var nested = json[..^1] + ",\"extension\":{\"com.example.deep\":" + new string('[', 200) + "1" + new string(']', 200) + "}}";

        var status = (int)(await Post(fixture.Service, nested)).StatusCode;

        Assert.True(status < 500, $"{status}");
    }

    [Fact]
    public async Task Odd_prefetch_values_are_never_a_500()
    {
        var fixture = FixtureLoader.Load(NothingToSay);
        var prefetch = (JsonObject)fixture.Request["prefetch"]!;
        prefetch["conditions"] = "Condition?patient=1";
        prefetch["medications"] = new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["entry"] = new JsonArray(new JsonObject { ["resource"] = 7 }) };
        prefetch["vitals"] = new JsonObject { ["resourceType"] = "Patient", ["id"] = "wrong-type" };
        prefetch["labs"] = new JsonArray(1, 2);
        prefetch["findings"] = new JsonObject
        {
            ["resourceType"] = "Bundle", ["type"] = "searchset",
            ["entry"] = new JsonArray(new JsonObject
            {
                ["resource"] = new JsonObject
                {
                    ["resourceType"] = "Observation", ["id"] = "o1", ["status"] = "final",
                    ["code"] = new JsonObject { ["coding"] = "36649002" },
                    ["valueCodeableConcept"] = new JsonArray(),
                    ["effectiveDateTime"] = "yesterday",
                    ["subject"] = new JsonObject { ["reference"] = 12 },
                },
            }),
        };

        var status = (int)(await Post(fixture.Service, fixture.RequestJson)).StatusCode;

        Assert.True(status < 500, $"{status}");
    }
}
