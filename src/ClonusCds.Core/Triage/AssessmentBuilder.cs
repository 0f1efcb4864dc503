using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;

namespace ClonusCds.Core.Triage;

/// <summary>
/// Accumulates what the rules conclude: recommendations (by code, from the knowledge base),
/// pitfalls, cautions, missing data, differentials and rationale. The first rule to add a code
/// decides its tier; later rules can only add cautions to it.
/// </summary>
public sealed class AssessmentBuilder
{
    private readonly ClinicalKnowledgeBase _kb;
    private readonly List<Pending> _items = new(24);
    private readonly List<MissingDatum> _missing = new(8);
    private readonly List<Differential> _differentials = new(4);
    private readonly List<string> _rationale = new(10);

    internal AssessmentBuilder(ClinicalKnowledgeBase kb, TriageTrace trace)
    {
        _kb = kb;
        Trace = trace;
    }

    /// <summary>The rule trace.</summary>
    public TriageTrace Trace { get; }
    /// <summary>Current urgency (only ever raised).</summary>
    public Urgency Urgency { get; private set; } = Urgency.Routine;
    /// <summary>Missing data so far.</summary>
    public IReadOnlyList<MissingDatum> Missing => _missing;
    /// <summary>Differentials so far.</summary>
    public IReadOnlyList<Differential> Differentials => _differentials;
    /// <summary>Rationale so far.</summary>
    public IReadOnlyList<string> Rationale => _rationale;

    /// <summary>Adds a recommendation at its knowledge-base tier (or <paramref name="tier"/>).</summary>
    public void Recommend(string code, string ruleId, string because, RecommendationTier? tier = null, params string[] cautions)
    {
        var entry = _kb.RecommendationsByCode[code];
        if (entry.IsPitfall)
        {
            throw new InvalidOperationException($"{code} is a pitfall; use Pitfall()");
        }

        Add(entry, tier ?? entry.Tier!.Value, ruleId, because, cautions);
    }

    /// <summary>Adds a pitfall.</summary>
    public void Pitfall(string code, string ruleId, string because, params string[] cautions)
    {
        var entry = _kb.RecommendationsByCode[code];
        if (!entry.IsPitfall)
        {
            throw new InvalidOperationException($"{code} is a recommendation; use Recommend()");
        }

        Add(entry, null, ruleId, because, cautions);
    }

    /// <summary>Adds a patient-specific caution to an item already added (no-op if absent).</summary>
    public void Caution(string code, string cautionId)
    {
        foreach (var item in _items)
        {
            if (item.Entry.Code == code && !item.Cautions.Contains(cautionId))
            {
                item.Cautions.Add(cautionId);
            }
        }
    }

    /// <summary>True if the code was added.</summary>
    public bool Has(string code)
    {
        foreach (var item in _items)
        {
            if (item.Entry.Code == code)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Removes a code (safety guard); returns true if it was there.</summary>
    public bool Remove(string code)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            if (_items[i].Entry.Code == code)
            {
                _items.RemoveAt(i);
                return true;
            }
        }

        return false;
    }

    /// <summary>Raises urgency; never lowers it.</summary>
    public void AtLeast(Urgency urgency)
    {
        if (urgency > Urgency)
        {
            Urgency = urgency;
        }
    }

    /// <summary>Records data whose absence limits the assessment (once per field).</summary>
    public void MissingData(string field, string reason)
    {
        foreach (var m in _missing)
        {
            if (m.Field == field)
            {
                return;
            }
        }

        _missing.Add(new MissingDatum(field, reason));
    }

    /// <summary>
    /// Adds a differential (once per etiology and subtype). A later "not excluded" for the same cause
    /// upgrades an earlier plain entry; nothing downgrades one.
    /// </summary>
    public void Differential(Etiology etiology, EtiologySubtype? subtype, string reason, bool notExcluded = false)
    {
        for (var i = 0; i < _differentials.Count; i++)
        {
            var d = _differentials[i];
            if (d.Etiology == etiology && d.Subtype == subtype)
            {
                if (notExcluded && !d.NotExcluded)
                {
                    _differentials[i] = d with { NotExcluded = true };
                }

                return;
            }
        }

        _differentials.Add(new Differential(etiology, subtype, reason, notExcluded));
    }

    /// <summary>
    /// While set, newly added items are marked as serving this differential (its wire name); items
    /// the primary's own rules already added keep no mark.
    /// </summary>
    public string? Serving { get; set; }

    /// <summary>Adds a rationale sentence.</summary>
    public void Because(string sentence) => _rationale.Add(sentence);

    private void Add(RecommendationEntry entry, RecommendationTier? tier, string ruleId, string because, string[] cautions)
    {
        foreach (var item in _items)
        {
            if (item.Entry.Code == entry.Code)
            {
                foreach (var c in cautions)
                {
                    if (!item.Cautions.Contains(c))
                    {
                        item.Cautions.Add(c);
                    }
                }

                return;
            }
        }

        var list = new List<string>(entry.Cautions.Count + cautions.Length);
        list.AddRange(entry.Cautions);
        foreach (var c in cautions)
        {
            if (!list.Contains(c))
            {
                list.Add(c);
            }
        }

        _items.Add(new Pending(entry, tier, ruleId, because, list, Serving));
    }

    internal (RecommendationGroups Groups, IReadOnlyList<RecommendationItem> Pitfalls, IReadOnlyList<Citation> Citations) Build()
    {
        var first = new List<RecommendationItem>();
        var adjunct = new List<RecommendationItem>();
        var refractory = new List<RecommendationItem>();
        var monitoring = new List<RecommendationItem>();
        var workup = new List<RecommendationItem>();
        var pitfalls = new List<RecommendationItem>();
        var cited = new List<string>(16);

        void Cite(IReadOnlyList<string> ids)
        {
            foreach (var id in ids)
            {
                if (!cited.Contains(id))
                {
                    cited.Add(id);
                }
            }
        }

        foreach (var p in _items)
        {
            var cautions = new CautionItem[p.Cautions.Count];
            for (var i = 0; i < cautions.Length; i++)
            {
                var c = _kb.CautionsById[p.Cautions[i]];
                cautions[i] = new CautionItem(c.Id, c.Kind, c.Text, c.Citations);
                Cite(c.Citations);
            }

            Cite(p.Entry.Citations);
            var item = new RecommendationItem
            {
                Code = p.Entry.Code,
                Title = p.Entry.Title,
                Text = p.Entry.Text,
                Rationale = p.Entry.Rationale,
                Dosing = p.Entry.Dosing,
                Citations = p.Entry.Citations,
                Cautions = cautions,
                FiredBy = p.RuleId,
                Because = p.Because,
                ServesDifferential = p.Serves,
            };
            var target = p.Tier switch
            {
                null => pitfalls,
                RecommendationTier.FirstLine => first,
                RecommendationTier.Adjunct => adjunct,
                RecommendationTier.Refractory => refractory,
                RecommendationTier.Monitoring => monitoring,
                _ => workup,
            };
            target.Add(item);
        }

        var citations = new Citation[cited.Count];
        for (var i = 0; i < citations.Length; i++)
        {
            var s = _kb.SourcesById[cited[i]];
            citations[i] = s.Citation;
        }

        return (new RecommendationGroups { FirstLine = first, Adjunct = adjunct, Refractory = refractory, Monitoring = monitoring, Workup = workup },
            pitfalls, citations);
    }

    private sealed record Pending(RecommendationEntry Entry, RecommendationTier? Tier, string RuleId, string Because, List<string> Cautions, string? Serves);
}
