using ClonusCds.Api.Security;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>
/// Validates the JWT a CDS Client sends (CDS Hooks 2.0, "Trusting CDS Clients") with the shared
/// <see cref="JwtTokenValidator"/>, under the CDS Hooks policy: <c>alg</c> exactly ES384 or RS384
/// (checked before any key lookup), <c>typ</c> if present exactly JWT, <c>kid</c> required, the issuer
/// allow-list with static JWK Sets or allow-listed <c>jku</c>, <c>aud</c> the endpoint URL, and a
/// required <c>jti</c> that is checked for replay (<see cref="IJtiReplayStore"/>: in memory, or shared on PostgreSQL).
/// </summary>
internal sealed class CdsJwtValidator
{
    private static readonly HashSet<string> Types = new(["JWT"], StringComparer.Ordinal);

    private readonly JwtTokenValidator _validator;

    public CdsJwtValidator(IOptions<CdsTrustOptions> options, CdsJwksProvider keys, IJtiReplayStore replay, TimeProvider time)
    {
        var o = options.Value;
        _validator = new JwtTokenValidator(new JwtValidationPolicy
        {
            Algorithms = CdsJwks.Algorithms,
            Types = Types,
            Issuers = [.. o.Issuers.Select(i => new JwtTrustedIssuer(i.Issuer, i.JkuAllowList))],
            ClockSkew = TimeSpan.FromSeconds(o.ClockSkewSeconds),
            MaxLifetimeSeconds = o.MaxTokenLifetimeSeconds,
            Replay = async (issuer, jti, keepUntil, ct) => await replay.TryRecordAsync(issuer, jti, keepUntil, ct) switch
            {
                CdsReplayOutcome.Recorded => null,
                CdsReplayOutcome.Replayed => JwtReasons.ReplayedJti,
                CdsReplayOutcome.Full => JwtReasons.ReplayCacheFull,
                _ => JwtReasons.ReplayStoreUnavailable,
            },
        }, keys, time);
    }

    /// <summary>Validates the Authorization header(s) against the audiences this request accepts. Never throws.</summary>
    public Task<JwtValidationResult> ValidateAsync(StringValues authorization, IReadOnlyList<string> audiences, CancellationToken ct) =>
        _validator.ValidateAsync(authorization, audiences, ct);
}
