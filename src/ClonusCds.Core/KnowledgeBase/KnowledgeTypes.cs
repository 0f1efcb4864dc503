using ClonusCds.Core.Model;

namespace ClonusCds.Core.KnowledgeBase;

// Shapes of the reviewable content files in KnowledgeBase/Content (see docs/knowledge-base.md).

/// <summary>manifest.json: the one version string for all content.</summary>
public sealed record KnowledgeManifest
{
    /// <summary>Content version, e.g. 2026.11.0.</summary>
    public required string Version { get; init; }
    /// <summary>Release date (ISO 8601).</summary>
    public required string ReleaseDate { get; init; }
    /// <summary>Clinical review status.</summary>
    public required string ReviewStatus { get; init; }
    /// <summary>Disclaimer shown on every assessment.</summary>
    public required string Disclaimer { get; init; }
}

/// <summary>A bibliography entry (sources.json).</summary>
public sealed record SourceEntry
{
    /// <summary>Stable id, e.g. DUNKLEY2003.</summary>
    public required string Id { get; init; }
    /// <summary>Title.</summary>
    public required string Title { get; init; }
    /// <summary>Authors, when known.</summary>
    public string? Authors { get; init; }
    /// <summary>Journal, publisher or document.</summary>
    public required string Source { get; init; }
    /// <summary>Year, when known.</summary>
    public int? Year { get; init; }
    /// <summary>URL, when known.</summary>
    public string? Url { get; init; }
    /// <summary>DOI, when known.</summary>
    public string? Doi { get; init; }
    /// <summary>seed, primary, label, guideline, review, textbook, secondary or database; seeds and secondary pages never carry an item alone.</summary>
    public required string Kind { get; init; }
    /// <summary>Reviewer's note on the source.</summary>
    public string? Note { get; init; }

    /// <summary>The response's citation for this source (built once).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Citation Citation => _citation ??= new Citation(Id, Title, Authors is null ? Source : $"{Authors}. {Source}", Year, Url);

    private Citation? _citation;
}

/// <summary>A caution attached to recommendations (cautions.json).</summary>
public sealed record CautionEntry
{
    /// <summary>Stable id.</summary>
    public required string Id { get; init; }
    /// <summary>source_conflict, evidence_quality or patient_factor.</summary>
    public required string Kind { get; init; }
    /// <summary>Clinician-facing text.</summary>
    public required string Text { get; init; }
    /// <summary>Source ids.</summary>
    public required IReadOnlyList<string> Citations { get; init; }
}

/// <summary>A recommendation or pitfall (recommendations.json).</summary>
public sealed record RecommendationEntry
{
    /// <summary>Stable code (shared/contract/codes.md).</summary>
    public required string Code { get; init; }
    /// <summary>recommendation or pitfall.</summary>
    public required string Kind { get; init; }
    /// <summary>Default tier for recommendations; null for pitfalls.</summary>
    public RecommendationTier? Tier { get; init; }
    /// <summary>Short label (≤ 80 characters).</summary>
    public required string Title { get; init; }
    /// <summary>The advice.</summary>
    public required string Text { get; init; }
    /// <summary>Why.</summary>
    public required string Rationale { get; init; }
    /// <summary>Dosing where the sources give one.</summary>
    public string? Dosing { get; init; }
    /// <summary>Source ids.</summary>
    public required IReadOnlyList<string> Citations { get; init; }
    /// <summary>Caution ids that always apply (source conflicts, evidence quality).</summary>
    public IReadOnlyList<string> Cautions { get; init; } = [];

    /// <summary>True for pitfalls.</summary>
    public bool IsPitfall => Kind == "pitfall";
}

/// <summary>A drug the rules know (drugs.json).</summary>
public sealed record DrugEntry
{
    /// <summary>Generic ingredient name, lower case.</summary>
    public required string Name { get; init; }
    /// <summary>Ingredient RxCUI, when verified.</summary>
    public string? Rxcui { get; init; }
    /// <summary>Product (SCD/SBD) RxCUIs known to contain it.</summary>
    public IReadOnlyList<string> ProductRxcuis { get; init; } = [];
    /// <summary>Other generic spellings and salts.</summary>
    public IReadOnlyList<string> Synonyms { get; init; } = [];
    /// <summary>Brand names.</summary>
    public IReadOnlyList<string> BrandNames { get; init; } = [];
    /// <summary>What the rules care about (serotonergic, maoi, dopamine_antagonist, …).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];
    /// <summary>Serotonergic class, when serotonergic.</summary>
    public string? SerotonergicClass { get; init; }
    /// <summary>high, standard or low, when serotonergic.</summary>
    public string? RiskTier { get; init; }

    /// <summary>
    /// The evidence tier of the brief's table (§3), when serotonergic: <c>high</c> (MAO inhibition),
    /// <c>moderate</c> (the standard tier: SRIs, releasers, serotonergic opioids) or <c>low_contested</c>
    /// (weak or disputed evidence: triptans, 5-HT3 antagonists, lithium as a serotonergic drug…). A
    /// low/contested agent alone is never by itself a recent serotonergic change.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? EvidenceTier => RiskTier switch
    {
        "high" => "high",
        "standard" => "moderate",
        "low" => EvidenceTiers.LowContested,
        _ => null,
    };

    /// <summary>A serotonergic agent of the low/contested tier.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool LowContested => RiskTier == "low";
    /// <summary>Days a stopped drug still counts as exposure.</summary>
    public double? WashoutDays { get; init; }
    /// <summary>Source ids.</summary>
    public required IReadOnlyList<string> Citations { get; init; }
    /// <summary>Reviewer's note.</summary>
    public string? Note { get; init; }

    /// <summary>
    /// Which vocabulary file the drug comes from: drugs.json (the rules look at it) or
    /// common-drugs.json (known, not implicated). Set by the loader, never read from drugs.json.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DrugTier Tier { get; init; } = DrugTier.RuleRelevant;

    /// <summary>Therapeutic class of a known, not-implicated drug (common-drugs.json "class"); null for drugs.json.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? DrugClass { get; init; }
}

/// <summary>The two tiers of the drug vocabulary (docs/knowledge-base.md, "Drug vocabulary tiers").</summary>
public enum DrugTier
{
    /// <summary>drugs.json: a drug with roles the rules look for, or a treatment the rules name.</summary>
    RuleRelevant,
    /// <summary>
    /// common-drugs.json: a commonly prescribed drug with none of the engine's roles. Recognised, so it
    /// does not make drug exposure unknown, and shown as "known, not implicated" in the trace.
    /// </summary>
    NotImplicated,
}

/// <summary>
/// A commonly prescribed drug with none of the roles the rules look for (common-drugs.json): known,
/// not implicated. Loaded into the same vocabulary as drugs.json, with no roles.
/// </summary>
public sealed record CommonDrugEntry
{
    /// <summary>Generic ingredient name, lower case.</summary>
    public required string Name { get; init; }
    /// <summary>Ingredient RxCUI, when a cited database gives it.</summary>
    public string? Rxcui { get; init; }
    /// <summary>Other generic spellings and salts.</summary>
    public IReadOnlyList<string> Synonyms { get; init; } = [];
    /// <summary>Brand names.</summary>
    public IReadOnlyList<string> BrandNames { get; init; } = [];
    /// <summary>Therapeutic class, snake_case (statin, proton_pump_inhibitor, …).</summary>
    public required string Class { get; init; }
    /// <summary>Source ids.</summary>
    public required IReadOnlyList<string> Citations { get; init; }
    /// <summary>Reviewer's note (why it is not implicated, where its RxCUI comes from).</summary>
    public string? Note { get; init; }

    /// <summary>The vocabulary entry: no roles, tier not implicated.</summary>
    public DrugEntry ToDrugEntry() => new()
    {
        Name = Name,
        Rxcui = Rxcui,
        Synonyms = Synonyms,
        BrandNames = BrandNames,
        Citations = Citations,
        Note = Note,
        Tier = DrugTier.NotImplicated,
        DrugClass = Class,
    };
}

/// <summary>A condition category with the codes that map to it (conditions.json).</summary>
public sealed record ConditionCategoryEntry
{
    /// <summary>The engine's category.</summary>
    public required ConditionCategory Category { get; init; }
    /// <summary>An upper-motor-neuron lesion.</summary>
    public required bool UmnLesion { get; init; }
    /// <summary>ICD-10-CM prefixes (matched by prefix).</summary>
    public IReadOnlyList<string> Icd10cmPrefixes { get; init; } = [];
    /// <summary>SNOMED CT concept ids.</summary>
    public IReadOnlyList<string> SnomedCodes { get; init; } = [];
    /// <summary>Lower-case phrases matched in display text.</summary>
    public IReadOnlyList<string> Keywords { get; init; } = [];
    /// <summary>Source ids.</summary>
    public required IReadOnlyList<string> Citations { get; init; }
    /// <summary>Reviewer's note.</summary>
    public string? Note { get; init; }
}

/// <summary>
/// Reasoning data (reasoning.json), reviewed with the rest of the content: the physiology floor and
/// the discriminator table that weighs the toxic candidates against each other.
/// </summary>
public sealed record ReasoningContent
{
    /// <summary>What the file is for (for reviewers).</summary>
    public string? Note { get; init; }
    /// <summary>Vital-sign bands and floors.</summary>
    public required PhysiologyContent Physiology { get; init; }
    /// <summary>Feature × candidate → for/against, weight, source.</summary>
    public required IReadOnlyList<DiscriminatorEntry> Discriminators { get; init; }
}

/// <summary>The physiology floor: NEWS2 bands plus the product's own cited floors.</summary>
public sealed record PhysiologyContent
{
    /// <summary>Sources for the bands.</summary>
    public required IReadOnlyList<string> Citations { get; init; }
    /// <summary>Youngest age (years) the NEWS2 bands and aggregate apply to; an unknown age is scored as an adult.</summary>
    public required double News2MinimumAgeYears { get; init; }
    /// <summary>Why (for reviewers).</summary>
    public string? News2AgeNote { get; init; }
    /// <summary>One entry per scored vital sign.</summary>
    public required IReadOnlyList<VitalSignBands> Parameters { get; init; }
    /// <summary>Score per mental status (ACVPU: new confusion or less than alert scores 3).</summary>
    public required IReadOnlyDictionary<string, int> Consciousness { get; init; }
    /// <summary>Mental statuses whose red score sets an urgent (not emergency) floor: new and long-standing confusion cannot be told apart here.</summary>
    public required IReadOnlyList<string> ConsciousnessUrgentOnly { get; init; }
    /// <summary>Aggregate score that makes an emergency.</summary>
    public required int AggregateEmergency { get; init; }
    /// <summary>Aggregate score that makes at least urgent.</summary>
    public required int AggregateUrgent { get; init; }
    /// <summary>Floors beyond NEWS2's red scores, each with its reason and sources.</summary>
    public required IReadOnlyList<PhysiologyFloor> ExtraFloors { get; init; }
}

/// <summary>Score bands for one vital sign, ascending: the first band whose upTo is at or above the value applies.</summary>
public sealed record VitalSignBands
{
    /// <summary>Request field under vitals (respiratoryRate, spo2Percent, systolicBp, heartRateBpm, temperatureC).</summary>
    public required string Parameter { get; init; }
    /// <summary>Plain name.</summary>
    public required string Label { get; init; }
    /// <summary>Unit.</summary>
    public required string Unit { get; init; }
    /// <summary>Bands, ascending; the last has no upper bound.</summary>
    public required IReadOnlyList<ScoreBand> Bands { get; init; }
}

/// <summary>Values up to and including <see cref="UpTo"/> (no bound when null) score <see cref="Score"/>.</summary>
public sealed record ScoreBand(double? UpTo, int Score);

/// <summary>An extra floor: a vital sign below or at least a threshold sets an urgency.</summary>
public sealed record PhysiologyFloor
{
    /// <summary>Stable id (trace).</summary>
    public required string Id { get; init; }
    /// <summary>Request field under vitals.</summary>
    public required string Parameter { get; init; }
    /// <summary>Fires when the value is strictly below this.</summary>
    public double? Below { get; init; }
    /// <summary>Fires when the value is at most this.</summary>
    public double? AtMost { get; init; }
    /// <summary>Fires when the value is at least this.</summary>
    public double? AtLeast { get; init; }
    /// <summary>Who it applies to: all, adults (the NEWS2 age and over, or age unknown) or children.</summary>
    public required string Ages { get; init; }
    /// <summary>The floor it sets.</summary>
    public required Model.Urgency Urgency { get; init; }
    /// <summary>Why, in plain words.</summary>
    public required string Why { get; init; }
    /// <summary>Sources.</summary>
    public required IReadOnlyList<string> Citations { get; init; }
}

/// <summary>One discriminator: a feature speaks for or against a candidate with a weight, from a source.</summary>
public sealed record DiscriminatorEntry
{
    /// <summary>Feature name (snake_case of Triage.Feature).</summary>
    public required string Feature { get; init; }
    /// <summary>Candidate name (snake_case of Triage.Candidate).</summary>
    public required string Candidate { get; init; }
    /// <summary>for or against.</summary>
    public required string Direction { get; init; }
    /// <summary>Weight, 1–5.</summary>
    public required int Weight { get; init; }
    /// <summary>Source id.</summary>
    public required string Source { get; init; }
    /// <summary>What the source says, in our words.</summary>
    public required string Note { get; init; }
}

/// <summary>Evidence tiers of serotonergic agents (brief §3).</summary>
public static class EvidenceTiers
{
    /// <summary>Weak or disputed evidence for serious toxicity.</summary>
    public const string LowContested = "low_contested";
}
