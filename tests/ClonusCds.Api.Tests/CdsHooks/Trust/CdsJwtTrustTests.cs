using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using static ClonusCds.Api.Tests.CdsHooks.Trust.TrustFixture;

using static ClonusCds.Api.Tests.CdsHooks.Trust.TrustKit;

namespace ClonusCds.Api.Tests.CdsHooks.Trust;

/// <summary>
/// CDS Hooks JWT trust and CORS against the running API (CDS Hooks 2.0, "Trusting CDS Clients").
/// Success cases assert only "not 401": the handler behind the endpoint is tested elsewhere.
/// </summary>
public sealed class CdsJwtTrustTests(TrustFixture f) : IClassFixture<TrustFixture>
{
    private HttpClient Client => f.Client;

    private string Es(Dictionary<string, object> claims, Dictionary<string, object>? header = null) => TrustKit.SignEs(f.EsKey, EsKid, claims, header);

    private static string Json(Dictionary<string, object> claims) => JsonSerializer.Serialize(claims);

    [Fact]
    public async Task Es384_token_verified_with_the_static_jwks_is_accepted()
    {
        TrustKit.AssertAccepted(await Client.Call(Es(TrustKit.Claims(EsIssuer))));
    }

    [Fact]
    public async Task Rs384_token_verified_with_the_jwks_file_is_accepted()
    {
        var token = TrustKit.Sign(new RsaSecurityKey(f.RsKey) { KeyId = RsKid }, SecurityAlgorithms.RsaSha384, TrustKit.Claims(RsIssuer));
        TrustKit.AssertAccepted(await Client.Call(token));
    }

    [Fact]
    public async Task Aud_array_containing_the_endpoint_url_is_accepted()
    {
        var aud = new[] { "https://other.test/cds-services/x", TrustKit.ServiceAudience };
        TrustKit.AssertAccepted(await Client.Call(Es(TrustKit.Claims(EsIssuer, aud))));
    }

    [Fact]
    public async Task Expiry_within_the_clock_skew_is_accepted()
    {
        // exp 30 s ago; skew is 60 s.
        TrustKit.AssertAccepted(await Client.Call(Es(TrustKit.Claims(EsIssuer, iatOffset: -330, lifetime: 300))));
    }

    [Fact]
    public async Task Jku_on_the_issuers_allow_list_is_fetched_from_it_and_accepted()
    {
        var header = new Dictionary<string, object> { ["jku"] = f.Jwks.ListedUrl };
        var token = TrustKit.SignEs(f.JkuKey, JkuKid, TrustKit.Claims(JkuIssuer), header);
        TrustKit.AssertAccepted(await Client.Call(token));
        Assert.True(f.Jwks.ListedHits >= 1);

        // Cached: a second token does not fetch again.
        var hits = f.Jwks.ListedHits;
        TrustKit.AssertAccepted(await Client.Call(TrustKit.SignEs(f.JkuKey, JkuKid, TrustKit.Claims(JkuIssuer), header)));
        Assert.Equal(hits, f.Jwks.ListedHits);
    }

    [Fact]
    public async Task Jku_not_on_the_allow_list_is_rejected_without_fetching_it()
    {
        var header = new Dictionary<string, object> { ["jku"] = f.Jwks.UnlistedUrl };
        var response = await Client.Call(TrustKit.SignEs(f.JkuKey, JkuKid, TrustKit.Claims(JkuIssuer), header));
        await TrustKit.AssertRejected(response);
        Assert.Equal("jku_not_allowed", f.Factory.LastRejection());
        Assert.Equal(0, f.Jwks.UnlistedHits);
    }

    [Fact]
    public async Task A_replayed_jti_is_rejected_on_second_use()
    {
        var token = Es(TrustKit.Claims(EsIssuer));
        TrustKit.AssertAccepted(await Client.Call(token));
        await TrustKit.AssertRejected(await Client.Call(token));
        Assert.Equal("replayed_jti", f.Factory.LastRejection());
    }

    [Fact]
    public async Task The_same_jti_from_two_issuers_is_not_a_replay()
    {
        var jti = Guid.NewGuid().ToString();
        TrustKit.AssertAccepted(await Client.Call(Es(TrustKit.Claims(EsIssuer, jti: jti))));
        var rs = TrustKit.Sign(new RsaSecurityKey(f.RsKey) { KeyId = RsKid }, SecurityAlgorithms.RsaSha384, TrustKit.Claims(RsIssuer, jti: jti));
        TrustKit.AssertAccepted(await Client.Call(rs));
    }

    [Theory]
    [InlineData(TrustKit.ServiceAudience + "/feedback")]
    [InlineData(TrustKit.ServiceAudience)]
    public async Task Feedback_accepts_its_own_url_or_the_service_url_as_audience(string aud)
    {
        // The feedback endpoint is built elsewhere (it may still 404/400): only "not 401" is asserted.
        TrustKit.AssertAccepted(await Client.Call(Es(TrustKit.Claims(EsIssuer, aud)), TrustKit.ServicePath + "/feedback"));
    }

    [Theory]
    [InlineData("no Authorization header", "missing_token")]
    [InlineData("empty Bearer", "missing_token")]
    [InlineData("Basic scheme", "not_bearer")]
    [InlineData("garbage", "malformed")]
    [InlineData("garbage with three parts", "malformed")]
    [InlineData("five parts (JWE)", "malformed")]
    [InlineData("duplicate alg in header", "malformed")]
    [InlineData("alg none", "alg_not_allowed")]
    [InlineData("HS256 signed with the public key", "alg_not_allowed")]
    [InlineData("HS384 signed with the JWK Set", "alg_not_allowed")]
    [InlineData("RS256", "alg_not_allowed")]
    [InlineData("ES256", "alg_not_allowed")]
    [InlineData("typ at+jwt", "typ_not_allowed")]
    [InlineData("crit header", "crit_not_supported")]
    [InlineData("no kid", "kid_missing")]
    [InlineData("unlisted iss", "iss_not_trusted")]
    [InlineData("no iss", "iss_not_trusted")]
    [InlineData("jku listed for another issuer", "jku_not_allowed")]
    [InlineData("unknown kid", "unknown_kid")]
    [InlineData("kid of a P-256 key with ES384", "key_not_usable")]
    [InlineData("signed by another key", "bad_signature")]
    [InlineData("payload changed after signing", "bad_signature")]
    [InlineData("expired", "expired")]
    [InlineData("iat in the future", "iat_in_future")]
    [InlineData("nbf in the future", "not_yet_valid")]
    [InlineData("lifetime too long", "lifetime_too_long")]
    [InlineData("lifetime just over five minutes", "lifetime_too_long")]
    [InlineData("no exp", "exp_missing")]
    [InlineData("no iat", "iat_missing")]
    [InlineData("no jti", "jti_missing")]
    [InlineData("aud of another service", "aud_mismatch")]
    [InlineData("aud of another host", "aud_mismatch")]
    [InlineData("aud array without the endpoint", "aud_mismatch")]
    [InlineData("no aud", "aud_mismatch")]
    public async Task Rejected_with_401_an_empty_body_and_a_Bearer_challenge(string @case, string reason)
    {
        using var request = TrustKit.Post(Authorization(@case));
        var response = await Client.SendAsync(request);
        await TrustKit.AssertRejected(response);
        Assert.Equal(reason, f.Factory.LastRejection());
    }

    private string? Authorization(string @case)
    {
        var claims = TrustKit.Claims(EsIssuer);
        var esHeader = """{"alg":"ES384","typ":"JWT","kid":"es-1"}""";
        byte[] SignEs384(byte[] input) => f.EsKey.SignData(input, HashAlgorithmName.SHA384);
        string Bearer(string token) => "Bearer " + token;
        return @case switch
        {
            "no Authorization header" => null,
            "empty Bearer" => "Bearer ",
            "Basic scheme" => "Basic dXNlcjpwYXNzd29yZA==",
            "garbage" => Bearer("not-a-jwt"),
            "garbage with three parts" => Bearer("abc.def.ghi"),
            "five parts (JWE)" => Bearer("a.b.c.d.e"),
            "duplicate alg in header" => Bearer(TrustKit.Raw("""{"alg":"ES384","alg":"HS256","typ":"JWT","kid":"es-1"}""", Json(claims), SignEs384)),
            "alg none" => Bearer(TrustKit.Raw("""{"alg":"none","typ":"JWT","kid":"es-1"}""", Json(claims))),
            "HS256 signed with the public key" => Bearer(TrustKit.Raw("""{"alg":"HS256","typ":"JWT","kid":"es-1"}""", Json(claims),
                input => HMACSHA256.HashData(Encoding.ASCII.GetBytes(f.EsKey.ExportSubjectPublicKeyInfoPem()), input))),
            "HS384 signed with the JWK Set" => Bearer(TrustKit.Raw("""{"alg":"HS384","typ":"JWT","kid":"es-1"}""", Json(claims),
                input => HMACSHA384.HashData(Encoding.UTF8.GetBytes(f.EsJwks), input))),
            "RS256" => Bearer(TrustKit.Sign(new RsaSecurityKey(f.RsKey) { KeyId = RsKid }, SecurityAlgorithms.RsaSha256, TrustKit.Claims(RsIssuer))),
            "ES256" => Bearer(TrustKit.Sign(new ECDsaSecurityKey(f.P256Key) { KeyId = P256Kid }, SecurityAlgorithms.EcdsaSha256, claims)),
            "typ at+jwt" => Bearer(TrustKit.Sign(new ECDsaSecurityKey(f.EsKey) { KeyId = EsKid }, SecurityAlgorithms.EcdsaSha384, claims, typ: "at+jwt")),
            "crit header" => Bearer(TrustKit.Raw("""{"alg":"ES384","typ":"JWT","kid":"es-1","crit":["exp"]}""", Json(claims), SignEs384)),
            "no kid" => Bearer(TrustKit.Raw("""{"alg":"ES384","typ":"JWT"}""", Json(claims), SignEs384)),
            "unlisted iss" => Bearer(Es(TrustKit.Claims("https://evil.test"))),
            "no iss" => Bearer(TrustKit.Raw(esHeader, Json(Without(claims, "iss")), SignEs384)),
            "jku listed for another issuer" => Bearer(Es(claims, new Dictionary<string, object> { ["jku"] = f.Jwks.ListedUrl })),
            "unknown kid" => Bearer(TrustKit.SignEs(f.EsKey, "not-a-kid", claims)),
            "kid of a P-256 key with ES384" => Bearer(TrustKit.Raw("""{"alg":"ES384","typ":"JWT","kid":"p256-1"}""", Json(claims),
                input => f.P256Key.SignData(input, HashAlgorithmName.SHA384))),
            "signed by another key" => Bearer(SignedByAnotherKey(claims)),
            "payload changed after signing" => Bearer(TrustKit.WithPayloadClaimChanged(Es(claims), "tenant", "someone-else")),
            "expired" => Bearer(Es(TrustKit.Claims(EsIssuer, iatOffset: -1000, lifetime: 300))),
            "iat in the future" => Bearer(Es(TrustKit.Claims(EsIssuer, iatOffset: 600, lifetime: 300))),
            "nbf in the future" => Bearer(Es(With(claims, "nbf", DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600))),
            "lifetime too long" => Bearer(Es(TrustKit.Claims(EsIssuer, lifetime: 7200))),
            // The default maximum is 5 minutes (SMART Backend Services' limit), not 1 hour (issue 12).
            "lifetime just over five minutes" => Bearer(Es(TrustKit.Claims(EsIssuer, lifetime: 301))),
            "no exp" => Bearer(Es(TrustKit.Claims(EsIssuer, lifetime: null))),
            "no iat" => Bearer(Es(Without(claims, "iat"))),
            "no jti" => Bearer(Es(TrustKit.Claims(EsIssuer, jti: null))),
            "aud of another service" => Bearer(Es(TrustKit.Claims(EsIssuer, TrustKit.PublicBaseUrl + "/cds-services/another-service"))),
            "aud of another host" => Bearer(Es(TrustKit.Claims(EsIssuer, "https://evil.test" + TrustKit.ServicePath))),
            "aud array without the endpoint" => Bearer(Es(TrustKit.Claims(EsIssuer, new[] { TrustKit.PublicBaseUrl + "/cds-services" }))),
            "no aud" => Bearer(Es(Without(claims, "aud"))),
            _ => throw new ArgumentOutOfRangeException(nameof(@case), @case, null),
        };
    }

    private static string SignedByAnotherKey(Dictionary<string, object> claims)
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        return TrustKit.SignEs(other, EsKid, claims);
    }



    [Theory]
    [InlineData("/cds-services")]
    [InlineData(TrustKit.ServicePath)]
    public async Task Preflight_from_an_allowed_origin_succeeds_without_a_jwt(string path)
    {
        using var request = Preflight(path, TrustKit.AllowedOrigin);
        var response = await Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"status {(int)response.StatusCode}");
        Assert.Equal(TrustKit.AllowedOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        var methods = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods"));
        Assert.Contains(path == "/cds-services" ? "GET" : "POST", methods, StringComparison.Ordinal);
        var headers = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers"));
        Assert.Contains("authorization", headers, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("content-type", headers, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("600", Assert.Single(response.Headers.GetValues("Access-Control-Max-Age")));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Theory]
    [InlineData("/cds-services")]
    [InlineData(TrustKit.ServicePath)]
    public async Task Preflight_from_another_origin_gets_no_cors_headers(string path)
    {
        using var request = Preflight(path, "https://evil.example");
        var response = await Client.SendAsync(request);
        Assert.DoesNotContain(response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_rejected_post_from_an_allowed_origin_still_carries_the_cors_header()
    {
        var response = await Client.Call(token: null, origin: TrustKit.AllowedOrigin);
        await TrustKit.AssertRejected(response);
        Assert.Equal(TrustKit.AllowedOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));

        var other = await Client.Call(token: null, origin: "https://evil.example");
        await TrustKit.AssertRejected(other);
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Discovery_stays_open_by_default_and_answers_allowed_origins()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/cds-services");
        request.Headers.Add("Origin", TrustKit.AllowedOrigin);
        var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TrustKit.AllowedOrigin, Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task No_token_or_part_of_one_reaches_the_logs()
    {
        var rejected = Es(TrustKit.Claims(EsIssuer, "https://evil.test/cds-services/x"));
        var accepted = Es(TrustKit.Claims(EsIssuer));
        var forged = TrustKit.Raw("""{"alg":"HS256","typ":"JWT","kid":"es-1"}""", Json(TrustKit.Claims(EsIssuer)),
            input => HMACSHA256.HashData(Encoding.ASCII.GetBytes(f.EsKey.ExportSubjectPublicKeyInfoPem()), input));
        await TrustKit.AssertRejected(await Client.Call(rejected));
        TrustKit.AssertAccepted(await Client.Call(accepted));
        await TrustKit.AssertRejected(await Client.Call(forged));

        Assert.Contains(f.Factory.Logs.Events, e => e.Values.GetValueOrDefault("Reason") == "aud_mismatch");
        foreach (var token in new[] { rejected, accepted, forged })
        {
            var parts = token.Split('.');
            foreach (var e in f.Factory.Logs.Events)
            {
                Assert.DoesNotContain(token, e.AllText, StringComparison.Ordinal);
                Assert.DoesNotContain(parts[1], e.AllText, StringComparison.Ordinal);
                Assert.DoesNotContain(parts[2], e.AllText, StringComparison.Ordinal);
                Assert.DoesNotContain("Bearer ey", e.AllText, StringComparison.Ordinal);
            }
        }
    }

    private static HttpRequestMessage Preflight(string path, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        // Discovery is GET (a browser preflights it when it sends Authorization); services are POST.
        request.Headers.Add("Access-Control-Request-Method", path == "/cds-services" ? "GET" : "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }
}
