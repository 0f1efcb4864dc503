using System.Security.Cryptography;
using System.Text.Json;
using ClonusCds.Api.Security;
using ClonusCds.Api.Tests.CdsHooks.Trust;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.Tests.Security;

/// <summary>Scope parsing, the shared key checks for the wider algorithm set, and the OpenAPI bearer scheme.</summary>
public sealed class ApiAuthUnitTests
{
    [Theory]
    [InlineData("""{"scope":"clonus.assess"}""", "clonus.assess")]
    [InlineData("""{"scope":"  openid   clonus.assess  "}""", "openid|clonus.assess")]
    [InlineData("""{"scp":["clonus.assess","clonus.knowledge.read"]}""", "clonus.assess|clonus.knowledge.read")]
    [InlineData("""{"scp":"clonus.assess clonus.knowledge.read"}""", "clonus.assess|clonus.knowledge.read")]
    [InlineData("""{"scope":"a","scp":["b"]}""", "a|b")]
    [InlineData("""{"scp":[5,null,"",{"x":1},"ok"]}""", "ok")]
    [InlineData("""{"scope":5}""", "")]
    [InlineData("""{}""", "")]
    public void Scopes_come_from_scope_and_scp(string claims, string expected)
    {
        // The claims as the token handler presents them (an scp array is one claim per element).
        var token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(TrustKit.B64("""{"alg":"ES384"}""") + "." + TrustKit.B64(claims) + ".");
        var scopes = ApiAuthenticator.ReadScopes(token.Claims);
        Assert.Equal(expected.Split('|', StringSplitOptions.RemoveEmptyEntries).Order(), scopes.Order());
    }

    [Fact]
    public void Keys_must_fit_the_algorithm()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var p521 = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        using var rsa = RSA.Create(2048);
        using var weak = RSA.Create(1024);
        var k256 = Key(TrustKit.EcJwk(p256, "a", alg: "ES256", crv: "P-256"));
        var k384 = Key(TrustKit.EcJwk(p384, "b"));
        var k521 = Key(TrustKit.EcJwk(p521, "c", alg: "ES512", crv: "P-521"));
        var rsaNoAlg = Key(JsonSerializer.Serialize(new { kty = "RSA", kid = "d", n = TrustKit.B64(rsa.ExportParameters(false).Modulus!), e = "AQAB" }));
        var weakRsa = Key(JsonSerializer.Serialize(new { kty = "RSA", kid = "e", n = TrustKit.B64(weak.ExportParameters(false).Modulus!), e = "AQAB" }));
        var oct = Key("""{"kty":"oct","kid":"f","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}""");

        Assert.True(JwkSets.IsUsable(k256, "ES256"));
        Assert.False(JwkSets.IsUsable(k256, "ES384"));
        Assert.True(JwkSets.IsUsable(k384, "ES384"));
        Assert.True(JwkSets.IsUsable(k521, "ES512"));
        Assert.False(JwkSets.IsUsable(k521, "ES384"));
        foreach (var alg in new[] { "RS256", "RS384", "RS512", "PS256", "PS384" })
        {
            Assert.True(JwkSets.IsUsable(rsaNoAlg, alg), alg);
            Assert.False(JwkSets.IsUsable(weakRsa, alg), alg);
        }

        foreach (var alg in new[] { "HS256", "HS384", "none", "PS512", "EdDSA" })
        {
            Assert.False(JwkSets.IsUsable(oct, alg), alg);
            Assert.False(JwkSets.IsUsable(rsaNoAlg, alg), alg);
        }

        // The CDS Hooks view stays at ES384 and RS384 only.
        Assert.False(ClonusCds.Api.CdsHooks.Trust.CdsJwks.IsUsable(k256, "ES256"));
        Assert.False(ClonusCds.Api.CdsHooks.Trust.CdsJwks.IsUsable(rsaNoAlg, "RS256"));
        Assert.True(ClonusCds.Api.CdsHooks.Trust.CdsJwks.IsUsable(rsaNoAlg, "RS384"));
    }

    private static JsonWebKey Key(string json) => new(json);
}

/// <summary>The bearer scheme in the OpenAPI document (Swagger UI's "Authorize"), when tokens are required.</summary>
public sealed class ApiAuthOpenApiTests(ApiAuthFixture fixture) : IClassFixture<ApiAuthFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task The_document_declares_a_bearer_scheme_and_marks_the_assessment_operation()
    {
        var (_, doc) = await _client.GetJson("/swagger/v1/swagger.json");
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.Equal("JWT", scheme.GetProperty("bearerFormat").GetString());

        var paths = doc.GetProperty("paths");
        var assess = (paths.TryGetProperty("/api/v1/assessments", out var p) ? p : paths.GetProperty("/api/v1/assessments/")).GetProperty("post");
        var security = Assert.Single(assess.GetProperty("security").EnumerateArray());
        Assert.True(security.TryGetProperty("bearer", out _));
        Assert.True(assess.GetProperty("responses").TryGetProperty("401", out _));
        Assert.True(assess.GetProperty("responses").TryGetProperty("403", out _));
        Assert.Contains("clonus.assess", assess.GetProperty("description").GetString(), StringComparison.Ordinal);

        // Open by default: no lock on knowledge and health.
        var knowledge = (paths.TryGetProperty("/api/v1/knowledge", out var k) ? k : paths.GetProperty("/api/v1/knowledge/")).GetProperty("get");
        Assert.False(knowledge.TryGetProperty("security", out _));
        Assert.False(paths.GetProperty("/health/live").GetProperty("get").TryGetProperty("security", out _));
    }
}

/// <summary>Where no token is needed (Development without Auth), Swagger UI shows no "Authorize" and no locks.</summary>
public sealed class ApiAuthOffOpenApiTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    [Fact]
    public async Task Without_required_tokens_the_document_has_no_security_scheme_and_no_locks()
    {
        var (_, doc) = await factory.CreateClient().GetJson("/swagger/v1/swagger.json");
        Assert.False(doc.GetProperty("components").TryGetProperty("securitySchemes", out _));
        Assert.False(doc.TryGetProperty("security", out _));
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject())
            {
                Assert.False(op.Value.TryGetProperty("security", out _), $"{op.Name} {path.Name} has a lock");
                Assert.False(op.Value.GetProperty("responses").TryGetProperty("401", out _), $"{op.Name} {path.Name} documents a 401");
            }
        }
    }

    [Fact]
    public async Task Development_without_auth_settings_has_no_authorize_button()
    {
        await using var dev = new ApiAuthFactory(new Dictionary<string, string?> { ["Auth:RequireBearer"] = null }, "Development");
        var (_, doc) = await dev.CreateClient().GetJson("/swagger/v1/swagger.json");
        Assert.False(doc.GetProperty("components").TryGetProperty("securitySchemes", out _));
    }
}
