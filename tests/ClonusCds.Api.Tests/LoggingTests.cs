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

        var line = factory.Logs.Events.Last(e => e.Category.EndsWith("RequestLogging", StringComparison.Ordinal));
        Assert.Equal("POST", line.Values["Method"]);
        Assert.Equal("/api/v1/assessments/", line.Values["Route"]);
        Assert.Equal("200", line.Values["StatusCode"]);
        Assert.Equal("serotonin_toxicity", line.Values["Etiology"]);
        Assert.Equal("emergency", line.Values["Urgency"]);
        Assert.Equal("2026.12.2", line.Values["KnowledgeBaseVersion"]);
        Assert.False(string.IsNullOrEmpty(line.Values["TraceId"]));
        Assert.True(double.Parse(line.Values["ElapsedMs"]!, System.Globalization.CultureInfo.InvariantCulture) >= 0);
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
