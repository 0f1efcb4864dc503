using System.Net;
using System.Text.Json;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>
/// Every fixture in CdsHooks/Fixtures is posted to its service: the answer must conform to the CDS Hooks
/// spec and the ClonusCds card contract, and hold the cards the clinical sources call for.
/// </summary>
public sealed class CdsFixtureTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> Fixtures() => new(FixtureLoader.Files());

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Fixture_gets_the_cards_the_sources_call_for(string file)
    {
        var fixture = FixtureLoader.Load(file);

        var (response, body) = await _client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.True((int)response.StatusCode == fixture.Expect.Status,
            $"{file}: expected {fixture.Expect.Status}, got {(int)response.StatusCode}: {Describe(body)}");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return;
        }

        var problems = new List<string>();
        problems.AddRange(CdsConformance.CheckResponse(body, fixture.RequestElement).Select(v => "spec: " + v));
        problems.AddRange(ClonusCardContract.Check(body, fixture.RequestElement).Select(v => "contract: " + v));
        problems.AddRange(CardExpectations.Compare(body, fixture.Expect).Select(v => "expect: " + v));
        problems.AddRange((await UnknownCodes(body)).Select(c => $"contract: code '{c}' is not in the knowledge base"));

        Assert.True(problems.Count == 0, $"{file} — {fixture.Name}\n" + string.Join("\n", problems) + $"\nresponse: {Describe(body)}");
    }

    /// <summary>Codes on the cards (extension codes and the source.url code) that the knowledge base does not know.</summary>
    private async Task<List<string>> UnknownCodes(JsonElement body)
    {
        var unknown = new List<string>();
        foreach (var code in ClonusCardContract.CitedCodes(body))
        {
            var response = await _client.GetAsync($"{ClonusCardContract.KnowledgePath}{Uri.EscapeDataString(code)}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                unknown.Add(code);
            }
        }

        return unknown;
    }

    internal static string Describe(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Undefined)
        {
            return "(empty body)";
        }

        var text = body.GetRawText();
        return text.Length > 4000 ? text[..4000] + "…" : text;
    }
}
