using System.Text.Json;
using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;

namespace ClonusCds.Core.Tests;

/// <summary>
/// Table-driven clinical cases (Cases/*.json), written from the sources independently of the
/// engine. Each case states the etiology, urgency, Hunter result, severity, codes that must appear
/// and codes that must never appear.
/// </summary>
public sealed class ClinicalCaseTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in CaseFiles.All())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var c in doc.RootElement.EnumerateArray())
            {
                data.Add(Path.GetFileName(file), c.GetProperty("id").GetString()!);
            }
        }

        return data;
    }

    [Fact]
    public void Case_files_hold_at_least_thirty_cases_covering_every_etiology()
    {
        var etiologies = new HashSet<string>();
        var count = 0;
        foreach (var (file, id) in Cases().Select(r => ((string)r[0], (string)r[1])))
        {
            etiologies.Add(Load(file, id).GetProperty("expect").GetProperty("etiology").GetString()!);
            count++;
        }

        Assert.True(count >= 30, $"only {count} cases");
        foreach (var e in Enum.GetValues<Etiology>())
        {
            Assert.Contains(JsonNamingPolicy.SnakeCaseLower.ConvertName(e.ToString()), etiologies);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_is_triaged_as_the_sources_say(string file, string id)
    {
        var c = Load(file, id);
        var request = c.GetProperty("request").Deserialize<PatientContext>(ClonusJson.Options)!;
        var expect = c.GetProperty("expect");
        var a = Engine.Assess(request);
        var json = JsonSerializer.SerializeToElement(a, ClonusJson.Options);
        var failures = new List<string>();

        void Check(string what, string? expected, string? actual)
        {
            if (expected != actual)
            {
                failures.Add($"{what}: expected {expected ?? "null"}, got {actual ?? "null"}");
            }
        }

        Check("etiology", expect.GetProperty("etiology").GetString(), json.GetProperty("etiology").GetProperty("primary").GetString());
        if (expect.TryGetProperty("subtype", out var subtype))
        {
            Check("subtype", subtype.GetString(), json.GetProperty("etiology").GetProperty("subtype").GetString());
        }

        Check("urgency", expect.GetProperty("urgency").GetString(), json.GetProperty("urgency").GetString());
        var st = json.GetProperty("serotoninToxicity");
        if (expect.TryGetProperty("hunterCriteriaMet", out var met))
        {
            Check("hunterCriteriaMet", met.ValueKind == JsonValueKind.Null ? null : met.GetBoolean().ToString(),
                st.ValueKind == JsonValueKind.Null ? "no serotoninToxicity block" : st.GetProperty("hunterCriteriaMet").ValueKind == JsonValueKind.Null ? null : st.GetProperty("hunterCriteriaMet").GetBoolean().ToString());
        }

        if (expect.TryGetProperty("hunterRulesFired", out var rules))
        {
            var fired = a.SerotoninToxicity?.HunterRulesFired ?? [];
            foreach (var r in rules.EnumerateArray())
            {
                if (!fired.Contains(r.GetInt32()))
                {
                    failures.Add($"hunter rule {r.GetInt32()} expected to fire; fired: [{string.Join(",", fired)}]");
                }
            }
        }

        if (expect.TryGetProperty("severity", out var severity))
        {
            Check("severity", severity.ValueKind == JsonValueKind.Null ? null : severity.GetString(),
                st.ValueKind == JsonValueKind.Null ? null : st.GetProperty("severity").ValueKind == JsonValueKind.Null ? null : st.GetProperty("severity").GetString());
        }

        var codes = a.AllCodes();
        foreach (var code in Strings(expect, "mustInclude"))
        {
            if (!codes.Contains(code))
            {
                failures.Add($"missing code {code}");
            }
        }

        foreach (var code in Strings(expect, "mustNotInclude"))
        {
            if (codes.Contains(code))
            {
                failures.Add($"forbidden code {code} present");
            }
        }

        foreach (var field in Strings(expect, "missingDataIncludes"))
        {
            if (!a.MissingData.Any(m => m.Field == field))
            {
                failures.Add($"missingData lacks {field} (has {string.Join(",", a.MissingData.Select(m => m.Field))})");
            }
        }

        // An etiology or subtype wire name that must be among the differentials.
        var differentials = json.GetProperty("etiology").GetProperty("differentials").EnumerateArray()
            .SelectMany(d => new[] { d.GetProperty("etiology").GetString(), d.GetProperty("subtype").GetString() }).ToList();
        foreach (var name in Strings(expect, "differentialIncludes"))
        {
            if (!differentials.Contains(name))
            {
                failures.Add($"differentials lack {name} (have {string.Join(",", differentials.Where(d => d is not null))})");
            }
        }

        foreach (var name in Strings(expect, "unrecognizedIncludes"))
        {
            if (!a.UnrecognizedInputs.Any(u => u.Value == name))
            {
                failures.Add($"unrecognizedInputs lacks {name}");
            }
        }

        foreach (var name in Strings(expect, "unrecognizedExcludes"))
        {
            if (a.UnrecognizedInputs.Any(u => u.Value == name))
            {
                failures.Add($"unrecognizedInputs holds {name}, which the vocabulary should place");
            }
        }

        // Codes in a given group: firstLine, adjunct, refractory, monitoring, workup or pitfalls.
        foreach (var (tier, code) in TierCodes(expect, "mustIncludeInTier"))
        {
            if (!MatrixRow.TierCodes(a, tier).Contains(code))
            {
                failures.Add($"{code} not in {tier}" + (codes.Contains(code) ? " (present in another group)" : " (absent)"));
            }
        }

        foreach (var (tier, code) in TierCodes(expect, "mustNotIncludeInTier"))
        {
            if (MatrixRow.TierCodes(a, tier).Contains(code))
            {
                failures.Add($"{code} must not be in {tier}");
            }
        }

        foreach (var tier in Strings(expect, "mustNotBeEmpty"))
        {
            if (MatrixRow.TierCodes(a, tier).Count == 0)
            {
                failures.Add($"{tier} is empty");
            }
        }

        // Cautions attached to an item: { "code": ["caution id", ...] }.
        foreach (var (code, caution) in TierCodes(expect, "cautionsInclude"))
        {
            var item = a.Item(code);
            if (item is null)
            {
                failures.Add($"caution {caution} expected on {code}, which is absent");
            }
            else if (!item.Cautions.Any(k => k.Id == caution))
            {
                failures.Add($"{code} lacks caution {caution} (has {string.Join(",", item.Cautions.Select(k => k.Id))})");
            }
        }

        foreach (var (code, caution) in TierCodes(expect, "cautionsExclude"))
        {
            if (a.Item(code) is { } item && item.Cautions.Any(k => k.Id == caution))
            {
                failures.Add($"{code} carries caution {caution}");
            }
        }

        Assert.True(failures.Count == 0, $"{id}: {string.Join("; ", failures)}\ncodes: {string.Join(",", codes)}");
    }

    /// <summary>Every expectation key the driver reads: a misspelt key would otherwise pass silently.</summary>
    private static readonly HashSet<string> ExpectKeys =
    [
        "etiology", "subtype", "urgency", "hunterCriteriaMet", "hunterRulesFired", "severity", "mustInclude", "mustNotInclude",
        "missingDataIncludes", "differentialIncludes", "unrecognizedIncludes", "unrecognizedExcludes", "mustIncludeInTier",
        "mustNotIncludeInTier", "mustNotBeEmpty", "cautionsInclude", "cautionsExclude",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_uses_only_expectation_keys_the_driver_reads(string file, string id)
    {
        var unknown = Load(file, id).GetProperty("expect").EnumerateObject().Select(p => p.Name).Where(n => !ExpectKeys.Contains(n)).ToList();
        Assert.True(unknown.Count == 0, $"{id}: unknown expectation key(s) {string.Join(", ", unknown)}");
        foreach (var tier in new[] { "mustIncludeInTier", "mustNotIncludeInTier" }.SelectMany(k => TierCodes(Load(file, id).GetProperty("expect"), k)).Select(t => t.Key)
            .Concat(Strings(Load(file, id).GetProperty("expect"), "mustNotBeEmpty")))
        {
            Assert.Contains(tier, MatrixRow.Tiers);
        }
    }

    /// <summary>{ "key": ["value", ...] } flattened to (key, value) pairs.</summary>
    private static IEnumerable<KeyValuePair<string, string>> TierCodes(JsonElement e, string name) =>
        e.TryGetProperty(name, out var obj)
            ? obj.EnumerateObject().SelectMany(p => p.Value.EnumerateArray().Select(v => new KeyValuePair<string, string>(p.Name, v.GetString()!)))
            : [];

    private static IEnumerable<string> Strings(JsonElement e, string name) =>
        e.TryGetProperty(name, out var arr) ? arr.EnumerateArray().Select(x => x.GetString()!) : [];

    private static JsonElement Load(string file, string id)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Cases", file)));
        return doc.RootElement.EnumerateArray().First(c => c.GetProperty("id").GetString() == id).Clone();
    }
}
