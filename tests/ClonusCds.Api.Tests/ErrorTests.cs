using System.Net;
using System.Text;
using System.Text.Json;

namespace ClonusCds.Api.Tests;

/// <summary>Every class of bad input gets a 4xx ProblemDetails naming the field; never a 500 or a stack trace.</summary>
public sealed class ErrorTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, string, string?> BadBodies() => new()
    {
        // name, body, field that must be named (null: whole body)
        { "malformed JSON", """{"clonus": {"present": tru""", "clonus.present" },
        { "truncated JSON", """{"clonus": {"present": true}""", null },
        { "wrong type", """{"clonus": {"present": "yes"}}""", "clonus.present" },
        { "unknown enum value", """{"clonus": {"present": true}, "patient": {"sex": "M"}}""", "patient.sex" },
        { "enum as integer", """{"clonus": {"present": true}, "patient": {"sex": 1}}""", "patient.sex" },
        { "enum in array", """{"clonus": {"present": true, "sites": ["knee"]}}""", "clonus.sites[0]" },
        // Enum values are exactly snake_case (api-v1.md): other casings and the C# names are refused.
        { "enum capitalised", """{"clonus": {"present": true, "sites": ["Ankle"]}}""", "clonus.sites[0]" },
        { "enum upper case", """{"clonus": {"present": true, "types": ["INDUCIBLE"]}}""", "clonus.types[0]" },
        { "enum camelCase", """{"clonus": {"present": true}, "setting": "emergencyDepartment"}""", "setting" },
        { "enum PascalCase", """{"clonus": {"present": true}, "patient": {"sex": "Female"}}""", "patient.sex" },
        { "enum with spaces", """{"clonus": {"present": true}, "setting": " icu "}""", "setting" },
        { "enum as numeric string", """{"clonus": {"present": true}, "patient": {"sex": "1"}}""", "patient.sex" },
        { "misspelt property", """{"clonus": {"present": true}, "vitals": {"temprature": 39}}""", "vitals.temprature" },
        { "unknown top-level property", """{"clonus": {"present": true}, "notes": "x"}""", "notes" },
        { "duplicate key", """{"clonus": {"present": true, "present": false}}""", "clonus.present" },
        { "NaN as string", """{"clonus": {"present": true}, "vitals": {"temperatureC": "NaN"}}""", "vitals.temperatureC" },
        { "number as string", """{"clonus": {"present": true}, "vitals": {"temperatureC": "39"}}""", "vitals.temperatureC" },
        { "huge integer", """{"clonus": {"present": true, "beats": 99999999999999999999}}""", "clonus.beats" },
        { "fraction for integer", """{"clonus": {"present": true, "beats": 4.5}}""", "clonus.beats" },
        { "temperature out of range", """{"clonus": {"present": true}, "vitals": {"temperatureC": 50}}""", "vitals.temperatureC" },
        { "38 °C boundary below range", """{"clonus": {"present": true}, "vitals": {"temperatureC": 24.9}}""", "vitals.temperatureC" },
        { "age out of range", """{"clonus": {"present": true}, "patient": {"ageYears": -1}}""", "patient.ageYears" },
        { "eGFR out of range", """{"clonus": {"present": true}, "patient": {"egfr": 250}}""", "patient.egfr" },
        { "beats out of range", """{"clonus": {"present": true, "beats": 1001}}""", "clonus.beats" },
        { "rxcui not digits", """{"clonus": {"present": true}, "medications": [{"name": "x", "rxcui": "12a"}]}""", "medications[0].rxcui" },
        { "medication without name", """{"clonus": {"present": true}, "medications": [{"rxcui": "36437"}]}""", "medications[0].name" },
        { "blank medication name", """{"clonus": {"present": true}, "medications": [{"name": "   "}]}""", "medications[0].name" },
        { "null in array", """{"clonus": {"present": true}, "medications": [null]}""", "medications[0]" },
        { "condition with nothing", """{"clonus": {"present": true}, "conditions": [{"onset": "chronic"}]}""", "conditions[0].category" },
        { "system not a URI", """{"clonus": {"present": true}, "conditions": [{"code": "G35", "system": "icd10"}]}""", "conditions[0].system" },
        { "treatment without name", """{"clonus": {"present": true}, "treatmentHistory": [{"response": "effective"}]}""", "treatmentHistory[0].treatment" },
        { "missing clonus", """{"patient": {"ageYears": 30}}""", "clonus" },
        { "missing clonus.present", """{"clonus": {}}""", "clonus.present" },
        { "gestational age without pregnancy", """{"clonus": {"present": true}, "patient": {"pregnant": false, "gestationalAgeWeeks": 20}}""", "patient.gestationalAgeWeeks" },
        { "array body", "[]", "$" },
        { "string body", "\"hello\"", "$" },
        { "deep nesting", "{\"clonus\":{\"present\":true},\"x\":" + new string('[', 200) + new string(']', 200) + "}", null },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_body_gets_400_problem_details_naming_the_field(string name, string body, string? field)
    {
        var (response, problem) = await _client.PostJson(Http.Assessments, body);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode}");
        AssertProblem(response, problem, 400);
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"{name}: errors lack '{field}': {problem}");
            Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        }
    }

    [Fact]
    public async Task Too_many_medications_is_400_naming_the_list()
    {
        var body = "{\"clonus\":{\"present\":true},\"medications\":[" + string.Join(",", Enumerable.Repeat("{\"name\":\"x\"}", 101)) + "]}";
        var (response, problem) = await _client.PostJson(Http.Assessments, body);
        AssertProblem(response, problem, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("medications", out _));
    }

    [Fact]
    public async Task Over_long_string_is_400_naming_the_field()
    {
        var body = "{\"clonus\":{\"present\":true},\"medications\":[{\"name\":\"" + new string('a', 201) + "\"}]}";
        var (response, problem) = await _client.PostJson(Http.Assessments, body);
        AssertProblem(response, problem, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("medications[0].name", out _));
    }

    [Fact]
    public async Task Body_over_the_size_limit_is_413()
    {
        var body = "{\"clonus\":{\"present\":true},\"medications\":[{\"name\":\"" + new string('a', 300_000) + "\"}]}";
        var (response, problem) = await _client.PostJson(Http.Assessments, body);
        AssertProblem(response, problem, 413);
    }

    [Fact]
    public async Task Empty_and_null_bodies_are_400()
    {
        foreach (var body in new[] { "", "null" })
        {
            var (response, problem) = await _client.PostJson(Http.Assessments, body);
            AssertProblem(response, problem, 400);
        }
    }

    [Fact]
    public async Task Invalid_utf8_is_400()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"clonus\":{\"present\":true},\"medications\":[{\"name\":\"X\"}]}");
        var at = Array.IndexOf(bytes, (byte)'X');
        bytes[at] = 0xff;
        var response = await _client.PostAsync(Http.Assessments, Http.Raw(bytes));
        AssertProblem(response, await Http.Read(response), 400);
    }

    [Fact]
    public async Task Raw_control_characters_in_strings_are_400_never_500()
    {
        var (response, body) = await _client.PostJson(Http.Assessments, "{\"clonus\":{\"present\":true},\"medications\":[{\"name\":\"a\u0001b\"}]}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertProblem(response, body, 400);
    }

    [Fact]
    public async Task Wrong_content_type_is_415_problem()
    {
        var response = await _client.PostAsync(Http.Assessments, Http.Raw("{}"u8.ToArray(), "text/plain"));
        AssertProblem(response, await Http.Read(response), 415);
    }

    [Fact]
    public async Task Wrong_method_and_unknown_route_are_problem_details()
    {
        var delete = await _client.DeleteAsync(Http.Assessments);
        AssertProblem(delete, await Http.Read(delete), 405);
        var missing = await _client.GetAsync("/api/v1/nothing-here");
        AssertProblem(missing, await Http.Read(missing), 404);
    }

    internal static void AssertProblem(HttpResponseMessage response, JsonElement problem, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.MediaType());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.StartsWith("https://", problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("traceId").GetString()));
        var text = problem.GetRawText();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ClonusCds.Core", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
    }
}

public sealed class StartupRefusalTests
{
    [Fact]
    public void Service_refuses_to_start_on_invalid_knowledge_base_content()
    {
        var dir = Directory.CreateTempSubdirectory("clonus-kb-");
        try
        {
            var assembly = typeof(ClonusCds.Core.KnowledgeBase.ClinicalKnowledgeBase).Assembly;
            foreach (var name in new[] { "manifest.json", "recommendations.json", "cautions.json", "sources.json", "drugs.json", "common-drugs.json", "conditions.json", "reasoning.json" })
            {
                using var stream = assembly.GetManifestResourceStream("ClonusCds.KnowledgeBase." + name)!;
                using var reader = new StreamReader(stream);
                var text = reader.ReadToEnd();
                // One citation that resolves nowhere.
                if (name == "recommendations.json")
                {
                    text = text.Replace("\"BOYER2005\"", "\"NO-SUCH-SOURCE-1999\"", StringComparison.Ordinal);
                }

                File.WriteAllText(Path.Combine(dir.FullName, name), text);
            }

            using var factory = new ClonusApiFactory().WithWebHostBuilder(b => b.UseSetting("KnowledgeBase:Directory", dir.FullName));
            var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
            var validation = ex as ClonusCds.Core.KnowledgeBase.KnowledgeBaseValidationException
                ?? ex.InnerException as ClonusCds.Core.KnowledgeBase.KnowledgeBaseValidationException;
            Assert.NotNull(validation);
            Assert.Contains(validation.Problems, p => p.Contains("NO-SUCH-SOURCE-1999", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
