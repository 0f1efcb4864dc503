using ClonusCds.Api.Security;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>
/// Public keys of trusted CDS Clients: the static JWK Sets from configuration (loaded once), and JWK
/// Sets fetched from allow-listed <c>jku</c> URLs (cached, refetched at most once per
/// <see cref="CdsTrustOptions.JwksMinRefetchSeconds"/> when a kid is unknown or a fetch failed).
/// Callers check the allow-list before asking for a jku: the store fetches whatever it is given.
/// The mechanics are shared with the REST API (<see cref="JwtKeyStore"/>, <see cref="RemoteJwksCache"/>).
/// </summary>
internal sealed class CdsJwksProvider(IOptions<CdsTrustOptions> options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<CdsJwksProvider> logger)
    : JwtKeyStore(
        options.Value.Issuers.Select(i => (i.Issuer, i.Jwks, i.JwksPath)),
        new RemoteJwksCache(httpClientFactory, HttpClientName, time, TimeSpan.FromSeconds(options.Value.JwksCacheSeconds),
            TimeSpan.FromSeconds(options.Value.JwksMinRefetchSeconds), logger, "CDS Client"))
{
    /// <summary>Named HttpClient for jku fetches (no redirects, no cookies, short timeout).</summary>
    public const string HttpClientName = "cds-hooks-jku";
}
