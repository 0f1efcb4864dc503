using System.Net;
using System.Text.Json;
using ClonusCds.Api.OpenApi;

namespace ClonusCds.Api.Tests;

public sealed class AssessmentEndpointTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, string, string> ExampleExpectations() => new()
    {
        { "01-serotonin-toxicity-severe", "serotonin_toxicity", "emergency" },
        { "02-chronic-ms-clonus", "umn_lesion", "routine" },
        { "03-infant-startle-attacks", "seizure_mimic", "emergency" }, // decreased consciousness: the physiology floor (NEWS2 red score)
        { "04-nms-lookalike", "other_drug_toxicity", "emergency" },
        { "05-normal-variant", "normal_variant", "routine" },
        { "06-missing-data", "indeterminate_needs_evaluation", "urgent" },
        { "07-stroke-tizanidine-fluvoxamine", "umn_lesion", "urgent" },
    };

    [Theory]
    [MemberData(nameof(ExampleExpectations))]
    public async Task Every_worked_example_runs_and_is_triaged_as_labelled(string name, string etiology, string urgency)
    {
        var example = WorkedExamples.All.Single(e => e.Name == name).Example;
        var (response, body) = await _client.PostJson(Http.Assessments, example.Value.GetRawText());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(etiology, body.GetProperty("etiology").GetProperty("primary").GetString());
        Assert.Equal(urgency, body.GetProperty("urgency").GetString());
    }

    [Fact]
    public async Task Assessment_has_every_contract_field()
    {
        var example = WorkedExamples.All.Single(e => e.Name == "01-serotonin-toxicity-severe").Example;
        var (_, body) = await _client.PostJson(Http.Assessments, example.Value.GetRawText());

        Assert.True(Guid.TryParse(body.GetProperty("assessmentId").GetString(), out _));
        Assert.Matches(@"^\d{4}\.\d+\.\d+$", body.GetProperty("knowledgeBaseVersion").GetString());
        var etiology = body.GetProperty("etiology");
        Assert.Equal(JsonValueKind.Array, etiology.GetProperty("differentials").ValueKind);
        Assert.NotEmpty(etiology.GetProperty("rationale").EnumerateArray());
        var st = body.GetProperty("serotoninToxicity");
        Assert.True(st.GetProperty("hunterCriteriaMet").GetBoolean());
        Assert.Equal("severe", st.GetProperty("severity").GetString());
        Assert.Contains(1, st.GetProperty("hunterRulesFired").EnumerateArray().Select(r => r.GetInt32()));
        var agents = st.GetProperty("serotonergicAgents").EnumerateArray().Select(a => a.GetProperty("name").GetString()).ToList();
        Assert.Contains("sertraline", agents);
        Assert.Contains("tramadol", agents);
        foreach (var tier in new[] { "firstLine", "adjunct", "refractory", "monitoring", "workup" })
        {
            Assert.Equal(JsonValueKind.Array, body.GetProperty("recommendations").GetProperty(tier).ValueKind);
        }

        var item = body.GetProperty("recommendations").GetProperty("firstLine")[0];
        foreach (var field in new[] { "code", "text", "rationale", "citations", "cautions" })
        {
            Assert.True(item.TryGetProperty(field, out _), field);
        }

        Assert.NotEmpty(body.GetProperty("pitfalls").EnumerateArray());
        Assert.Equal(JsonValueKind.Array, body.GetProperty("missingData").ValueKind);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("unrecognizedInputs").ValueKind);
        Assert.Contains(body.GetProperty("trace").EnumerateArray(), t => t.GetProperty("rule").GetString() == "HSTC-1");
        Assert.NotEmpty(body.GetProperty("disclaimer").GetString()!);
    }

    [Fact]
    public async Task Every_cited_source_is_in_the_response_citations_and_the_bibliography()
    {
        var example = WorkedExamples.All.Single(e => e.Name == "07-stroke-tizanidine-fluvoxamine").Example;
        var (_, body) = await _client.PostJson(Http.Assessments, example.Value.GetRawText());
        var listed = body.GetProperty("citations").EnumerateArray().Select(c => c.GetProperty("id").GetString()!).ToHashSet();
        var items = body.GetProperty("recommendations").EnumerateObject().SelectMany(t => t.Value.EnumerateArray()).Concat(body.GetProperty("pitfalls").EnumerateArray());
        foreach (var item in items)
        {
            Assert.NotEmpty(item.GetProperty("citations").EnumerateArray());
            foreach (var id in item.GetProperty("citations").EnumerateArray())
            {
                Assert.Contains(id.GetString()!, listed);
            }
        }

        foreach (var id in listed)
        {
            var (response, _) = await _client.GetJson($"/api/v1/knowledge/sources/{id}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Assessment_responses_are_not_cached()
    {
        var (response, _) = await _client.PostJson(Http.Assessments, """{"clonus":{"present":true}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task Unknown_is_not_no_hunter_null_when_features_are_missing()
    {
        var (_, body) = await _client.PostJson(Http.Assessments,
            """{"clonus":{"present":true,"types":["inducible"],"onset":"acute"},"medications":[{"name":"Zoloft","change":"new","daysSinceChange":2}]}""");
        var st = body.GetProperty("serotoninToxicity");
        Assert.Equal(JsonValueKind.Null, st.GetProperty("hunterCriteriaMet").ValueKind);
        Assert.Equal("indeterminate_needs_evaluation", body.GetProperty("etiology").GetProperty("primary").GetString());
        var missing = body.GetProperty("missingData").EnumerateArray().Select(m => m.GetProperty("field").GetString()).ToList();
        Assert.Contains("exam.agitation", missing);
        Assert.Contains("vitals.temperatureC", missing);
    }

    [Fact]
    public async Task Unplaceable_medications_and_conditions_are_listed_back_not_rejected()
    {
        var (response, body) = await _client.PostJson(Http.Assessments,
            """{"clonus":{"present":true},"medications":[{"name":"Zorbloxin"}],"conditions":[{"display":"chronic widget syndrome"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var unrecognized = body.GetProperty("unrecognizedInputs").EnumerateArray().ToList();
        Assert.Contains(unrecognized, u => u.GetProperty("path").GetString() == "medications[0]" && u.GetProperty("value").GetString() == "Zorbloxin");
        Assert.Contains(unrecognized, u => u.GetProperty("path").GetString() == "conditions[0]");
    }

    [Fact]
    public async Task Baclofen_is_never_first_line_in_acute_serotonin_toxicity_even_with_multiple_sclerosis()
    {
        var (_, body) = await _client.PostJson(Http.Assessments, """
            {"patient":{"ageYears":40},"clonus":{"present":true,"types":["inducible"],"laterality":"bilateral","onset":"acute"},
             "vitals":{"temperatureC":38.2},"exam":{"agitation":true,"diaphoresis":true},
             "medications":[{"name":"escitalopram","change":"unchanged"},{"name":"linezolid","change":"new","daysSinceChange":1}],
             "conditions":[{"category":"multiple_sclerosis","onset":"chronic"}]}
            """);
        Assert.Equal("serotonin_toxicity", body.GetProperty("etiology").GetProperty("primary").GetString());
        var codes = body.Codes().ToList();
        Assert.DoesNotContain("baclofen_first_line", codes);
        Assert.Contains("do_not_attribute_acute_clonus_to_old_lesion", codes);
        Assert.Contains("linezolid_methylene_blue_are_maois", codes);
    }
}
