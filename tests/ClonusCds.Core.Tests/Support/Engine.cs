using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;

namespace ClonusCds.Core.Tests.Support;

/// <summary>One validated knowledge base and engine shared by all tests (loading is the slow part).</summary>
internal static class Engine
{
    public static ClinicalKnowledgeBase Kb { get; } = ClinicalKnowledgeBase.LoadEmbedded();
    public static TriageEngine Instance { get; } = new(Kb);

    public static Assessment Assess(PatientContext context) => Instance.Assess(context);

    /// <summary>Every code anywhere in the assessment (all tiers and pitfalls).</summary>
    public static IReadOnlyList<string> AllCodes(this Assessment a) =>
        a.Recommendations.FirstLine.Concat(a.Recommendations.Adjunct).Concat(a.Recommendations.Refractory)
            .Concat(a.Recommendations.Monitoring).Concat(a.Recommendations.Workup).Concat(a.Pitfalls)
            .Select(i => i.Code).ToList();

    public static RecommendationItem? Item(this Assessment a, string code) =>
        a.Recommendations.FirstLine.Concat(a.Recommendations.Adjunct).Concat(a.Recommendations.Refractory)
            .Concat(a.Recommendations.Monitoring).Concat(a.Recommendations.Workup).Concat(a.Pitfalls)
            .FirstOrDefault(i => i.Code == code);
}
