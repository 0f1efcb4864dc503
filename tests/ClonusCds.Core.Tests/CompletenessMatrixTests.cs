using System.Diagnostics;
using System.Text.Json;
using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using Xunit.Abstractions;

namespace ClonusCds.Core.Tests;

/// <summary>
/// The completeness matrix (Cases/completeness-matrix.json; docs/knowledge-base.md, "Completeness
/// matrix"): for each etiology × severity × situation row, the codes that must be in the answer and
/// those that must not. Each row is checked three ways, one test case per row so that a failure
/// names its row: the row is well-formed (codes, sources and situations exist); its hand-written
/// examples fall under the row and meet it; and every generated patient (seeded
/// <see cref="RandomPatients"/>) and every clinical case that falls under the row meets it.
/// Run only these: <c>dotnet test tests/ClonusCds.Core.Tests --filter CompletenessMatrix</c>.
/// </summary>
public sealed class CompletenessMatrixTests(ITestOutputHelper output)
{
    /// <summary>Seeds and patients per seed for the generated population (about 4,000 patients).</summary>
    private static readonly int[] Seeds = [1401, 1402, 1403, 1404];
    private const int PatientsPerSeed = 1000;
    private const int MaxListed = 12;

    private sealed record Patient(string Label, PatientContext Request, Assessment Answer);

    private static readonly Lazy<IReadOnlyList<Patient>> Population = new(BuildPopulation);

    public static TheoryData<string> RowIds()
    {
        var data = new TheoryData<string>();
        foreach (var row in CompletenessMatrix.Rows)
        {
            data.Add(row.Id);
        }

        return data;
    }

    [Fact]
    public void CompletenessMatrix_has_unique_row_ids_and_covers_every_etiology()
    {
        var rows = CompletenessMatrix.Rows;
        Assert.True(rows.Count >= 30, $"only {rows.Count} rows");
        var duplicates = rows.GroupBy(r => r.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"duplicate row ids: {string.Join(", ", duplicates)}");
        var named = rows.SelectMany(r => r.When.Etiology).ToHashSet();
        var missing = Enum.GetValues<Etiology>().Select(MatrixSituations.Wire).Where(e => !named.Contains(e)).ToList();
        Assert.True(missing.Count == 0, $"no row names etiology {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(RowIds))]
    public void CompletenessMatrix_row_is_well_formed(string id)
    {
        var row = CompletenessMatrix.Row(id);
        var kb = Engine.Kb;
        var problems = new List<string>(row.ReadProblems);
        if (string.IsNullOrWhiteSpace(row.SituationText))
        {
            problems.Add("no plain-language 'situation'");
        }

        if (row.Sources.Count == 0)
        {
            problems.Add("no sources");
        }

        problems.AddRange(row.Sources.Where(s => !kb.SourcesById.ContainsKey(s)).Select(s => $"unknown source {s}"));
        problems.AddRange(row.Codes.Distinct().Where(c => !kb.RecommendationsByCode.ContainsKey(c)).Select(c => $"code {c} is not in the knowledge base"));
        problems.AddRange(row.CautionIds.Distinct().Where(k => !kb.CautionsById.ContainsKey(k)).Select(k => $"caution {k} is not in the knowledge base"));
        problems.AddRange(row.When.SituationNames.Where(n => !MatrixSituations.All.ContainsKey(n)).Select(n => $"situation {n} is not implemented (Support/MatrixSituations.cs)"));
        problems.AddRange(row.MustNotBeEmpty.Where(t => !MatrixRow.Tiers.Contains(t)).Select(t => $"mustNotBeEmpty names unknown tier {t}"));
        Valid("etiology", row.When.Etiology, Enum.GetValues<Etiology>().Select(MatrixSituations.Wire));
        Valid("subtype", row.When.Subtype, Enum.GetValues<EtiologySubtype>().Select(MatrixSituations.Wire).Append("none"));
        Valid("severity", row.When.Severity, Enum.GetValues<Severity>().Select(MatrixSituations.Wire).Append("none"));
        Valid("urgency", row.When.Urgency, Enum.GetValues<Urgency>().Select(MatrixSituations.Wire));
        if (row.MustInclude.Count + row.MustNotInclude.Count + row.MustIncludeAnyOf.Count + row.MustIncludeInTier.Count
            + row.MustNotIncludeInTier.Count + row.MustNotBeEmpty.Count + row.CautionsWhenPresent.Count == 0)
        {
            problems.Add("the row expects nothing");
        }

        if (row.Examples.Count == 0)
        {
            problems.Add("no hand-written example");
        }

        problems.AddRange(row.Examples.Where(e => e.CaseId is not null && !CompletenessMatrix.CaseRequests.ContainsKey(e.CaseId))
            .Select(e => $"example refers to case {e.CaseId}, which is not in Cases/*.json"));
        problems.AddRange(row.MustInclude.Intersect(row.MustNotInclude).Select(c => $"{c} is both required and forbidden"));
        Assert.True(problems.Count == 0, $"{id}:\n  " + string.Join("\n  ", problems));

        void Valid(string what, IEnumerable<string> given, IEnumerable<string> allowed)
        {
            var set = allowed.ToHashSet();
            problems.AddRange(given.Where(g => !set.Contains(g)).Select(g => $"when.{what} '{g}' is not a value of the response"));
        }
    }

    [Theory]
    [MemberData(nameof(RowIds))]
    public void CompletenessMatrix_row_examples_fall_under_the_row_and_meet_it(string id)
    {
        var row = CompletenessMatrix.Row(id);
        Assert.True(row.Examples.Count > 0, $"{id}: no hand-written example");
        Assert.True(row.When.SituationNames.All(MatrixSituations.All.ContainsKey), $"{id}: names a situation that is not implemented");
        var failures = new List<string>();
        foreach (var example in row.Examples)
        {
            if (example.CaseId is not null && !CompletenessMatrix.CaseRequests.ContainsKey(example.CaseId))
            {
                failures.Add($"{example.Name}: no case {example.CaseId}");
                continue;
            }

            var request = CompletenessMatrix.Request(example);
            var answer = Engine.Assess(request);
            if (!row.When.Holds(request, answer, out var why))
            {
                failures.Add($"{example.Name}: the example does not fall under the row ({why}): either the example is wrong or the engine's {Describe(answer)} differs from what the example was written for");
                continue;
            }

            var problems = row.Check(answer);
            if (problems.Count > 0)
            {
                failures.Add($"{example.Name}: {string.Join("; ", problems)} [{Describe(answer)}; codes {string.Join(",", answer.AllCodes())}]");
            }
        }

        Assert.True(failures.Count == 0, $"{id}:\n  " + string.Join("\n  ", failures));
    }

    [Theory]
    [MemberData(nameof(RowIds))]
    public void CompletenessMatrix_row_holds_for_every_generated_patient_and_case_under_it(string id)
    {
        var row = CompletenessMatrix.Row(id);
        Assert.True(row.When.SituationNames.All(MatrixSituations.All.ContainsKey), $"{id}: names a situation that is not implemented");
        var under = 0;
        var violations = new List<string>();
        foreach (var p in Population.Value)
        {
            if (!row.When.Holds(p.Request, p.Answer, out _))
            {
                continue;
            }

            under++;
            var problems = row.Check(p.Answer);
            if (problems.Count > 0)
            {
                violations.Add($"{p.Label}: {string.Join("; ", problems)} [{Describe(p.Answer)}]");
            }
        }

        output.WriteLine($"{id}: {under} of {Population.Value.Count} patients fall under the row; {violations.Count} violate it");
        var listed = violations.Take(MaxListed).ToList();
        if (violations.Count > MaxListed)
        {
            listed.Add($"… and {violations.Count - MaxListed} more");
        }

        Assert.True(violations.Count == 0,
            $"{id}: {violations.Count} of {under} patients under the row violate it (rebuild one with new RandomPatients(seed) and Next() index+1 times):\n  "
            + string.Join("\n  ", listed));
    }

    [Fact]
    public void CompletenessMatrix_generated_population_has_the_configured_size()
    {
        var watch = Stopwatch.StartNew();
        var count = Population.Value.Count;
        output.WriteLine($"{count} patients assessed in {watch.ElapsedMilliseconds} ms (0 if already built)");
        Assert.True(count >= Seeds.Length * PatientsPerSeed);
    }

    /// <summary>docs/knowledge-base.md ("Completeness matrix") gives each situation's exact definition to the clinical reviewer.</summary>
    [Fact]
    public void CompletenessMatrix_every_situation_is_documented_with_its_definition()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ClonusCds.sln")))
        {
            dir = dir.Parent;
        }

        Assert.True(dir is not null, "repository root (ClonusCds.sln) not found above the test output");
        var doc = File.ReadAllText(Path.Combine(dir.FullName, "docs", "knowledge-base.md"));
        var missing = MatrixSituations.All.Values
            .Where(s => !doc.Contains($"| `{s.Name}` | {s.Definition.Replace("|", "\\|", StringComparison.Ordinal)} |", StringComparison.Ordinal))
            .Select(s => s.Name).ToList();
        Assert.True(missing.Count == 0, $"docs/knowledge-base.md lacks the row '| `name` | definition |' for: {string.Join(", ", missing)}");
    }

    /// <summary>A check that the checker can fail: an answer lacking a required code is reported.</summary>
    [Fact]
    public void CompletenessMatrix_checker_reports_a_missing_and_a_forbidden_code()
    {
        using var doc = JsonDocument.Parse("""
            { "id": "self-test", "situation": "s", "sources": ["SEED-000"], "when": { "situations": ["clonus_present"] },
              "mustInclude": ["no_such_code"], "mustNotInclude": ["cold_application"], "mustNotBeEmpty": ["refractory"],
              "mustIncludeInTier": { "firstLine": ["cold_application"] }, "cautionsWhenPresent": { "cold_application": ["no_such_caution"] },
              "examples": [] }
            """);
        var row = MatrixRow.Read(doc.RootElement, 0);
        var answer = Engine.Assess(CompletenessMatrix.Request(new MatrixExample("umn", "umn-03-chronic-stroke-unilateral-clonus-baclofen-with-caution", null)));
        var problems = row.Check(answer);
        Assert.Contains("missing no_such_code", problems);
        Assert.Contains("forbidden cold_application present", problems);
        Assert.Contains("refractory is empty", problems);
        Assert.Contains(problems, p => p.StartsWith("cold_application lacks caution no_such_caution", StringComparison.Ordinal));
        Assert.Empty(row.ReadProblems);
        using var bad = JsonDocument.Parse("""{ "id": "x", "when": { "situation": [] }, "mustNotInclde": [] }""");
        var badRow = MatrixRow.Read(bad.RootElement, 0);
        Assert.Contains("unknown key 'mustNotInclde'", badRow.ReadProblems);
        Assert.Contains("unknown key 'when.situation'", badRow.ReadProblems);
    }

    private static string Describe(Assessment a) =>
        $"{MatrixSituations.Wire(a.Etiology.Primary)}"
        + (a.Etiology.Subtype is { } s ? "/" + MatrixSituations.Wire(s) : "")
        + $", {MatrixSituations.Wire(a.Urgency)}"
        + (a.SerotoninToxicity?.Severity is { } sv ? $", severity {MatrixSituations.Wire(sv)}" : "");

    private static List<Patient> BuildPopulation()
    {
        var list = new List<Patient>();
        foreach (var (caseId, request) in CompletenessMatrix.CaseRequests)
        {
            var context = request.Deserialize<PatientContext>(ClonusJson.Options)!;
            list.Add(new Patient($"case {caseId}", context, Engine.Assess(context)));
        }

        foreach (var seed in Seeds)
        {
            var patients = new RandomPatients(seed);
            for (var i = 0; i < PatientsPerSeed; i++)
            {
                var context = patients.Next();
                list.Add(new Patient($"seed {seed} index {i}", context, Engine.Assess(context)));
            }
        }

        return list;
    }
}
