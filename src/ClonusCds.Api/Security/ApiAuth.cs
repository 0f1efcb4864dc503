using System.Text.Json;
using Microsoft.Extensions.Options;

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
}

/// <summary>The caller a valid access token identified (in <see cref="HttpContext.Items"/> under <see cref="ApiAuthenticator.ClientKey"/>).</summary>
/// <param name="Issuer">The trusted issuer, as configured.</param>
/// <param name="ClientId">The token's <c>client_id</c>, else <c>sub</c>.</param>
/// <param name="Scopes">The scopes the token grants.</param>
internal sealed record ApiClientIdentity(string Issuer, string? ClientId, IReadOnlySet<string> Scopes);

/// <summary>Attaches the bearer-token requirement to REST endpoints and route groups.</summary>
internal static class ApiAuth
{
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
    /// Wraps each endpoint's request delegate, so the token is checked before the request body is
    /// read or bound (an endpoint filter would run after binding, answering an unauthenticated
    /// caller's malformed body with a 400). It runs inside the app's middleware (exception handler,
    /// request logging, headers), unlike the framework's authentication middleware, which the
    /// minimal-hosting model would place in front of them.
    /// </summary>
    private static TBuilder RequireClonusAccess<TBuilder>(this TBuilder builder, ClonusAccessRequirement requirement)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            endpoint.Metadata.Add(requirement);
            var inner = endpoint.RequestDelegate ?? throw new InvalidOperationException($"Endpoint '{endpoint.DisplayName}' has no request delegate to protect.");
            endpoint.RequestDelegate = async http =>
            {
                if (await http.RequestServices.GetRequiredService<ApiAuthenticator>().AuthorizeAsync(http, requirement))
                {
                    await inner(http);
                }
            };
        });
        return builder;
    }
}

/// <summary>
/// Checks REST API access tokens with the shared <see cref="JwtTokenValidator"/> (the CDS Hooks
/// machinery) under the "Auth" settings: configured asymmetric algorithms, the issuer allow-list
/// with static or fetched JWK Sets, <c>aud</c> containing <see cref="ApiAuthOptions.Audience"/>,
/// <c>exp</c> and <c>iat</c> required, <c>nbf</c> honoured, no <c>jti</c> replay check (access
/// tokens are legitimately reused until they expire). Then the scope. Failures are ProblemDetails:
/// 401 with <c>WWW-Authenticate: Bearer realm="clonus"</c> (plus <c>error="invalid_token"</c> when a
/// token was sent), 403 with <c>error="insufficient_scope"</c>; one Warning line each with the
/// reason, issuer, kid and client id, never the token.
/// </summary>
internal sealed partial class ApiAuthenticator
{
    /// <summary><see cref="HttpContext.Items"/> key of the <see cref="ApiClientIdentity"/> of an accepted call.</summary>
    public const string ClientKey = "clonus.client";

    /// <summary>The realm in every challenge.</summary>
    public const string Realm = "clonus";

    /// <summary>Accepted <c>typ</c> headers: JWT, and the RFC 9068 access-token types.</summary>
    private static readonly HashSet<string> Types = new(["JWT", "at+jwt", "application/at+jwt"], StringComparer.OrdinalIgnoreCase);

    private readonly ApiAuthOptions _options;
    private readonly JwtTokenValidator _validator;
    private readonly string[] _audiences;
    private readonly ILogger<ApiAuthenticator> _logger;

    public ApiAuthenticator(IOptions<ApiAuthOptions> options, ApiJwksProvider keys, TimeProvider time, ILogger<ApiAuthenticator> logger)
    {
        _options = options.Value;
        _logger = logger;
        _audiences = string.IsNullOrWhiteSpace(_options.Audience) ? [] : [_options.Audience];
        _validator = new JwtTokenValidator(new JwtValidationPolicy
        {
            Algorithms = [.. _options.Algorithms],
            Types = Types,
            Issuers = [.. _options.Issuers.Select(i => new JwtTrustedIssuer(
                i.Issuer, string.IsNullOrWhiteSpace(i.JwksUrl) ? [] : [i.JwksUrl], string.IsNullOrWhiteSpace(i.JwksUrl) ? null : i.JwksUrl))],
            ClockSkew = TimeSpan.FromSeconds(_options.ClockSkewSeconds),
            MaxLifetimeSeconds = _options.MaxTokenLifetimeSeconds,
            Replay = null,
        }, keys, time);
    }

    /// <summary>True when the call may proceed; otherwise the 401/403 answer has been written.</summary>
    public async Task<bool> AuthorizeAsync(HttpContext http, ClonusAccessRequirement requirement)
    {
        if (!requirement.NeedsToken(_options))
        {
            return true;
        }

        var result = _audiences.Length == 0
            ? new JwtValidationResult(JwtReasons.NotConfigured)
            : await _validator.ValidateAsync(http.Request.Headers.Authorization, _audiences, http.RequestAborted);
        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
        if (!result.IsValid)
        {
            if (result.Reason == JwtReasons.ValidationError)
            {
                LogUnexpected(_logger, result.ExceptionType ?? "?");
            }

            LogRejected(_logger, route, result.Reason!, LogSafe.Printable(result.Issuer, 200), LogSafe.Printable(result.KeyId, 100),
                LogSafe.Printable(result.ClientId, 100));
            await Unauthorized(http, tokenSent: !JwtReasons.NoCredentials(result.Reason));
            return false;
        }

        var scopes = ReadScopes(result.Claims);
        var clientId = result.ClientId;
        if (requirement.Scope is { } scope && !scopes.Contains(scope))
        {
            LogInsufficientScope(_logger, route, JwtReasons.InsufficientScope, scope, result.Issuer, LogSafe.Printable(result.KeyId, 100),
                LogSafe.Printable(clientId, 100));
            await Forbidden(http, scope);
            return false;
        }

        http.Items[ClientKey] = new ApiClientIdentity(result.Issuer!, clientId, scopes);
        return true;
    }

    /// <summary>
    /// The scopes a token grants: <c>scope</c> (a space-separated string, RFC 8693/9068) and/or
    /// <c>scp</c> (an array of strings, or a space-separated string). Names are exact and case-sensitive.
    /// </summary>
    internal static HashSet<string> ReadScopes(JsonElement claims)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        if (claims.ValueKind != JsonValueKind.Object)
        {
            return scopes;
        }

        foreach (var name in (ReadOnlySpan<string>)["scope", "scp"])
        {
            if (!claims.TryGetProperty(name, out var value))
            {
                continue;
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                scopes.UnionWith(value.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                scopes.UnionWith(value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)
                    .Where(s => s.Length > 0));
            }
        }

        return scopes;
    }

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
