using ClonusCds.Api.OpenApi;

namespace ClonusCds.Api.Tests;

/// <summary>One request line per request with codes and timings — and no patient data anywhere in the logs.</summary>
public sealed class LoggingTests
{
    [Fact]
    public async Task Request_line_carries_trace_route_status_etiology_urgency_and_version()
    {
        await using var factory = new ClonusApiFactory();
        var client = factory.CreateClient();
        var example = WorkedExamples.All.Single(e => e.Name == "01-serotonin-toxicity-severe").Example;
        await client.PostJson(Http.Assessments, example.Value.GetRawText());

        var line = factory.Logs.Events.Last(e => e.IsRequestLine);
        Assert.Equal("POST", line.Values["Method"]);
        Assert.Equal("/api/v1/assessments/", line.Values["Route"]);
        Assert.Equal("200", line.Values["StatusCode"]);
        Assert.Equal("serotonin_toxicity", line.Values["Etiology"]);
        Assert.Equal("emergency", line.Values["Urgency"]);
        Assert.Equal("2026.12.3", line.Values["KnowledgeBaseVersion"]);
        Assert.False(string.IsNullOrEmpty(line.Values["TraceId"]));
        Assert.True(double.Parse(line.Values["ElapsedMs"]!, System.Globalization.CultureInfo.InvariantCulture) >= 0);
    }

    [Fact]
    public async Task No_event_carries_the_raw_path_or_query_and_the_line_names_the_route_template()
    {
        await using var factory = new ClonusApiFactory();
        var client = factory.CreateClient();
        const string pathMarker = "PATHID-Marker-5130";
        const string queryMarker = "Query-Marker-8842";
        await client.GetAsync($"/api/v1/knowledge/sources/{pathMarker}?note={queryMarker}");
        await client.GetAsync($"/no/such/{pathMarker}?note={queryMarker}");
        await client.PostJson($"{Http.Assessments}?view=summary&note={queryMarker}", """{"clonus":{"present":true}}""");

        var lines = factory.Logs.Events.Where(e => e.IsRequestLine).ToList();
        Assert.Contains(lines, l => l.Values["Route"] == "/api/v1/knowledge/sources/{id}" && l.Values["StatusCode"] == "404");
        Assert.Contains(lines, l => l.Values["Route"] == "(unmatched)" && l.Values["StatusCode"] == "404");
        Assert.Contains(lines, l => l.Values["Route"] == "/api/v1/assessments/" && l.Values["StatusCode"] == "200");
        // The library's default RequestPath property is on no event, nor the hosting scope's.
        Assert.All(factory.Logs.Events, e => Assert.False(e.Values.ContainsKey("RequestPath"), $"{e.Category}: {e.Message}"));
        Assert.DoesNotContain(factory.Logs.Events, e => e.AllText.Contains(pathMarker, StringComparison.Ordinal) || e.AllText.Contains(queryMarker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_line_records_the_status_the_exception_handler_answered()
    {
        await using var factory = new ClonusApiFactory();
        var client = factory.CreateClient();
        // Malformed JSON: the body reader throws as the framework's binding does, and
        // ProblemDetailsExceptionHandler answers 400 after the endpoint has given up.
        var (response, _) = await client.PostJson(Http.Assessments, """{"clonus":{"present":true}""");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);

        var line = Assert.Single(factory.Logs.Events, e => e.IsRequestLine);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, line.Level);
        Assert.Equal("400", line.Values["StatusCode"]);
        Assert.Equal("/api/v1/assessments/", line.Values["Route"]);
        Assert.Null(line.Exception);
    }

    [Fact]
    public async Task No_patient_value_from_any_example_or_bad_request_reaches_the_logs()
    {
        await using var factory = new ClonusApiFactory();
        var client = factory.CreateClient();
        const string secretName = "Sertralina-Marker-7731";
        const string secretDisplay = "Jane Doe widget syndrome 4411";
        foreach (var (_, example) in WorkedExamples.All)
        {
            await client.PostJson(Http.Assessments, example.Value.GetRawText());
        }

        await client.PostJson(Http.Assessments,
            $$"""{"clonus":{"present":true},"medications":[{"name":"{{secretName}}","dose":"Take with J. Doe's lunch"}],"conditions":[{"display":"{{secretDisplay}}"}]}""");
        await client.PostJson(Http.Assessments, $$"""{"clonus":{"present":true},"medications":[{"name":"{{secretName}}","rxcui":"bad"}]}""");
        await client.PostJson(Http.Assessments, $$"""{"clonus":{"present":true},"{{secretName}}":1}""");
        await client.PostJson(Http.Assessments, "{\"clonus\":{\"present\":\"" + secretName + "\"}}");

        Assert.NotEmpty(factory.Logs.Events);
        var forbidden = new[] { secretName, secretDisplay, "J. Doe", "Ultram", "sertraline", "Luvox", "tizanidine", "haloperidol", "levetiracetam",
            "Major depressive", "Hemiplegia", "epileptic-like", "100 mg daily", "4 mg three times" };
        foreach (var e in factory.Logs.Events)
        {
            foreach (var value in forbidden)
            {
                Assert.DoesNotContain(value, e.AllText, StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
