using System.Security.Cryptography;
using ClonusCds.Api.Tests.CdsHooks.Trust;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.Tests.Storage;

/// <summary>
/// The trust a Production replica needs, from one ES384 key pair generated here: the environment
/// variables for CDS Hooks JWT trust (<c>CdsHooks__PublicBaseUrl</c>, <c>CdsHooks__Trust__*</c>, one
/// EHR issuer with the public key as an inline JWK Set) and for REST bearer tokens (<c>Auth__*</c>,
/// one authorization server with the same JWK Set), and the tokens: CDS Hooks client JWTs with a
/// fresh <c>jti</c> each, and REST access tokens with the scopes asked for. Give every replica of a
/// test the same <see cref="Environment"/>: a token minted once is then valid on any of them.
/// </summary>
public sealed class ReplicaTrust : IDisposable
{
    public const string PublicBaseUrl = "https://cds.replicas.test";
    public const string CdsIssuer = "https://ehr.replicas.test";
    public const string AuthIssuer = "https://auth.replicas.test";
    public const string Audience = PublicBaseUrl + "/api";
    public const string KeyId = "replica-es384-1";
    public const string ClientId = "replica-tests";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    /// <summary>The public key as a JWK Set (JSON text).</summary>
    public string Jwks => TrustKit.Jwks(TrustKit.EcJwk(_key, KeyId));

    /// <summary>Both trust configurations as environment variables.</summary>
    public IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["CdsHooks__PublicBaseUrl"] = PublicBaseUrl,
        ["CdsHooks__Trust__RequireJwt"] = "true",
        ["CdsHooks__Trust__Issuers__0__Issuer"] = CdsIssuer,
        ["CdsHooks__Trust__Issuers__0__Jwks"] = Jwks,
        ["Auth__RequireBearer"] = "true",
        ["Auth__Audience"] = Audience,
        ["Auth__Issuers__0__Issuer"] = AuthIssuer,
        ["Auth__Issuers__0__Jwks"] = Jwks,
    };

    /// <summary>
    /// A CDS Hooks client JWT for one service: <c>aud</c> = PublicBaseUrl + /cds-services/{id} (also
    /// accepted on that service's feedback endpoint), five minutes, a fresh <c>jti</c>.
    /// </summary>
    public string CdsJwt(string serviceId)
    {
        var claims = TrustKit.Claims(CdsIssuer, aud: $"{PublicBaseUrl}/cds-services/{serviceId}");
        claims["sub"] = ClientId;
        return TrustKit.Sign(Key, SecurityAlgorithms.EcdsaSha384, claims);
    }

    /// <summary>A REST access token (typ at+jwt) granting <paramref name="scopes"/>, for five minutes.</summary>
    public string AccessToken(params string[] scopes)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = AuthIssuer,
            ["aud"] = Audience,
            ["sub"] = ClientId,
            ["client_id"] = ClientId,
            ["scope"] = string.Join(' ', scopes),
            ["iat"] = now,
            ["exp"] = now + 300,
            ["jti"] = Guid.NewGuid().ToString(),
        };
        return TrustKit.Sign(Key, SecurityAlgorithms.EcdsaSha384, claims, typ: "at+jwt");
    }

    private ECDsaSecurityKey Key => new(_key) { KeyId = KeyId };

    public void Dispose() => _key.Dispose();
}

/// <summary>Request bodies and routes the replica tests send.</summary>
internal static class ReplicaRequests
{
    public const string PatientView = "clonus-patient-view";

    /// <summary>README.md's curl example: serotonin toxicity, an emergency.</summary>
    public const string Assessment = """
        {
          "patient": { "ageYears": 34 },
          "clonus": { "present": true, "types": ["inducible"], "onset": "acute" },
          "vitals": { "temperatureC": 38.4 },
          "exam": { "agitation": true, "diaphoresis": true, "tremor": true, "reflexes": "increased", "tone": "normal" },
          "medications": [ { "name": "sertraline", "rxcui": "36437" }, { "name": "Ultram", "change": "new", "daysSinceChange": 1 } ]
        }
        """;

    /// <summary>A patient-view call with every prefetch key present and empty (TrustKit's body).</summary>
    public const string PatientViewCall = TrustKit.Body;

    /// <summary>One accepted card, as a CDS Client posts it.</summary>
    public static string Feedback(string card) => CdsHooks.Feedback.FeedbackTestData.Body(CdsHooks.Feedback.FeedbackTestData.Accepted(card));

    public static HttpRequestMessage Post(string path, string body, string? bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Http.Json(body) };
        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }

        return request;
    }

    public static HttpRequestMessage Get(string path, string? bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        }

        return request;
    }
}
