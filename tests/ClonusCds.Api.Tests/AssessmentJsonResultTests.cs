using System.Net;
using System.Text;
using System.Text.Json;
using ClonusCds.Api.OpenApi;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Tests;

/// <summary>
/// POST /api/v1/assessments answers through AssessmentJsonWriter: the body must be exactly what
/// the framework's serializer writes with the app's own HTTP JSON options (what
/// TypedResults.Ok(assessment) sent), and the headers as before.
/// </summary>
public sealed class AssessmentJsonResultTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> ExampleNames() => [.. WorkedExamples.All.Select(e => e.Name)];

    [Theory]
    [MemberData(nameof(ExampleNames))]
    public async Task Worked_example_body_is_the_serializers_bytes(string name)
    {
        await AssertSerializerBytes(WorkedExamples.All.Single(e => e.Name == name).Example.Value.GetRawText());
    }

    [Fact]
    public async Task Patient_text_with_awkward_characters_is_escaped_as_the_serializer_escapes_it()
    {
        // Unrecognised names come back in unrecognizedInputs: HTML-significant characters, quotes,
        // controls, non-ASCII, emoji and line separators.
        await AssertSerializerBytes("""
            {
              "clonus": { "present": true },
              "medications": [
                { "name": "<b>&'\"+`é😀\u0001\n\u2028x" },
                { "name": "中文药物 \\ / \t" }
              ],
              "conditions": [ { "display": "zzq \u00e9\u4e2d ±" } ]
            }
            """);
    }

    private async Task AssertSerializerBytes(string body)
    {
        var response = await _client.PostAsync(Http.Assessments, Http.Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var actual = await response.Content.ReadAsByteArrayAsync();

        // The same assessment again (the engine is deterministic except for the id), serialized
        // as the framework would with the app's options.
        var options = factory.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var context = JsonSerializer.Deserialize<PatientContext>(body, options)!;
        using var sent = JsonDocument.Parse(actual);
        var assessment = factory.Services.GetRequiredService<TriageEngine>().Assess(context)
            with { AssessmentId = sent.RootElement.GetProperty("assessmentId").GetGuid() };
        var expected = JsonSerializer.SerializeToUtf8Bytes(assessment, options);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
        Assert.Equal(expected, actual);
    }
}
