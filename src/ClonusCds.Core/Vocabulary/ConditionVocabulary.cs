using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;

namespace ClonusCds.Core.Vocabulary;

/// <summary>
/// Places conditions in the engine's categories: the category when given, ICD-10-CM codes by
/// prefix (codes gain digits over time: G35 became a parent of G35.A–D), SNOMED CT by concept id,
/// and display text by whole-phrase keywords.
/// </summary>
public sealed class ConditionVocabulary
{
    /// <summary>ICD-10-CM code system URI.</summary>
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    /// <summary>SNOMED CT code system URI.</summary>
    public const string Snomed = "http://snomed.info/sct";

    private readonly (string Prefix, ConditionCategoryEntry Entry)[] _icdPrefixes;
    private readonly Dictionary<string, ConditionCategoryEntry> _snomed;
    private readonly (string Keyword, ConditionCategoryEntry Entry)[] _keywords;

    /// <summary>Builds the lookup tables.</summary>
    public ConditionVocabulary(IEnumerable<ConditionCategoryEntry> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        var list = categories.ToList();
        // Longest prefix first, so S14.1 wins over a shorter, broader prefix if one is ever added.
        _icdPrefixes = list.SelectMany(c => c.Icd10cmPrefixes.Select(p => (NormalizeIcd(p), c)))
            .OrderByDescending(p => p.Item1.Length).ToArray();
        _snomed = new Dictionary<string, ConditionCategoryEntry>(StringComparer.Ordinal);
        foreach (var c in list)
        {
            foreach (var s in c.SnomedCodes)
            {
                _snomed.TryAdd(s, c); // duplicates are reported by the validator
            }
        }
        _keywords = list.SelectMany(c => c.Keywords.Select(k => (" " + DrugVocabulary.Normalize(k) + " ", c)))
            .OrderByDescending(k => k.Item1.Length).ToArray();
        ByCategory = list.ToDictionary(c => c.Category);
    }

    /// <summary>Category entries by category.</summary>
    public IReadOnlyDictionary<ConditionCategory, ConditionCategoryEntry> ByCategory { get; }

    /// <summary>Upper-case with dots and spaces removed.</summary>
    public static string NormalizeIcd(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return string.Concat(code.Where(char.IsLetterOrDigit)).ToUpperInvariant();
    }

    /// <summary>Matches a coded or free-text condition; null when it cannot be placed.</summary>
    public ConditionCategoryEntry? Match(ConditionEntry condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (condition.Category is { } category && ByCategory.TryGetValue(category, out var byCategory))
        {
            return byCategory;
        }

        if (!string.IsNullOrWhiteSpace(condition.Code))
        {
            var code = condition.Code.Trim();
            // Only the two systems the contract names are matched; a code from another system is
            // placed by its display text, if at all.
            var isSnomed = condition.System == Snomed || (condition.System is null && code.All(char.IsAsciiDigit));
            if (isSnomed && _snomed.TryGetValue(code, out var snomed))
            {
                return snomed;
            }

            if (!isSnomed && condition.System is null or Icd10Cm)
            {
                var icd = NormalizeIcd(code);
                foreach (var (prefix, entry) in _icdPrefixes)
                {
                    if (icd.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        return entry;
                    }
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(condition.Display))
        {
            var text = " " + DrugVocabulary.Normalize(condition.Display) + " ";
            foreach (var (keyword, entry) in _keywords)
            {
                if (text.Contains(keyword, StringComparison.Ordinal))
                {
                    return entry;
                }
            }
        }

        return null;
    }
}
