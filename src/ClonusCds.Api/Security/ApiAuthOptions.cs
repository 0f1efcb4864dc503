using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.Security;

/// <summary>
/// OAuth 2.0 bearer-token access to the REST API (configuration section "Auth"). ClonusCds is a
/// resource server: clients get access tokens (signed JWTs) from an external authorization server,
/// SMART Backend Services style, and send them as <c>Authorization: Bearer</c>. See docs/security.md.
/// </summary>
public sealed class ApiAuthOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Auth";

    /// <summary>
    /// Require a valid access token on the REST API. Unset: required everywhere except in the
    /// Development environment. After startup this always holds the effective value.
    /// </summary>
    public bool? RequireBearer { get; set; }

    /// <summary>
    /// This API's identifier at the authorization server (e.g. https://cds.example.org/api): a token's
    /// <c>aud</c> (string, or array) must contain it exactly. Required when bearer tokens are required.
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>Tolerated clock difference for <c>exp</c>, <c>iat</c> and <c>nbf</c>, in seconds.</summary>
    public int ClockSkewSeconds { get; set; } = 60;

    /// <summary>Longest accepted token lifetime (<c>exp - iat</c>), in seconds.</summary>
    public int MaxTokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>
    /// Accepted signing algorithms. Empty in configuration means <see cref="DefaultAlgorithms"/> (ES384,
    /// RS384); after startup this holds the effective list. Only ES256, ES384, ES512, RS256, RS384,
    /// RS512, PS256 and PS384 may be listed: HMAC algorithms and <c>none</c> refuse startup.
    /// </summary>
    public List<string> Algorithms { get; set; } = [];

    /// <summary>The authorization servers trusted: the <c>iss</c> allow-list and each one's keys.</summary>
    public List<ApiTrustedIssuer> Issuers { get; set; } = [];

    /// <summary>Leave the knowledge endpoints (/api/v1/knowledge…) open without a token. Default true.</summary>
    public bool AnonymousKnowledge { get; set; } = true;

    /// <summary>Leave the health endpoints (/health/…) open without a token. Default true; when false any valid token will do.</summary>
    public bool AnonymousHealth { get; set; } = true;

    /// <summary>Timeout for fetching an issuer's <see cref="ApiTrustedIssuer.JwksUrl"/>, in seconds.</summary>
    public double JwksFetchTimeoutSeconds { get; set; } = 3;

    /// <summary>How long a fetched JWK Set is used before it is fetched again, in seconds.</summary>
    public int JwksCacheSeconds { get; set; } = 600;

    /// <summary>Least time between two fetches of the same JWK Set URL (unknown kid, failed fetch), in seconds.</summary>
    public int JwksMinRefetchSeconds { get; set; } = 30;

    /// <summary>The effective requirement (after the environment default is applied).</summary>
    public bool IsBearerRequired => RequireBearer == true;

    /// <summary>The algorithms accepted when none are configured: those CDS Hooks uses.</summary>
    public static IReadOnlyList<string> DefaultAlgorithms { get; } = [SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha384];
}

/// <summary>One trusted authorization server (access-token issuer) and where its public keys come from.</summary>
public sealed class ApiTrustedIssuer
{
    /// <summary>The exact <c>iss</c> value (ordinal comparison; a trailing slash matters).</summary>
    public string Issuer { get; set; } = "";

    /// <summary>A JWK Set (JSON text) with the issuer's public keys.</summary>
    public string? Jwks { get; set; }

    /// <summary>A file holding a JWK Set with the issuer's public keys.</summary>
    public string? JwksPath { get; set; }

    /// <summary>
    /// The issuer's JWK Set URL (its <c>jwks_uri</c>), https (plain http only on a loopback host, for
    /// tests). Fetched when no configured key has the token's kid, cached, refetched at most every
    /// <see cref="ApiAuthOptions.JwksMinRefetchSeconds"/>. A token's <c>jku</c> header, if any, must equal it.
    /// </summary>
    public string? JwksUrl { get; set; }
}

/// <summary>
/// Checks the "Auth" settings at startup (ValidateOnStart): a misconfigured service refuses to start
/// instead of accepting tokens it should not, or rejecting every call without saying why.
/// </summary>
internal sealed class ApiAuthOptionsValidator : IValidateOptions<ApiAuthOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiAuthOptions options)
    {
        var failures = new List<string>();
        if (options.ClockSkewSeconds is < 0 or > 600)
        {
            failures.Add("Auth:ClockSkewSeconds must be between 0 and 600.");
        }

        if (options.MaxTokenLifetimeSeconds <= 0)
        {
            failures.Add("Auth:MaxTokenLifetimeSeconds must be positive.");
        }

        if (options.JwksFetchTimeoutSeconds is <= 0 or > 60 || options.JwksCacheSeconds <= 0 || options.JwksMinRefetchSeconds < 0)
        {
            failures.Add("Auth: JwksFetchTimeoutSeconds must be in (0, 60], JwksCacheSeconds positive, JwksMinRefetchSeconds not negative.");
        }

        foreach (var alg in options.Algorithms)
        {
            if (!JwkSets.AsymmetricAlgorithms.Contains(alg, StringComparer.Ordinal))
            {
                failures.Add($"Auth:Algorithms contains '{alg}', which is not accepted: only the asymmetric algorithms "
                    + $"{string.Join(", ", JwkSets.AsymmetricAlgorithms)} may be configured. HMAC (HS256, HS384, HS512) and 'none' "
                    + "are refused: with HMAC anyone holding the secret, including this service, could mint tokens.");
            }
        }

        if (options.IsBearerRequired)
        {
            if (string.IsNullOrWhiteSpace(options.Audience))
            {
                failures.Add("Bearer tokens are required on the REST API (Auth:RequireBearer is true, or unset outside the Development "
                    + "environment) but Auth:Audience is empty. Set it to this API's identifier at your authorization server "
                    + "(e.g. https://cds.example.org/api): every access token's aud must contain it. "
                    + "To run locally without tokens, use the Development environment or set Auth__RequireBearer=false.");
            }

            if (options.Issuers.Count == 0)
            {
                failures.Add("Bearer tokens are required on the REST API but Auth:Issuers is empty, so every call would be rejected. "
                    + "Add the authorization servers you trust (Issuer plus Jwks, JwksPath or JwksUrl), or set Auth:RequireBearer to false.");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Issuers.Count; i++)
        {
            ValidateIssuer(options.Issuers[i], $"Auth:Issuers:{i}", options.Algorithms, seen, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateIssuer(ApiTrustedIssuer issuer, string at, List<string> algorithms, HashSet<string> seen, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(issuer.Issuer))
        {
            failures.Add($"{at}:Issuer is empty.");
        }
        else if (!seen.Add(issuer.Issuer))
        {
            failures.Add($"{at}:Issuer '{issuer.Issuer}' is listed twice.");
        }

        if (string.IsNullOrWhiteSpace(issuer.Jwks) && string.IsNullOrWhiteSpace(issuer.JwksPath) && string.IsNullOrWhiteSpace(issuer.JwksUrl))
        {
            failures.Add($"{at}: no keys: set Jwks, JwksPath or JwksUrl.");
            return;
        }

        var broken = false;
        if (!string.IsNullOrWhiteSpace(issuer.Jwks) && !JwkSets.TryParse(issuer.Jwks, out _, out var error))
        {
            failures.Add($"{at}:Jwks is not a valid JWK Set ({error}).");
            broken = true;
        }

        if (!string.IsNullOrWhiteSpace(issuer.JwksPath))
        {
            if (!File.Exists(issuer.JwksPath))
            {
                failures.Add($"{at}:JwksPath '{issuer.JwksPath}' does not exist.");
                broken = true;
            }
            else if (!JwkSets.TryParse(File.ReadAllText(issuer.JwksPath), out _, out var fileError))
            {
                failures.Add($"{at}:JwksPath '{issuer.JwksPath}' is not a valid JWK Set ({fileError}).");
                broken = true;
            }
        }

        if (!string.IsNullOrWhiteSpace(issuer.JwksUrl))
        {
            if (!IsAllowedJwksUrl(issuer.JwksUrl))
            {
                failures.Add($"{at}:JwksUrl '{issuer.JwksUrl}' must be an absolute https URL (plain http only on a loopback host), without fragment.");
            }
        }
        else if (!broken)
        {
            // Only static keys: at least one must verify one of the configured algorithms.
            var keys = JwkSets.LoadStatic(issuer.Jwks, issuer.JwksPath);
            if (!keys.Any(k => algorithms.Any(alg => JwkSets.IsUsable(k, alg))))
            {
                failures.Add($"{at}: none of the issuer's keys can verify the accepted algorithms ({string.Join(", ", algorithms)}). "
                    + "EC keys need the matching curve (ES384: P-384), RSA keys at least 2048 bits; a key's alg and use must agree.");
            }
        }
    }

    /// <summary>
    /// A URL keys may be fetched from (a REST issuer's JWK Set URL, a CDS Hooks <c>jku</c> allow-list
    /// entry): absolute https, plain http only on a loopback host, no fragment, no userinfo.
    /// </summary>
    internal static bool IsAllowedJwksUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && string.IsNullOrEmpty(uri.Fragment)
        && string.IsNullOrEmpty(uri.UserInfo)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}
