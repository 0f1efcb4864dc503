using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClonusCds.Api.OpenApi;

/// <summary>
/// GET /api/v1/examples: the worked examples (OpenApi/Examples/*.json) as ready-to-send requests,
/// for the clinician page's example picker and for any client that wants them. No patient data:
/// public, like the knowledge base.
/// </summary>
internal static class ExamplesApi
{
    public static IEndpointRouteBuilder MapExamples(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/examples", List).WithTags("Examples").WithName("ListWorkedExamples")
            .WithSummary("The worked examples: id, title, description and a request body for POST /api/v1/assessments");
        return routes;
    }

    private static Ok<WorkedExampleView[]> List() =>
        TypedResults.Ok(WorkedExamples.All.Select(e => new WorkedExampleView(e.Name, e.Example.Summary, e.Example.Description, e.Example.Value)).ToArray());
}

/// <summary>A worked example: <c>request</c> is a patient context to send to POST /api/v1/assessments as is.</summary>
public sealed record WorkedExampleView(string Id, string Title, string Description, JsonElement Request);
