using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace ClonusCds.Api.Security;

/// <summary>The OAuth 2.0 scopes of the REST API (exact, case-sensitive names).</summary>
internal static class Scopes
{
    /// <summary>POST /api/v1/assessments.</summary>
    public const string Assess = "clonus.assess";

    /// <summary>GET /api/v1/knowledge… when Auth:AnonymousKnowledge is false.</summary>
    public const string KnowledgeRead = "clonus.knowledge.read";

    /// <summary>
    /// GET /cds-services/{id}/feedback: reading back every clinician's stored feedback (override
    /// reasons, free-text comments) is for the product's quality staff, not for the EHRs that post it.
    /// Never anonymous: no Auth:Anonymous… setting opens it.
    /// </summary>
    public const string FeedbackRead = "clonus.feedback.read";

    /// <summary>
    /// GET /api/v1/assessments/{id}: the audit trail (what was advised, to which client) is for
    /// governance and quality staff. Never anonymous: no Auth:Anonymous… setting opens it.
    /// </summary>
    public const string AuditRead = "clonus.audit.read";
}

/// <summary>What an endpoint requires (endpoint metadata; also read by the OpenAPI document).</summary>
/// <param name="Scope">The scope the token must grant, or null for "any valid token".</param>
/// <param name="AnonymousWhen">When this returns true for the settings, no token is needed at all.</param>
internal sealed record ClonusAccessRequirement(string? Scope, Func<ApiAuthOptions, bool>? AnonymousWhen)
{
    /// <summary>Whether a token is needed under these settings.</summary>
    public bool NeedsToken(ApiAuthOptions options) => options.IsBearerRequired && AnonymousWhen?.Invoke(options) != true;

    /// <summary>The authorization policy: the scope's own (named after it), or <see cref="ApiAuth.AnyTokenPolicy"/>.</summary>
    public string PolicyName => Scope ?? ApiAuth.AnyTokenPolicy;
}

/// <summary>The caller a valid access token identified (in <see cref="HttpContext.Items"/> under <see cref="ApiAuthenticator.ClientKey"/>).</summary>
/// <param name="Issuer">The trusted issuer, as configured.</param>
/// <param name="ClientId">The token's <c>client_id</c>, else <c>sub</c>.</param>
/// <param name="Scopes">The scopes the token grants.</param>
/// <param name="KeyId">The kid of the key that verified the token.</param>
internal sealed record ApiClientIdentity(string Issuer, string? ClientId, IReadOnlySet<string> Scopes, string KeyId);

/// <summary>An authorization policy requirement: the token grants this scope (exact, case-sensitive).</summary>
internal sealed record ScopeRequirement(string Scope) : IAuthorizationRequirement;

/// <summary>Grants <see cref="ScopeRequirement"/> when the authenticated token's <c>scope</c>/<c>scp</c> claims contain the scope.</summary>
internal sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated == true && ApiAuthenticator.ReadScopes(context.User.Claims).Contains(requirement.Scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Attaches the bearer-token requirement to REST endpoints and route groups.</summary>
internal static class ApiAuth
{
    /// <summary>The policy of endpoints that need a valid token with no particular scope (health, when not anonymous).</summary>
    public const string AnyTokenPolicy = "clonus.token";

    /// <summary>
    /// Requires a valid access token granting <paramref name="scope"/> (when Auth:RequireBearer is on),
    /// unless <paramref name="anonymousWhen"/> says the endpoint is open under the current settings.
    /// </summary>
    public static TBuilder RequireClonusScope<TBuilder>(this TBuilder builder, string scope, Func<ApiAuthOptions, bool>? anonymousWhen = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireClonusAccess(new ClonusAccessRequirement(scope, anonymousWhen));

    /// <summary>Requires any valid access token (when Auth:RequireBearer is on), unless <paramref name="anonymousWhen"/> says otherwise.</summary>
    public static TBuilder RequireClonusToken<TBuilder>(this TBuilder builder, Func<ApiAuthOptions, bool>? anonymousWhen = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireClonusAccess(new ClonusAccessRequirement(null, anonymousWhen));

    /// <summary>
    /// Adds the requirement as metadata (the OpenAPI document reads it) and, when the settings need a
    /// token for it, the authorization policy: the framework's authorization middleware then checks
    /// the token (JwtBearer) and the scope before the endpoint binds or reads the request body. Where
    /// no token is needed (Auth:RequireBearer false, an anonymous switch on) the endpoint carries no
    /// policy at all, so a token that is sent is ignored, not validated. Endpoints are built after
    /// startup, when the settings have been validated.
    /// </summary>
    private static TBuilder RequireClonusAccess<TBuilder>(this TBuilder builder, ClonusAccessRequirement requirement)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            endpoint.Metadata.Add(requirement);
            if (requirement.NeedsToken(endpoint.ApplicationServices.GetRequiredService<IOptions<ApiAuthOptions>>().Value))
            {
                endpoint.Metadata.Add(new AuthorizeAttribute(requirement.PolicyName));
            }
        });
        return builder;
    }
}

/// <summary>
/// The REST API's answers to the JwtBearer scheme and the authorization middleware: ProblemDetails
/// 401 with <c>WWW-Authenticate: Bearer realm="clonus"</c> (plus <c>error="invalid_token"</c> when a
/// token was sent), ProblemDetails 403 with <c>error="insufficient_scope"</c> and the required scope;
/// one Warning line for each with the reason, issuer, kid and client id, never the token. The token
/// itself is checked by <see cref="ClonusJwtHandler"/> (the scheme's token handler); accepted calls
/// find the caller in <see cref="HttpContext.Items"/> under <see cref="ClientKey"/>. Every other
/// authorization outcome goes to the framework's default handler.
/// </summary>
internal sealed partial class ApiAuthenticator(ILogger<ApiAuthenticator> logger) : JwtBearerEvents, IAuthorizationMiddlewareResultHandler
{
    /// <summary><see cref="HttpContext.Items"/> key of the <see cref="ApiClientIdentity"/> of an accepted call.</summary>
    public const string ClientKey = "clonus.client";

    /// <summary>The realm in every challenge.</summary>
    public const string Realm = "clonus";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    /// <summary>Several Authorization headers are refused (JwtBearer would join them into one string).</summary>
    public override Task MessageReceived(MessageReceivedContext context)
    {
        if (context.Request.Headers.Authorization.Count > 1)
        {
            context.Fail(new JwtRejectedException(JwtReasons.Malformed));
        }

        return Task.CompletedTask;
    }

    /// <summary>Records who called (the audit trail reads it) and with which key (the 403 log line).</summary>
    public override Task TokenValidated(TokenValidatedContext context)
    {
        if (context.SecurityToken is JsonWebToken jwt)
        {
            context.HttpContext.Items[ClientKey] = new ApiClientIdentity(
                jwt.Issuer, ClonusJwtHandler.ClientIdOf(jwt), ReadScopes(context.Principal?.Claims ?? []), jwt.Kid);
        }

        return Task.CompletedTask;
    }

    /// <summary>The 401: no token (JwtBearer found no bearer credentials) or a token not accepted (the handler's reason).</summary>
    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var http = context.HttpContext;
        var result = context.AuthenticateFailure is { } failure
            ? JwtValidationResult.From(failure)
            : new JwtValidationResult(ClonusJwtHandler.ReadBearer(http.Request.Headers.Authorization, out _) ?? JwtReasons.MissingToken);
        if (result.Reason == JwtReasons.ValidationError)
        {
            LogUnexpected(logger, result.ExceptionType ?? "?");
        }

        LogRejected(logger, Route(http), result.Reason!, LogSafe.Printable(result.Issuer, 200), LogSafe.Printable(result.KeyId, 100),
            LogSafe.Printable(result.ClientId, 100));
        await Unauthorized(http, tokenSent: !JwtReasons.NoCredentials(result.Reason));
    }

    /// <summary>The 403 when a valid token lacks the endpoint's scope; everything else as the framework does it.</summary>
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().FirstOrDefault() is { } missing)
        {
            var client = context.Items[ClientKey] as ApiClientIdentity;
            LogInsufficientScope(logger, Route(context), JwtReasons.InsufficientScope, missing.Scope, client?.Issuer,
                LogSafe.Printable(client?.KeyId, 100), LogSafe.Printable(client?.ClientId, 100));
            await Forbidden(context, missing.Scope);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>
    /// The scopes a token grants, from its claims: <c>scope</c> (a space-separated string, RFC 8693/9068)
    /// and/or <c>scp</c> (an array of strings, which the token handler makes one claim each, or a
    /// space-separated string). String values only; names are exact and case-sensitive.
    /// </summary>
    internal static HashSet<string> ReadScopes(IEnumerable<Claim> claims)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var claim in claims)
        {
            if (claim.Type is "scope" or "scp" && claim.ValueType == ClaimValueTypes.String)
            {
                scopes.UnionWith(claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        return scopes;
    }

    private static string Route(HttpContext http) => (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";

    private static Task Unauthorized(HttpContext http, bool tokenSent)
    {
        // RFC 6750 section 3.1: no error code when no bearer credentials were sent.
        http.Response.Headers.WWWAuthenticate = tokenSent ? $"Bearer realm=\"{Realm}\", error=\"invalid_token\"" : $"Bearer realm=\"{Realm}\"";
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: tokenSent ? "Access token not accepted" : "Access token required",
            detail: tokenSent
                ? "The access token is invalid, expired or not meant for this API. Request a new one from your authorization server; "
                    + "if that does not help, quote the traceId to the service operator."
                : "Send an OAuth 2.0 access token from a trusted authorization server: Authorization: Bearer <token>.")
            .ExecuteAsync(http);
    }
    private static Task Forbidden(HttpContext http, string scope)
    {
        http.Response.Headers.WWWAuthenticate = $"Bearer realm=\"{Realm}\", error=\"insufficient_scope\", scope=\"{scope}\"";
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Insufficient scope",
            detail: $"The access token does not grant the scope '{scope}' this endpoint requires. Request a token with that scope.",
            extensions: new Dictionary<string, object?> { ["requiredScope"] = scope })
            .ExecuteAsync(http);
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Warning,
        Message = "API access token rejected on {Route}: {Reason} (issuer {Issuer}, kid {KeyId}, client {ClientId})")]
    private static partial void LogRejected(ILogger logger, string route, string reason, string? issuer, string? keyId, string? clientId);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning,
        Message = "API access token rejected on {Route}: {Reason}, requires {Scope} (issuer {Issuer}, kid {KeyId}, client {ClientId})")]
    private static partial void LogInsufficientScope(ILogger logger, string route, string reason, string scope, string? issuer, string? keyId, string? clientId);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "API access token validation failed unexpectedly ({ExceptionType}); the call is rejected")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType);
}

/// <summary>Public keys of the trusted authorization servers: static JWK Sets and each issuer's JwksUrl.</summary>
internal sealed class ApiJwksProvider(IOptions<ApiAuthOptions> options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<ApiJwksProvider> logger)
    : JwtKeyStore(
        options.Value.Issuers.Select(i => (i.Issuer, i.Jwks, i.JwksPath)),
        new RemoteJwksCache(httpClientFactory, HttpClientName, time, TimeSpan.FromSeconds(options.Value.JwksCacheSeconds),
            TimeSpan.FromSeconds(options.Value.JwksMinRefetchSeconds), logger, "authorization server"))
{
    /// <summary>Named HttpClient for JwksUrl fetches (no redirects, no cookies, short timeout).</summary>
    public const string HttpClientName = "clonus-api-jwks";
}
