using ClonusCds.Api.Security;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>The CDS Client a valid JWT identified (in <see cref="HttpContext.Items"/> under <see cref="CdsJwtFilter.ClientKey"/>).</summary>
/// <param name="Issuer">The trusted issuer (<c>iss</c>), as configured.</param>
/// <param name="Tenant">The optional <c>tenant</c> claim.</param>
internal sealed record CdsClientIdentity(string Issuer, string? Tenant);

/// <summary>
/// Requires a valid CDS Hooks JWT (see <see cref="CdsJwtValidator"/>, built on the shared <see cref="ClonusJwtHandler"/>) on the endpoints it is attached
/// to, when <see cref="CdsTrustOptions.RequireJwt"/> is on. Every failure is 401 with an empty body and
/// <c>WWW-Authenticate: Bearer</c>, and one Warning log line with a reason code, the issuer and the
/// kid — never the token or the Authorization header. On discovery (GET /cds-services) it applies
/// only when <see cref="CdsTrustOptions.RequireJwtOnDiscovery"/> is set. When the JWT is not
/// required, any token sent is ignored.
/// </summary>
internal sealed partial class CdsJwtFilter(IOptions<CdsTrustOptions> options, CdsJwtValidator validator, ILogger<CdsJwtFilter> logger) : IEndpointFilter
{
    /// <summary><see cref="HttpContext.Items"/> key of the <see cref="CdsClientIdentity"/> of an accepted call.</summary>
    public const string ClientKey = "cds.client";

    private const string FeedbackSuffix = "/feedback";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var o = options.Value;
        if (!o.IsJwtRequired || (IsDiscovery(http.Request) && !o.RequireJwtOnDiscovery))
        {
            return await next(context);
        }

        JwtValidationResult result;
        if (string.IsNullOrWhiteSpace(o.PublicBaseUrl))
        {
            // Startup validation refuses this configuration; never fall back to the Host header.
            result = new(JwtReasons.NotConfigured);
        }
        else
        {
            // Several Authorization headers are malformed; an unexpected failure comes back as
            // validation_error with the exception type: a token must never turn into a 500.
            result = await validator.ValidateAsync(http.Request.Headers.Authorization, Audiences(http.Request, o.PublicBaseUrl), http.RequestAborted);
            if (result.Reason == JwtReasons.ValidationError)
            {
                // The exception text is not logged (it may quote the token).
                LogUnexpected(logger, result.ExceptionType ?? "?");
            }
        }

        if (result.IsValid)
        {
            http.Items[ClientKey] = new CdsClientIdentity(result.Issuer!, result.StringClaim("tenant"));
            return await next(context);
        }

        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
        LogRejected(logger, result.Reason!, LogSafe.Printable(result.Issuer, 200), LogSafe.Printable(result.KeyId, 100), route);
        if (result.Reason == JwtReasons.ReplayStoreUnavailable)
        {
            // The token may be fine; the shared replay record could not be consulted, so it cannot
            // be accepted (fail closed). A retry with a fresh token can succeed once the store is back.
            http.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Replay protection unavailable",
                detail: "The shared JWT replay record could not be reached, so the token was not accepted. Retry with a new token.");
        }

        return Reject(http, result.Reason);
    }

    /// <summary>
    /// The aud values this request accepts: PublicBaseUrl (trailing slash trimmed) + PathBase + Path
    /// (trailing slash trimmed); for /cds-services/{id}/feedback also the service URL /cds-services/{id}.
    /// </summary>
    internal static IReadOnlyList<string> Audiences(HttpRequest request, string publicBaseUrl)
    {
        var path = request.PathBase.Add(request.Path).ToUriComponent().TrimEnd('/');
        var audience = publicBaseUrl.TrimEnd('/') + path;
        var segments = request.Path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var isFeedback = segments.Length == 3
            && string.Equals("/" + segments[0], CdsHooksApi.Prefix, StringComparison.OrdinalIgnoreCase)
            && string.Equals("/" + segments[2], FeedbackSuffix, StringComparison.OrdinalIgnoreCase);
        return isFeedback ? [audience, audience[..^FeedbackSuffix.Length]] : [audience];
    }

    private static bool IsDiscovery(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && string.Equals(request.Path.Value?.TrimEnd('/'), CdsHooksApi.Prefix, StringComparison.OrdinalIgnoreCase);

    private static UnauthorizedHttpResult Reject(HttpContext http, string? reason)
    {
        // UseStatusCodePages would otherwise write a ProblemDetails body: a 401 here is empty.
        if (http.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
        {
            statusCodePages.Enabled = false;
        }

        // RFC 6750 section 3.1: no error code when no credentials were sent.
        http.Response.Headers.WWWAuthenticate = JwtReasons.NoCredentials(reason)
            ? "Bearer"
            : "Bearer error=\"invalid_token\"";
        return TypedResults.Unauthorized();
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning,
        Message = "CDS Hooks JWT rejected on {Route}: {Reason} (issuer {Issuer}, kid {KeyId})")]
    private static partial void LogRejected(ILogger logger, string reason, string? issuer, string? keyId, string route);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "CDS Hooks JWT validation failed unexpectedly ({ExceptionType}); the call is rejected")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType);
}
