using ClonusCds.Core.Model;

namespace ClonusCds.Core.Triage;

// The Hunter Serotonin Toxicity Criteria exactly as published: Dunkley EJC et al., QJM 2003;
// 96(9):635-42 (decision-rule figure reproduced by RCEM). "In the presence of a serotonergic
// agent", rules 1-5 in Dunkley's numbering; rule 6 is "ELSE serotonin toxicity = NO".
// Evaluated in three-valued logic: a rule whose features are unknown is undetermined, not false.

/// <summary>One Hunter decision rule.</summary>
public interface IHunterRule
{
    /// <summary>Dunkley 2003 rule number (1–5).</summary>
    int Number { get; }
    /// <summary>Stable rule id for the trace.</summary>
    string Id { get; }
    /// <summary>The rule as published.</summary>
    string Statement { get; }
    /// <summary>Evaluates the rule.</summary>
    Tri Evaluate(ClinicalPicture p);
}

/// <summary>When spontaneous clonus. Then serotonin toxicity. [DUNKLEY2003 rule 1]</summary>
internal sealed class HunterRule1 : IHunterRule
{
    public int Number => 1;
    public string Id => "HSTC-1";
    public string Statement => "Spontaneous clonus";
    public Tri Evaluate(ClinicalPicture p) => p.SpontaneousClonus;
}

/// <summary>When inducible clonus and (agitation or diaphoresis). Then serotonin toxicity. [DUNKLEY2003 rule 2]</summary>
internal sealed class HunterRule2 : IHunterRule
{
    public int Number => 2;
    public string Id => "HSTC-2";
    public string Statement => "Inducible clonus AND (agitation OR diaphoresis)";
    public Tri Evaluate(ClinicalPicture p) => p.InducibleClonus & (p.Agitation | p.Diaphoresis);
}

/// <summary>When ocular clonus and (agitation or diaphoresis). Then serotonin toxicity. [DUNKLEY2003 rule 3]</summary>
internal sealed class HunterRule3 : IHunterRule
{
    public int Number => 3;
    public string Id => "HSTC-3";
    public string Statement => "Ocular clonus AND (agitation OR diaphoresis)";
    public Tri Evaluate(ClinicalPicture p) => p.OcularClonus & (p.Agitation | p.Diaphoresis);
}

/// <summary>When tremor and hyperreflexia. Then serotonin toxicity. [DUNKLEY2003 rule 4]</summary>
internal sealed class HunterRule4 : IHunterRule
{
    public int Number => 4;
    public string Id => "HSTC-4";
    public string Statement => "Tremor AND hyperreflexia";
    public Tri Evaluate(ClinicalPicture p) => p.Tremor & p.Hyperreflexia;
}

/// <summary>
/// When hypertonia and temperature above 38 °C and (ocular or inducible clonus). Then serotonin
/// toxicity. 38.0 °C itself is not above 38. [DUNKLEY2003 rule 5]
/// </summary>
internal sealed class HunterRule5 : IHunterRule
{
    public int Number => 5;
    public string Id => "HSTC-5";
    public string Statement => "Hypertonia AND temperature > 38 °C AND (ocular OR inducible clonus)";
    public Tri Evaluate(ClinicalPicture p) => p.Hypertonia & p.TemperatureAbove38 & (p.OcularClonus | p.InducibleClonus);
}

/// <summary>The outcome of the Hunter criteria and the severity grade.</summary>
public sealed record HunterResult(Tri Met, int[] Fired, int[] Undetermined, Severity? Severity, Tri MildFeatures);

/// <summary>Evaluates the five rules and grades severity.</summary>
public static class HunterCriteria
{
    /// <summary>The rules in Dunkley's order.</summary>
    public static IReadOnlyList<IHunterRule> Rules { get; } =
        [new HunterRule1(), new HunterRule2(), new HunterRule3(), new HunterRule4(), new HunterRule5()];

    /// <summary>Evaluates every rule (all true rules are reported, not only the first).</summary>
    public static HunterResult Evaluate(ClinicalPicture p, TriageTrace? trace = null)
    {
        ArgumentNullException.ThrowIfNull(p);
        Span<int> fired = stackalloc int[5];
        Span<int> undetermined = stackalloc int[5];
        int nf = 0, nu = 0;
        var met = Tri.No;
        foreach (var rule in Rules)
        {
            var result = rule.Evaluate(p);
            met |= result;
            if (result.IsYes)
            {
                fired[nf++] = rule.Number;
            }
            else if (result.IsUnknown)
            {
                undetermined[nu++] = rule.Number;
            }

            trace?.Add(rule.Id, result, rule.Statement, HunterInputs(rule.Number, p));
        }

        var severity = Grade(p, met, out var mild);
        trace?.Add(SeverityRuleId, severity is null ? Tri.Unknown : Tri.Yes,
            severity switch
            {
                null => "Severity not decidable from the data given",
                Severity.Mild => "Serotonergic features below the Hunter criteria (reported as mild only when a recent serotonergic change makes mild toxicity the call)",
                _ => $"Severity graded {severity.Value.ToString().ToLowerInvariant()}",
            },
            [TraceInput.Of("hunterCriteriaMet", met), TraceInput.Of("hyperthermia(>38.5 °C or rising)", p.Hyperthermia), TraceInput.Of("hypertonia", p.Hypertonia)]);
        return new HunterResult(met, fired[..nf].ToArray(), undetermined[..nu].ToArray(), severity, mild);
    }

    /// <summary>Trace id of the severity grading.</summary>
    public const string SeverityRuleId = "ST-SEVERITY";

    /// <summary>
    /// When HSTC met: severe if hyperthermia (> 38.5 °C or rapidly rising) with hypertonia, else
    /// moderate. When not met: mild if serotonergic features are present. [BMJBP; ISBISTER2007;
    /// project working definition in the evidence brief §1.1]
    /// </summary>
    private static Severity? Grade(ClinicalPicture p, Tri met, out Tri mildFeatures)
    {
        // BMJBP mild features: hyperreflexia, inducible clonus, tremor, myoclonic jerks, diaphoresis.
        mildFeatures = p.Hyperreflexia | p.InducibleClonus | p.Tremor | p.Diaphoresis | p.SpontaneousClonus;
        if (met.IsYes)
        {
            var severe = p.Hyperthermia & p.Hypertonia;
            return severe.IsYes ? Severity.Severe : severe.IsNo ? Severity.Moderate : null;
        }

        if (met.IsNo)
        {
            return mildFeatures.IsYes ? Severity.Mild : null;
        }

        return null;
    }

    private static string[] HunterInputs(int rule, ClinicalPicture p) => rule switch
    {
        1 => [TraceInput.Of("spontaneousClonus", p.SpontaneousClonus)],
        2 => [TraceInput.Of("inducibleClonus", p.InducibleClonus), TraceInput.Of("agitation", p.Agitation), TraceInput.Of("diaphoresis", p.Diaphoresis)],
        3 => [TraceInput.Of("ocularClonus", p.OcularClonus), TraceInput.Of("agitation", p.Agitation), TraceInput.Of("diaphoresis", p.Diaphoresis)],
        4 => [TraceInput.Of("tremor", p.Tremor), TraceInput.Of("hyperreflexia", p.Hyperreflexia)],
        _ => [TraceInput.Of("hypertonia", p.Hypertonia), TraceInput.Of("temperature>38", p.TemperatureAbove38), TraceInput.Of("ocularClonus", p.OcularClonus), TraceInput.Of("inducibleClonus", p.InducibleClonus)],
    };
}
