using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.Tests.CdsHooks.Trust;

/// <summary>Keys, tokens and requests for the CDS Hooks trust tests.</summary>
internal static class TrustKit
{
    public const string PublicBaseUrl = "https://cds.test";
    public const string ServicePath = "/cds-services/clonus-patient-view";
    public const string ServiceAudience = PublicBaseUrl + ServicePath;
    public const string AllowedOrigin = "https://sandbox.cds-hooks.org";
    public const string Body = """{"hook":"patient-view","hookInstance":"d1577c69-dfbe-44ad-ba6d-3e05e953b2ea","context":{"patientId":"p1","userId":"Practitioner/1"},"prefetch":{"patient":null,"conditions":null,"medications":null,"vitals":null,"labs":null,"findings":null}}""";

    /// <summary>The claims without <paramref name="name"/>.</summary>
    public static Dictionary<string, object> Without(Dictionary<string, object> claims, string name)
    {
        var copy = new Dictionary<string, object>(claims);
        copy.Remove(name);
        return copy;
    }

    /// <summary>The claims with <paramref name="name"/> set to <paramref name="value"/>.</summary>
    public static Dictionary<string, object> With(Dictionary<string, object> claims, string name, object value) =>
        new(claims) { [name] = value };

    /// <summary>The token with one payload claim changed after signing (header and signature kept).</summary>
    public static string WithPayloadClaimChanged(string token, string name, object value)
    {
        var parts = token.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, object>>(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(parts[1]))!;
        payload[name] = value;
        return parts[0] + "." + B64(JsonSerializer.Serialize(payload)) + "." + parts[2];
    }

    public static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    /// <summary>A public EC JWK (x, y only).</summary>
    public static string EcJwk(ECDsa key, string kid, string alg = "ES384", string crv = "P-384")
    {
        var p = key.ExportParameters(false);
        return JsonSerializer.Serialize(new { kty = "EC", crv, kid, use = "sig", alg, x = B64(p.Q.X!), y = B64(p.Q.Y!) });
    }

    /// <summary>A public RSA JWK (n, e only).</summary>
    public static string RsaJwk(RSA key, string kid)
    {
        var p = key.ExportParameters(false);
        return JsonSerializer.Serialize(new { kty = "RSA", kid, use = "sig", alg = "RS384", n = B64(p.Modulus!), e = B64(p.Exponent!) });
    }

    public static string Jwks(params string[] jwks) => "{\"keys\":[" + string.Join(",", jwks) + "]}";

    /// <summary>Standard claims: issued now, 5 minutes, a fresh jti.</summary>
    public static Dictionary<string, object> Claims(string iss, object? aud = null, long? iatOffset = 0, long? lifetime = 300, string? jti = "")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object> { ["iss"] = iss, ["aud"] = aud ?? ServiceAudience };
        if (iatOffset is { } offset)
        {
            claims["iat"] = now + offset;
            if (lifetime is { } life)
            {
                claims["exp"] = now + offset + life;
            }
        }

        if (jti is not null)
        {
            claims["jti"] = jti.Length == 0 ? Guid.NewGuid().ToString() : jti;
        }

        return claims;
    }

    /// <summary>Signs with JsonWebTokenHandler (no default times: the claims are exactly those given).</summary>
    public static string Sign(SecurityKey key, string alg, Dictionary<string, object> claims, Dictionary<string, object>? header = null, string typ = "JWT") =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, alg),
            AdditionalHeaderClaims = header,
            TokenType = typ,
        });

    public static string SignEs(ECDsa key, string kid, Dictionary<string, object> claims, Dictionary<string, object>? header = null) =>
        Sign(new ECDsaSecurityKey(key) { KeyId = kid }, SecurityAlgorithms.EcdsaSha384, claims, header);

    /// <summary>A token assembled by hand: header and payload JSON, and whatever signature bytes.</summary>
    public static string Raw(string headerJson, string payloadJson, Func<byte[], byte[]>? sign = null)
    {
        var input = B64(headerJson) + "." + B64(payloadJson);
        return input + "." + (sign is null ? "" : B64(sign(Encoding.ASCII.GetBytes(input))));
    }

    public static HttpRequestMessage Post(string? authorization, string path = ServicePath, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Http.Json(Body) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        return request;
    }

    public static async Task<HttpResponseMessage> Call(this HttpClient client, string? token, string path = ServicePath, string? origin = null)
    {
        using var request = Post(token is null ? null : "Bearer " + token, path, origin);
        return await client.SendAsync(request);
    }

    public static async Task AssertRejected(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    public static void AssertAccepted(HttpResponseMessage response) =>
        // The handler behind the endpoint is written elsewhere: only "not rejected by trust" is asserted.
        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
}

/// <summary>The API with trust settings of a test's choosing.</summary>
public sealed class TrustApiFactory(IReadOnlyDictionary<string, string?> settings, string? environment = null)
    : SettingsApiFactory(settings, environment)
{

    /// <summary>The reason code of the last rejection logged.</summary>
    public string? LastRejection() =>
        Logs.Events.LastOrDefault(e => e.Category.EndsWith(".CdsJwtFilter", StringComparison.Ordinal) && e.Level == LogLevel.Warning)
            ?.Values.GetValueOrDefault("Reason");
}

/// <summary>A real Kestrel server on loopback serving a JWK Set at a listed and an unlisted path, counting requests.</summary>
public sealed class LoopbackJwksServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _listedHits;
    private int _unlistedHits;

    private LoopbackJwksServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public string ListedUrl => BaseUrl + "/listed/jwks.json";

    public string UnlistedUrl => BaseUrl + "/unlisted/jwks.json";

    public int ListedHits => Volatile.Read(ref _listedHits);

    public int UnlistedHits => Volatile.Read(ref _unlistedHits);

    public static async Task<LoopbackJwksServer> StartAsync(string jwks)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new LoopbackJwksServer(app);
        app.MapGet("/listed/jwks.json", () =>
        {
            Interlocked.Increment(ref server._listedHits);
            return Results.Text(jwks, "application/json");
        });
        app.MapGet("/unlisted/jwks.json", () =>
        {
            Interlocked.Increment(ref server._unlistedHits);
            return Results.Text(jwks, "application/json");
        });
        await app.StartAsync();
        server.BaseUrl = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First().TrimEnd('/');
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
