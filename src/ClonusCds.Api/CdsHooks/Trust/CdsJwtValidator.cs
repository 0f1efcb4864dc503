using System.Buffers.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>Why a token was rejected: the reason codes written to the log.</summary>
internal static class CdsJwtReasons
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
    public const string NotConfigured = "not_configured";
    public const string ValidationError = "validation_error";
}

/// <summary>The outcome of validating a CDS Hooks JWT. <see cref="Reason"/> is null when valid.</summary>
/// <param name="Reason">Reason code (see <see cref="CdsJwtReasons"/>), or null when the token is valid.</param>
/// <param name="Issuer">The issuer: the configured value when trusted; the token's (untrusted) value otherwise.</param>
/// <param name="KeyId">The header kid, when present (untrusted unless the token is valid).</param>
/// <param name="Tenant">The optional <c>tenant</c> claim of a valid token.</param>
internal readonly record struct CdsJwtResult(string? Reason, string? Issuer = null, string? KeyId = null, string? Tenant = null)
{
    public bool IsValid => Reason is null;
}

/// <summary>
/// Validates the JWT a CDS Client sends (CDS Hooks 2.0, "Trusting CDS Clients"). The header is
/// checked first, before any key is looked up: <c>alg</c> must be exactly ES384 or RS384 (so
/// <c>none</c> and HMAC tokens never reach a key), <c>typ</c> if present must be JWT, <c>kid</c> is
/// required, <c>crit</c> is refused. Then the issuer must be trusted, the key found (static JWK Set, or
/// the allow-listed <c>jku</c>), the signature verified by <see cref="JsonWebTokenHandler"/>, and only
/// then are <c>exp</c>, <c>iat</c>, <c>nbf</c>, lifetime, <c>aud</c> and <c>jti</c> (replay) checked.
/// </summary>
internal sealed class CdsJwtValidator(IOptions<CdsTrustOptions> options, CdsJwksProvider keys, CdsJtiReplayCache replay, TimeProvider time)
{
    /// <summary>Longest token accepted (characters); real CDS Hooks tokens are well under 2 KB.</summary>
    public const int MaxTokenLength = 8 * 1024;

    private const int MaxJtiLength = 256;
    private const int MaxKidLength = 256;

    private static readonly JsonWebTokenHandler Handler = new();
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    /// <summary>Validates an Authorization header value against the audiences this request accepts.</summary>
    public async Task<CdsJwtResult> ValidateAsync(string? authorization, IReadOnlyList<string> audiences, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return new(CdsJwtReasons.MissingToken);
        }

        const string scheme = "Bearer ";
        if (string.Equals(authorization.Trim(), scheme.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return new(CdsJwtReasons.MissingToken);
        }

        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return new(CdsJwtReasons.NotBearer);
        }

        var token = authorization[scheme.Length..].Trim();
        if (token.Length == 0)
        {
            return new(CdsJwtReasons.MissingToken);
        }

        var parts = token.Split('.');
        if (token.Length > MaxTokenLength || parts.Length != 3)
        {
            return new(CdsJwtReasons.Malformed);
        }

        using var header = ParseSegment(parts[0]);
        using var payload = ParseSegment(parts[1]);
        if (header is null || payload is null)
        {
            return new(CdsJwtReasons.Malformed);
        }

        var h = header.RootElement;
        var alg = GetString(h, "alg");
        if (alg is null || !CdsJwks.Algorithms.Contains(alg, StringComparer.Ordinal))
        {
            return new(CdsJwtReasons.AlgNotAllowed);
        }

        if (h.TryGetProperty("typ", out var typ) && !(typ.ValueKind == JsonValueKind.String && typ.GetString() == "JWT"))
        {
            return new(CdsJwtReasons.TypNotAllowed);
        }

        if (h.TryGetProperty("crit", out _))
        {
            return new(CdsJwtReasons.CritNotSupported);
        }

        var kid = GetString(h, "kid");
        if (string.IsNullOrEmpty(kid) || kid.Length > MaxKidLength)
        {
            return new(CdsJwtReasons.KidMissing);
        }

        string? jku = null;
        if (h.TryGetProperty("jku", out var jkuElement))
        {
            jku = jkuElement.ValueKind == JsonValueKind.String ? jkuElement.GetString() : null;
            if (string.IsNullOrEmpty(jku))
            {
                return new(CdsJwtReasons.Malformed, KeyId: kid);
            }
        }

        if (parts[2].Length == 0)
        {
            return new(CdsJwtReasons.BadSignature, KeyId: kid);
        }

        var p = payload.RootElement;
        var iss = GetString(p, "iss");
        var o = options.Value;
        var issuer = iss is null ? null : o.Issuers.FirstOrDefault(i => string.Equals(i.Issuer, iss, StringComparison.Ordinal));
        if (issuer is null)
        {
            return new(CdsJwtReasons.IssNotTrusted, iss, kid);
        }

        CdsKeyLookup lookup;
        if (jku is not null)
        {
            if (!issuer.JkuAllowList.Contains(jku, StringComparer.Ordinal))
            {
                return new(CdsJwtReasons.JkuNotAllowed, issuer.Issuer, kid);
            }

            lookup = await keys.RemoteKeysAsync(jku, kid, ct).ConfigureAwait(false);
        }
        else
        {
            lookup = keys.StaticKeys(issuer.Issuer, kid);
        }

        if (!lookup.Available)
        {
            return new(CdsJwtReasons.JwksUnavailable, issuer.Issuer, kid);
        }

        if (lookup.Keys.Count == 0)
        {
            return new(CdsJwtReasons.UnknownKid, issuer.Issuer, kid);
        }

        var usable = lookup.Keys.Where(k => CdsJwks.IsUsable(k, alg)).ToList();
        if (usable.Count == 0)
        {
            return new(CdsJwtReasons.KeyNotUsable, issuer.Issuer, kid);
        }

        var skew = TimeSpan.FromSeconds(o.ClockSkewSeconds);
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
            ClockSkew = skew,
        }).ConfigureAwait(false);
        if (!signature.IsValid)
        {
            return new(CdsJwtReasons.BadSignature, issuer.Issuer, kid);
        }

        var claims = CheckClaims(p, o, audiences, time.GetUtcNow());
        if (claims is not null)
        {
            return new(claims, issuer.Issuer, kid);
        }

        var jti = GetString(p, "jti")!;
        var keepUntil = DateTimeOffset.UnixEpoch.AddSeconds(p.GetProperty("exp").GetDouble()) + skew;
        return replay.TryRecord(issuer.Issuer, jti, keepUntil) switch
        {
            CdsReplayOutcome.Recorded => new(null, issuer.Issuer, kid, GetString(p, "tenant")),
            CdsReplayOutcome.Replayed => new(CdsJwtReasons.ReplayedJti, issuer.Issuer, kid),
            _ => new(CdsJwtReasons.ReplayCacheFull, issuer.Issuer, kid),
        };
    }

    /// <summary>The reason the registered claims fail, or null when they pass (replay aside).</summary>
    private static string? CheckClaims(JsonElement p, CdsTrustOptions o, IReadOnlyList<string> audiences, DateTimeOffset nowTime)
    {
        var now = (nowTime - DateTimeOffset.UnixEpoch).TotalSeconds;
        var skew = (double)o.ClockSkewSeconds;
        if (!TryGetNumber(p, "exp", out var exp))
        {
            return CdsJwtReasons.ExpMissing;
        }

        if (!TryGetNumber(p, "iat", out var iat))
        {
            return CdsJwtReasons.IatMissing;
        }

        if (now >= exp + skew)
        {
            return CdsJwtReasons.Expired;
        }

        if (iat > now + skew)
        {
            return CdsJwtReasons.IatInFuture;
        }

        if (p.TryGetProperty("nbf", out _) && (!TryGetNumber(p, "nbf", out var nbf) || nbf > now + skew))
        {
            return CdsJwtReasons.NotYetValid;
        }

        if (exp - iat > o.MaxTokenLifetimeSeconds || exp < iat)
        {
            return CdsJwtReasons.LifetimeTooLong;
        }

        if (!AudienceMatches(p, audiences))
        {
            return CdsJwtReasons.AudMismatch;
        }

        var jti = GetString(p, "jti");
        return string.IsNullOrEmpty(jti) || jti.Length > MaxJtiLength ? CdsJwtReasons.JtiMissing : null;
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
