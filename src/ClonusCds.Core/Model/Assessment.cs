namespace ClonusCds.Core.Model;

// The response contract (shared/contract/api-v1.md, "Response: the assessment").

/// <summary>The triage result for one patient context.</summary>
public sealed record Assessment
{
    /// <summary>UUID of this assessment.</summary>
    public required Guid AssessmentId { get; init; }
    /// <summary>Version of the cited content that produced it.</summary>
    public required string KnowledgeBaseVersion { get; init; }
    /// <summary>The answer in plain words: what it is, how urgent, what to do first, what to avoid, what is missing.</summary>
    public required AssessmentSummary Summary { get; init; }
    /// <summary>Most likely cause, with rationale and differentials.</summary>
    public required EtiologyAssessment Etiology { get; init; }
    /// <summary>emergency, urgent or routine.</summary>
    public required Urgency Urgency { get; init; }
    /// <summary>Present whenever a serotonergic agent is on the list; null otherwise.</summary>
    public required SerotoninToxicityAssessment? SerotoninToxicity { get; init; }
    /// <summary>Recommendations grouped by tier.</summary>
    public required RecommendationGroups Recommendations { get; init; }
    /// <summary>What not to do, and why.</summary>
    public required IReadOnlyList<RecommendationItem> Pitfalls { get; init; }
    /// <summary>Data whose absence limits this assessment.</summary>
    public required IReadOnlyList<MissingDatum> MissingData { get; init; }
    /// <summary>Medications and conditions the engine could not place.</summary>
    public required IReadOnlyList<UnrecognizedInput> UnrecognizedInputs { get; init; }
    /// <summary>Rules that were evaluated, in order, with their inputs.</summary>
    public required IReadOnlyList<TraceEntry> Trace { get; init; }
    /// <summary>Every source cited anywhere in this response.</summary>
    public required IReadOnlyList<Citation> Citations { get; init; }
    /// <summary>Decision support for clinicians; not a substitute for clinical judgement.</summary>
    public required string Disclaimer { get; init; }
}

/// <summary>
/// The assessment in plain words, for a clinician to read first. Built from the answer itself by
/// <see cref="Triage.AssessmentSummaryBuilder"/>, the same wording as the CDS Hooks triage card.
/// </summary>
public sealed record AssessmentSummary
{
    /// <summary>The likely cause and the urgency, e.g. "Serotonin toxicity (Hunter criteria met, moderate) — emergency".</summary>
    public required string Headline { get; init; }
    /// <summary>Titles of the first-line recommendations, in order.</summary>
    public required IReadOnlyList<string> FirstActions { get; init; }
    /// <summary>Titles of the pitfalls, in order.</summary>
    public required IReadOnlyList<string> KeyPitfalls { get; init; }
    /// <summary>The fields listed in missingData, in order.</summary>
    public required IReadOnlyList<string> Missing { get; init; }
    /// <summary>The same as one short plain-text paragraph.</summary>
    public required string Text { get; init; }
    /// <summary>The same as Markdown (a lead line, then lists).</summary>
    public required string Markdown { get; init; }
}

/// <summary>The etiology call.</summary>
public sealed record EtiologyAssessment
{
    /// <summary>The most likely cause.</summary>
    public required Etiology Primary { get; init; }
    /// <summary>Finer label, e.g. neuroleptic_malignant_syndrome.</summary>
    public EtiologySubtype? Subtype { get; init; }
    /// <summary>Other causes still to consider.</summary>
    public required IReadOnlyList<Differential> Differentials { get; init; }
    /// <summary>Plain sentences: which findings led here.</summary>
    public required IReadOnlyList<string> Rationale { get; init; }
}

/// <summary>
/// Another cause still to consider. <see cref="NotExcluded"/> marks a cause that keeps its trigger
/// and hallmark (or rests on data not yet given) and is not outweighed by the findings: its safety
/// actions are in the answer, marked with <see cref="RecommendationItem.ServesDifferential"/>.
/// </summary>
public sealed record Differential(Etiology Etiology, EtiologySubtype? Subtype, string Reason, bool NotExcluded = false);

/// <summary>The serotonin-toxicity evaluation (Hunter criteria, Dunkley 2003).</summary>
public sealed record SerotoninToxicityAssessment
{
    /// <summary>Serotonergic agents found on the list.</summary>
    public required IReadOnlyList<SerotonergicAgentMatch> SerotonergicAgents { get; init; }
    /// <summary>true / false, or null when a feature the rules need is unknown and no rule fired.</summary>
    public required bool? HunterCriteriaMet { get; init; }
    /// <summary>Hunter rules (1–5, Dunkley numbering) whose conditions are met.</summary>
    public required IReadOnlyList<int> HunterRulesFired { get; init; }
    /// <summary>Hunter rules that could not be decided because a feature is unknown.</summary>
    public required IReadOnlyList<int> HunterRulesUndetermined { get; init; }
    /// <summary>mild, moderate or severe; null when not decidable or no toxicity features.</summary>
    public required Severity? Severity { get; init; }
    /// <summary>True when at least one agent counts as current exposure (active, or stopped within its washout).</summary>
    public required bool ExposureCurrent { get; init; }
}

/// <summary>A serotonergic agent matched on the medication list.</summary>
public sealed record SerotonergicAgentMatch(
    string Name, string? Rxcui, string Class, string RiskTier, string EvidenceTier, string Status, string MatchedBy, int MedicationIndex);

/// <summary>Recommendations by tier.</summary>
public sealed record RecommendationGroups
{
    /// <summary>First-line.</summary>
    public required IReadOnlyList<RecommendationItem> FirstLine { get; init; }
    /// <summary>Adjuncts.</summary>
    public required IReadOnlyList<RecommendationItem> Adjunct { get; init; }
    /// <summary>Refractory options.</summary>
    public required IReadOnlyList<RecommendationItem> Refractory { get; init; }
    /// <summary>Monitoring.</summary>
    public required IReadOnlyList<RecommendationItem> Monitoring { get; init; }
    /// <summary>Work-up.</summary>
    public required IReadOnlyList<RecommendationItem> Workup { get; init; }
}

/// <summary>One recommendation or pitfall, from the knowledge base, with why it applies here.</summary>
public sealed record RecommendationItem
{
    /// <summary>
    /// Stable code: the contract's code list plus the codes the knowledge base adds (all listed with
    /// their text by GET /api/v1/knowledge/recommendations). Added in 2026.12.0:
    /// immediate_review_abnormal_physiology, intrathecal_pump_interrogation,
    /// reinstate_dopaminergic_therapy (recommendations); serotonin_toxicity_nms_overlap,
    /// avoid_dopamine_antagonists (pitfalls).
    /// </summary>
    public required string Code { get; init; }
    /// <summary>Short label.</summary>
    public required string Title { get; init; }
    /// <summary>The advice.</summary>
    public required string Text { get; init; }
    /// <summary>Why the advice holds, in general.</summary>
    public required string Rationale { get; init; }
    /// <summary>Dosing where the sources give one.</summary>
    public string? Dosing { get; init; }
    /// <summary>Source ids.</summary>
    public required IReadOnlyList<string> Citations { get; init; }
    /// <summary>Source conflicts and patient factors that modify this item.</summary>
    public required IReadOnlyList<CautionItem> Cautions { get; init; }
    /// <summary>The rule that added it.</summary>
    public required string FiredBy { get; init; }
    /// <summary>Why it applies to this patient.</summary>
    public required string Because { get; init; }
    /// <summary>
    /// The differential (subtype or etiology wire name) this safety action serves when it is not
    /// the primary etiology's own advice; null for the primary's.
    /// </summary>
    public string? ServesDifferential { get; init; }
}

/// <summary>A caution attached to a recommendation.</summary>
public sealed record CautionItem(string Id, string Kind, string Text, IReadOnlyList<string> Citations);

/// <summary>Data whose absence limits the assessment.</summary>
public sealed record MissingDatum(string Field, string Reason);

/// <summary>An input the engine could not place in its vocabulary.</summary>
public sealed record UnrecognizedInput(string Kind, string Path, string Value, string Reason);

/// <summary>One rule evaluation.</summary>
public sealed record TraceEntry(string Rule, string Outcome, string Detail, IReadOnlyList<string> Inputs);

/// <summary>A bibliography entry cited by the response.</summary>
public sealed record Citation(string Id, string Title, string Source, int? Year, string? Url);

#pragma warning disable CS1591
public enum Etiology
{
    SerotoninToxicity, OtherDrugToxicity, UmnLesion, SeizureMimic, Metabolic, NormalVariant, IndeterminateNeedsEvaluation,
}

public enum EtiologySubtype
{
    NeurolepticMalignantSyndrome, AnticholinergicToxicity, MalignantHyperthermia, LithiumToxicity, BaclofenToxicity,
    BaclofenWithdrawal, HepaticEncephalopathy, OtherMetabolic, PossibleMaskedSerotoninToxicity, InfantClonus,
    NewUndiagnosedUmnLesion, EpilepticSeizures, ParkinsonismHyperpyrexiaSyndrome, CnsInfectionOrSepsis,
}

public enum Urgency { Routine, Urgent, Emergency }

public enum Severity { Mild, Moderate, Severe }

public enum RecommendationTier { FirstLine, Adjunct, Refractory, Monitoring, Workup }
#pragma warning restore CS1591

/// <summary>How much of an assessment is written (<c>?view=</c> on the REST route).</summary>
public enum AssessmentView
{
    /// <summary>Everything (the default).</summary>
    Full,
    /// <summary>Without the rule trace and the citation bodies; items keep their citation ids.</summary>
    Summary,
}
