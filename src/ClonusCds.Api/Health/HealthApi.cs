using ClonusCds.Api.Security;
using ClonusCds.Core.KnowledgeBase;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClonusCds.Api.Health;

/// <summary>Liveness and readiness for orchestrators and load balancers.</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health")
            .RequireClonusToken(anonymousWhen: o => o.AnonymousHealth);

        // Live: the process answers. Nothing else is checked.
        group.MapGet("/live", () => TypedResults.Ok(new HealthAnswer("Healthy", null)))
            .WithName("Live").WithSummary("Liveness: the process is running");

        // Ready: the knowledge base loaded and passed validation.
        group.MapGet("/ready", async (HealthCheckService health, CancellationToken ct) =>
            {
                var report = await health.CheckHealthAsync(r => r.Tags.Contains("ready"), ct);
                var entry = report.Entries.Values.FirstOrDefault();
                var body = new HealthAnswer(report.Status.ToString(), entry.Data.TryGetValue("version", out var v) ? v as string : null);
                return report.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                    ? Results.Ok(body)
                    : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
            })
            .WithName("Ready").WithSummary("Readiness: the knowledge base is loaded and validated")
            .Produces<HealthAnswer>().Produces<HealthAnswer>(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }
}

/// <summary>Health answer.</summary>
public sealed record HealthAnswer(string Status, string? KnowledgeBaseVersion);

/// <summary>Ready once the validated knowledge base is in the container (it is built at startup or the process exits).</summary>
internal sealed class KnowledgeBaseHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var kb = services.GetService<ClinicalKnowledgeBase>();
        return Task.FromResult(kb is null
            ? HealthCheckResult.Unhealthy("knowledge base not loaded")
            : HealthCheckResult.Healthy("knowledge base loaded and validated", new Dictionary<string, object> { ["version"] = kb.Manifest.Version }));
    }
}
