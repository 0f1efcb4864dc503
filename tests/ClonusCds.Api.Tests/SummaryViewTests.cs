using System.Net;
using System.Text.Json;
using ClonusCds.Api.OpenApi;

namespace ClonusCds.Api.Tests;

/// <summary>The plain-language summary in every answer, and the concise view (issue 15 parts 1 and 2).</summary>
public sealed class SummaryViewTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private static string Example(string name) => WorkedExamples.All.Single(e => e.Name == name).Example.Value.GetRawText();

    public static TheoryData<string> ExampleNames() => [.. WorkedExamples.All.Select(e => e.Name)];

    [Theory]
    [MemberData(nameof(ExampleNames))]
    public async Task Every_answer_opens_with_a_summary_that_says_what_the_answer_says(string name)
    {
        var (response, body) = await _client.PostJson(Http.Assessments, Example(name));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // Near the top: straight after the identifiers.
        var names = body.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["assessmentId", "knowledgeBaseVersion", "summary", "etiology", "urgency"], names.Take(5));

        var summary = body.GetProperty("summary");
        var urgency = body.GetProperty("urgency").GetString()!;
        var headline = summary.GetProperty("headline").GetString()!;
        Assert.EndsWith(" — " + urgency, headline, StringComparison.Ordinal);
        Assert.Equal(Titles(body.GetProperty("recommendations").GetProperty("firstLine")), Strings(summary.GetProperty("firstActions")));
        Assert.Equal(Titles(body.GetProperty("pitfalls")), Strings(summary.GetProperty("keyPitfalls")));
        Assert.Equal(body.GetProperty("missingData").EnumerateArray().Select(m => m.GetProperty("field").GetString()!), Strings(summary.GetProperty("missing")));
        Assert.StartsWith(headline + ".", summary.GetProperty("text").GetString()!, StringComparison.Ordinal);
        Assert.StartsWith("**Likely cause:** ", summary.GetProperty("markdown").GetString()!, StringComparison.Ordinal);
        Assert.Contains("**Urgency:** " + urgency + ".", summary.GetProperty("markdown").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Severe_serotonin_toxicity_reads_as_such()
    {
        var (_, body) = await _client.PostJson(Http.Assessments, Example("01-serotonin-toxicity-severe"));
        var summary = body.GetProperty("summary");
        Assert.Equal("Serotonin toxicity (Hunter criteria met, severe) — emergency", summary.GetProperty("headline").GetString());
        Assert.Contains("Stop all serotonergic agents", Strings(summary.GetProperty("firstActions")));
        Assert.Contains("First: Stop all serotonergic agents", summary.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("**Do first:**\n- Stop all serotonergic agents", summary.GetProperty("markdown").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ExampleNames))]
    public async Task The_summary_view_leaves_out_the_trace_and_the_citation_bodies_and_nothing_else(string name)
    {
        var (fullResponse, full) = await _client.PostJson(Http.Assessments + "?view=full", Example(name));
        var (response, concise) = await _client.PostJson(Http.Assessments + "?view=summary", Example(name));
        Assert.Equal(HttpStatusCode.OK, fullResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        Assert.True(full.TryGetProperty("trace", out _));
        Assert.True(full.TryGetProperty("citations", out _));
        Assert.False(concise.TryGetProperty("trace", out _));
        Assert.False(concise.TryGetProperty("citations", out _));
        var kept = full.EnumerateObject().Select(p => p.Name).Where(n => n is not "trace" and not "citations");
        Assert.Equal(kept, concise.EnumerateObject().Select(p => p.Name));
        foreach (var property in new[] { "summary", "etiology", "urgency", "recommendations", "pitfalls", "missingData", "unrecognizedInputs", "disclaimer" })
        {
            Assert.Equal(full.GetProperty(property).GetRawText(), concise.GetProperty(property).GetRawText());
        }

        // Items keep their citation ids, and each resolves through the knowledge route.
        var ids = AllItems(concise).SelectMany(i => Strings(i.GetProperty("citations"))).Distinct().ToList();
        Assert.NotEmpty(ids);
        var (source, _) = await _client.GetJson("/api/v1/knowledge/sources/" + ids[0]);
        Assert.Equal(HttpStatusCode.OK, source.StatusCode);
    }

    [Fact]
    public async Task The_default_view_is_full()
    {
        var (_, body) = await _client.PostJson(Http.Assessments, Example("02-chronic-ms-clonus"));
        Assert.True(body.TryGetProperty("trace", out var trace) && trace.GetArrayLength() > 0);
        Assert.True(body.TryGetProperty("citations", out var citations) && citations.GetArrayLength() > 0);
    }

    [Theory]
    [InlineData("Summary")]
    [InlineData("brief")]
    [InlineData("")]
    public async Task An_unknown_view_is_a_400_naming_the_parameter(string view)
    {
        var (response, body) = await _client.PostJson(Http.Assessments + "?view=" + view, Example("02-chronic-ms-clonus"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("summary", body.GetProperty("errors").GetProperty("view")[0].GetString(), StringComparison.Ordinal);
    }

    private static IEnumerable<JsonElement> AllItems(JsonElement a) =>
        a.GetProperty("recommendations").EnumerateObject().SelectMany(g => g.Value.EnumerateArray()).Concat(a.GetProperty("pitfalls").EnumerateArray());

    private static List<string> Titles(JsonElement items) => items.EnumerateArray().Select(i => i.GetProperty("title").GetString()!).ToList();

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(i => i.GetString()!).ToList();
}
