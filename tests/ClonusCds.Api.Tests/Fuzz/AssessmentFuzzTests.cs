using ClonusCds.Api.OpenApi;
using FsCheck.Fluent;
using Xunit.Abstractions;

namespace ClonusCds.Api.Tests.Fuzz;

/// <summary>
/// POST /api/v1/assessments under fuzzing: random JSON of any shape, and every worked example with
/// one mutation. Never a 5xx; every 4xx a ProblemDetails; no internals in any body. See docs/fuzzing.md.
/// </summary>
public sealed class AssessmentFuzzTests(FuzzApiFactory factory, ITestOutputHelper output) : IClassFixture<FuzzApiFactory>
{
    private readonly FuzzHarness _harness = new(factory, output);

    /// <summary>The worked examples' request bodies (OpenApi/Examples/*.json, "value").</summary>
    internal static IReadOnlyList<(string Name, JValue Value)> Examples { get; } =
        WorkedExamples.All.Select(e => (e.Name, JText.From(e.Example.Value))).ToList();

    private static readonly Vocabulary Words = Vocabulary.Harvest(Examples.Select(e => e.Value));

    private static readonly List<Mutator> Mutators = Examples.Select(e => new Mutator(e.Value, Words)).ToList();

    private static string Healthy => JText.ToText(Examples[0].Value);

    [Fact]
    public async Task Every_worked_example_is_accepted_as_it_stands()
    {
        Assert.NotEmpty(Examples);
        foreach (var (_, value) in Examples)
        {
            await _harness.AssertHealthyAsync(Http.Assessments, JText.ToText(value));
        }
    }

    [Fact]
    public async Task Random_json_bodies_never_get_a_5xx()
    {
        await _harness.RunAsync(
            nameof(AssessmentFuzzTests) + "." + nameof(Random_json_bodies_never_get_a_5xx),
            FuzzGen.Body(Words).Select(body => new FuzzCase(Http.Assessments, "random body", body)),
            Surface.Assessments);
        await _harness.AssertHealthyAsync(Http.Assessments, Healthy);
    }

    [Fact]
    public async Task Worked_examples_with_one_mutation_never_get_a_5xx()
    {
        var cases =
            from index in Gen.Choose(0, Examples.Count - 1)
            from mutant in Mutators[index].Any()
            select mutant.At(Http.Assessments) with { Label = $"{Examples[index].Name}: {mutant.Label}" };
        await _harness.RunAsync(
            nameof(AssessmentFuzzTests) + "." + nameof(Worked_examples_with_one_mutation_never_get_a_5xx),
            cases,
            Surface.Assessments);
        await _harness.AssertHealthyAsync(Http.Assessments, Healthy);
    }
}
