using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClonusCds.Api.Tests.CdsHooks.Trust;
using static ClonusCds.Api.Tests.Security.ApiKit;

namespace ClonusCds.Api.Tests.Security;

/// <summary>OAuth 2.0 bearer tokens on the REST API (SMART Backend Services style), against the running API.</summary>
public sealed class ApiAuthTests(ApiAuthFixture f) : IClassFixture<ApiAuthFixture>
{
    private HttpClient Client => f.Client;

    private string Es(Dictionary<string, object> claims) => SignEs(f.EsKey, claims);

    [Fact]
    public async Task No_token_is_401_problem_details_with_a_bearer_challenge_without_error_code()
    {
        var response = await Client.Assess(token: null);
        var body = await AssertUnauthorized(response, tokenSent: false);
        Assert.Equal("/api/v1/assessments", body.GetProperty("instance").GetString());
        Assert.Equal("missing_token", f.Factory.LastRejection());
    }

    [Fact]
    public async Task The_clinician_page_and_its_examples_load_without_a_token()
    {
        // The page is public; only what it posts needs the token, which the clinician pastes in.
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/assets/app.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/v1/examples")).StatusCode);
    }

    [Fact]
    public async Task Another_scheme_is_401_without_error_code()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/assessments") { Content = Http.Json(AssessBody) };
        request.Headers.TryAddWithoutValidation("Authorization", "Basic dXNlcjpwYXNzd29yZA==");
        await AssertUnauthorized(await Client.SendAsync(request), tokenSent: false);
        Assert.Equal("not_bearer", f.Factory.LastRejection());
    }

    [Fact]
    public async Task Es384_token_with_the_scope_gets_the_assessment()
    {
        var response = await Client.Assess(Es(Claims(EsIssuer)));
        AssertOk(response);
        var body = await Http.Read(response);
        Assert.True(body.TryGetProperty("etiology", out _));
    }

    [Fact]
    public async Task Rs384_token_verified_with_the_jwks_file_gets_the_assessment()
    {
        AssertOk(await Client.Assess(SignRs(f.RsKey, Claims(RsIssuer))));
    }

    [Fact]
    public async Task Token_verified_with_the_issuers_jwks_url_gets_the_assessment_and_the_set_is_cached()
    {
        AssertOk(await Client.Assess(SignEs(f.UrlKey, Claims(UrlIssuer), UrlKid)));
        var hits = f.Jwks.ListedHits;
        Assert.True(hits >= 1);
        AssertOk(await Client.Assess(SignEs(f.UrlKey, Claims(UrlIssuer), UrlKid)));
        Assert.Equal(hits, f.Jwks.ListedHits);
    }

    [Fact]
    public async Task Scp_array_form_grants_the_scope()
    {
        var claims = Claims(EsIssuer, scope: null);
        claims["scp"] = new[] { "openid", "clonus.assess" };
        AssertOk(await Client.Assess(Es(claims)));
    }

    [Fact]
    public async Task Scp_string_form_grants_the_scope()
    {
        var claims = Claims(EsIssuer, scope: null);
        claims["scp"] = "patient/*.read clonus.assess";
        AssertOk(await Client.Assess(Es(claims)));
    }

    [Fact]
    public async Task Scope_string_with_several_scopes_grants_each()
    {
        AssertOk(await Client.Assess(Es(Claims(EsIssuer, scope: "clonus.knowledge.read clonus.assess"))));
    }

    [Fact]
    public async Task An_access_token_is_reused_until_it_expires_no_jti_replay_check()
    {
        var claims = Claims(EsIssuer);
        claims["jti"] = Guid.NewGuid().ToString();
        var token = Es(claims);
        AssertOk(await Client.Assess(token));
        AssertOk(await Client.Assess(token));
    }

    [Fact]
    public async Task Typ_JWT_and_no_typ_are_accepted_as_well_as_at_jwt()
    {
        AssertOk(await Client.Assess(SignEs(f.EsKey, Claims(EsIssuer), typ: "JWT")));
        var header = $$"""{"alg":"ES384","kid":"{{EsKid}}"}""";
        AssertOk(await Client.Assess(TrustKit.Raw(header, ApiKit.Json(Claims(EsIssuer)), input => f.EsKey.SignData(input, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))));
    }

    [Fact]
    public async Task Valid_token_without_clonus_assess_is_403_insufficient_scope()
    {
        var response = await Client.Assess(Es(Claims(EsIssuer, scope: "clonus.knowledge.read")));
        var body = await AssertForbidden(response, "clonus.assess");
        Assert.Contains("clonus.assess", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("insufficient_scope", f.Factory.LastRejection());
        var values = f.Factory.LastRejectionValues()!;
        Assert.Equal(EsIssuer, values["Issuer"]);
        Assert.Equal(EsKid, values["KeyId"]);
        Assert.Equal(ClientId, values["ClientId"]);
    }

    [Theory]
    [InlineData("CLONUS.ASSESS")]
    [InlineData("system/clonus.assess")]
    [InlineData("clonus.assess.extra")]
    [InlineData("")]
    public async Task Scope_names_are_exact(string scope)
    {
        await AssertForbidden(await Client.Assess(Es(Claims(EsIssuer, scope: scope))), "clonus.assess");
    }

    [Fact]
    public async Task Token_without_any_scope_is_403()
    {
        await AssertForbidden(await Client.Assess(Es(Claims(EsIssuer, scope: null))), "clonus.assess");
    }

    [Fact]
    public async Task The_token_is_checked_before_the_body_is_read()
    {
        // Malformed JSON from an unauthenticated caller: 401, not a 400 describing the body.
        await AssertUnauthorized(await Client.Assess(token: null, body: "{not json"), tokenSent: false);
        await AssertUnauthorized(await Client.Assess(token: "abc.def.ghi", body: "{not json"), tokenSent: true);
    }

    [Theory]
    [InlineData("expired", "expired")]
    [InlineData("aud of another API", "aud_mismatch")]
    [InlineData("aud array without this API", "aud_mismatch")]
    [InlineData("no aud", "aud_mismatch")]
    [InlineData("unlisted iss", "iss_not_trusted")]
    [InlineData("alg none", "alg_not_allowed")]
    [InlineData("HS256 signed with the public key", "alg_not_allowed")]
    [InlineData("ES256 (not configured)", "alg_not_allowed")]
    [InlineData("signed by another key", "bad_signature")]
    [InlineData("payload changed after signing", "bad_signature")]
    [InlineData("unknown kid", "unknown_kid")]
    [InlineData("no kid", "kid_missing")]
    [InlineData("typ of an id token", "typ_not_allowed")]
    [InlineData("jku other than the issuer's JwksUrl", "jku_not_allowed")]
    [InlineData("no exp", "exp_missing")]
    [InlineData("no iat", "iat_missing")]
    [InlineData("iat in the future", "iat_in_future")]
    [InlineData("nbf in the future", "not_yet_valid")]
    [InlineData("lifetime too long", "lifetime_too_long")]
    [InlineData("garbage", "malformed")]
    public async Task Invalid_token_is_401_invalid_token(string @case, string reason)
    {
        var response = await Client.Assess(Token(@case));
        await AssertUnauthorized(response, tokenSent: true);
        Assert.Equal(reason, f.Factory.LastRejection());
    }

    [Fact]
    public async Task Expiry_within_the_clock_skew_and_nbf_in_the_past_are_accepted()
    {
        AssertOk(await Client.Assess(Es(Claims(EsIssuer, iatOffset: -330, lifetime: 300))));
        var claims = Claims(EsIssuer);
        claims["nbf"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 10;
        AssertOk(await Client.Assess(Es(claims)));
    }

    [Fact]
    public async Task Aud_array_containing_the_audience_is_accepted()
    {
        AssertOk(await Client.Assess(Es(Claims(EsIssuer, aud: new[] { "https://fhir.example.org", Audience }))));
    }

    [Fact]
    public async Task Several_authorization_headers_are_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/assessments") { Content = Http.Json(AssessBody) };
        request.Headers.TryAddWithoutValidation("Authorization", new[] { "Bearer " + Es(Claims(EsIssuer)), "Bearer " + Es(Claims(EsIssuer)) });
        await AssertUnauthorized(await Client.SendAsync(request), tokenSent: true);
        Assert.Equal("malformed", f.Factory.LastRejection());
    }

    private string Token(string @case)
    {
        var claims = Claims(EsIssuer);
        byte[] SignEs384(byte[] input) => f.EsKey.SignData(input, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return @case switch
        {
            "expired" => Es(Claims(EsIssuer, iatOffset: -1000, lifetime: 300)),
            "aud of another API" => Es(Claims(EsIssuer, aud: "https://other.test/api")),
            "aud array without this API" => Es(Claims(EsIssuer, aud: new[] { "https://other.test/api", "https://cds.test" })),
            "no aud" => Es(TrustKit.Without(claims, "aud")),
            "unlisted iss" => Es(Claims("https://evil.test")),
            "alg none" => TrustKit.Raw($$"""{"alg":"none","typ":"at+jwt","kid":"{{EsKid}}"}""", ApiKit.Json(claims)),
            "HS256 signed with the public key" => TrustKit.Raw($$"""{"alg":"HS256","typ":"at+jwt","kid":"{{EsKid}}"}""", ApiKit.Json(claims),
                input => HMACSHA256.HashData(Encoding.ASCII.GetBytes(f.EsKey.ExportSubjectPublicKeyInfoPem()), input)),
            "ES256 (not configured)" => ES256(claims),
            "signed by another key" => SignedByAnotherKey(claims),
            "payload changed after signing" => TrustKit.WithPayloadClaimChanged(Es(Claims(EsIssuer, scope: "clonus.knowledge.read")), "scope", "clonus.assess") /* scope upgraded after signing */,
            "unknown kid" => SignEs(f.EsKey, claims, kid: "not-a-kid"),
            "no kid" => TrustKit.Raw("""{"alg":"ES384","typ":"at+jwt"}""", ApiKit.Json(claims), SignEs384),
            "typ of an id token" => SignEs(f.EsKey, claims, typ: "id_token+jwt"),
            "jku other than the issuer's JwksUrl" => TrustKit.Raw(
                $$"""{"alg":"ES384","typ":"at+jwt","kid":"{{EsKid}}","jku":"{{f.Jwks.UnlistedUrl}}"}""", ApiKit.Json(claims), SignEs384),
            "no exp" => Es(Claims(EsIssuer, lifetime: null)),
            "no iat" => Es(TrustKit.Without(claims, "iat")),
            "iat in the future" => Es(Claims(EsIssuer, iatOffset: 600)),
            "nbf in the future" => Es(TrustKit.With(claims, "nbf", DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600)),
            "lifetime too long" => Es(Claims(EsIssuer, lifetime: 7200)),
            "garbage" => "not-a-jwt",
            _ => throw new ArgumentOutOfRangeException(nameof(@case), @case, null),
        };
    }

    private static string ES256(Dictionary<string, object> claims)
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return TrustKit.Sign(new Microsoft.IdentityModel.Tokens.ECDsaSecurityKey(p256) { KeyId = EsKid },
            Microsoft.IdentityModel.Tokens.SecurityAlgorithms.EcdsaSha256, claims, typ: "at+jwt");
    }

    private static string SignedByAnotherKey(Dictionary<string, object> claims)
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        return SignEs(other, claims);
    }



    [Fact]
    public async Task Knowledge_is_open_without_a_token_by_default()
    {
        var response = await Client.GetAsync("/api/v1/knowledge");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/v1/knowledge/sources")).StatusCode);
    }

    [Fact]
    public async Task Health_is_open_without_a_token_by_default()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Cds_hooks_endpoints_are_not_affected_by_the_api_setting()
    {
        // CDS Hooks trust is off in the test factory: an API token requirement does not leak onto /cds-services.
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/cds-services")).StatusCode);
    }

    [Fact]
    public async Task No_token_or_part_of_one_reaches_the_logs()
    {
        var accepted = Es(Claims(EsIssuer));
        var forbidden = Es(Claims(EsIssuer, scope: "openid"));
        var rejected = Es(Claims(EsIssuer, aud: "https://other.test/api"));
        var forged = TrustKit.Raw($$"""{"alg":"HS256","typ":"at+jwt","kid":"{{EsKid}}"}""", ApiKit.Json(Claims(EsIssuer)),
            input => HMACSHA256.HashData(Encoding.ASCII.GetBytes(f.EsKey.ExportSubjectPublicKeyInfoPem()), input));
        AssertOk(await Client.Assess(accepted));
        await AssertForbidden(await Client.Assess(forbidden), "clonus.assess");
        await AssertUnauthorized(await Client.Assess(rejected), tokenSent: true);
        await AssertUnauthorized(await Client.Assess(forged), tokenSent: true);

        Assert.Contains(f.Factory.Logs.Events, e => e.Values.GetValueOrDefault("Reason") == "aud_mismatch");
        Assert.Contains(f.Factory.Logs.Events, e => e.Values.GetValueOrDefault("Reason") == "insufficient_scope");
        foreach (var token in new[] { accepted, forbidden, rejected, forged })
        {
            var parts = token.Split('.');
            foreach (var e in f.Factory.Logs.Events)
            {
                Assert.DoesNotContain(token, e.AllText, StringComparison.Ordinal);
                Assert.DoesNotContain(parts[0], e.AllText, StringComparison.Ordinal);
                Assert.DoesNotContain(parts[1], e.AllText, StringComparison.Ordinal);
                Assert.DoesNotContain(parts[2], e.AllText, StringComparison.Ordinal);
                Assert.DoesNotContain("Bearer ey", e.AllText, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task An_unprintable_client_id_is_not_logged_as_sent()
    {
        var claims = Claims(EsIssuer, scope: "openid");
        claims["client_id"] = "evil\nclient " + new string('x', 300);
        await AssertForbidden(await Client.Assess(Es(claims)), "clonus.assess");
        Assert.Equal("(not printable)", f.Factory.LastRejectionValues()!["ClientId"]);
    }
}
