using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ClonusCds.Api.Security;

/// <summary>The bearer scheme in the OpenAPI document, so a token can be pasted into Swagger UI ("Authorize").</summary>
internal static class ApiAuthOpenApi
{
    /// <summary>Name of the security scheme.</summary>
    public const string SchemeName = "bearer";

    /// <summary>
    /// Adds the HTTP bearer scheme and marks the operations that need a token, both only when the
    /// current settings require bearer tokens: in Development without Auth configured Swagger UI
    /// shows no "Authorize" button and no locks, because nothing asks for a token.
    /// </summary>
    public static SwaggerGenOptions AddClonusBearerSecurity(this SwaggerGenOptions options)
    {
        options.DocumentFilter<BearerDocumentFilter>();
        options.OperationFilter<BearerOperationFilter>();
        return options;
    }

    internal static OpenApiSecurityScheme Scheme() => new()
    {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description =
                "An OAuth 2.0 access token (a signed JWT) from an authorization server this deployment trusts. Paste the token " +
                "only, without 'Bearer '. Scopes: clonus.assess (POST /api/v1/assessments), clonus.knowledge.read (knowledge " +
                "endpoints, when they are not open), clonus.feedback.read (GET /cds-services/{id}/feedback, the quality-review " +
                "read). The other /cds-services calls take a CDS Hooks client JWT instead, not this token. See docs/security.md.",
    };
}

/// <summary>The bearer scheme (Swagger UI's "Authorize" button), only when tokens are required.</summary>
internal sealed class BearerDocumentFilter(IOptions<ApiAuthOptions> options) : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        if (!options.Value.IsBearerRequired)
        {
            return;
        }

        swaggerDoc.Components ??= new OpenApiComponents();
        swaggerDoc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        swaggerDoc.Components.SecuritySchemes[ApiAuthOpenApi.SchemeName] = ApiAuthOpenApi.Scheme();
    }
}

/// <summary>Marks operations whose endpoint carries a <see cref="ClonusAccessRequirement"/> that applies under the current settings.</summary>
internal sealed class BearerOperationFilter(IOptions<ApiAuthOptions> options) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var requirement = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ClonusAccessRequirement>().LastOrDefault();
        // Described as deployed: no lock anywhere when tokens are not required (Development), and
        // none on an endpoint left open (AnonymousKnowledge, AnonymousHealth).
        if (requirement is null || !options.Value.IsBearerRequired || requirement.AnonymousWhen?.Invoke(options.Value) == true)
        {
            return;
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(ApiAuthOpenApi.SchemeName, context.Document)] = [],
        });

        var needs = requirement.Scope is { } scope ? $"an access token with the scope `{scope}`" : "a valid access token";
        operation.Description = (string.IsNullOrEmpty(operation.Description) ? "" : operation.Description + "\n\n")
            + $"Requires {needs} (Auth:RequireBearer is on in this deployment).";

        operation.Responses ??= [];
        operation.Responses.TryAdd("401", new OpenApiResponse
        {
            Description = "No access token, or one that is not valid for this API (ProblemDetails; WWW-Authenticate: Bearer).",
        });
        if (requirement.Scope is not null)
        {
            operation.Responses.TryAdd("403", new OpenApiResponse
            {
                Description = $"The token does not grant {requirement.Scope} (ProblemDetails; WWW-Authenticate: Bearer error=\"insufficient_scope\").",
            });
        }
    }
}
