using Microsoft.Extensions.Options;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>
/// Checks the trust settings at startup (ValidateOnStart): a misconfigured service refuses to start
/// instead of accepting tokens it should not, or rejecting every call without saying why.
/// </summary>
internal sealed class CdsTrustOptionsValidator : IValidateOptions<CdsTrustOptions>
{
    public ValidateOptionsResult Validate(string? name, CdsTrustOptions options)
    {
        var failures = new List<string>();
        if (options.ClockSkewSeconds is < 0 or > 600)
        {
            failures.Add("CdsHooks:Trust:ClockSkewSeconds must be between 0 and 600.");
        }

        if (options.MaxTokenLifetimeSeconds <= 0)
        {
            failures.Add("CdsHooks:Trust:MaxTokenLifetimeSeconds must be positive.");
        }

        if (options.ReplayCacheCapacity <= 0)
        {
            failures.Add("CdsHooks:Trust:ReplayCacheCapacity must be positive.");
        }

        if (options.JwksFetchTimeoutSeconds is <= 0 or > 60 || options.JwksCacheSeconds <= 0 || options.JwksMinRefetchSeconds < 0)
        {
            failures.Add("CdsHooks:Trust: JwksFetchTimeoutSeconds must be in (0, 60], JwksCacheSeconds positive, JwksMinRefetchSeconds not negative.");
        }

        if (options.IsJwtRequired)
        {
            if (string.IsNullOrWhiteSpace(options.PublicBaseUrl))
            {
                failures.Add("CDS Hooks JWT trust is on (CdsHooks:Trust:RequireJwt is true, or unset outside the Development environment) "
                    + "but CdsHooks:PublicBaseUrl is empty. Set CdsHooks:PublicBaseUrl to the public base URL CDS Clients call "
                    + "(e.g. https://cds.example.org): each JWT's aud must equal it plus the endpoint path, and taking the audience "
                    + "from the request's Host header instead would let a token minted for another service be replayed here. "
                    + "To run locally without JWTs, use the Development environment or set CdsHooks__Trust__RequireJwt=false.");
            }
            else if (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var baseUri)
                || (baseUri.Scheme != Uri.UriSchemeHttps && baseUri.Scheme != Uri.UriSchemeHttp)
                || !string.IsNullOrEmpty(baseUri.Query) || !string.IsNullOrEmpty(baseUri.Fragment))
            {
                failures.Add("CdsHooks:PublicBaseUrl must be an absolute http(s) URL without query or fragment, e.g. https://cds.example.org.");
            }

            if (options.Issuers.Count == 0)
            {
                failures.Add("CDS Hooks JWT trust is on but CdsHooks:Trust:Issuers is empty, so every call would be rejected. "
                    + "Add the CDS Clients you trust (Issuer plus Jwks, JwksPath or JkuAllowList), or turn RequireJwt off.");
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Issuers.Count; i++)
        {
            ValidateIssuer(options.Issuers[i], $"CdsHooks:Trust:Issuers:{i}", seen, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateIssuer(CdsTrustedIssuer issuer, string at, HashSet<string> seen, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(issuer.Issuer))
        {
            failures.Add($"{at}:Issuer is empty.");
        }
        else if (!seen.Add(issuer.Issuer))
        {
            failures.Add($"{at}:Issuer '{issuer.Issuer}' is listed twice.");
        }

        if (string.IsNullOrWhiteSpace(issuer.Jwks) && string.IsNullOrWhiteSpace(issuer.JwksPath) && issuer.JkuAllowList.Count == 0)
        {
            failures.Add($"{at}: no keys: set Jwks, JwksPath or JkuAllowList.");
        }

        if (!string.IsNullOrWhiteSpace(issuer.Jwks) && !CdsJwks.TryParse(issuer.Jwks, out _, out var error))
        {
            failures.Add($"{at}:Jwks is not a valid JWK Set ({error}).");
        }

        if (!string.IsNullOrWhiteSpace(issuer.JwksPath))
        {
            if (!File.Exists(issuer.JwksPath))
            {
                failures.Add($"{at}:JwksPath '{issuer.JwksPath}' does not exist.");
            }
            else if (!CdsJwks.TryParse(File.ReadAllText(issuer.JwksPath), out _, out var fileError))
            {
                failures.Add($"{at}:JwksPath '{issuer.JwksPath}' is not a valid JWK Set ({fileError}).");
            }
        }

        foreach (var jku in issuer.JkuAllowList)
        {
            // One rule with the REST JWK Set URL: keys over plain http only from loopback.
            if (!Security.ApiAuthOptionsValidator.IsAllowedJwksUrl(jku))
            {
                failures.Add($"{at}:JkuAllowList entry '{jku}' must be an absolute https URL (plain http only on a loopback host), without fragment or userinfo.");
            }
        }
    }
}

/// <summary>Checks the CORS settings at startup: exact origins only.</summary>
internal sealed class CdsCorsOptionsValidator : IValidateOptions<CdsCorsOptions>
{
    public ValidateOptionsResult Validate(string? name, CdsCorsOptions options)
    {
        var failures = new List<string>();
        foreach (var origin in options.AllowedOrigins)
        {
            if (origin.Contains('*', StringComparison.Ordinal)
                || !Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                || uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            {
                failures.Add($"CdsHooks:Cors:AllowedOrigins entry '{origin}' is not an exact origin (scheme://host[:port], no wildcard, no path).");
            }
        }

        if (options.PreflightMaxAgeSeconds < 0)
        {
            failures.Add("CdsHooks:Cors:PreflightMaxAgeSeconds must not be negative.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
