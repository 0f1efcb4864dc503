using ClonusCds.Api.Audit;
using ClonusCds.Api.Infrastructure;
using ClonusCds.Api.Infrastructure.Telemetry;
using Microsoft.AspNetCore.Mvc;
using ClonusCds.Api.Security;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;

namespace ClonusCds.Api.Assessments;

/// <summary>POST /api/v1/assessments: triage one patient context.</summary>
internal static class AssessmentsApi
{
    public static IEndpointRouteBuilder MapAssessments(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/assessments").WithTags("Assessments")
            .RequireClonusScope(Scopes.Assess);

        group.MapPost("/", Assess)
            .AddEndpointFilter<ValidationFilter<PatientContext>>()
            .WithName("CreateAssessment")
            .WithSummary("Triage a patient with clonus")
            .WithDescription(
                "Returns the most likely etiology (serotonin toxicity, other drug toxicity, upper-motor-neuron lesion, seizure mimic, " +
                "metabolic, normal variant, or indeterminate), the urgency, the Hunter criteria when a serotonergic agent is listed, " +
                "and cited first-line, adjunct, refractory, monitoring and work-up recommendations with pitfalls. Absent fields mean " +
                "'not known', never 'no'; what is missing and matters is listed in missingData. The summary object says it in plain words. " +
                "?view=summary leaves out the rule trace and the citation bodies (items keep their citation ids; GET /api/v1/knowledge/sources/{id} resolves them).")
            .Accepts<PatientContext>("application/json")
            .Produces<Assessment>(StatusCodes.Status200OK)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status500InternalServerError);

        return routes;
    }

    // The body comes through PatientContextBody (its own reader, so that a refused body can be
    // explained in full); the ValidationFilter has already checked that it is present and valid.
    private static IResult Assess(PatientContextBody body, TriageEngine engine, AssessmentJsonWriter json, AuditTrail audit, ClonusMetrics metrics, HttpContext http,
        [FromQuery(Name = "view")] string? view = null)
    {
        // view=full (default) or view=summary: the answer without the trace and citation bodies.
        AssessmentView shape;
        if (view is null or "full")
        {
            shape = AssessmentView.Full;
        }
        else if (view == "summary")
        {
            shape = AssessmentView.Summary;
        }
        else
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["view"] = ["must be 'full' (the default) or 'summary'."] },
                title: "Invalid query parameter");
        }

        var assessment = engine.Assess(body.Value!);
        // Queued for the audit trail (no I/O here); also puts the assessmentId on the request log line.
        audit.Record(http, assessment, body.Value!);
        // Codes, not patient data, for the request log line.
        var etiology = WireNames.Of(assessment.Etiology.Primary);
        var urgency = WireNames.Of(assessment.Urgency);
        http.Items[RequestLogging.EtiologyKey] = etiology;
        http.Items[RequestLogging.UrgencyKey] = urgency;
        metrics.AssessmentCompleted("/api/v1/assessments/", etiology, urgency);
        http.Response.Headers.CacheControl = "no-store";
        // The same bytes as TypedResults.Ok(assessment), written without the reflection serializer.
        return new AssessmentJsonResult(assessment, json, shape);
    }
}
