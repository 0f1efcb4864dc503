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
