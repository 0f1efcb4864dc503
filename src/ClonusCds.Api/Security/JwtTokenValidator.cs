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
}

/// <summary>The outcome of validating a JWT. <see cref="Reason"/> is null when valid.</summary>
/// <param name="Reason">Reason code (see <see cref="JwtReasons"/>), or null when the token is valid.</param>
/// <param name="Issuer">The issuer: the configured value when trusted; the token's (untrusted) value otherwise.</param>
/// <param name="KeyId">The header kid, when present (untrusted unless the token is valid).</param>
/// <param name="ClientId">The payload's <c>client_id</c>, else <c>sub</c>, when the payload could be read (untrusted unless valid).</param>
/// <param name="Claims">The payload of a valid token (default otherwise).</param>
/// <param name="ExceptionType">For <see cref="JwtReasons.ValidationError"/>: the type of the unexpected exception (never its message).</param>
internal readonly record struct JwtValidationResult(
    string? Reason, string? Issuer = null, string? KeyId = null, string? ClientId = null, JsonElement Claims = default, string? ExceptionType = null)
{
    public bool IsValid => Reason is null;

    /// <summary>A string claim of a valid token, or null.</summary>
    public string? StringClaim(string name) =>
        Claims.ValueKind == JsonValueKind.Object && Claims.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

/// <summary>One trusted issuer as the validator sees it (its static keys live in the <see cref="IJwtKeySource"/>).</summary>
/// <param name="Issuer">The exact <c>iss</c> (ordinal).</param>
/// <param name="JkuAllowList">URLs a token's <c>jku</c> header may name (exact match); a token with another <c>jku</c> is refused unfetched.</param>
/// <param name="JwksUrl">The issuer's own JWK Set URL, consulted when the static keys have no key with the token's kid.</param>
internal sealed record JwtTrustedIssuer(string Issuer, IReadOnlyList<string> JkuAllowList, string? JwksUrl = null);

/// <summary>
/// Records a token's (issuer, jti) and returns null when it is the first use, or the reason code
/// (<see cref="JwtReasons.ReplayedJti"/>, <see cref="JwtReasons.ReplayCacheFull"/>,
/// <see cref="JwtReasons.ReplayStoreUnavailable"/>) to refuse it. Asynchronous: the record may live in
/// a database shared by every replica.
/// </summary>
internal delegate ValueTask<string?> JtiReplayCheck(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken ct);

/// <summary>What one trust domain accepts. Everything a <see cref="JwtTokenValidator"/> needs besides keys and the clock.</summary>
internal sealed class JwtValidationPolicy
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

    /// <summary>When set, <c>jti</c> is required and passed to this check after everything else passed; when null it is neither.</summary>
    public JtiReplayCheck? Replay { get; init; }
}

/// <summary>
/// Validates a compact JWS bearer token against a <see cref="JwtValidationPolicy"/>. The header is
/// checked first, before any key is looked up: <c>alg</c> must be one the policy allows (so
/// <c>none</c> and HMAC tokens never reach a key), <c>typ</c> if present must be allowed, <c>kid</c>
/// is required, <c>crit</c> is refused. Then the issuer must be trusted, the key found (static JWK
/// Set; an allow-listed <c>jku</c>; or the issuer's JWK Set URL), the signature verified by
/// <see cref="JsonWebTokenHandler"/>, and only then are <c>exp</c>, <c>iat</c>, <c>nbf</c>, lifetime,
/// <c>aud</c> and, when the policy asks, <c>jti</c> (replay) checked. Used by the CDS Hooks filter
/// (<c>CdsJwtValidator</c>) and the REST API (<see cref="ApiAuthenticator"/>).
/// </summary>
internal sealed class JwtTokenValidator
{
    /// <summary>Longest token accepted (characters); real tokens are well under 2 KB.</summary>
    public const int MaxTokenLength = 8 * 1024;

    private const int MaxJtiLength = 256;
    private const int MaxKidLength = 256;

    private static readonly JsonWebTokenHandler Handler = new();
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    private readonly JwtValidationPolicy _policy;
    private readonly IJwtKeySource _keys;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, JwtTrustedIssuer> _issuers;

    public JwtTokenValidator(JwtValidationPolicy policy, IJwtKeySource keys, TimeProvider time)
    {
        _policy = policy;
        _keys = keys;
        _time = time;
        _issuers = new(StringComparer.Ordinal);
        foreach (var issuer in policy.Issuers)
        {
            _issuers.TryAdd(issuer.Issuer, issuer);
        }
    }

    /// <summary>
    /// Validates the request's Authorization header(s) against the audiences this request accepts.
    /// Never throws: several Authorization headers are <see cref="JwtReasons.Malformed"/>, and anything
    /// unexpected is <see cref="JwtReasons.ValidationError"/> with the exception type (its message may quote the token).
    /// </summary>
    public async Task<JwtValidationResult> ValidateAsync(StringValues authorization, IReadOnlyList<string> audiences, CancellationToken ct)
    {
        if (authorization.Count > 1)
        {
            return new(JwtReasons.Malformed);
        }

        try
        {
            return await ValidateTokenAsync(authorization.ToString(), audiences, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new(JwtReasons.ValidationError, ExceptionType: ex.GetType().Name);
        }
    }

    private async Task<JwtValidationResult> ValidateTokenAsync(string? authorization, IReadOnlyList<string> audiences, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return new(JwtReasons.MissingToken);
        }

        const string scheme = "Bearer ";
        if (string.Equals(authorization.Trim(), scheme.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return new(JwtReasons.MissingToken);
        }

        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return new(JwtReasons.NotBearer);
        }

        var token = authorization[scheme.Length..].Trim();
        if (token.Length == 0)
        {
            return new(JwtReasons.MissingToken);
        }

        var parts = token.Split('.');
        if (token.Length > MaxTokenLength || parts.Length != 3)
        {
            return new(JwtReasons.Malformed);
        }

        using var header = ParseSegment(parts[0]);
        using var payload = ParseSegment(parts[1]);
        if (header is null || payload is null)
        {
            return new(JwtReasons.Malformed);
        }

        var h = header.RootElement;
        var p = payload.RootElement;
        var clientId = GetString(p, "client_id") ?? GetString(p, "sub");
        var alg = GetString(h, "alg");
        if (alg is null || !_policy.Algorithms.Contains(alg, StringComparer.Ordinal))
        {
            return new(JwtReasons.AlgNotAllowed, ClientId: clientId);
        }

        if (h.TryGetProperty("typ", out var typ) && !(typ.ValueKind == JsonValueKind.String && _policy.Types.Contains(typ.GetString()!)))
        {
            return new(JwtReasons.TypNotAllowed, ClientId: clientId);
        }

        if (h.TryGetProperty("crit", out _))
        {
            return new(JwtReasons.CritNotSupported, ClientId: clientId);
        }

        var kid = GetString(h, "kid");
        if (string.IsNullOrEmpty(kid) || kid.Length > MaxKidLength)
        {
            return new(JwtReasons.KidMissing, ClientId: clientId);
        }

        string? jku = null;
        if (h.TryGetProperty("jku", out var jkuElement))
        {
            jku = jkuElement.ValueKind == JsonValueKind.String ? jkuElement.GetString() : null;
            if (string.IsNullOrEmpty(jku))
            {
                return new(JwtReasons.Malformed, KeyId: kid, ClientId: clientId);
            }
        }

        if (parts[2].Length == 0)
        {
            return new(JwtReasons.BadSignature, KeyId: kid, ClientId: clientId);
        }

        var iss = GetString(p, "iss");
        if (iss is null || !_issuers.TryGetValue(iss, out var issuer))
        {
            return new(JwtReasons.IssNotTrusted, iss, kid, clientId);
        }

        JwtKeyLookup lookup;
        if (jku is not null)
        {
            if (!issuer.JkuAllowList.Contains(jku, StringComparer.Ordinal))
            {
                return new(JwtReasons.JkuNotAllowed, issuer.Issuer, kid, clientId);
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
            return new(JwtReasons.JwksUnavailable, issuer.Issuer, kid, clientId);
        }

        if (lookup.Keys.Count == 0)
        {
            return new(JwtReasons.UnknownKid, issuer.Issuer, kid, clientId);
        }

        var usable = lookup.Keys.Where(k => JwkSets.IsUsable(k, alg)).ToList();
        if (usable.Count == 0)
        {
            return new(JwtReasons.KeyNotUsable, issuer.Issuer, kid, clientId);
        }

        var signature = await Handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidAlgorithms = [alg],
            IssuerSigningKeys = usable,
            TryAllIssuerSigningKeys = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = false,
            // Checked below, from the same parsed payload, with reason codes of their own.
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            ValidateTokenReplay = false,
            ClockSkew = _policy.ClockSkew,
        }).ConfigureAwait(false);
        if (!signature.IsValid)
        {
            return new(JwtReasons.BadSignature, issuer.Issuer, kid, clientId);
        }

        var claims = CheckClaims(p, audiences, _time.GetUtcNow());
        if (claims is not null)
        {
            return new(claims, issuer.Issuer, kid, clientId);
        }

        if (_policy.Replay is { } replay)
        {
            var jti = GetString(p, "jti")!;
            var keepUntil = DateTimeOffset.UnixEpoch.AddSeconds(p.GetProperty("exp").GetDouble()) + _policy.ClockSkew;
            var replayed = await replay(issuer.Issuer, jti, keepUntil, ct);
            if (replayed is not null)
            {
                return new(replayed, issuer.Issuer, kid, clientId);
            }
        }

        return new(null, issuer.Issuer, kid, clientId, p.Clone());
    }

    /// <summary>The reason the registered claims fail, or null when they pass (replay aside).</summary>
    private string? CheckClaims(JsonElement p, IReadOnlyList<string> audiences, DateTimeOffset nowTime)
    {
        var now = (nowTime - DateTimeOffset.UnixEpoch).TotalSeconds;
        var skew = _policy.ClockSkew.TotalSeconds;
        if (!TryGetNumber(p, "exp", out var exp))
        {
            return JwtReasons.ExpMissing;
        }

        if (!TryGetNumber(p, "iat", out var iat))
        {
            return JwtReasons.IatMissing;
        }

        if (now >= exp + skew)
        {
            return JwtReasons.Expired;
        }

        if (iat > now + skew)
        {
            return JwtReasons.IatInFuture;
        }

        if (p.TryGetProperty("nbf", out _) && (!TryGetNumber(p, "nbf", out var nbf) || nbf > now + skew))
        {
            return JwtReasons.NotYetValid;
        }

        if (exp - iat > _policy.MaxLifetimeSeconds || exp < iat)
        {
            return JwtReasons.LifetimeTooLong;
        }

        if (!AudienceMatches(p, audiences))
        {
            return JwtReasons.AudMismatch;
        }

        if (_policy.Replay is null)
        {
            return null;
        }

        var jti = GetString(p, "jti");
        return string.IsNullOrEmpty(jti) || jti.Length > MaxJtiLength ? JwtReasons.JtiMissing : null;
    }

    private static bool AudienceMatches(JsonElement p, IReadOnlyList<string> audiences)
    {
        if (!p.TryGetProperty("aud", out var aud))
        {
            return false;
        }

        return aud.ValueKind switch
        {
            JsonValueKind.String => audiences.Contains(aud.GetString()!, StringComparer.Ordinal),
            JsonValueKind.Array => aud.EnumerateArray()
                .Any(a => a.ValueKind == JsonValueKind.String && audiences.Contains(a.GetString()!, StringComparer.Ordinal)),
            _ => false,
        };
    }

    private static JsonDocument? ParseSegment(string segment)
    {
        try
        {
            var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(segment), StrictJson);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                return doc;
            }

            doc.Dispose();
            return null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static string? GetString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static bool TryGetNumber(JsonElement e, string name, out double value)
    {
        value = 0;
        return e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out value) && double.IsFinite(value);
    }
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
