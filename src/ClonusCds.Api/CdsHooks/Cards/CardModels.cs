using System.Text.Json.Serialization;

namespace ClonusCds.Api.CdsHooks.Cards;

// CDS Hooks 2.0 response shapes. Optional members are null when absent and omitted on the wire
// (CdsJson ignores nulls); collections are null rather than empty, because the spec forbids [].

/// <summary>The service response.</summary>
internal sealed record CdsResponse(IReadOnlyList<Card> Cards);

/// <summary>One card.</summary>
internal sealed record Card
{
    public required string Uuid { get; init; }
    public required string Summary { get; init; }
    public string? Detail { get; init; }
    public required string Indicator { get; init; }
    public required CardSource Source { get; init; }
    public IReadOnlyList<Suggestion>? Suggestions { get; init; }
    public string? SelectionBehavior { get; init; }
    public IReadOnlyList<CdsCoding>? OverrideReasons { get; init; }
    public IReadOnlyList<CardLink>? Links { get; init; }
    /// <summary>Spec-reserved extension object: {"org.clonuscds": {...}}.</summary>
    public IReadOnlyDictionary<string, ClonusCardExtension>? Extension { get; init; }
}

/// <summary>Card source.</summary>
internal sealed record CardSource(string Label, string? Url, CdsCoding? Topic);

/// <summary>A Coding as CDS Hooks defines it.</summary>
internal sealed record CdsCoding(string System, string Code, string? Display);

/// <summary>A suggestion.</summary>
internal sealed record Suggestion(string Label, string Uuid, bool? IsRecommended, IReadOnlyList<CdsAction> Actions);

/// <summary>A suggested action.</summary>
internal sealed record CdsAction(string Type, string Description, string? ResourceId);

/// <summary>
/// A link. <c>autolaunchable</c> is always written, and false: these are reference pages, and a
/// link launched without showing the card would hide the card's advice (CDS Hooks 2.0, "Link").
/// </summary>
internal sealed record CardLink(string Label, string Url, string Type, bool Autolaunchable = false);

/// <summary>Machine-readable card content for integrations and regression suites.</summary>
internal sealed record ClonusCardExtension
{
    /// <summary>triage, medication-safety or order.</summary>
    public required string Kind { get; init; }
    /// <summary>Recommendation and pitfall codes shown on the card (shared/contract/codes.md).</summary>
    public IReadOnlyList<string>? Codes { get; init; }
    /// <summary>The etiology call behind the card.</summary>
    public string? Etiology { get; init; }
    /// <summary>Etiology subtype, when there is one.</summary>
    public string? Subtype { get; init; }
    /// <summary>emergency, urgent or routine.</summary>
    public string? Urgency { get; init; }
    /// <summary>The draft order the card is about (order cards).</summary>
    public string? OrderResourceId { get; init; }
    /// <summary>The assessment behind the card.</summary>
    public required Guid AssessmentId { get; init; }
    /// <summary>Knowledge-base version.</summary>
    public required string KnowledgeBaseVersion { get; init; }
    /// <summary>Rules that fired, in order.</summary>
    [JsonPropertyName("rules")]
    public IReadOnlyList<string>? Rules { get; init; }
}
