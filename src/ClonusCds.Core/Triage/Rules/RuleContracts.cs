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

    /// <summary>The discriminator scores of the toxic candidates that were proposed (null when none was).</summary>
    public DifferentialWeigher? Weigher { get; internal set; }

    /// <summary>The primary is a definite toxic call chosen by weight (open calls may then be set aside).</summary>
    public bool DefinitePrimary { get; internal set; }

    /// <summary>Every etiology call proposed, in rule order.</summary>
    public List<EtiologyCall> Calls { get; } = new(4);

    private readonly CandidateScore?[] _scores = new CandidateScore?[Enum.GetValues<Candidate>().Length];

    /// <summary>The weighed support of a candidate that was proposed; null if it was not.</summary>
    public CandidateScore? ScoreOf(Candidate candidate) => _scores[(int)candidate];

    internal void SetScore(CandidateScore score) => _scores[(int)score.Candidate] = score;

    /// <summary>Toxic candidates other than the primary that stay open (not excluded), in rule order.</summary>
    public List<EtiologyCall> OpenHazards { get; } = new(2);

    /// <summary>The candidate is the primary's or an open hazard's.</summary>
    public bool NotExcluded(Candidate candidate)
    {
        if (DifferentialWeigher.Of(Primary) == candidate)
        {
            return true;
        }

        foreach (var call in OpenHazards)
        {
            if (DifferentialWeigher.Of(call) == candidate)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Hunter criteria met (No when no serotonergic agent is on board).</summary>
    public Tri HunterMet => Hunter?.Met ?? Tri.No;

    /// <summary>The primary call is a drug toxicity (serotonin or other) or a possibly masked one.</summary>
    public bool PrimaryIsToxicity =>
        Primary.Etiology is Etiology.SerotoninToxicity or Etiology.OtherDrugToxicity
        || Primary.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity;
}

/// <summary>
/// An etiology a rule proposes, with its urgency and the reason. A <paramref name="Possible"/> call
/// lacks its trigger or hallmark in the data given (e.g. rigidity and fever in theatre with no
/// anaesthetic recorded): it can never be primary, but stays in the differential, not excluded,
/// with its safety actions, until the missing data exclude it.
/// </summary>
public sealed record EtiologyCall(Etiology Etiology, EtiologySubtype? Subtype, Urgency Urgency, string Reason, string RuleId, bool Possible = false)
{
    /// <summary>The fallback call.</summary>
    public static EtiologyCall Indeterminate(string reason) =>
        new(Etiology.IndeterminateNeedsEvaluation, null, Urgency.Urgent, reason, "INDET-FALLBACK");
}

/// <summary>
/// A rule that may propose the etiology. Every rule runs; the toxic look-alikes among the calls are
/// weighed with the discriminator table and the best-supported one with its trigger is primary.
/// Otherwise the order of <c>TriageEngine.EtiologyRules</c> breaks the tie.
/// </summary>
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
