using System.Net;
using System.Security.Cryptography;
using ClonusCds.Api.Tests.CdsHooks.Trust;
using ClonusCds.Api.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;
using static ClonusCds.Api.Tests.Security.ApiKit;

namespace ClonusCds.Api.Tests.Security;

/// <summary>Startup validation of "Auth", the environment default, and the anonymous-endpoint switches.</summary>
public sealed class ApiAuthSettingsTests
{
    private static Dictionary<string, string?> Required(ECDsa key) => new()
    {
        ["Auth:RequireBearer"] = "true",
        ["Auth:Audience"] = Audience,
        ["Auth:Issuers:0:Issuer"] = EsIssuer,
        ["Auth:Issuers:0:Jwks"] = TrustKit.Jwks(TrustKit.EcJwk(key, EsKid)),
    };

    [Fact]
    public async Task A_complete_bearer_configuration_starts()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        await using var factory = new ApiAuthFactory(Required(key));
        var client = factory.CreateClient();
        AssertOk(await client.Assess(SignEs(key, Claims(EsIssuer))));
    }

    [Theory]
    [InlineData("no audience", "Auth:Audience")]
    [InlineData("blank audience", "Auth:Audience")]
    [InlineData("no issuers", "Auth:Issuers")]
    [InlineData("HS256 in Algorithms", "'HS256'")]
    [InlineData("none in Algorithms", "'none'")]
    [InlineData("issuer without keys", "no keys")]
    [InlineData("JwksUrl over plain http to another host", "JwksUrl")]
    [InlineData("JwksPath that does not exist", "does not exist")]
    [InlineData("Jwks that is not a JWK Set", "not a valid JWK Set")]
    [InlineData("key that fits no configured algorithm", "none of the issuer's keys")]
    [InlineData("issuer listed twice", "listed twice")]
    [InlineData("negative clock skew", "ClockSkewSeconds")]
    public void Refuses_to_start_on_a_bad_configuration(string @case, string expected)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var settings = Required(key);
        switch (@case)
        {
            case "no audience": settings.Remove("Auth:Audience"); break;
            case "blank audience": settings["Auth:Audience"] = " "; break;
            case "no issuers":
                settings.Remove("Auth:Issuers:0:Issuer");
                settings.Remove("Auth:Issuers:0:Jwks");
                break;
            case "HS256 in Algorithms":
                settings["Auth:Algorithms:0"] = "ES384";
                settings["Auth:Algorithms:1"] = "HS256";
                break;
            case "none in Algorithms": settings["Auth:Algorithms:0"] = "none"; break;
            case "issuer without keys": settings.Remove("Auth:Issuers:0:Jwks"); break;
            case "JwksUrl over plain http to another host":
                settings["Auth:Issuers:1:Issuer"] = "https://other.test";
                settings["Auth:Issuers:1:JwksUrl"] = "http://auth.example.org/jwks.json";
                break;
            case "JwksPath that does not exist":
                settings["Auth:Issuers:0:JwksPath"] = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.json");
                break;
            case "Jwks that is not a JWK Set": settings["Auth:Issuers:0:Jwks"] = "{\"kty\":\"EC\"}"; break;
            case "key that fits no configured algorithm":
                settings["Auth:Algorithms:0"] = "RS384";
                break;
            case "issuer listed twice":
                settings["Auth:Issuers:1:Issuer"] = EsIssuer;
                settings["Auth:Issuers:1:Jwks"] = settings["Auth:Issuers:0:Jwks"];
                break;
            case "negative clock skew": settings["Auth:ClockSkewSeconds"] = "-1"; break;
        }

        var validation = StartupValidationFailure(settings);
        Assert.Contains(expected, validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HS256_is_refused_even_when_bearer_tokens_are_not_required()
    {
        var settings = new Dictionary<string, string?> { ["Auth:RequireBearer"] = "false", ["Auth:Algorithms:0"] = "HS256" };
        Assert.Contains("HMAC", StartupValidationFailure(settings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_settings_are_validated_at_startup_and_an_empty_configuration_passes_when_not_required()
    {
        using var services = Services(new Dictionary<string, string?> { ["Auth:RequireBearer"] = "false" }, "Testing");
        services.GetRequiredService<IStartupValidator>().Validate();
        var options = services.GetRequiredService<IOptions<ApiAuthOptions>>().Value;
        Assert.Equal(["ES384", "RS384"], options.Algorithms);
        Assert.True(options.AnonymousKnowledge);
        Assert.True(options.AnonymousHealth);
    }

    [Fact]
    public async Task Unset_RequireBearer_means_not_required_in_Development()
    {
        await using var factory = new ApiAuthFactory(new Dictionary<string, string?> { ["Auth:RequireBearer"] = null }, "Development");
        var client = factory.CreateClient();
        AssertOk(await client.Assess(token: null));
        // A token sent is ignored, however broken.
        AssertOk(await client.Assess(token: "not-a-jwt"));
        Assert.True(factory.Services.GetRequiredService<IOptions<ApiAuthOptions>>().Value.RequireBearer is false);
    }

    [Fact]
    public void Unset_RequireBearer_means_required_in_Production_and_refuses_to_start_without_settings()
    {
        // Through the real host: the service itself refuses to start.
        var validation = StartupFailure(() => new ApiAuthFactory(new Dictionary<string, string?> { ["Auth:RequireBearer"] = null }, "Production"));
        Assert.Contains("Auth:Audience", validation.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:Issuers", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unset_RequireBearer_in_Production_with_settings_requires_the_token()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var settings = Required(key);
        settings["Auth:RequireBearer"] = null;
        await using var factory = new ApiAuthFactory(settings, "Production");
        var client = factory.CreateClient();
        await AssertUnauthorized(await client.Assess(token: null), tokenSent: false);
        AssertOk(await client.Assess(SignEs(key, Claims(EsIssuer))));
    }

    [Fact]
    public async Task Without_AnonymousKnowledge_the_knowledge_endpoints_need_clonus_knowledge_read()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var settings = Required(key);
        settings["Auth:AnonymousKnowledge"] = "false";
        await using var factory = new ApiAuthFactory(settings);
        var client = factory.CreateClient();

        await AssertUnauthorized(await client.GetAsync("/api/v1/knowledge"), tokenSent: false);
        await AssertUnauthorized(await client.GetAsync("/api/v1/knowledge/recommendations/does-not-exist"), tokenSent: false);
        await AssertForbidden(await client.Send(HttpMethod.Get, "/api/v1/knowledge", SignEs(key, Claims(EsIssuer, scope: "clonus.assess"))),
            "clonus.knowledge.read");

        var read = SignEs(key, Claims(EsIssuer, scope: "clonus.knowledge.read"));
        AssertOk(await client.Send(HttpMethod.Get, "/api/v1/knowledge", read));
        AssertOk(await client.Send(HttpMethod.Get, "/api/v1/knowledge/serotonergic-agents", read));
        // Authorised, then the endpoint's own answer.
        Assert.Equal(HttpStatusCode.NotFound, (await client.Send(HttpMethod.Get, "/api/v1/knowledge/sources/does-not-exist", read)).StatusCode);
        // Health stays open.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Without_AnonymousHealth_health_needs_any_valid_token()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var settings = Required(key);
        settings["Auth:AnonymousHealth"] = "false";
        await using var factory = new ApiAuthFactory(settings);
        var client = factory.CreateClient();

        await AssertUnauthorized(await client.GetAsync("/health/live"), tokenSent: false);
        await AssertUnauthorized(await client.Send(HttpMethod.Get, "/health/ready", SignEs(key, Claims(EsIssuer, aud: "https://other.test"))), tokenSent: true);
        AssertOk(await client.Send(HttpMethod.Get, "/health/live", SignEs(key, Claims(EsIssuer, scope: null))));
        AssertOk(await client.Send(HttpMethod.Get, "/health/ready", SignEs(key, Claims(EsIssuer, scope: "openid"))));
    }

    [Fact]
    public async Task Configured_algorithms_replace_the_defaults()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var settings = new Dictionary<string, string?>
        {
            ["Auth:RequireBearer"] = "true",
            ["Auth:Audience"] = Audience,
            ["Auth:Algorithms:0"] = "ES256",
            ["Auth:Issuers:0:Issuer"] = EsIssuer,
            ["Auth:Issuers:0:Jwks"] = TrustKit.Jwks(TrustKit.EcJwk(p256, "p256", alg: "ES256", crv: "P-256")),
        };
        await using var factory = new ApiAuthFactory(settings);
        var client = factory.CreateClient();
        var es256 = TrustKit.Sign(new Microsoft.IdentityModel.Tokens.ECDsaSecurityKey(p256) { KeyId = "p256" },
            Microsoft.IdentityModel.Tokens.SecurityAlgorithms.EcdsaSha256, Claims(EsIssuer), typ: "at+jwt");
        AssertOk(await client.Assess(es256));
        Assert.Equal(["ES256"], factory.Services.GetRequiredService<IOptions<ApiAuthOptions>>().Value.Algorithms);
    }

    /// <summary>
    /// What the host runs first when it starts (every ValidateOnStart registration), against the real
    /// registration: deterministic, unlike a failing <see cref="ApiAuthFactory"/> start (see <see cref="StartupFailure"/>).
    /// </summary>
    private static OptionsValidationException StartupValidationFailure(Dictionary<string, string?> settings, string environment = "Testing")
    {
        using var services = Services(settings, environment);
        return Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings, string environment)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var env = new HostingEnvironment { EnvironmentName = environment };
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(config)
            .AddSingleton<IHostEnvironment>(env)
            .AddSingleton(TimeProvider.System);
        services.AddClonusApiAuth(config, env);
        return services.BuildServiceProvider();
    }

    private static OptionsValidationException StartupFailure(Func<ApiAuthFactory> create) =>
        Tests.StartupFailure.Of<OptionsValidationException>(create);

    private static IEnumerable<Exception> Flatten(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
