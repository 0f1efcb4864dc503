using ClonusCds.Core.Model;

namespace ClonusCds.Core.Triage;

/// <summary>Collects the rules evaluated, in order, with the inputs they read.</summary>
public sealed class TriageTrace
{
    private readonly List<TraceEntry> _entries = new(32);

    /// <summary>The entries so far.</summary>
    public IReadOnlyList<TraceEntry> Entries => _entries;

    /// <summary>Records a rule evaluation.</summary>
    public void Add(string rule, Tri outcome, string detail, IReadOnlyList<string> inputs) =>
        _entries.Add(new TraceEntry(rule, outcome.IsYes ? "fired" : outcome.IsNo ? "not_met" : "undetermined", detail, inputs));

    /// <summary>Records a weighed candidate: outcome primary, not_excluded or set_aside.</summary>
    public void Weighed(string rule, string outcome, string detail, IReadOnlyList<string> inputs) =>
        _entries.Add(new TraceEntry(rule, outcome, detail, inputs));

    /// <summary>Records a fact-gathering step.</summary>
    public void Note(string rule, string detail, IReadOnlyList<string> inputs) =>
        _entries.Add(new TraceEntry(rule, "read", detail, inputs));
}

/// <summary>
/// "name=value" strings for trace inputs. Names are literals and values are yes/no/unknown or
/// true/false, so the set is small and each string is built once, not on every assessment.
/// </summary>
public static class TraceInput
{
    // Names are string literals (interned), so they are keyed by reference: no string hashing on
    // the hot path. Slots: 0 yes, 1 no, 2 unknown, 3 true, 4 false.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string[]> ByName = new(ReferenceComparer.Instance);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Name, string Value), string> ByValue = new();

    /// <summary>"name=yes|no|unknown".</summary>
    public static string Of(string name, Tri value) => Slots(name)[value.IsYes ? 0 : value.IsNo ? 1 : 2];

    /// <summary>"name=true|false".</summary>
    public static string Of(string name, bool value) => Slots(name)[value ? 3 : 4];

    /// <summary>Most categorical name/value pairs kept; beyond this, strings are built per call.</summary>
    public const int MaxCachedValues = 1024;

    /// <summary>
    /// "name=value" for a categorical value from a small fixed set (an enum name, a list of Hunter
    /// rule numbers); "unknown" when null. Never pass request data here: use the numeric overload.
    /// The cache is capped, so even a misuse cannot grow memory without bound.
    /// </summary>
    public static string Of(string name, string? value)
    {
        var key = (name, value ?? "unknown");
        if (ByValue.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var built = $"{key.name}={key.Item2}";
        if (ByValue.Count < MaxCachedValues)
        {
            ByValue.TryAdd(key, built);
        }

        return built;
    }

    /// <summary>"name=value" for a measured number from the request: built per call, never cached.</summary>
    public static string Of(string name, double? value) =>
        value is { } v ? $"{name}={v.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : Slots(name)[2];

    private static string[] Slots(string name) =>
        ByName.TryGetValue(name, out var slots) ? slots
            : ByName.GetOrAdd(name, static n => [$"{n}=yes", $"{n}=no", $"{n}=unknown", $"{n}=true", $"{n}=false"]);

    private sealed class ReferenceComparer : IEqualityComparer<string>
    {
        public static readonly ReferenceComparer Instance = new();

        public bool Equals(string? x, string? y) => ReferenceEquals(x, y);

        public int GetHashCode(string obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
