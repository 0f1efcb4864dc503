using ClonusCds.Api.Security;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Vocabulary;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClonusCds.Api.Knowledge;

/// <summary>Read-only knowledge endpoints: the content behind every recommendation.</summary>
internal static class KnowledgeApi
{
    public static IEndpointRouteBuilder MapKnowledge(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/knowledge").WithTags("Knowledge base")
            .RequireClonusScope(Scopes.KnowledgeRead, anonymousWhen: o => o.AnonymousKnowledge);

        group.MapGet("/", Summary).WithName("GetKnowledgeBase")
            .WithSummary("Knowledge-base version, release date, review status and counts");
        group.MapGet("/recommendations", Recommendations).WithName("ListRecommendations")
            .WithSummary("Every recommendation and pitfall with text, tier, dosing, cautions and citations");
        group.MapGet("/recommendations/{code}", Recommendation).WithName("GetRecommendation")
            .WithSummary("One recommendation or pitfall by its stable code").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/sources", Sources).WithName("ListSources")
            .WithSummary("The bibliography");
        group.MapGet("/sources/{id}", Source).WithName("GetSource")
            .WithSummary("One source by id").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/serotonergic-agents", SerotonergicAgents).WithName("ListSerotonergicAgents")
            .WithSummary("The serotonergic drug vocabulary: name, RxCUI, class, risk tier, brand names");
        group.MapGet("/drugs", Drugs).WithName("ListDrugs")
            .WithSummary("The whole drug vocabulary with its tier: rule_relevant (drugs.json, with roles) or not_implicated (common-drugs.json)");
        group.MapGet("/conditions", Conditions).WithName("ListConditionCategories")
            .WithSummary("Condition categories with the ICD-10-CM prefixes, SNOMED CT codes and keywords that map to them");
        return routes;
    }

    private static Ok<KnowledgeSummary> Summary(ClinicalKnowledgeBase kb) =>
        TypedResults.Ok(new KnowledgeSummary(
            kb.Manifest.Version, kb.Manifest.ReleaseDate, kb.Manifest.ReviewStatus, kb.Manifest.Disclaimer,
            new KnowledgeCounts(
                kb.Recommendations.Count(r => !r.IsPitfall), kb.Recommendations.Count(r => r.IsPitfall), kb.Cautions.Count,
                kb.Sources.Count, kb.Drugs.Count(d => d.Roles.Contains(DrugRoles.Serotonergic)), kb.Drugs.Count, kb.Conditions.Count)));

    private static Ok<RecommendationView[]> Recommendations(ClinicalKnowledgeBase kb) =>
        TypedResults.Ok(kb.Recommendations.Select(r => RecommendationView.From(r, kb)).ToArray());

    private static Results<Ok<RecommendationView>, ProblemHttpResult> Recommendation(string code, ClinicalKnowledgeBase kb) =>
        kb.RecommendationsByCode.TryGetValue(code, out var entry)
            ? TypedResults.Ok(RecommendationView.From(entry, kb))
            : NotFound("recommendation", code, "/api/v1/knowledge/recommendations");

    private static Ok<IReadOnlyList<SourceEntry>> Sources(ClinicalKnowledgeBase kb) => TypedResults.Ok(kb.Sources);

    private static Results<Ok<SourceEntry>, ProblemHttpResult> Source(string id, ClinicalKnowledgeBase kb) =>
        kb.SourcesById.TryGetValue(id, out var source) ? TypedResults.Ok(source) : NotFound("source", id, "/api/v1/knowledge/sources");

    private static Ok<SerotonergicAgentView[]> SerotonergicAgents(ClinicalKnowledgeBase kb) =>
        TypedResults.Ok(kb.Drugs.Where(d => d.Roles.Contains(DrugRoles.Serotonergic))
            .Select(d => new SerotonergicAgentView(d.Name, d.Rxcui, d.SerotonergicClass!, d.RiskTier!, d.EvidenceTier!, d.BrandNames, d.Synonyms,
                d.Roles.Contains(DrugRoles.Maoi), d.WashoutDays, d.Citations, d.Note))
            .ToArray());

    private static Ok<DrugView[]> Drugs(ClinicalKnowledgeBase kb) =>
        TypedResults.Ok(kb.Drugs.Concat(kb.NotImplicatedDrugs).Select(DrugView.From).ToArray());

    private static Ok<IReadOnlyList<ConditionCategoryEntry>> Conditions(ClinicalKnowledgeBase kb) => TypedResults.Ok(kb.Conditions);

    private static ProblemHttpResult NotFound(string what, string key, string list) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Unknown {what}",
            detail: $"No {what} '{key}' in this knowledge base version; {list} lists them all.");
}

/// <summary>Knowledge-base summary.</summary>
public sealed record KnowledgeSummary(string Version, string ReleaseDate, string ReviewStatus, string Disclaimer, KnowledgeCounts Counts);

/// <summary>Content counts.</summary>
public sealed record KnowledgeCounts(int Recommendations, int Pitfalls, int Cautions, int Sources, int SerotonergicAgents, int Drugs, int ConditionCategories);

/// <summary>A recommendation or pitfall as reviewed content.</summary>
public sealed record RecommendationView(string Code, string Kind, string? Tier, string Title, string Text, string Rationale, string? Dosing,
    IReadOnlyList<string> Citations, IReadOnlyList<CautionEntry> Cautions)
{
    internal static RecommendationView From(RecommendationEntry r, ClinicalKnowledgeBase kb) =>
        new(r.Code, r.Kind, r.Tier is { } t ? System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(t.ToString()) : null,
            r.Title, r.Text, r.Rationale, r.Dosing, r.Citations, r.Cautions.Select(c => kb.CautionsById[c]).ToArray());
}

/// <summary>A serotonergic agent in the vocabulary.</summary>
public sealed record SerotonergicAgentView(string Name, string? Rxcui, string Class, string RiskTier, string EvidenceTier, IReadOnlyList<string> BrandNames,
    IReadOnlyList<string> Synonyms, bool MaoInhibitor, double? WashoutDays, IReadOnlyList<string> Citations, string? Note);

/// <summary>
/// A drug in the vocabulary. Tier rule_relevant: drugs.json, roles say what the rules look for (a
/// treatment the rules name may have none). Tier not_implicated: common-drugs.json, recognised so that
/// exposure stays fully known, with a therapeutic class and no roles.
/// </summary>
public sealed record DrugView(string Name, string? Rxcui, string Tier, IReadOnlyList<string> Roles, string? Class,
    IReadOnlyList<string> Synonyms, IReadOnlyList<string> BrandNames, IReadOnlyList<string> Citations, string? Note)
{
    internal static DrugView From(DrugEntry d) =>
        new(d.Name, d.Rxcui, d.Tier == DrugTier.NotImplicated ? "not_implicated" : "rule_relevant", d.Roles,
            d.Tier == DrugTier.NotImplicated ? d.DrugClass : d.SerotonergicClass, d.Synonyms, d.BrandNames, d.Citations, d.Note);
}
