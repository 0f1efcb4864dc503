using ClonusCds.Api.OpenApi;
using ClonusCds.Api.Tests.CdsHooks;

namespace ClonusCds.Api.Tests.Hardening;

/// <summary>
/// The real Serilog output (the JSON lines the console sink writes, captured from stdout) holds no
/// patient value after every worked example, every CDS Hooks fixture, feedback with a comment, and
/// bad requests have gone through the service.
/// </summary>
[Collection(nameof(ConsoleCapture))]
public sealed class SerilogOutputTests
{
    [Fact]
    public async Task No_patient_value_reaches_the_serilog_json_output()
    {
        const string comment = "Mrs Olsen-Marker-5521 declined, see her daughter";
        const string badName = "Sertralina-Marker-7731";
        var values = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { comment, badName };
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(TextWriter.Synchronized(output));
        try
        {
            await using var factory = new ClonusApiFactory();
            var client = factory.CreateClient();
            foreach (var (_, example) in WorkedExamples.All)
            {
                await client.PostJson(Http.Assessments, example.Value.GetRawText());
            }

            foreach (var file in FixtureLoader.Files())
            {
                var fixture = FixtureLoader.Load(file);
                CdsLoggingTests.Collect(fixture.Request, values);
                await client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);
            }

            await client.PostJson("/cds-services/clonus-order-check/feedback",
                $$"""{"feedback":[{"card":"4e0a3a1e-3283-4575-ab82-028d55fe2719","outcome":"overridden","overrideReason":{"userComment":"{{comment}}"},"outcomeTimestamp":"2026-11-20T10:00:00Z"}]}""");
            await client.PostJson(Http.Assessments, $$"""{"clonus":{"present":true},"medications":[{"name":"{{badName}}","rxcui":"bad"}]}""");
            await client.PostJson(Http.Assessments, "{\"clonus\":{\"present\":\"" + badName + "\"}}");
            await client.PostJson("/cds-services/clonus-order-check", "{\"hook\":\"" + badName + "\"}");
        }
        finally
        {
            Console.SetOut(original);
        }

        var text = output.ToString();
        // The capture must hold the service's JSON lines, or the check below proves nothing.
        Assert.Contains("\"RenderedMessage\"", text, StringComparison.Ordinal);
        Assert.Contains("/cds-services/{id}", text, StringComparison.Ordinal);
        // Routes are logged as templates: the raw path property is on no line.
        Assert.DoesNotContain("\"RequestPath\"", text, StringComparison.Ordinal);
        Assert.True(values.Count > 50, $"only {values.Count} patient values collected");
        var leaks = values.Where(v => text.Contains(v, StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(leaks.Count == 0, "patient values in the Serilog output: " + string.Join(" | ", leaks));
    }
}

/// <summary>Tests that redirect the console run alone.</summary>
[CollectionDefinition(nameof(ConsoleCapture), DisableParallelization = true)]
public sealed class ConsoleCapture;
