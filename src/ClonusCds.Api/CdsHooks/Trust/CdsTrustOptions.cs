namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>
/// How CDS Clients are trusted (configuration section "CdsHooks:Trust"): the signed JWT every CDS
/// Hooks call carries (CDS Hooks 2.0, "Trusting CDS Clients"). See docs/cds-hooks.md.
/// </summary>
public sealed class CdsTrustOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "CdsHooks:Trust";

    /// <summary>
    /// Require a valid JWT on the CDS Service calls and on POST feedback. Unset: required everywhere
    /// except in the Development environment. After startup this always holds the effective value.
    /// GET feedback (the quality-review read) is not a CDS Client call: it takes a REST access token
    /// with the scope clonus.feedback.read (Auth settings), never this JWT.
    /// </summary>
    public bool? RequireJwt { get; set; }

    /// <summary>Also require the JWT on discovery (GET /cds-services). Default false.</summary>
    public bool RequireJwtOnDiscovery { get; set; }

    /// <summary>Tolerated clock difference for <c>exp</c>, <c>iat</c> and <c>nbf</c>, in seconds.</summary>
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>
    /// Longest accepted token lifetime (<c>exp - iat</c>), in seconds. Default 300: the five minutes
    /// SMART Backend Services allows for client assertions; a longer window only widens replay.
    /// </summary>
    public int MaxTokenLifetimeSeconds { get; set; } = 300;

    /// <summary>The CDS Clients trusted: the <c>iss</c> allow-list and each issuer's keys.</summary>
    public List<CdsTrustedIssuer> Issuers { get; set; } = [];

    /// <summary>
    /// Most <c>jti</c> values remembered for replay detection. When full (after expired entries are
    /// dropped), new tokens are rejected rather than old ones forgotten.
    /// </summary>
    public int ReplayCacheCapacity { get; set; } = 100_000;

    /// <summary>Timeout for fetching a JWK Set from an allowed <c>jku</c>, in seconds.</summary>
    public double JwksFetchTimeoutSeconds { get; set; } = 3;

    /// <summary>How long a fetched JWK Set is used before it is fetched again, in seconds.</summary>
    public int JwksCacheSeconds { get; set; } = 600;

    /// <summary>
    /// Least time between two fetches of the same <c>jku</c>, in seconds: bounds the refetch on an
    /// unknown <c>kid</c> and the retries after a failed fetch.
    /// </summary>
    public int JwksMinRefetchSeconds { get; set; } = 30;

    /// <summary>
    /// Copied from "CdsHooks:PublicBaseUrl" (not bound from this section): the <c>aud</c> a token must
    /// carry is this plus the request path.
    /// </summary>
    public string? PublicBaseUrl { get; internal set; }

    /// <summary>The effective requirement (after the environment default is applied).</summary>
    public bool IsJwtRequired => RequireJwt == true;
}

/// <summary>One trusted CDS Client (JWT issuer) and where its public keys come from.</summary>
public sealed class CdsTrustedIssuer
{
    /// <summary>The exact <c>iss</c> value (ordinal comparison; a trailing slash matters).</summary>
    public string Issuer { get; set; } = "";

    /// <summary>A JWK Set (JSON text) with the issuer's public keys, shared out of band.</summary>
    public string? Jwks { get; set; }

    /// <summary>A file holding a JWK Set with the issuer's public keys.</summary>
    public string? JwksPath { get; set; }

    /// <summary>
    /// <c>jku</c> URLs this issuer may point to (exact string match). A token with a <c>jku</c> header
    /// is verified only with the JWK Set fetched from that URL, and only if it is listed here.
    /// </summary>
    public List<string> JkuAllowList { get; set; } = [];
}

/// <summary>Cross-origin access for browser-based CDS Clients (configuration section "CdsHooks:Cors").</summary>
public sealed class CdsCorsOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "CdsHooks:Cors";

    /// <summary>Exact origins (scheme://host[:port]) allowed to call the CDS Hooks endpoints. No wildcard.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>How long browsers may cache a preflight answer, in seconds.</summary>
    public int PreflightMaxAgeSeconds { get; set; } = 600;
}
