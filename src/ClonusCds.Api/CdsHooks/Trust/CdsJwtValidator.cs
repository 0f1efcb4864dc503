using ClonusCds.Api.Security;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>
/// Validates the JWT a CDS Client sends (CDS Hooks 2.0, "Trusting CDS Clients") with the shared
/// <see cref="ClonusJwtHandler"/> (Microsoft.IdentityModel's JsonWebTokenHandler and the rules
/// around it), under the CDS Hooks policy: <c>alg</c> exactly ES384 or RS384 (checked before any key
/// lookup), <c>typ</c> if present exactly JWT, <c>kid</c> required, the issuer allow-list with static
/// JWK Sets or allow-listed <c>jku</c>, <c>aud</c> the endpoint URL (per request). Then what is
/// CDS Hooks' own: a required <c>jti</c>, checked for replay through <see cref="IJtiReplayStore"/>
/// (in memory, or shared on PostgreSQL) once everything else has passed. The framework's own
/// replay hook (<c>ITokenReplayCache</c>) is synchronous, and the shared store is a database call.
/// </summary>
internal sealed class CdsJwtValidator
{
    private const int MaxJtiLength = 256;

    private static readonly HashSet<string> Types = new(["JWT"], StringComparer.Ordinal);

    private readonly ClonusJwtHandler _handler;
    private readonly JwtTrustPolicy _policy;
    private readonly IJtiReplayStore _replay;
    private readonly TokenValidationParameters _parameters;

    public CdsJwtValidator(IOptions<CdsTrustOptions> options, CdsJwksProvider keys, IJtiReplayStore replay, TimeProvider time)
    {
        var o = options.Value;
        _replay = replay;
        _policy = new JwtTrustPolicy
        {
            Algorithms = CdsJwks.Algorithms,
            Types = Types,
            Issuers = [.. o.Issuers.Select(i => new JwtTrustedIssuer(i.Issuer, i.JkuAllowList))],
            ClockSkew = TimeSpan.FromSeconds(o.ClockSkewSeconds),
            MaxLifetimeSeconds = o.MaxTokenLifetimeSeconds,
        };
        _handler = new ClonusJwtHandler(_policy, keys, time);
        _parameters = _policy.ValidationParameters([]);
    }

    /// <summary>
    /// Validates the Authorization header(s) against the audiences this request accepts. Never throws:
    /// several Authorization headers are <see cref="JwtReasons.Malformed"/>, and anything unexpected is
    /// <see cref="JwtReasons.ValidationError"/> with the exception type (its message may quote the token).
    /// </summary>
    public async Task<JwtValidationResult> ValidateAsync(StringValues authorization, IReadOnlyList<string> audiences, CancellationToken ct)
    {
        if (ClonusJwtHandler.ReadBearer(authorization, out var token) is { } missing)
        {
            return new(missing);
        }

        // The audience is per endpoint: this request's own copy of the parameters.
        var parameters = _parameters.Clone();
        parameters.ValidAudiences = audiences;
        var result = JwtValidationResult.From(await _handler.ValidateAsync(token, parameters, ct));
        if (!result.IsValid)
        {
            return result;
        }

        var jwt = result.Token!;
        var jti = ClonusJwtHandler.PayloadString(jwt, "jti");
        if (string.IsNullOrEmpty(jti) || jti.Length > MaxJtiLength)
        {
            return result with { Reason = JwtReasons.JtiMissing, Token = null };
        }

        try
        {
            var keepUntil = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + _policy.ClockSkew;
            var replayed = await _replay.TryRecordAsync(result.Issuer!, jti, keepUntil, ct) switch
            {
                CdsReplayOutcome.Recorded => null,
                CdsReplayOutcome.Replayed => JwtReasons.ReplayedJti,
                CdsReplayOutcome.Full => JwtReasons.ReplayCacheFull,
                _ => JwtReasons.ReplayStoreUnavailable,
            };
            return replayed is null ? result : result with { Reason = replayed, Token = null };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return result with { Reason = JwtReasons.ValidationError, Token = null, ExceptionType = ex.GetType().Name };
        }
    }
}
