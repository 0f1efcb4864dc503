using System.Buffers.Text;
using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.Security;

/// <summary>Why a token was rejected: the reason codes written to the log (shared by CDS Hooks and the REST API).</summary>
internal static class JwtReasons
{
    public const string MissingToken = "missing_token";
    public const string NotBearer = "not_bearer";
    public const string Malformed = "malformed";
    public const string AlgNotAllowed = "alg_not_allowed";
    public const string TypNotAllowed = "typ_not_allowed";
    public const string CritNotSupported = "crit_not_supported";
    public const string KidMissing = "kid_missing";
    public const string IssNotTrusted = "iss_not_trusted";
    public const string JkuNotAllowed = "jku_not_allowed";
    public const string JwksUnavailable = "jwks_unavailable";
    public const string UnknownKid = "unknown_kid";
    public const string KeyNotUsable = "key_not_usable";
    public const string BadSignature = "bad_signature";
    public const string ExpMissing = "exp_missing";
    public const string IatMissing = "iat_missing";
    public const string Expired = "expired";
    public const string IatInFuture = "iat_in_future";
    public const string NotYetValid = "not_yet_valid";
    public const string LifetimeTooLong = "lifetime_too_long";
    public const string AudMismatch = "aud_mismatch";
    public const string JtiMissing = "jti_missing";
    public const string ReplayedJti = "replayed_jti";
    public const string ReplayCacheFull = "replay_cache_full";
    /// <summary>The shared replay store could not be reached: the token is refused (fail closed).</summary>
    public const string ReplayStoreUnavailable = "replay_store_unavailable";
    public const string NotConfigured = "not_configured";
    public const string ValidationError = "validation_error";

    /// <summary>REST API only: a valid token without the scope the endpoint requires (403, not 401).</summary>
    public const string InsufficientScope = "insufficient_scope";

    /// <summary>True when no bearer credentials were sent at all (RFC 6750 section 3.1: the challenge then carries no error code).</summary>
    public static bool NoCredentials(string? reason) => reason is MissingToken or NotBearer;

    /// <summary>The reason code of a failure reported by Microsoft.IdentityModel's <see cref="JsonWebTokenHandler"/>.</summary>
    public static string Of(Exception? failure) => failure switch
    {
        JwtRejectedException rejected => rejected.Reason,
        SecurityTokenInvalidAudienceException => AudMismatch,
        SecurityTokenInvalidIssuerException => IssNotTrusted,
        SecurityTokenNoExpirationException => ExpMissing,
        SecurityTokenExpiredException => Expired,
        SecurityTokenNotYetValidException => NotYetValid,
        // nbf after exp: the token never becomes valid.
        SecurityTokenInvalidLifetimeException => NotYetValid,
        SecurityTokenInvalidAlgorithmException => AlgNotAllowed,
        SecurityTokenSignatureKeyNotFoundException => UnknownKid,
        SecurityTokenInvalidSignatureException => BadSignature,
        SecurityTokenMalformedException => Malformed,
        _ => ValidationError,
    };
}

/// <summary>
/// A token refused: the reason code and what may be logged about the token (untrusted values pass
/// through <see cref="LogSafe"/> first). The message is the reason code only, never any part of the token.
/// </summary>
/// <param name="reason">A <see cref="JwtReasons"/> code.</param>
/// <param name="issuer">The issuer: the configured value when trusted, the token's (untrusted) value otherwise.</param>
/// <param name="keyId">The header kid, when present.</param>
/// <param name="clientId">The payload's <c>client_id</c>, else <c>sub</c>.</param>
/// <param name="exceptionType">For <see cref="JwtReasons.ValidationError"/>: the type of the unexpected exception (never its message).</param>
internal sealed class JwtRejectedException(string reason, string? issuer = null, string? keyId = null, string? clientId = null, string? exceptionType = null)
    : SecurityTokenValidationException("JWT rejected: " + reason)
{
    public string Reason { get; } = reason;

    public string? Issuer { get; } = issuer;

    public string? KeyId { get; } = keyId;

    public string? ClientId { get; } = clientId;

    public string? ExceptionType { get; } = exceptionType;
}

/// <summary>The outcome of validating a JWT. <see cref="Reason"/> is null when valid.</summary>
/// <param name="Reason">Reason code (see <see cref="JwtReasons"/>), or null when the token is valid.</param>
/// <param name="Issuer">The issuer: the configured value when trusted; the token's (untrusted) value otherwise.</param>
/// <param name="KeyId">The header kid, when present (untrusted unless the token is valid).</param>
/// <param name="ClientId">The payload's <c>client_id</c>, else <c>sub</c>, when the payload could be read (untrusted unless valid).</param>
/// <param name="Token">The validated token (null otherwise).</param>
/// <param name="ExceptionType">For <see cref="JwtReasons.ValidationError"/>: the type of the unexpected exception (never its message).</param>
internal readonly record struct JwtValidationResult(
    string? Reason, string? Issuer = null, string? KeyId = null, string? ClientId = null, JsonWebToken? Token = null, string? ExceptionType = null)
{
    public bool IsValid => Reason is null;

    /// <summary>A string claim of a valid token, or null.</summary>
    public string? StringClaim(string name) => Token is null ? null : ClonusJwtHandler.PayloadString(Token, name);

    /// <summary>The outcome <see cref="ClonusJwtHandler"/> reported.</summary>
    public static JwtValidationResult From(TokenValidationResult result) =>
        result.IsValid && result.SecurityToken is JsonWebToken token
            ? new(null, token.Issuer, token.Kid, ClonusJwtHandler.ClientIdOf(token), token)
            : From(result.Exception);

    /// <summary>The outcome of a failure (a <see cref="JwtRejectedException"/>, or any other exception).</summary>
    public static JwtValidationResult From(Exception? failure) => failure is JwtRejectedException r
        ? new(r.Reason, r.Issuer, r.KeyId, r.ClientId, ExceptionType: r.ExceptionType)
        : new(JwtReasons.Of(failure), ExceptionType: failure?.GetType().Name);
}

/// <summary>One trusted issuer as the handler sees it (its static keys live in the <see cref="IJwtKeySource"/>).</summary>
/// <param name="Issuer">The exact <c>iss</c> (ordinal).</param>
/// <param name="JkuAllowList">URLs a token's <c>jku</c> header may name (exact match); a token with another <c>jku</c> is refused unfetched.</param>
/// <param name="JwksUrl">The issuer's own JWK Set URL, consulted when the static keys have no key with the token's kid.</param>
internal sealed record JwtTrustedIssuer(string Issuer, IReadOnlyList<string> JkuAllowList, string? JwksUrl = null);

/// <summary>What one trust domain (CDS Hooks, REST API) accepts.</summary>
internal sealed class JwtTrustPolicy
{
    /// <summary>Accepted <c>alg</c> values (exact); checked before anything else, so <c>none</c> and HMAC never reach a key.</summary>
    public required IReadOnlyCollection<string> Algorithms { get; init; }

    /// <summary>Accepted <c>typ</c> header values when one is present (the set's comparer decides case); an absent typ is accepted.</summary>
    public required IReadOnlySet<string> Types { get; init; }

    /// <summary>The <c>iss</c> allow-list.</summary>
    public required IReadOnlyList<JwtTrustedIssuer> Issuers { get; init; }

    /// <summary>Tolerance for <c>exp</c>, <c>iat</c> and <c>nbf</c>.</summary>
    public required TimeSpan ClockSkew { get; init; }

    /// <summary>Longest accepted <c>exp - iat</c>, in seconds.</summary>
    public required int MaxLifetimeSeconds { get; init; }

    /// <summary>
    /// What Microsoft.IdentityModel checks for this policy: the signature (signed tokens only, with
    /// these algorithms and the keys <see cref="ClonusJwtHandler"/> sets per call), <c>exp</c>
    /// required, <c>exp</c> and <c>nbf</c> with the clock skew, the issuer allow-list, and <c>aud</c>
    /// exactly one of <paramref name="audiences"/> (ordinal, a trailing slash matters). Set per call:
    /// the signing keys; no <c>typ</c>, replay or actor checks here.
    /// </summary>
    public TokenValidationParameters ValidationParameters(IEnumerable<string> audiences) => new()
    {
        ValidAlgorithms = Algorithms,
        RequireSignedTokens = true,
        TryAllIssuerSigningKeys = true,
        ValidateIssuerSigningKey = false,
        ValidIssuers = [.. Issuers.Select(i => i.Issuer)],
        ValidateIssuer = true,
        ValidAudiences = [.. audiences],
        ValidateAudience = true,
        IgnoreTrailingSlashWhenValidatingAudience = false,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = ClockSkew,
        ValidateTokenReplay = false,
        LogValidationExceptions = false,
    };
}

/// <summary>
/// Microsoft.IdentityModel's <see cref="JsonWebTokenHandler"/> with the rules this service adds
/// around it, for both trust domains: the REST API (as the JwtBearer scheme's token handler) and
/// CDS Hooks (<c>CdsJwtValidator</c>). Before the framework looks at a key, it checks what the
/// framework does not, or not in this order:
/// <list type="bullet">
/// <item>duplicate members in the header or payload make the token malformed (the library keeps the
/// last one, so <c>{"alg":"HS256","alg":"ES384"}</c> would read as ES384);</item>
/// <item><c>alg</c> allowed (the library rejects an unsigned or HMAC token only as a bad
/// signature, after looking up keys); <c>typ</c>, when present, allowed (the library's ValidTypes
/// refuses an absent typ); <c>crit</c> refused; <c>kid</c> required (the library would try every
/// key);</item>
/// <item>the issuer trusted, and only then its key: static JWK Sets, an allow-listed <c>jku</c>, or
/// the issuer's JWK Set URL, fetched by <see cref="RemoteJwksCache"/> (per issuer, asynchronously,
/// and with the kid refetched in the same call; the library's configuration manager serves one
/// authority and refreshes in the background, so the first token of a rotated key would fail); keys
/// that do not fit the algorithm (<see cref="JwkSets.IsUsable"/>: curve, RSA size at least 2048
/// bits, use/alg/key_ops) are never offered.</item>
/// </list>
/// Then <see cref="JsonWebTokenHandler"/> validates the signature, <c>exp</c>, <c>nbf</c>, the
/// issuer and <c>aud</c> (<see cref="JwtTrustPolicy.ValidationParameters"/>); then <c>iat</c> is
/// required and not in the future, and <c>exp - iat</c> is bounded, which the library does not do.
/// Every failure is a <see cref="JwtRejectedException"/> with a reason code; nothing throws.
/// </summary>
internal sealed class ClonusJwtHandler : JsonWebTokenHandler
{
    /// <summary>Longest token accepted (characters); real tokens are well under 2 KB.</summary>
    public const int MaxTokenLength = 8 * 1024;

    private const int MaxKidLength = 256;

    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    private readonly JwtTrustPolicy _policy;
    private readonly IJwtKeySource _keys;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, JwtTrustedIssuer> _issuers = new(StringComparer.Ordinal);

    public ClonusJwtHandler(JwtTrustPolicy policy, IJwtKeySource keys, TimeProvider time)
    {
        _policy = policy;
        _keys = keys;
        _time = time;
        foreach (var issuer in policy.Issuers)
        {
            _issuers.TryAdd(issuer.Issuer, issuer);
        }

        // Claims keep their JWT names (sub, scope, scp, client_id), not the WS-Federation URIs.
        MapInboundClaims = false;
        MaximumTokenSizeInBytes = MaxTokenLength;
    }

    /// <summary>
    /// The token from the Authorization header(s) of a request, or the reason there is none:
    /// <see cref="JwtReasons.MissingToken"/>, <see cref="JwtReasons.NotBearer"/>, or
    /// <see cref="JwtReasons.Malformed"/> for several Authorization headers.
    /// </summary>
    public static string? ReadBearer(StringValues authorization, out string token)
    {
        token = "";
        if (authorization.Count > 1)
        {
            return JwtReasons.Malformed;
        }

        var value = authorization.ToString();
        if (string.IsNullOrWhiteSpace(value) || string.Equals(value.Trim(), "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return JwtReasons.MissingToken;
        }

        if (!value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return JwtReasons.NotBearer;
        }

        token = value["Bearer ".Length..].Trim();
        return token.Length == 0 ? JwtReasons.MissingToken : null;
    }

    /// <summary>
    /// Validates <paramref name="token"/>. <paramref name="validationParameters"/> must be this call's
    /// own instance (JwtBearer clones its parameters for every request; <c>CdsJwtValidator</c> builds
    /// one per request): the signing keys found for the token are set on it.
    /// </summary>
    public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters) =>
        ValidateAsync(token, validationParameters, CancellationToken.None);

    /// <inheritdoc cref="ValidateTokenAsync(string, TokenValidationParameters)"/>
    public async Task<TokenValidationResult> ValidateAsync(string token, TokenValidationParameters validationParameters, CancellationToken ct)
    {
        try
        {
            return await ValidateCoreAsync(token, validationParameters, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The exception text may quote the token: only its type goes further.
            return Rejected(new JwtRejectedException(JwtReasons.ValidationError, exceptionType: ex.GetType().Name));
        }
    }

    private async Task<TokenValidationResult> ValidateCoreAsync(string token, TokenValidationParameters parameters, CancellationToken ct)
    {
        if (token.Length > MaxTokenLength || !IsStrictJws(token))
        {
            return Rejected(JwtReasons.Malformed);
        }

        JsonWebToken jwt;
        try
        {
            jwt = ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            // SecurityTokenMalformedException is an ArgumentException too; so is a registered claim of
            // the wrong JSON type (an iss that is a number).
            return Rejected(JwtReasons.Malformed);
        }

        var clientId = ClientIdOf(jwt);
        var alg = HeaderString(jwt, "alg");
        if (alg is null || !_policy.Algorithms.Contains(alg, StringComparer.Ordinal))
        {
            return Rejected(JwtReasons.AlgNotAllowed, clientId: clientId);
        }

        if (jwt.TryGetHeaderValue<object>("typ", out var typ) && !(typ is string t && _policy.Types.Contains(t)))
        {
            return Rejected(JwtReasons.TypNotAllowed, clientId: clientId);
        }

        if (jwt.TryGetHeaderValue<object>("crit", out _))
        {
            return Rejected(JwtReasons.CritNotSupported, clientId: clientId);
        }

        var kid = HeaderString(jwt, "kid");
        if (string.IsNullOrEmpty(kid) || kid.Length > MaxKidLength)
        {
            return Rejected(JwtReasons.KidMissing, clientId: clientId);
        }

        string? jku = null;
        if (jwt.TryGetHeaderValue<object>("jku", out var jkuValue))
        {
            jku = jkuValue as string;
            if (string.IsNullOrEmpty(jku))
            {
                return Rejected(JwtReasons.Malformed, keyId: kid, clientId: clientId);
            }
        }

        if (!jwt.IsSigned)
        {
            return Rejected(JwtReasons.BadSignature, keyId: kid, clientId: clientId);
        }

        var iss = PayloadString(jwt, "iss");
        if (iss is null || !_issuers.TryGetValue(iss, out var issuer))
        {
            return Rejected(JwtReasons.IssNotTrusted, iss, kid, clientId);
        }

        JwtKeyLookup lookup;
        if (jku is not null)
        {
            if (!issuer.JkuAllowList.Contains(jku, StringComparer.Ordinal))
            {
                return Rejected(JwtReasons.JkuNotAllowed, issuer.Issuer, kid, clientId);
            }

            lookup = await _keys.RemoteKeysAsync(jku, kid, ct).ConfigureAwait(false);
        }
        else
        {
            lookup = _keys.StaticKeys(issuer.Issuer, kid);
            if (lookup.Keys.Count == 0 && issuer.JwksUrl is not null)
            {
                lookup = await _keys.RemoteKeysAsync(issuer.JwksUrl, kid, ct).ConfigureAwait(false);
            }
        }

        if (!lookup.Available)
        {
            return Rejected(JwtReasons.JwksUnavailable, issuer.Issuer, kid, clientId);
        }

        if (lookup.Keys.Count == 0)
        {
            return Rejected(JwtReasons.UnknownKid, issuer.Issuer, kid, clientId);
        }

        var usable = lookup.Keys.Where(k => JwkSets.IsUsable(k, alg)).ToList();
        if (usable.Count == 0)
        {
            return Rejected(JwtReasons.KeyNotUsable, issuer.Issuer, kid, clientId);
        }

        parameters.IssuerSigningKeys = usable;
        var result = await base.ValidateTokenAsync(jwt, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            var reason = JwtReasons.Of(result.Exception);
            return Rejected(new JwtRejectedException(reason, issuer.Issuer, kid, clientId,
                reason == JwtReasons.ValidationError ? result.Exception?.GetType().Name : null));
        }

        var claims = CheckIssuedAt(jwt);
        return claims is null ? result : Rejected(claims, issuer.Issuer, kid, clientId);
    }

    /// <summary>What the library leaves out: <c>iat</c> required and not in the future, <c>exp - iat</c> within the policy's maximum.</summary>
    private string? CheckIssuedAt(JsonWebToken jwt)
    {
        if (!jwt.TryGetPayloadValue<object>("iat", out _))
        {
            return JwtReasons.IatMissing;
        }

        if (jwt.IssuedAt > _time.GetUtcNow().UtcDateTime + _policy.ClockSkew)
        {
            return JwtReasons.IatInFuture;
        }

        var lifetime = jwt.ValidTo - jwt.IssuedAt;
        return lifetime.TotalSeconds > _policy.MaxLifetimeSeconds || lifetime < TimeSpan.Zero ? JwtReasons.LifetimeTooLong : null;
    }

    /// <summary>Three parts; header and payload base64url JSON objects without duplicate members.</summary>
    private static bool IsStrictJws(string token)
    {
        var first = token.IndexOf('.', StringComparison.Ordinal);
        var second = first < 0 ? -1 : token.IndexOf('.', first + 1);
        if (second < 0 || token.IndexOf('.', second + 1) >= 0)
        {
            return false;
        }

        return IsJsonObject(token.AsSpan(0, first)) && IsJsonObject(token.AsSpan(first + 1, second - first - 1));
    }

    private static bool IsJsonObject(ReadOnlySpan<char> segment)
    {
        try
        {
            using var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(segment), StrictJson);
            return doc.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return false;
        }
    }

    private static TokenValidationResult Rejected(string reason, string? issuer = null, string? keyId = null, string? clientId = null) =>
        Rejected(new JwtRejectedException(reason, issuer, keyId, clientId));

    private static TokenValidationResult Rejected(JwtRejectedException exception) => new() { IsValid = false, Exception = exception };

    /// <summary>The payload's <c>client_id</c>, else <c>sub</c> (strings only).</summary>
    internal static string? ClientIdOf(JsonWebToken jwt) => PayloadString(jwt, "client_id") ?? PayloadString(jwt, "sub");

    /// <summary>A payload member that is a JSON string, else null (the library would turn a number into text).</summary>
    internal static string? PayloadString(JsonWebToken jwt, string name) =>
        jwt.TryGetPayloadValue<object>(name, out var value) ? value as string : null;

    private static string? HeaderString(JsonWebToken jwt, string name) =>
        jwt.TryGetHeaderValue<object>(name, out var value) ? value as string : null;
}

/// <summary>Values from untrusted tokens are logged only when short and plain ASCII.</summary>
internal static class LogSafe
{
    /// <summary>The value, or "(not printable)" when longer than <paramref name="max"/> or not printable ASCII without spaces.</summary>
    public static string? Printable(string? value, int max) =>
        value is null ? null
        : value.Length <= max && value.All(c => c is > ' ' and <= '~') ? value
        : "(not printable)";
}
