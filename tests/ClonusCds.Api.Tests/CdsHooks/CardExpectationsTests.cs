using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>The fixture matcher and the ClonusCds contract checker: they must fail when the cards are wrong.</summary>
public sealed class CardExpectationsTests
{
    private const string Request = """
        {"hook": "order-select", "hookInstance": "5f1c1bd6-8d3c-4a0e-9a53-5d0c7f1b9a10",
         "context": {"userId": "Practitioner/p1", "patientId": "pt-1", "selections": ["MedicationRequest/d1", "MedicationRequest/d2"],
           "draftOrders": {"resourceType": "Bundle", "entry": [
             {"resource": {"resourceType": "MedicationRequest", "id": "d1", "status": "draft"}},
             {"resource": {"resourceType": "MedicationRequest", "id": "d2", "status": "draft"}},
             {"resource": {"resourceType": "MedicationRequest", "id": "d3", "status": "draft"}}]}}}
        """;

    private static JsonObject OrderCard(string draft, string indicator, params string[] codes) => new()
    {
        ["uuid"] = Guid.NewGuid().ToString(),
        ["summary"] = $"Order {draft}: risky",
        ["detail"] = "**Why**",
        ["indicator"] = indicator,
        ["source"] = new JsonObject
        {
            ["label"] = "ClonusCds knowledge base",
            ["url"] = $"https://cds.example.org/api/v1/knowledge/recommendations/{codes[0]}",
            ["topic"] = new JsonObject { ["system"] = "urn:clonuscds:code", ["code"] = codes[0] },
        },
        ["selectionBehavior"] = "at-most-one",
        ["suggestions"] = new JsonArray(new JsonObject
        {
            ["label"] = "Remove",
            ["uuid"] = Guid.NewGuid().ToString(),
            ["actions"] = new JsonArray(new JsonObject { ["type"] = "delete", ["description"] = "Remove", ["resourceId"] = $"MedicationRequest/{draft}" }),
        }),
        ["overrideReasons"] = new JsonArray(new JsonObject { ["system"] = "urn:x", ["code"] = "aware", ["display"] = "Already aware" }),
        ["extension"] = new JsonObject
        {
            ["org.clonuscds"] = new JsonObject
            {
                ["kind"] = "order",
                ["codes"] = new JsonArray(codes.Select(c => (JsonNode)c).ToArray()),
                ["orderResourceId"] = $"MedicationRequest/{draft}",
            },
        },
    };

    private static JsonElement Response(params JsonObject[] cards) =>
        JsonDocument.Parse(new JsonObject { ["cards"] = new JsonArray(cards) }.ToJsonString()).RootElement.Clone();

    private static FixtureExpectation Expect(string json) => FixtureExpectation.Parse(JsonNode.Parse(json));

    private static JsonElement Req => JsonDocument.Parse(Request).RootElement.Clone();

    [Fact]
    public void Matching_cards_meet_the_expectation()
    {
        var response = Response(OrderCard("d1", "critical", "maoi_high_risk_combination", "linezolid_methylene_blue_are_maois"), OrderCard("d2", "warning", "switch_to_non_serotonergic_alternative"));
        var expect = Expect("""
            {"cards": [
              {"kind": "order", "indicator": "warning", "codesInclude": ["switch_to_non_serotonergic_alternative"], "deletes": "MedicationRequest/d2"},
              {"kind": "order", "indicator": ["critical"], "codesIncludeAny": ["x", "maoi_high_risk_combination"], "codesExclude": ["cyproheptadine"], "deletes": "MedicationRequest/d1"}],
             "exactCardCount": 2}
            """);

        Assert.Empty(CardExpectations.Compare(response, expect));
        Assert.Empty(CdsConformance.CheckResponse(response, Req));
        Assert.Empty(ClonusCardContract.Check(response, Req));
    }

    [Theory]
    [InlineData("""{"cards": [{"kind": "triage"}]}""", "kind")]
    [InlineData("""{"cards": [{"kind": "order", "indicator": "warning"}]}""", "indicator")]
    [InlineData("""{"cards": [{"kind": "order", "indicator": ["info", "warning"]}]}""", "indicator")]
    [InlineData("""{"cards": [{"kind": "order", "codesInclude": ["maoi_high_risk_combination", "cyproheptadine"]}]}""", "lack cyproheptadine")]
    [InlineData("""{"cards": [{"kind": "order", "codesIncludeAny": ["cyproheptadine", "benzodiazepine"]}]}""", "none of")]
    [InlineData("""{"cards": [{"kind": "order", "codesExclude": ["maoi_high_risk_combination"]}]}""", "must not hold")]
    [InlineData("""{"cards": [{"kind": "order", "deletes": "MedicationRequest/d2"}]}""", "no delete action")]
    [InlineData("""{"cards": [{"kind": "order"}, {"kind": "order"}]}""", "no card matches")]
    [InlineData("""{"cards": [{"kind": "order"}], "exactCardCount": 2}""", "exactly 2")]
    [InlineData("""{"cards": []}""", "expected no cards")]
    public void A_card_that_differs_from_the_expectation_is_reported(string expectation, string reason)
    {
        var response = Response(OrderCard("d1", "critical", "maoi_high_risk_combination"));

        var failures = CardExpectations.Compare(response, Expect(expectation));

        Assert.Contains(failures, f => f.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void An_expectation_without_cards_asserts_only_the_status()
    {
        var expect = Expect("""{"status": 200, "note": "why"}""");
        Assert.Null(expect.Cards);
        Assert.Empty(CardExpectations.Compare(Response(OrderCard("d1", "info", "x_y")), expect));
    }

    [Fact]
    public void An_unknown_member_in_an_expectation_is_a_fixture_error()
    {
        Assert.Throws<InvalidDataException>(() => Expect("""{"cards": [{"kind": "order", "codesIncluded": ["x"]}]}"""));
        Assert.Throws<InvalidDataException>(() => Expect("""{"card": []}"""));
    }

    private static readonly Dictionary<string, (Action<JsonObject> Break, string Message)> ContractBreaks = new(StringComparer.Ordinal)
    {
        ["no extension"] = (c => c.Remove("extension"), "org.clonuscds: missing"),
        ["unknown kind"] = (c => c["extension"]!["org.clonuscds"]!["kind"] = "alert", "kind: must be"),
        ["no codes"] = (c => ((JsonObject)c["extension"]!["org.clonuscds"]!).Remove("codes"), "codes: must list"),
        ["code not snake_case"] = (c => c["extension"]!["org.clonuscds"]!["codes"] = new JsonArray("MAOI high risk"), "snake_case"),
        ["no orderResourceId"] = (c => ((JsonObject)c["extension"]!["org.clonuscds"]!).Remove("orderResourceId"), "orderResourceId: required"),
        ["order card for an unselected draft"] = (c =>
        {
            c["extension"]!["org.clonuscds"]!["orderResourceId"] = "MedicationRequest/d3";
            c["suggestions"]![0]!["actions"]![0]!["resourceId"] = "MedicationRequest/d3";
        }, "not among context.selections"),
        ["order card without the delete"] = (c => c["suggestions"]![0]!["actions"]![0]!["resourceId"] = "MedicationRequest/d2", "offers a delete action"),
        ["selection behaviour any"] = (c => c["selectionBehavior"] = "any", "at-most-one"),
        ["no override reasons"] = (c => c.Remove("overrideReasons"), "overrideReasons"),
        ["no detail"] = (c => c.Remove("detail"), "detail"),
        ["source url elsewhere"] = (c => c["source"]!["url"] = "https://cds.example.org/docs/maoi", "source.url"),
        ["no topic"] = (c => ((JsonObject)c["source"]!).Remove("topic"), "topic"),
        ["drug paired with itself"] = (c => c["summary"] = "Ciprofloxacin order: tizanidine with tizanidine is contraindicated", "pairs a drug with itself"),
        ["triage card at an order hook"] = (c => c["extension"]!["org.clonuscds"]!["kind"] = "triage", "order cards only"),
    };

    public static TheoryData<string> BrokenContract() => new(ContractBreaks.Keys);

    [Theory]
    [MemberData(nameof(BrokenContract))]
    public void Contract_checker_catches_a_card_that_breaks_it(string rule)
    {
        var card = OrderCard("d1", "critical", "maoi_high_risk_combination");
        var (breakIt, message) = ContractBreaks[rule];
        breakIt(card);

        var violations = ClonusCardContract.Check(Response(card), Req);

        Assert.True(violations.Any(v => v.Contains(message, StringComparison.Ordinal)), $"{rule}: got\n{string.Join("\n", violations)}");
    }

    [Fact]
    public void Two_order_cards_for_one_draft_or_an_order_card_at_patient_view_break_the_contract()
    {
        var twice = ClonusCardContract.Check(Response(OrderCard("d1", "critical", "a_b"), OrderCard("d1", "warning", "c_d")), Req);
        Assert.Contains(twice, v => v.Contains("2 order cards for MedicationRequest/d1", StringComparison.Ordinal));

        var patientView = JsonDocument.Parse("""{"hook":"patient-view","context":{"patientId":"pt-1"}}""").RootElement;
        Assert.Contains(ClonusCardContract.Check(Response(OrderCard("d1", "critical", "a_b")), patientView), v => v.Contains("no order cards", StringComparison.Ordinal));
    }
}
