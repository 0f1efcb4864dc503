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

    /// <summary>"name=value" for a short categorical value ("unknown" when null).</summary>
    public static string Of(string name, string? value) =>
        ByValue.GetOrAdd((name, value ?? "unknown"), static k => $"{k.Name}={k.Value}");

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
