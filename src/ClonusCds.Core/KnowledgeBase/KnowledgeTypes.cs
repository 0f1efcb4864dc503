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
    /// <summary>seed, primary, label, guideline, review, secondary or database.</summary>
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
    /// <summary>Days a stopped drug still counts as exposure.</summary>
    public double? WashoutDays { get; init; }
    /// <summary>Source ids.</summary>
    public required IReadOnlyList<string> Citations { get; init; }
    /// <summary>Reviewer's note.</summary>
    public string? Note { get; init; }
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
