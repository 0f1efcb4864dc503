using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using ClonusCds.Api.Tests.CdsHooks.Trust;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.Tests.Security;

/// <summary>Keys, access tokens and requests for the REST API bearer-token tests.</summary>
internal static class ApiKit
{
    public const string Audience = "https://cds.test/api";
    public const string EsIssuer = "https://auth-es.test";
    public const string RsIssuer = "https://auth-rs.test/realms/clonus";
    public const string UrlIssuer = "https://auth-url.test";
    public const string EsKid = "auth-es-1";
    public const string RsKid = "auth-rs-1";
    public const string UrlKid = "auth-url-1";
    public const string ClientId = "backend-service-1";
    public const string AssessBody = """{"clonus":{"present":true}}""";

    /// <summary>Access-token claims: issued now, 5 minutes, the API audience, a scope string and a client id. No jti.</summary>
    public static Dictionary<string, object> Claims(string iss, string? scope = "clonus.assess", object? aud = null, long iatOffset = 0, long? lifetime = 300)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object>
        {
            ["iss"] = iss,
            ["aud"] = aud ?? Audience,
            ["iat"] = now + iatOffset,
            ["client_id"] = ClientId,
            ["sub"] = ClientId,
        };
        if (lifetime is { } life)
        {
            claims["exp"] = now + iatOffset + life;
        }

        if (scope is not null)
        {
            claims["scope"] = scope;
        }

        return claims;
    }

    public static string SignEs(ECDsa key, Dictionary<string, object> claims, string kid = EsKid, string typ = "at+jwt") =>
        TrustKit.Sign(new ECDsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.EcdsaSha384, claims, typ: typ);

    public static string SignRs(RSA key, Dictionary<string, object> claims, string kid = RsKid) =>
        TrustKit.Sign(new RsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.RsaSha384, claims, typ: "JWT");

    public static string Json(Dictionary<string, object> claims) => JsonSerializer.Serialize(claims);

    public static Task<HttpResponseMessage> Assess(this HttpClient client, string? token, string body = AssessBody) =>
        client.Send(HttpMethod.Post, "/api/v1/assessments", token, body);

    public static async Task<HttpResponseMessage> Send(this HttpClient client, HttpMethod method, string path, string? token, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = Http.Json(body);
        }

        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }

        return await client.SendAsync(request);
    }

    /// <summary>401 as ProblemDetails with the Bearer challenge: no error code when no token was sent, invalid_token otherwise.</summary>
    public static async Task<JsonElement> AssertUnauthorized(HttpResponseMessage response, bool tokenSent)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.MediaType());
        Assert.True(response.Headers.CacheControl?.NoStore, "401 must be Cache-Control: no-store");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("realm=\"clonus\"", challenge.Parameter, StringComparison.Ordinal);
        if (tokenSent)
        {
            Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("error=", challenge.Parameter, StringComparison.Ordinal);
        }

        var body = await Http.Read(response);
        Assert.Equal(401, body.GetProperty("status").GetInt32());
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.2", body.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("traceId").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("title").GetString()));
        return body;
    }

    /// <summary>403 as ProblemDetails with <c>error="insufficient_scope", scope="…"</c>.</summary>
    public static async Task<JsonElement> AssertForbidden(HttpResponseMessage response, string scope)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.MediaType());
        Assert.True(response.Headers.CacheControl?.NoStore, "403 must be Cache-Control: no-store");
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains("error=\"insufficient_scope\"", challenge.Parameter, StringComparison.Ordinal);
        Assert.Contains($"scope=\"{scope}\"", challenge.Parameter, StringComparison.Ordinal);
        var body = await Http.Read(response);
        Assert.Equal(403, body.GetProperty("status").GetInt32());
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.4", body.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("traceId").GetString()));
        Assert.Equal(scope, body.GetProperty("requiredScope").GetString());
        return body;
    }

    public static void AssertOk(HttpResponseMessage response) =>
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}");
}

/// <summary>The API with "Auth" settings of a test's choosing (on top of the shared test settings).</summary>
public sealed class ApiAuthFactory(IReadOnlyDictionary<string, string?> settings, string? environment = null)
    : SettingsApiFactory(settings, environment)
{

    /// <summary>The reason code of the last rejection the REST API logged.</summary>
    public string? LastRejection() =>
        Logs.Events.LastOrDefault(e => e.Category.EndsWith(".ApiAuthenticator", StringComparison.Ordinal) && e.Level == LogLevel.Warning)
            ?.Values.GetValueOrDefault("Reason");

    /// <summary>The last rejection event's structured values.</summary>
    public IReadOnlyDictionary<string, string?>? LastRejectionValues() =>
        Logs.Events.LastOrDefault(e => e.Category.EndsWith(".ApiAuthenticator", StringComparison.Ordinal) && e.Level == LogLevel.Warning)?.Values;
}

/// <summary>
/// Bearer tokens required, with an ES384 issuer (inline JWK Set), an RS384 issuer (JWK Set file) and
/// an issuer whose JWK Set is fetched from its JwksUrl (a loopback server); keys generated here.
/// </summary>
public sealed class ApiAuthFixture : IAsyncLifetime
{
    private readonly string _rsJwksPath = Path.Combine(Path.GetTempPath(), $"clonus-api-rs-jwks-{Guid.NewGuid():N}.json");

    public ECDsa EsKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public RSA RsKey { get; } = RSA.Create(2048);

    public ECDsa UrlKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public string EsJwks => TrustKit.Jwks(TrustKit.EcJwk(EsKey, ApiKit.EsKid));

    public LoopbackJwksServer Jwks { get; private set; } = null!;

    public ApiAuthFactory Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The settings of a bearer-required deployment with the three issuers (for variants).</summary>
    public Dictionary<string, string?> Settings() => new()
    {
        ["Auth:RequireBearer"] = "true",
        ["Auth:Audience"] = ApiKit.Audience,
        ["Auth:Issuers:0:Issuer"] = ApiKit.EsIssuer,
        ["Auth:Issuers:0:Jwks"] = EsJwks,
        ["Auth:Issuers:1:Issuer"] = ApiKit.RsIssuer,
        ["Auth:Issuers:1:JwksPath"] = _rsJwksPath,
        ["Auth:Issuers:2:Issuer"] = ApiKit.UrlIssuer,
        ["Auth:Issuers:2:JwksUrl"] = Jwks.ListedUrl,
    };

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_rsJwksPath, TrustKit.Jwks(TrustKit.RsaJwk(RsKey, ApiKit.RsKid)));
        Jwks = await LoopbackJwksServer.StartAsync(TrustKit.Jwks(TrustKit.EcJwk(UrlKey, ApiKit.UrlKid)));
        Factory = new ApiAuthFactory(Settings());
        Client = Factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        await Jwks.DisposeAsync();
        EsKey.Dispose();
        RsKey.Dispose();
        UrlKey.Dispose();
        File.Delete(_rsJwksPath);
    }
}
