using System.Globalization;
using ClonusCds.Api.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Audit;

/// <summary>GET /api/v1/assessments/{id}: the audit record of one assessment (scope clonus.audit.read).</summary>
internal static class AuditApi
{
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/assessments/{id}", GetAsync)
            .RequireClonusScope(Scopes.AuditRead)
            .WithTags("Assessments")
            .WithName("GetAssessmentAuditRecord")
            .WithSummary("What the service advised for one assessment (audit record)")
            .WithDescription(
                "The audit record of an assessment, by the assessmentId of a REST answer or of a CDS Hooks card: when, to which client, " +
                "from which knowledge-base and engine version, the SHA-256 of the canonical request, the primary etiology, the urgency, " +
                "the recommendation and pitfall codes returned, and the latency. No patient data is stored. Records are written in the " +
                "background within about a second of the answer and kept for Audit:RetentionDays. Requires an access token with the scope " +
                "clonus.audit.read (for quality and governance staff; never anonymous outside Development).")
            .Produces<AuditRecord>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static async Task<Results<Ok<AuditRecord>, ValidationProblem, ProblemHttpResult>> GetAsync(
        string id, IAuditStore store, AuditTrail trail, IOptions<AuditOptions> options, HttpContext http, CancellationToken ct)
    {
        if (!Guid.TryParseExact(id, "D", out var assessmentId))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["id"] = ["must be an assessmentId: a UUID such as 3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f."] },
                title: "Invalid assessment id");
        }

        var record = await store.GetAsync(assessmentId, ct);
        http.Response.Headers.CacheControl = "no-store";
        if (record is null)
        {
            var why = trail.Enabled
                ? string.Create(CultureInfo.InvariantCulture,
                    $"No audit record with that id. Records are written within about a second of the answer and kept {options.Value.RetentionDays} days.")
                : "No audit record with that id: this service does not record assessments (Audit:Enabled is false).";
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Audit record not found", detail: why);
        }

        return TypedResults.Ok(record);
    }
}
