using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using Xunit.Abstractions;

namespace ClonusCds.Core.Tests;

/// <summary>
/// Thousands of random patient contexts through the engine, each assessment written by the fast
/// writer and by the serializer and compared byte for byte. Seeded, so a failure replays.
/// </summary>
public sealed class AssessmentJsonWriterGeneratedTests(ITestOutputHelper output)
{
    private const int Count = 3000;
    private const int Seed = 20261121;

    [Fact]
    public void Random_patients_are_written_as_the_serializer_writes_them()
    {
        var patients = new RandomPatients(Seed);
        var etiologies = new HashSet<(Etiology, EtiologySubtype?)>();
        var codes = new HashSet<string>(StringComparer.Ordinal);
        var unrecognized = 0;
        for (var i = 0; i < Count; i++)
        {
            var context = patients.Next();
            var a = Engine.Assess(context);
            etiologies.Add((a.Etiology.Primary, a.Etiology.Subtype));
            foreach (var code in a.AllCodes())
            {
                codes.Add(code);
            }

            unrecognized += a.UnrecognizedInputs.Count;
            AssessmentJsonWriterTests.AssertIdentical(a, $"seed {Seed}, patient {i}");
        }

        output.WriteLine($"{Count} patients: {etiologies.Count} etiology/subtype pairs, {codes.Count} of {Engine.Kb.Recommendations.Count} codes, {unrecognized} unrecognised inputs");
        output.WriteLine(string.Join(", ", etiologies.Order().Select(e => $"{e.Item1}/{e.Item2}")));
        // The generator must reach the breadth of the engine, or the comparison proves little.
        foreach (var etiology in Enum.GetValues<Etiology>())
        {
            Assert.Contains(etiologies, e => e.Item1 == etiology);
        }

        Assert.True(etiologies.Count >= 15, $"only {etiologies.Count} etiology/subtype pairs reached");
        Assert.True(codes.Count >= Engine.Kb.Recommendations.Count * 9 / 10, $"only {codes.Count} of {Engine.Kb.Recommendations.Count} codes reached");
        Assert.True(unrecognized > 100, $"only {unrecognized} unrecognised inputs");
    }
}
