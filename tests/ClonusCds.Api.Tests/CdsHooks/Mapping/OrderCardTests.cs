using System.Net;
using System.Text.Json.Nodes;

namespace ClonusCds.Api.Tests.CdsHooks.Mapping;

/// <summary>Order cards for drafts the client sends without ids, and for renewals of a drug already taken.</summary>
public sealed class OrderCardTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private static JsonObject Draft(CdsFixture fixture) =>
        (JsonObject)fixture.Request["context"]!["draftOrders"]!["entry"]![0]!["resource"]!;

    [Fact]
    public async Task A_draft_without_an_id_still_gets_its_card_but_no_delete_suggestion()
    {
        var fixture = FixtureLoader.Load("03-order-sign-linezolid-escitalopram.json");
        Draft(fixture).Remove("id");

        var (response, body) = await _client.PostJson("/cds-services/clonus-order-check", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = Assert.Single(body.GetProperty("cards").EnumerateArray());
        Assert.Equal("critical", card.GetProperty("indicator").GetString());
        Assert.False(card.TryGetProperty("suggestions", out _));
        Assert.False(card.TryGetProperty("selectionBehavior", out _));
        Assert.Empty(CdsConformance.CheckResponse(body, fixture.RequestElement));
    }

    [Fact]
    public async Task A_renewal_of_the_only_serotonergic_drug_is_not_a_second_serotonergic_drug()
    {
        // The escitalopram the patient takes, re-ordered; linezolid removed from the drafts.
        var fixture = FixtureLoader.Load("03-order-sign-linezolid-escitalopram.json");
        var draft = Draft(fixture);
        draft["medicationCodeableConcept"] = JsonNode.Parse("""{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"321988","display":"escitalopram"}],"text":"escitalopram 10 mg tablet"}""");

        var (response, body) = await _client.PostJson("/cds-services/clonus-order-check", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, body.GetProperty("cards").GetArrayLength());
    }
}
