using System.Collections.Frozen;
using ClonusCds.Core.KnowledgeBase;

namespace ClonusCds.Core.Vocabulary;

/// <summary>How a medication entry was matched to a drug.</summary>
public enum DrugMatchKind
{
    /// <summary>Ingredient RxCUI.</summary>
    Rxcui,
    /// <summary>Known product (SCD/SBD) RxCUI.</summary>
    ProductRxcui,
    /// <summary>Generic name or synonym found in the text.</summary>
    Name,
    /// <summary>Brand name found in the text.</summary>
    Brand,
}

/// <summary>A drug matched in one medication entry.</summary>
public readonly record struct DrugMatch(DrugEntry Drug, DrugMatchKind Kind);

/// <summary>
/// Places medication entries in the drug vocabulary: by RxCUI (ingredient or known product),
/// then by generic, synonym or brand name appearing as whole words in the text, case-insensitive
/// (terminology.md: EHR lists carry product codes or only text). A combination product matches
/// every ingredient it names.
/// </summary>
public sealed class DrugVocabulary
{
    private const int MaxTermWords = 6;
    private readonly FrozenDictionary<string, (DrugEntry Drug, DrugMatchKind Kind)> _byCode;
    private readonly Dictionary<string, (DrugEntry Drug, DrugMatchKind Kind)> _byTerm;
    private readonly Dictionary<string, (DrugEntry Drug, DrugMatchKind Kind)>.AlternateLookup<ReadOnlySpan<char>> _termLookup;

    /// <summary>Builds the lookup tables.</summary>
    public DrugVocabulary(IEnumerable<DrugEntry> drugs)
    {
        ArgumentNullException.ThrowIfNull(drugs);
        var byCode = new Dictionary<string, (DrugEntry, DrugMatchKind)>(StringComparer.Ordinal);
        _byTerm = new Dictionary<string, (DrugEntry, DrugMatchKind)>(StringComparer.Ordinal);
        foreach (var d in drugs)
        {
            if (d.Rxcui is not null)
            {
                byCode.TryAdd(d.Rxcui, (d, DrugMatchKind.Rxcui));
            }

            foreach (var p in d.ProductRxcuis)
            {
                byCode.TryAdd(p, (d, DrugMatchKind.ProductRxcui));
            }

            foreach (var t in d.Synonyms.Prepend(d.Name))
            {
                _byTerm.TryAdd(Normalize(t), (d, DrugMatchKind.Name));
            }

            foreach (var b in d.BrandNames)
            {
                _byTerm.TryAdd(Normalize(b), (d, DrugMatchKind.Brand));
            }
        }

        _byCode = byCode.ToFrozenDictionary(StringComparer.Ordinal);
        _termLookup = _byTerm.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Lower-cases and turns every run of non-alphanumerics into one space.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Span<char> buffer = text.Length <= 256 ? stackalloc char[text.Length] : new char[text.Length];
        return new string(buffer[..Normalize(text, buffer)]);
    }

    private static int Normalize(ReadOnlySpan<char> text, Span<char> into)
    {
        var n = 0;
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (pendingSpace && n > 0)
                {
                    into[n++] = ' ';
                }

                pendingSpace = false;
                into[n++] = char.ToLowerInvariant(c);
            }
            else
            {
                pendingSpace = true;
            }
        }

        return n;
    }

    /// <summary>Adds every drug found in the entry to <paramref name="into"/>; returns how many.</summary>
    public int Match(string? rxcui, string? name, List<DrugMatch> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        var start = into.Count;
        if (rxcui is not null && _byCode.TryGetValue(rxcui, out var byCode))
        {
            into.Add(new DrugMatch(byCode.Drug, byCode.Kind));
        }

        if (!string.IsNullOrEmpty(name))
        {
            MatchText(name, into, start);
        }

        return into.Count - start;
    }

    private void MatchText(string name, List<DrugMatch> into, int start)
    {
        Span<char> buffer = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        var text = buffer[..Normalize(name, buffer)];

        // Word starts, so that terms match whole words only ("lithium" never matches inside another word).
        Span<int> starts = stackalloc int[65];
        var words = 0;
        for (var i = 0; i < text.Length && words < starts.Length - 1; i++)
        {
            if (i == 0 || text[i - 1] == ' ')
            {
                starts[words++] = i;
            }
        }

        starts[words] = text.Length + 1;
        for (var w = 0; w < words; w++)
        {
            // Longest term first: "lithium carbonate" before "lithium".
            for (var span = Math.Min(MaxTermWords, words - w); span >= 1; span--)
            {
                var end = starts[w + span] - 1;
                if (_termLookup.TryGetValue(text[starts[w]..end], out var hit))
                {
                    if (!Contains(into, start, hit.Drug))
                    {
                        into.Add(new DrugMatch(hit.Drug, hit.Kind));
                    }

                    w += span - 1;
                    break;
                }
            }
        }
    }

    private static bool Contains(List<DrugMatch> list, int start, DrugEntry drug)
    {
        for (var i = start; i < list.Count; i++)
        {
            if (ReferenceEquals(list[i].Drug, drug))
            {
                return true;
            }
        }

        return false;
    }
}
