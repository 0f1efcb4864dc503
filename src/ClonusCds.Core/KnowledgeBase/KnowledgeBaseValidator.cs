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
    private static readonly string[] SourceKinds = ["seed", "primary", "label", "guideline", "review", "secondary", "database"];
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
        foreach (var s in kb.Sources)
        {
            Require(sourceIds.Add(s.Id), $"sources: duplicate id '{s.Id}'");
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

        var cautionIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in kb.Cautions)
        {
            Require(cautionIds.Add(c.Id), $"cautions: duplicate id '{c.Id}'");
            Require(CautionKinds.Contains(c.Kind), $"cautions[{c.Id}].kind '{c.Kind}' is not valid");
            Require(!string.IsNullOrWhiteSpace(c.Text), $"cautions[{c.Id}].text is empty");
            CheckCitations(c.Citations, $"cautions[{c.Id}]");
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

        return problems;
    }
}
