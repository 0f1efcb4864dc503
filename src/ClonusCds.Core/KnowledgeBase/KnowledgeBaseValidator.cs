using System.Text.RegularExpressions;
using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;

namespace ClonusCds.Core.KnowledgeBase;

/// <summary>
/// Whole-content checks run before the knowledge base may serve: every citation resolves, every
/// code a rule can emit exists, nothing is empty, vocabularies are unambiguous.
/// </summary>
internal static partial class KnowledgeBaseValidator
{
    private static readonly string[] SourceKinds = ["seed", "primary", "label", "guideline", "review", "textbook", "secondary", "database"];

    // Kinds that can carry a recommendation, pitfall or caution on their own (issue 14, part 4): a peer-reviewed
    // study or review, a drug label, a guideline, or a published clinical reference book. The seeds (AI-generated
    // web summaries pending review) and secondary web pages may support an item but never be its only evidence.
    private static readonly string[] PrimaryGradeKinds = ["primary", "label", "guideline", "review", "textbook"];

    private static readonly string[] CautionKinds = ["source_conflict", "evidence_quality", "patient_factor"];
    private static readonly string[] RiskTiers = ["high", "standard", "low"];

    [GeneratedRegex(@"^\d{4}\.\d{1,2}\.\d+$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex(@"^[a-z0-9_]+$")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex DigitsPattern();

    public static List<string> Validate(ClinicalKnowledgeBase kb)
    {
        var problems = new List<string>();
        void Require(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        var m = kb.Manifest;
        Require(VersionPattern().IsMatch(m.Version ?? ""), $"manifest.version '{m.Version}' is not YYYY.M.N");
        Require(DateOnly.TryParseExact(m.ReleaseDate, "yyyy-MM-dd", out _), $"manifest.releaseDate '{m.ReleaseDate}' is not yyyy-MM-dd");
        Require(!string.IsNullOrWhiteSpace(m.ReviewStatus), "manifest.reviewStatus is empty");
        Require(!string.IsNullOrWhiteSpace(m.Disclaimer), "manifest.disclaimer is empty");

        var sourceIds = new HashSet<string>(StringComparer.Ordinal);
        var primaryGrade = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in kb.Sources)
        {
            Require(sourceIds.Add(s.Id), $"sources: duplicate id '{s.Id}'");
            if (PrimaryGradeKinds.Contains(s.Kind))
            {
                primaryGrade.Add(s.Id);
            }

            Require(!string.IsNullOrWhiteSpace(s.Title), $"sources[{s.Id}].title is empty");
            Require(!string.IsNullOrWhiteSpace(s.Source), $"sources[{s.Id}].source is empty");
            Require(SourceKinds.Contains(s.Kind), $"sources[{s.Id}].kind '{s.Kind}' is not one of {string.Join(", ", SourceKinds)}");
            Require(s.Url is null || Uri.TryCreate(s.Url, UriKind.Absolute, out _), $"sources[{s.Id}].url is not an absolute URL");
        }

        void CheckCitations(IReadOnlyList<string>? citations, string where)
        {
            Require(citations is { Count: > 0 }, $"{where} cites no source");
            foreach (var c in citations ?? [])
            {
                Require(sourceIds.Contains(c), $"{where} cites unknown source '{c}'");
            }
        }

        void CheckPrimaryGrade(IReadOnlyList<string>? citations, string where)
        {
            Require(citations is not { Count: > 0 } || citations.Any(primaryGrade.Contains),
                $"{where} cites only seed or secondary sources ({string.Join(", ", citations ?? [])}); it needs at least one of kind {string.Join(", ", PrimaryGradeKinds)}");
        }

        var cautionIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in kb.Cautions)
        {
            Require(cautionIds.Add(c.Id), $"cautions: duplicate id '{c.Id}'");
            Require(CautionKinds.Contains(c.Kind), $"cautions[{c.Id}].kind '{c.Kind}' is not valid");
            Require(!string.IsNullOrWhiteSpace(c.Text), $"cautions[{c.Id}].text is empty");
            CheckCitations(c.Citations, $"cautions[{c.Id}]");
            CheckPrimaryGrade(c.Citations, $"cautions[{c.Id}]");
        }

        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in kb.Recommendations)
        {
            var where = $"recommendations[{r.Code}]";
            Require(CodePattern().IsMatch(r.Code ?? ""), $"{where}: code is not snake_case");
            Require(codes.Add(r.Code ?? ""), $"recommendations: duplicate code '{r.Code}'");
            Require(r.Kind is "recommendation" or "pitfall", $"{where}.kind '{r.Kind}' is not recommendation|pitfall");
            Require(r.IsPitfall ? r.Tier is null : r.Tier is not null, $"{where}: recommendations need a tier, pitfalls must not have one");
            Require(!string.IsNullOrWhiteSpace(r.Title) && r.Title.Length <= 80, $"{where}.title is empty or longer than 80 characters");
            Require(!string.IsNullOrWhiteSpace(r.Text), $"{where}.text is empty");
            Require(!string.IsNullOrWhiteSpace(r.Rationale), $"{where}.rationale is empty");
            Require(r.Dosing is null || r.Dosing.Trim().Length > 0, $"{where}.dosing is blank (use null)");
            CheckCitations(r.Citations, where);
            CheckPrimaryGrade(r.Citations, where);
            foreach (var c in r.Cautions)
            {
                Require(cautionIds.Contains(c), $"{where} references unknown caution '{c}'");
            }
        }

        foreach (var code in Codes.All)
        {
            Require(codes.Contains(code), $"rule code '{code}' has no knowledge-base entry");
            if (kb.Recommendations.FirstOrDefault(r => r.Code == code) is { } entry)
            {
                Require(entry.IsPitfall == Codes.Pitfalls.Contains(code), $"'{code}' has kind '{entry.Kind}' but rules use it as the other kind");
            }
        }

        foreach (var id in CautionCodes.All)
        {
            Require(cautionIds.Contains(id), $"rule caution '{id}' has no entry in cautions.json");
        }

        var drugNames = new HashSet<string>(StringComparer.Ordinal);
        var drugTerms = new Dictionary<string, string>(StringComparer.Ordinal);
        var rxcuis = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in kb.Drugs)
        {
            var where = $"drugs[{d.Name}]";
            Require(!string.IsNullOrWhiteSpace(d.Name) && drugNames.Add(d.Name), $"drugs: empty or duplicate name '{d.Name}'");
            foreach (var code in d.ProductRxcuis.Prepend(d.Rxcui).OfType<string>())
            {
                Require(DigitsPattern().IsMatch(code), $"{where}: RxCUI '{code}' is not digits");
                Require(rxcuis.TryAdd(code, d.Name) || rxcuis[code] == d.Name, $"{where}: RxCUI {code} also belongs to '{rxcuis.GetValueOrDefault(code)}'");
            }

            foreach (var term in d.Synonyms.Concat(d.BrandNames).Prepend(d.Name))
            {
                var key = DrugVocabulary.Normalize(term);
                Require(key.Length > 0, $"{where}: empty name, synonym or brand");
                Require(drugTerms.TryAdd(key, d.Name) || drugTerms[key] == d.Name, $"{where}: name '{term}' also belongs to '{drugTerms.GetValueOrDefault(key)}'");
            }

            foreach (var role in d.Roles)
            {
                Require(DrugRoles.All.Contains(role), $"{where}: unknown role '{role}'");
            }

            var serotonergic = d.Roles.Contains(DrugRoles.Serotonergic);
            Require(!serotonergic || (!string.IsNullOrWhiteSpace(d.SerotonergicClass) && RiskTiers.Contains(d.RiskTier)), $"{where}: serotonergic drugs need serotonergicClass and riskTier high|standard|low");
            Require(serotonergic || (d.SerotonergicClass is null && d.RiskTier is null), $"{where}: serotonergicClass/riskTier set on a non-serotonergic drug");
            Require(d.WashoutDays is null or > 0, $"{where}: washoutDays must be positive");
            CheckCitations(d.Citations, where);
        }

        ValidateCommonDrugs(kb.CommonDrugs, drugNames, drugTerms, rxcuis, Require, CheckCitations);

        foreach (var role in DrugRoles.All)
        {
            Require(kb.Drugs.Any(d => d.Roles.Contains(role)), $"drugs: no drug has role '{role}', so the rules keyed on it could never fire");
        }

        var categories = new HashSet<ConditionCategory>();
        var prefixes = new Dictionary<string, ConditionCategory>(StringComparer.Ordinal);
        var snomedCodes = new Dictionary<string, ConditionCategory>(StringComparer.Ordinal);
        foreach (var c in kb.Conditions)
        {
            var where = $"conditions[{c.Category}]";
            Require(categories.Add(c.Category), $"conditions: duplicate category '{c.Category}'");
            foreach (var p in c.Icd10cmPrefixes)
            {
                var key = ConditionVocabulary.NormalizeIcd(p);
                Require(key.Length >= 3, $"{where}: ICD-10-CM prefix '{p}' is too short");
                Require(prefixes.TryAdd(key, c.Category), $"{where}: ICD-10-CM prefix '{p}' also maps to '{prefixes.GetValueOrDefault(key)}'");
            }

            foreach (var s in c.SnomedCodes)
            {
                Require(DigitsPattern().IsMatch(s), $"{where}: SNOMED code '{s}' is not digits");
                Require(snomedCodes.TryAdd(s, c.Category), $"{where}: SNOMED code '{s}' also maps to '{snomedCodes.GetValueOrDefault(s)}'");
            }

            CheckCitations(c.Citations, where);
        }

        foreach (var category in Enum.GetValues<ConditionCategory>())
        {
            Require(categories.Contains(category), $"conditions: category '{category}' is missing");
        }

        ValidateReasoning(kb.Reasoning, Require, CheckCitations);
        return problems;
    }

    /// <summary>
    /// common-drugs.json, the known-not-implicated tier: names, terms and RxCUIs unique across both
    /// drug files, and no term equal to, inside or around a drugs.json term as whole words. Matching is
    /// longest term first and a matched span is consumed, so a not-implicated term containing a
    /// relevant one ("amlodipine benazepril") would hide the relevant drug; one inside a relevant term
    /// is refused too, so the tiers never share words.
    /// </summary>
    private static void ValidateCommonDrugs(IReadOnlyList<CommonDrugEntry> commonDrugs, HashSet<string> drugNames,
        Dictionary<string, string> drugTerms, Dictionary<string, string> rxcuis, Action<bool, string> require,
        Action<IReadOnlyList<string>?, string> cite)
    {
        // Every run of whole words inside a drugs.json term, with the drug it belongs to.
        var insideRelevant = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (term, drug) in drugTerms)
        {
            foreach (var run in WordRuns(term))
            {
                insideRelevant.TryAdd(run, drug);
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var terms = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in commonDrugs)
        {
            var where = $"common-drugs[{d.Name}]";
            require(!string.IsNullOrWhiteSpace(d.Name) && names.Add(d.Name), $"common-drugs: empty or duplicate name '{d.Name}'");
            require(!drugNames.Contains(d.Name ?? ""), $"{where}: also in drugs.json (a drug with a role is never 'not implicated')");
            if (d.Rxcui is { } code)
            {
                require(DigitsPattern().IsMatch(code), $"{where}: RxCUI '{code}' is not digits");
                require(rxcuis.TryAdd(code, d.Name ?? "") || rxcuis[code] == d.Name, $"{where}: RxCUI {code} also belongs to '{rxcuis.GetValueOrDefault(code)}'");
            }

            require(!string.IsNullOrWhiteSpace(d.Class) && CodePattern().IsMatch(d.Class), $"{where}.class '{d.Class}' is empty or not snake_case");
            foreach (var term in d.Synonyms.Concat(d.BrandNames).Prepend(d.Name ?? ""))
            {
                var key = DrugVocabulary.Normalize(term);
                require(key.Length > 0, $"{where}: empty name, synonym or brand");
                require(terms.TryAdd(key, d.Name ?? "") || terms[key] == d.Name, $"{where}: name '{term}' also belongs to '{terms.GetValueOrDefault(key)}'");
                if (insideRelevant.TryGetValue(key, out var relevant))
                {
                    Refuse(where, term, relevant, "is, or is part of, a drugs.json term of");
                }

                foreach (var run in WordRuns(key))
                {
                    if (run != key && drugTerms.TryGetValue(run, out var hidden))
                    {
                        Refuse(where, term, hidden, "contains a drugs.json term and would hide");
                    }
                }
            }

            cite(d.Citations, where);
        }

        void Refuse(string where, string term, string drug, string what) =>
            require(false, $"{where}: '{term}' {what} '{drug}'");
    }

    /// <summary>Every run of consecutive whole words of a normalised term, the term itself included.</summary>
    internal static IEnumerable<string> WordRuns(string normalized)
    {
        var words = normalized.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            for (var j = i + 1; j <= words.Length; j++)
            {
                yield return string.Join(' ', words, i, j - i);
            }
        }
    }

    private static readonly string[] VitalParameters = ["respiratoryRate", "spo2Percent", "systolicBp", "heartRateBpm", "temperatureC"];

    private static void ValidateReasoning(ReasoningContent? r, Action<bool, string> require, Action<IReadOnlyList<string>?, string> cite)
    {
        require(r?.Physiology is not null && r.Discriminators is not null, "reasoning.json: physiology and discriminators are required");
        if (r?.Physiology is null || r.Discriminators is null)
        {
            return;
        }

        var ph = r.Physiology;
        cite(ph.Citations, "reasoning.physiology");
        foreach (var parameter in VitalParameters)
        {
            require(ph.Parameters.Count(v => v.Parameter == parameter) == 1, $"reasoning.physiology: parameter '{parameter}' must appear exactly once");
        }

        foreach (var v in ph.Parameters)
        {
            var where = $"reasoning.physiology[{v.Parameter}]";
            require(VitalParameters.Contains(v.Parameter), $"{where}: unknown parameter");
            require(v.Bands is { Count: > 1 } && v.Bands[^1].UpTo is null, $"{where}: needs at least two bands, the last unbounded");
            for (var i = 0; i < (v.Bands?.Count ?? 0); i++)
            {
                require(v.Bands![i].Score is >= 0 and <= 3, $"{where}.bands[{i}]: score must be 0-3");
                require(i == v.Bands.Count - 1 || (v.Bands[i].UpTo is { } up && (i == 0 || up > v.Bands[i - 1].UpTo)), $"{where}.bands[{i}]: bounds must ascend");
            }
        }

        foreach (var status in Enum.GetValues<MentalStatus>())
        {
            var name = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());
            require(ph.Consciousness.TryGetValue(name, out var score) && score is >= 0 and <= 3, $"reasoning.physiology.consciousness: '{name}' needs a score 0-3");
        }

        foreach (var status in ph.ConsciousnessUrgentOnly)
        {
            require(ph.Consciousness.ContainsKey(status), $"reasoning.physiology.consciousnessUrgentOnly: unknown status '{status}'");
        }

        require(ph.News2MinimumAgeYears is > 0 and < 120, "reasoning.physiology.news2MinimumAgeYears must be an age in years");
        require(ph.AggregateUrgent > 0 && ph.AggregateEmergency > ph.AggregateUrgent, "reasoning.physiology: aggregate thresholds must be positive and ascending");
        foreach (var f in ph.ExtraFloors)
        {
            var where = $"reasoning.physiology.extraFloors[{f.Id}]";
            require(VitalParameters.Contains(f.Parameter), $"{where}: unknown parameter '{f.Parameter}'");
            require((f.Below is null ? 0 : 1) + (f.AtMost is null ? 0 : 1) + (f.AtLeast is null ? 0 : 1) == 1, $"{where}: exactly one of below, atMost and atLeast");
            require(!string.IsNullOrWhiteSpace(f.Why), $"{where}.why is empty");
            require(f.Ages is "all" or "adults" or "children", $"{where}.ages must be all, adults or children");
            cite(f.Citations, where);
        }

        var seen = new HashSet<(string, string)>();
        foreach (var d in r.Discriminators)
        {
            var where = $"reasoning.discriminators[{d.Feature}/{d.Candidate}]";
            require(Triage.DiscriminatorTable.FeatureNames.Contains(d.Feature), $"{where}: unknown feature");
            require(Triage.DiscriminatorTable.CandidateNames.Contains(d.Candidate), $"{where}: unknown candidate");
            require(d.Direction is "for" or "against", $"{where}: direction must be for or against");
            require(d.Weight is >= 1 and <= 5, $"{where}: weight must be 1-5");
            require(seen.Add((d.Feature, d.Candidate)), $"{where}: duplicate row");
            require(!string.IsNullOrWhiteSpace(d.Note), $"{where}.note is empty");
            cite([d.Source], where);
        }

        foreach (var candidate in Triage.DiscriminatorTable.CandidateNames)
        {
            require(r.Discriminators.Any(d => d.Candidate == candidate && d.Direction == "for"), $"reasoning.discriminators: candidate '{candidate}' has no finding for it");
        }
    }
}
