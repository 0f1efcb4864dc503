using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClonusCds.Api.OpenApi;
using Json.Schema;

namespace ClonusCds.Api.Tests;

/// <summary>
/// Issue 15 part 6: the published OpenAPI document matches the contract and the running code.
/// Every worked example's request validates against the request schema the document publishes for
/// POST /api/v1/assessments, and the service's real answer to it against the published 200 schema
/// (JsonSchema.Net, draft 2020-12, $refs resolved from the document's components).
/// </summary>
public sealed class OpenApiSchemaTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> Examples() => [.. WorkedExamples.All.Select(e => e.Name)];

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Worked_example_request_and_its_real_answer_validate_against_the_published_schemas(string name)
    {
        var (request, response) = await Schemas();
        var example = WorkedExamples.All.Single(e => e.Name == name).Example.Value;
        AssertValid(request, example.GetRawText(), $"{name} request");

        var (status, answer) = await _client.PostJson(Http.Assessments, example.GetRawText());
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        AssertValid(response, answer.GetRawText(), $"{name} answer");
        Assert.True(answer.TryGetProperty("summary", out _));

        var (summaryStatus, summaryAnswer) = await _client.PostJson(Http.Assessments + "?view=summary", example.GetRawText());
        Assert.Equal(HttpStatusCode.OK, summaryStatus.StatusCode);
        AssertValid(response, summaryAnswer.GetRawText(), $"{name} answer (view=summary)");
    }

    [Theory]
    [InlineData("""{"patient": {"ageYears": 30}}""")]
    [InlineData("""{"clonus": null}""")]
    [InlineData("""{"clonus": {"present": null}}""")]
    [InlineData("""{"clonus": {"present": true}, "medications": [{"rxcui": "36437"}]}""")]
    [InlineData("""{"clonus": {"present": true}, "treatmentHistory": [{"response": "effective"}]}""")]
    [InlineData("""{"clonus": {"present": true}, "vitals": {"temprature": 39}}""")]
    [InlineData("""{"clonus": {"present": true, "sites": ["Ankle"]}}""")]
    public async Task What_the_contract_requires_the_request_schema_requires(string body)
    {
        var (request, _) = await Schemas();
        using var json = JsonDocument.Parse(body);
        Assert.False(request.Evaluate(json.RootElement).IsValid, body);
    }

    [Theory]
    [InlineData("""{"clonus": {"present": false}}""")]
    [InlineData("""{"clonus": {"present": true, "beats": null}, "patient": null, "setting": null, "exam": {"reflexes": null}, "medications": null}""")]
    public async Task Everything_else_may_be_absent_or_null(string body)
    {
        var (request, _) = await Schemas();
        AssertValid(request, body, body);
    }

    [Fact]
    public async Task Every_member_of_the_assessment_and_its_parts_is_required()
    {
        var (_, doc) = await _client.GetJson("/swagger/v1/swagger.json");
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        foreach (var type in ContractSchemaFilter.ResponseTypes)
        {
            var schema = schemas.GetProperty(type.Name);
            var properties = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToList();
            var required = schema.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Order().ToList();
            // ?view=summary leaves out the trace and the citation bodies: only those may be absent.
            Assert.Equal(properties.Where(p => type != typeof(ClonusCds.Core.Model.Assessment) || p is not ("trace" or "citations")), required);
        }

        // The summary object from main is there, required, with all its members required.
        var top = schemas.GetProperty("Assessment");
        Assert.Contains("summary", top.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        var summary = schemas.GetProperty("AssessmentSummary");
        Assert.Equal(
            ["firstActions", "headline", "keyPitfalls", "markdown", "missing", "text"],
            summary.GetProperty("required").EnumerateArray().Select(r => r.GetString()!).Order());

        // Nullable where the answer may send null, and only there.
        var assessment = schemas.GetProperty("Assessment").GetProperty("properties");
        Assert.True(assessment.GetProperty("serotoninToxicity").GetProperty("nullable").GetBoolean());
        Assert.False(assessment.GetProperty("etiology").TryGetProperty("nullable", out _));
        Assert.True(schemas.GetProperty("EtiologyAssessment").GetProperty("properties").GetProperty("subtype").GetProperty("nullable").GetBoolean());
    }

    [Fact]
    public async Task The_200_examples_are_the_engines_answers_to_the_worked_examples()
    {
        var (_, doc) = await _client.GetJson("/swagger/v1/swagger.json");
        var paths = doc.GetProperty("paths");
        var op = (paths.TryGetProperty("/api/v1/assessments", out var p) ? p : paths.GetProperty("/api/v1/assessments/")).GetProperty("post");
        var examples = op.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("examples");
        var (_, response) = await Schemas();
        foreach (var (name, example) in WorkedExamples.All)
        {
            var shown = examples.GetProperty(name).GetProperty("value");
            AssertValid(response, shown.GetRawText(), $"{name} 200 example");

            // The same call as the service answers now (the id aside).
            var (_, answer) = await _client.PostJson(Http.Assessments, example.Value.GetRawText());
            Assert.Equal(Without(answer, "assessmentId"), Without(shown, "assessmentId"));
        }

        // Coherent: example 01's answer is serotonin toxicity, severe, an emergency, with no subtype.
        var first = examples.GetProperty("01-serotonin-toxicity-severe").GetProperty("value");
        Assert.Equal("serotonin_toxicity", first.GetProperty("etiology").GetProperty("primary").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("etiology").GetProperty("subtype").ValueKind);
        Assert.Equal("emergency", first.GetProperty("urgency").GetString());
    }

    private static string Without(JsonElement element, string member)
    {
        var node = JsonNode.Parse(element.GetRawText())!.AsObject();
        node.Remove(member);
        return node.ToJsonString();
    }

    private static void AssertValid(JsonSchema schema, string json, string what)
    {
        using var document = JsonDocument.Parse(json);
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!result.IsValid)
        {
            var errors = (result.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key} {e.Value}"))
                .Take(20);
            Assert.Fail($"{what} does not validate:\n{string.Join("\n", errors)}");
        }
    }

    /// <summary>The request and 200 response schemas of POST /api/v1/assessments, as JSON Schema 2020-12.</summary>
    private async Task<(JsonSchema Request, JsonSchema Response)> Schemas()
    {
        var (_, doc) = await _client.GetJson("/swagger/v1/swagger.json");
        var root = JsonNode.Parse(doc.GetRawText())!;
        var paths = root["paths"]!.AsObject();
        var op = (paths["/api/v1/assessments"] ?? paths["/api/v1/assessments/"])!["post"]!;
        var request = op["requestBody"]!["content"]!["application/json"]!["schema"]!;
        var response = op["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;
        var defs = OpenApi30ToJsonSchema.Convert(root["components"]!["schemas"]!);
        return (Build(request, defs), Build(response, defs));
    }

    private static JsonSchema Build(JsonNode operationSchema, JsonNode defs)
    {
        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = $"https://clonuscds.invalid/schema/{Guid.NewGuid():N}",
            ["$defs"] = defs.DeepClone(),
        };
        foreach (var (key, value) in OpenApi30ToJsonSchema.Convert(operationSchema).AsObject())
        {
            schema[key] = value?.DeepClone();
        }

        return JsonSchema.FromText(schema.ToJsonString());
    }
}

/// <summary>
/// An OpenAPI 3.0 schema as JSON Schema 2020-12: <c>nullable: true</c> becomes <c>anyOf [schema, null]</c>,
/// and <c>#/components/schemas/X</c> references become <c>#/$defs/X</c>.
/// </summary>
internal static class OpenApi30ToJsonSchema
{
    public static JsonNode Convert(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
            {
                var copy = new JsonObject();
                var nullable = false;
                foreach (var (key, value) in obj)
                {
                    if (key == "nullable")
                    {
                        nullable = value?.GetValue<bool>() == true;
                        continue;
                    }

                    if (key is "example" or "examples" or "discriminator" or "xml" or "externalDocs")
                    {
                        continue;
                    }

                    copy[key] = key == "$ref" && value?.GetValue<string>() is { } reference
                        ? reference.Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal)
                        : value is null ? null : Convert(value);
                }

                return nullable ? new JsonObject { ["anyOf"] = new JsonArray(copy, new JsonObject { ["type"] = "null" }) } : copy;
            }

            case JsonArray array:
                return new JsonArray([.. array.Select(item => item is null ? null : Convert(item))]);
            default:
                return node.DeepClone();
        }
    }
}
