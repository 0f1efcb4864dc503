using System.Text.Json;
using ClonusCds.Api.CdsHooks.Feedback;
using ClonusCds.Api.CdsHooks.Trust;

namespace ClonusCds.Api.CdsHooks;

/// <summary>
/// HL7 CDS Hooks 2.0 endpoints: discovery, the services, and feedback. An adapter over the triage
/// engine: FHIR R4 in, cards out. See docs/cds-hooks.md.
/// </summary>
public static class CdsHooksApi
{
    /// <summary>Route prefix fixed by the spec: {baseUrl}/cds-services.</summary>
    public const string Prefix = "/cds-services";

    /// <summary>Maps the CDS Hooks endpoints.</summary>
    public static IEndpointRouteBuilder MapCdsHooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix).WithTags("CDS Hooks").RequireCors(CdsCors.Policy);

        group.MapGet("", () => TypedResults.Json(Discovery(), CdsJson.Options))
            .WithName("CdsDiscovery")
            .WithSummary("CDS Hooks discovery: the services, their hooks and prefetch templates.")
            .AddEndpointFilter<CdsJwtFilter>();

        group.MapPost("/{id}", (string id, HttpContext http, CdsHookHandler handler, CancellationToken ct) => handler.HandleAsync(id, http, ct))
            .WithName("CdsServiceCall")
            .WithSummary("Calls a CDS Service (patient-view, order-select, order-sign). Returns cards.")
            .Accepts<JsonElement>("application/json")
            .AddEndpointFilter<CdsJwtFilter>();

        group.MapCdsFeedback();
        return app;
    }

    internal static DiscoveryResponse Discovery() => new(CdsServiceCatalog.Services
        .Select(s => new DiscoveryService(s.Hook, s.Title, s.Description, s.Id, s.Prefetch, s.UsageRequirements))
        .ToList());
}

/// <summary>Discovery response.</summary>
internal sealed record DiscoveryResponse(IReadOnlyList<DiscoveryService> Services);

/// <summary>One service in discovery.</summary>
internal sealed record DiscoveryService(string Hook, string Title, string Description, string Id,
    IReadOnlyDictionary<string, string> Prefetch, string UsageRequirements);
