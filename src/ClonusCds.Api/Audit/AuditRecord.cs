using System.Text.Json.Serialization;

namespace ClonusCds.Api.Audit;

/// <summary>
/// What the service advised for one assessment (GET /api/v1/assessments/{id}). Codes, versions,
/// a hash and timings only: no names, identifiers, free text or request content.
/// </summary>
/// <param name="AssessmentId">The answer's <c>assessmentId</c> (REST) or the card's <c>assessmentId</c> (CDS Hooks).</param>
/// <param name="RecordedAt">When the answer was produced (UTC).</param>
/// <param name="Client">The caller: the access token's client_id (else sub, else issuer), the CDS Hooks JWT issuer, or "anonymous" where no token is required.</param>
/// <param name="Route">The route template that answered ("/api/v1/assessments/", "/cds-services/{id}").</param>
/// <param name="Service">The CDS Service id (CDS Hooks only).</param>
/// <param name="Hook">The CDS Hooks hook (CDS Hooks only).</param>
/// <param name="KnowledgeBaseVersion">The knowledge-base version that produced the answer.</param>
/// <param name="EngineVersion">The engine build.</param>
/// <param name="RequestSha256">SHA-256 (lower-case hex) of the canonical request: the patient context the engine assessed, re-serialized by the service (docs/operations.md, "Audit trail").</param>
/// <param name="PrimaryEtiology">The primary etiology (wire name).</param>
/// <param name="Urgency">The urgency (wire name).</param>
/// <param name="Recommendations">The recommendation codes returned, by tier (CDS Hooks: those shown on cards).</param>
/// <param name="Pitfalls">The pitfall codes returned (CDS Hooks: those shown on cards).</param>
/// <param name="LatencyMs">Milliseconds from the request's arrival to the answer being ready.</param>
/// <param name="Instance">The replica that answered (Audit:Instance, else host name and process id).</param>
public sealed record AuditRecord(
    Guid AssessmentId,
    DateTimeOffset RecordedAt,
    string Client,
    string Route,
    string? Service,
    string? Hook,
    string KnowledgeBaseVersion,
    string EngineVersion,
    string RequestSha256,
    string PrimaryEtiology,
    string Urgency,
    AuditRecommendations Recommendations,
    IReadOnlyList<string> Pitfalls,
    double LatencyMs,
    string Instance);

/// <summary>Recommendation codes by tier.</summary>
public sealed record AuditRecommendations(
    IReadOnlyList<string> FirstLine,
    IReadOnlyList<string> Adjunct,
    IReadOnlyList<string> Refractory,
    IReadOnlyList<string> Monitoring,
    IReadOnlyList<string> Workup)
{
    /// <summary>No codes.</summary>
    public static AuditRecommendations Empty { get; } = new([], [], [], [], []);
}

/// <summary>Source-generated JSON for the stored code lists.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AuditRecommendations))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;
