using System.Text.Json;
using ClonusCds.Api.CdsHooks;
using Microsoft.AspNetCore.Hosting;

namespace ClonusCds.Api.Tests.CdsHooks.Feedback;

internal static class FeedbackTestData
{
    public const string ServiceId = CdsServiceCatalog.PatientViewId;
    public const string Url = "/cds-services/" + ServiceId + "/feedback";

    public static string NewCard() => Guid.NewGuid().ToString();

    public static string Accepted(string card, string timestamp = "2021-12-11T10:05:31Z", params string[] suggestions) =>
        $$"""{"card":"{{card}}","outcome":"accepted","acceptedSuggestions":[{{string.Join(",", (suggestions.Length == 0 ? ["s-1"] : suggestions).Select(s => $$"""{"id":"{{s}}"}"""))}}],"outcomeTimestamp":"{{timestamp}}"}""";

    public static string Overridden(string card, string timestamp = "2020-12-11T00:00:00Z") =>
        $$"""{"card":"{{card}}","outcome":"overridden","outcomeTimestamp":"{{timestamp}}"}""";

    public static string Body(params string[] items) => $$"""{"feedback":[{{string.Join(",", items)}}]}""";

    public static async Task<JsonElement[]> StoredFor(this HttpClient client, string card)
    {
        var (response, body) = await client.GetJson(Url + "?limit=500");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return body.GetProperty("feedback").EnumerateArray().Where(f => f.GetProperty("card").GetString() == card).ToArray();
    }

    public static void AssertReceipt(JsonElement receipt, int received, int stored)
    {
        Assert.Equal(received, receipt.GetProperty("received").GetInt32());
        Assert.Equal(stored, receipt.GetProperty("stored").GetInt32());
        Assert.Equal(received - stored, receipt.GetProperty("duplicates").GetInt32());
    }
}

/// <summary>A factory whose feedback database is at a path the test chooses (and cleans up).</summary>
internal sealed class FeedbackPathFactory(string databasePath) : ClonusApiFactory
{
    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("CdsHooks:Feedback:DatabasePath", databasePath);
}
