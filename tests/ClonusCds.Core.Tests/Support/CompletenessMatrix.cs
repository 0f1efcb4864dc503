using System.Text.Json;
using ClonusCds.Core.Model;

namespace ClonusCds.Core.Tests.Support;

/// <summary>
/// One row of Cases/completeness-matrix.json: in a situation (<see cref="When"/>), these codes must
/// be in the answer and those must not. Read strictly: an unknown key is a problem reported by the
/// well-formedness test, never silently ignored (a misspelt "mustNotInclde" would make a row pass
/// vacuously).
/// </summary>
internal sealed class MatrixRow
{
    public static readonly string[] Tiers = ["firstLine", "adjunct", "refractory", "monitoring", "workup", "pitfalls"];

    private static readonly HashSet<string> RowKeys =
    [
        "id", "situation", "sources", "note", "when", "mustInclude", "mustNotInclude", "mustIncludeAnyOf", "mustIncludeInTier",
        "mustNotIncludeInTier", "mustNotBeEmpty", "cautionsWhenPresent", "examples",
    ];

    private static readonly HashSet<string> WhenKeys = ["etiology", "subtype", "severity", "urgency", "situations", "anySituations", "notSituations"];

    public required string Id { get; init; }
    public required string SituationText { get; init; }
    public required IReadOnlyList<string> Sources { get; init; }
    public required MatrixWhen When { get; init; }
    public required IReadOnlyList<string> MustInclude { get; init; }
    public required IReadOnlyList<string> MustNotInclude { get; init; }
    public required IReadOnlyList<IReadOnlyList<string>> MustIncludeAnyOf { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> MustIncludeInTier { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> MustNotIncludeInTier { get; init; }
    public required IReadOnlyList<string> MustNotBeEmpty { get; init; }

    /// <summary>{ code: [caution ids] }: when the code is in the answer it must carry these cautions (its absence is not checked here).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> CautionsWhenPresent { get; init; }
    public required IReadOnlyList<MatrixExample> Examples { get; init; }

    /// <summary>Structural problems found while reading (unknown keys, wrong shapes).</summary>
    public required IReadOnlyList<string> ReadProblems { get; init; }

    /// <summary>Every code the row names.</summary>
    public IEnumerable<string> Codes =>
        MustInclude.Concat(MustNotInclude).Concat(MustIncludeAnyOf.SelectMany(x => x))
            .Concat(MustIncludeInTier.Values.SelectMany(x => x)).Concat(MustNotIncludeInTier.Values.SelectMany(x => x))
            .Concat(CautionsWhenPresent.Keys);

    /// <summary>Every caution id the row names.</summary>
    public IEnumerable<string> CautionIds => CautionsWhenPresent.Values.SelectMany(x => x);

    /// <summary>What the answer lacks or wrongly holds; empty when the row's expectations are met.</summary>
    public List<string> Check(Assessment a)
    {
        var problems = new List<string>();
        var all = a.AllCodes();
        problems.AddRange(MustInclude.Where(c => !all.Contains(c)).Select(c => $"missing {c}"));
        problems.AddRange(MustNotInclude.Where(all.Contains).Select(c => $"forbidden {c} present"));
        foreach (var any in MustIncludeAnyOf.Where(any => !any.Any(all.Contains)))
        {
            problems.Add($"none of [{string.Join(", ", any)}] present");
        }

        foreach (var (tier, codes) in MustIncludeInTier)
        {
            var inTier = TierCodes(a, tier);
            problems.AddRange(codes.Where(c => !inTier.Contains(c)).Select(c => $"{c} not in {tier}" + (all.Contains(c) ? " (present in another group)" : " (absent)")));
        }

        foreach (var (tier, codes) in MustNotIncludeInTier)
        {
            var inTier = TierCodes(a, tier);
            problems.AddRange(codes.Where(inTier.Contains).Select(c => $"{c} must not be in {tier}"));
        }

        problems.AddRange(MustNotBeEmpty.Where(t => TierCodes(a, t).Count == 0).Select(t => $"{t} is empty"));
        foreach (var (code, cautions) in CautionsWhenPresent)
        {
            if (a.Item(code) is { } item)
            {
                problems.AddRange(cautions.Where(k => !item.Cautions.Any(c => c.Id == k))
                    .Select(k => $"{code} lacks caution {k} (has {string.Join(",", item.Cautions.Select(c => c.Id))})"));
            }
        }

        return problems;
    }

    public static IReadOnlyList<string> TierCodes(Assessment a, string tier) => (tier switch
    {
        "firstLine" => a.Recommendations.FirstLine,
        "adjunct" => a.Recommendations.Adjunct,
        "refractory" => a.Recommendations.Refractory,
        "monitoring" => a.Recommendations.Monitoring,
        "workup" => a.Recommendations.Workup,
        "pitfalls" => a.Pitfalls,
        _ => throw new ArgumentException($"unknown tier {tier}", nameof(tier)),
    }).Select(i => i.Code).ToList();

    public static MatrixRow Read(JsonElement e, int index)
    {
        var problems = new List<string>();
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"matrix row {index} is not an object");
        }

        problems.AddRange(e.EnumerateObject().Where(p => !RowKeys.Contains(p.Name)).Select(p => $"unknown key '{p.Name}'"));
        var when = e.TryGetProperty("when", out var w) ? w : default;
        if (when.ValueKind == JsonValueKind.Object)
        {
            problems.AddRange(when.EnumerateObject().Where(p => !WhenKeys.Contains(p.Name)).Select(p => $"unknown key 'when.{p.Name}'"));
        }
        else
        {
            problems.Add("'when' missing or not an object");
        }

        var id = e.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString()! : $"(row {index} without id)";
        return new MatrixRow
        {
            Id = id,
            SituationText = e.TryGetProperty("situation", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "",
            Sources = Strings(e, "sources", problems),
            When = new MatrixWhen(
                Strings(when, "etiology", problems), Strings(when, "subtype", problems), Strings(when, "severity", problems),
                Strings(when, "urgency", problems), Strings(when, "situations", problems), Strings(when, "anySituations", problems),
                Strings(when, "notSituations", problems)),
            MustInclude = Strings(e, "mustInclude", problems),
            MustNotInclude = Strings(e, "mustNotInclude", problems),
            MustIncludeAnyOf = e.TryGetProperty("mustIncludeAnyOf", out var any) && any.ValueKind == JsonValueKind.Array
                ? any.EnumerateArray().Select(x => (IReadOnlyList<string>)Strings(x, problems, "mustIncludeAnyOf")).ToList()
                : [],
            MustIncludeInTier = TierMap(e, "mustIncludeInTier", problems),
            MustNotIncludeInTier = TierMap(e, "mustNotIncludeInTier", problems),
            MustNotBeEmpty = Strings(e, "mustNotBeEmpty", problems),
            CautionsWhenPresent = CodeMap(e, "cautionsWhenPresent", problems),
            Examples = e.TryGetProperty("examples", out var ex) && ex.ValueKind == JsonValueKind.Array
                ? ex.EnumerateArray().Select((x, i) => MatrixExample.Read(x, i, problems)).ToList()
                : [],
            ReadProblems = problems,
        };
    }

    private static List<string> Strings(JsonElement parent, string name, List<string> problems) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var arr) ? Strings(arr, problems, name) : [];

    private static List<string> Strings(JsonElement arr, List<string> problems, string name)
    {
        if (arr.ValueKind != JsonValueKind.Array || arr.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
        {
            problems.Add($"'{name}' must be an array of strings");
            return [];
        }

        return arr.EnumerateArray().Select(x => x.GetString()!).ToList();
    }

    private static Dictionary<string, IReadOnlyList<string>> CodeMap(JsonElement e, string name, List<string> problems)
    {
        var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (!e.TryGetProperty(name, out var obj))
        {
            return map;
        }

        if (obj.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"'{name}' must be an object of code: [caution ids]");
            return map;
        }

        foreach (var p in obj.EnumerateObject())
        {
            map[p.Name] = Strings(p.Value, problems, $"{name}.{p.Name}");
        }

        return map;
    }

    private static Dictionary<string, IReadOnlyList<string>> TierMap(JsonElement e, string name, List<string> problems)
    {
        var map = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (!e.TryGetProperty(name, out var obj))
        {
            return map;
        }

        if (obj.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"'{name}' must be an object of tier: [codes]");
            return map;
        }

        foreach (var p in obj.EnumerateObject())
        {
            if (!Tiers.Contains(p.Name))
            {
                problems.Add($"'{name}' names unknown tier '{p.Name}' (tiers: {string.Join(", ", Tiers)})");
                continue;
            }

            map[p.Name] = Strings(p.Value, problems, $"{name}.{p.Name}");
        }

        return map;
    }
}

/// <summary>
/// The row's premise. Each list is a filter that is ignored when empty: etiology, subtype (with
/// "none" for no subtype), severity (serotoninToxicity.severity; "none" when absent or null) and
/// urgency must each contain the answer's value; every name in situations must hold, at least one
/// in anySituations, none in notSituations.
/// </summary>
internal sealed record MatrixWhen(
    IReadOnlyList<string> Etiology, IReadOnlyList<string> Subtype, IReadOnlyList<string> Severity, IReadOnlyList<string> Urgency,
    IReadOnlyList<string> Situations, IReadOnlyList<string> AnySituations, IReadOnlyList<string> NotSituations)
{
    public IEnumerable<string> SituationNames => Situations.Concat(AnySituations).Concat(NotSituations);

    /// <summary>Whether the premise holds; <paramref name="why"/> names the first part that does not.</summary>
    public bool Holds(PatientContext r, Assessment a, out string why)
    {
        why = "";
        var etiology = MatrixSituations.Wire(a.Etiology.Primary);
        var subtype = a.Etiology.Subtype is { } st ? MatrixSituations.Wire(st) : "none";
        var severity = a.SerotoninToxicity?.Severity is { } sv ? MatrixSituations.Wire(sv) : "none";
        var urgency = MatrixSituations.Wire(a.Urgency);
        if (Etiology.Count > 0 && !Etiology.Contains(etiology))
        {
            why = $"etiology is {etiology}, not [{string.Join(", ", Etiology)}]";
        }
        else if (Subtype.Count > 0 && !Subtype.Contains(subtype))
        {
            why = $"subtype is {subtype}, not [{string.Join(", ", Subtype)}]";
        }
        else if (Severity.Count > 0 && !Severity.Contains(severity))
        {
            why = $"severity is {severity}, not [{string.Join(", ", Severity)}]";
        }
        else if (Urgency.Count > 0 && !Urgency.Contains(urgency))
        {
            why = $"urgency is {urgency}, not [{string.Join(", ", Urgency)}]";
        }
        else if (Situations.FirstOrDefault(n => !MatrixSituations.All[n].Holds(r, a)) is { } missing)
        {
            why = $"situation {missing} does not hold";
        }
        else if (AnySituations.Count > 0 && !AnySituations.Any(n => MatrixSituations.All[n].Holds(r, a)))
        {
            why = $"none of [{string.Join(", ", AnySituations)}] holds";
        }
        else if (NotSituations.FirstOrDefault(n => MatrixSituations.All[n].Holds(r, a)) is { } excluded)
        {
            why = $"excluded situation {excluded} holds";
        }

        return why.Length == 0;
    }
}

/// <summary>A hand-written example of a row: an inline request, or the id of a case in Cases/*.json.</summary>
internal sealed record MatrixExample(string Name, string? CaseId, JsonElement? Request)
{
    public static MatrixExample Read(JsonElement e, int index, List<string> problems)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"example {index} is not an object");
            return new MatrixExample($"example {index}", null, null);
        }

        problems.AddRange(e.EnumerateObject().Where(p => p.Name is not ("name" or "case" or "request"))
            .Select(p => $"example {index}: unknown key '{p.Name}'"));
        var caseId = e.TryGetProperty("case", out var c) ? c.GetString() : null;
        JsonElement? request = e.TryGetProperty("request", out var r) ? r.Clone() : null;
        if ((caseId is null) == (request is null))
        {
            problems.Add($"example {index}: give exactly one of 'case' (an id in Cases/*.json) or 'request'");
        }

        var name = e.TryGetProperty("name", out var n) ? n.GetString()! : caseId ?? $"example {index}";
        return new MatrixExample(name, caseId, request);
    }
}

/// <summary>Loads the matrix and the case requests its examples may refer to.</summary>
internal static class CompletenessMatrix
{
    private static readonly Lazy<IReadOnlyList<MatrixRow>> LazyRows = new(Load);
    private static readonly Lazy<IReadOnlyDictionary<string, JsonElement>> LazyCases = new(LoadCases);

    public static IReadOnlyList<MatrixRow> Rows => LazyRows.Value;

    /// <summary>Every case request in Cases/*.json by case id.</summary>
    public static IReadOnlyDictionary<string, JsonElement> CaseRequests => LazyCases.Value;

    public static MatrixRow Row(string id) => Rows.Single(r => r.Id == id);

    public static PatientContext Request(MatrixExample example) =>
        (example.CaseId is not null ? CaseRequests[example.CaseId] : example.Request!.Value).Deserialize<PatientContext>(ClonusJson.Options)!;

    private static List<MatrixRow> Load()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(CaseFiles.Directory, CaseFiles.MatrixFile)));
        var rows = doc.RootElement.GetProperty("rows");
        return rows.EnumerateArray().Select(MatrixRow.Read).ToList();
    }

    private static Dictionary<string, JsonElement> LoadCases()
    {
        var cases = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var file in CaseFiles.All())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var c in doc.RootElement.EnumerateArray())
            {
                cases[c.GetProperty("id").GetString()!] = c.GetProperty("request").Clone();
            }
        }

        return cases;
    }
}
