using ClonusCds.Core.Model;

namespace ClonusCds.Core.Triage.Rules;

/// <summary>What the rules share while one assessment runs.</summary>
public sealed class TriageState
{
    internal TriageState(ClinicalPicture picture, HunterResult? hunter, AssessmentBuilder output)
    {
        Picture = picture;
        Hunter = hunter;
        Out = output;
    }

    /// <summary>Normalised facts.</summary>
    public ClinicalPicture Picture { get; }
    /// <summary>Hunter result; null when no serotonergic agent is on board.</summary>
    public HunterResult? Hunter { get; }
    /// <summary>What the assessment will say.</summary>
    public AssessmentBuilder Out { get; }
    /// <summary>The etiology chosen (set after the etiology rules ran).</summary>
    public EtiologyCall Primary { get; internal set; } = EtiologyCall.Indeterminate("not yet decided");

    /// <summary>Hunter criteria met (No when no serotonergic agent is on board).</summary>
    public Tri HunterMet => Hunter?.Met ?? Tri.No;

    /// <summary>The primary call is a drug toxicity (serotonin or other) or a possibly masked one.</summary>
    public bool PrimaryIsToxicity =>
        Primary.Etiology is Etiology.SerotoninToxicity or Etiology.OtherDrugToxicity
        || Primary.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity;
}

/// <summary>An etiology a rule proposes, with its urgency and the reason.</summary>
public sealed record EtiologyCall(Etiology Etiology, EtiologySubtype? Subtype, Urgency Urgency, string Reason, string RuleId)
{
    /// <summary>The fallback call.</summary>
    public static EtiologyCall Indeterminate(string reason) =>
        new(Etiology.IndeterminateNeedsEvaluation, null, Urgency.Urgent, reason, "INDET-FALLBACK");
}

/// <summary>A rule that may propose the etiology. Rules run in priority order; the first call wins.</summary>
public interface IEtiologyRule
{
    /// <summary>Stable id.</summary>
    string Id { get; }
    /// <summary>What the rule checks, for the trace.</summary>
    string Description { get; }
    /// <summary>Returns a call when the rule's conditions hold; null otherwise.</summary>
    EtiologyCall? Evaluate(TriageState s);
}

/// <summary>A rule that adds recommendations, pitfalls or missing data. Returns whether it fired.</summary>
public interface IManagementRule
{
    /// <summary>Stable id.</summary>
    string Id { get; }
    /// <summary>What the rule does, for the trace.</summary>
    string Description { get; }
    /// <summary>Applies the rule; true when it added something.</summary>
    bool Apply(TriageState s);
}
