using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClonusCds.Api.CdsHooks.Trust;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Tests.CdsHooks.Trust;

/// <summary>The replay cache, the jku cache and the filter's audience and discovery rules, in isolation.</summary>
public sealed class CdsTrustUnitTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void Replay_cache_remembers_until_expiry_then_forgets()
    {
        var time = new ManualTime();
        var cache = new CdsJtiReplayCache(Options.Create(new CdsTrustOptions()), time);
        var until = time.Now.AddMinutes(5);
        Assert.Equal(CdsReplayOutcome.Recorded, cache.TryRecord("iss", "a", until));
        Assert.Equal(CdsReplayOutcome.Replayed, cache.TryRecord("iss", "a", until));
        Assert.Equal(CdsReplayOutcome.Recorded, cache.TryRecord("other-iss", "a", until));

        time.Now = until;
        Assert.Equal(CdsReplayOutcome.Recorded, cache.TryRecord("iss", "b", until.AddMinutes(5)));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Replay_cache_when_full_rejects_new_tokens_and_keeps_the_old()
    {
        var time = new ManualTime();
        var cache = new CdsJtiReplayCache(Options.Create(new CdsTrustOptions { ReplayCacheCapacity = 2 }), time);
        Assert.Equal(CdsReplayOutcome.Recorded, cache.TryRecord("iss", "a", time.Now.AddMinutes(1)));
        Assert.Equal(CdsReplayOutcome.Recorded, cache.TryRecord("iss", "b", time.Now.AddMinutes(2)));
        Assert.Equal(CdsReplayOutcome.Full, cache.TryRecord("iss", "c", time.Now.AddMinutes(3)));
        Assert.Equal(CdsReplayOutcome.Replayed, cache.TryRecord("iss", "a", time.Now.AddMinutes(1)));

        time.Now = time.Now.AddMinutes(1);
        Assert.Equal(CdsReplayOutcome.Recorded, cache.TryRecord("iss", "c", time.Now.AddMinutes(3)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"keys\":5}")]
    [InlineData("{\"keys\":[5]}")]
    [InlineData("{\"keys\":[{\"kty\":5}]}")]
    [InlineData("{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-384\",\"x\":\"!!\",\"y\":[]}]}")]
    public void A_broken_jwk_set_never_throws_and_yields_no_usable_key(string json)
    {
        var parsed = CdsJwks.TryParse(json, out var keys, out _);
        Assert.True(!parsed || keys.All(k => !CdsJwks.IsUsable(k, "ES384") || k.X == "!!"));
    }

    private sealed class CountingHandler(Func<string> body) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body(), Encoding.UTF8, "application/json") });
        }
    }

    private sealed class StubClients(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    [Fact]
    public async Task Jku_set_is_cached_refetched_once_on_an_unknown_kid_and_rate_limited()
    {
        using var key1 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var key2 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var served = TrustKit.Jwks(TrustKit.EcJwk(key1, "k1"));
        using var handler = new CountingHandler(() => served);
        var time = new ManualTime();
        var options = Options.Create(new CdsTrustOptions { JwksCacheSeconds = 600, JwksMinRefetchSeconds = 30 });
        var provider = new CdsJwksProvider(options, new StubClients(handler), time, NullLogger<CdsJwksProvider>.Instance);
        const string jku = "https://ehr.test/jwks.json";

        Assert.Single((await provider.RemoteKeysAsync(jku, "k1", default)).Keys);
        Assert.Single((await provider.RemoteKeysAsync(jku, "k1", default)).Keys);
        Assert.Equal(1, handler.Calls);

        // The client rotates to k2. Within the rate limit, an unknown kid does not refetch.
        served = TrustKit.Jwks(TrustKit.EcJwk(key1, "k1"), TrustKit.EcJwk(key2, "k2"));
        Assert.Empty((await provider.RemoteKeysAsync(jku, "k2", default)).Keys);
        Assert.Equal(1, handler.Calls);

        // After it, one refetch finds k2; a bogus kid right after does not fetch again.
        time.Now = time.Now.AddSeconds(31);
        Assert.Single((await provider.RemoteKeysAsync(jku, "k2", default)).Keys);
        Assert.Empty((await provider.RemoteKeysAsync(jku, "bogus", default)).Keys);
        Assert.Equal(2, handler.Calls);

        // The cache expires.
        time.Now = time.Now.AddSeconds(601);
        Assert.Single((await provider.RemoteKeysAsync(jku, "k1", default)).Keys);
        Assert.Equal(3, handler.Calls);
    }

    [Theory]
    [InlineData("", "/cds-services/svc", "https://cds.test/cds-services/svc")]
    [InlineData("", "/cds-services/svc/", "https://cds.test/cds-services/svc")]
    [InlineData("/base", "/cds-services/svc", "https://cds.test/base/cds-services/svc")]
    [InlineData("", "/cds-services/svc/feedback", "https://cds.test/cds-services/svc/feedback|https://cds.test/cds-services/svc")]
    [InlineData("", "/cds-services/feedback", "https://cds.test/cds-services/feedback")]
    [InlineData("", "/cds-services", "https://cds.test/cds-services")]
    public void Audience_is_the_public_base_url_plus_path_base_plus_path(string pathBase, string path, string expected)
    {
        var http = new DefaultHttpContext();
        http.Request.PathBase = pathBase;
        http.Request.Path = path;
        Assert.Equal(expected.Split('|'), CdsJwtFilter.Audiences(http.Request, "https://cds.test/"));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public async Task Discovery_needs_a_token_only_when_RequireJwtOnDiscovery_is_set(bool requireOnDiscovery, bool expectRejected)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        await using var services = Services(key, requireOnDiscovery);
        var filter = ActivatorUtilities.CreateInstance<CdsJwtFilter>(services);

        var (called, result) = await Invoke(filter, services, authorization: null);
        Assert.Equal(!expectRejected, called);
        Assert.Equal(expectRejected, result is UnauthorizedHttpResult);

        // With a token for the discovery URL, discovery is open either way.
        var token = TrustKit.SignEs(key, "es-1", TrustKit.Claims("https://ehr-es.test", "https://cds.test/cds-services"));
        (called, _) = await Invoke(filter, services, "Bearer " + token);
        Assert.True(called);
    }

    private static ServiceProvider Services(ECDsa key, bool requireOnDiscovery)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["CdsHooks:PublicBaseUrl"] = "https://cds.test",
            ["CdsHooks:Trust:RequireJwtOnDiscovery"] = requireOnDiscovery ? "true" : "false",
            ["CdsHooks:Trust:Issuers:0:Issuer"] = "https://ehr-es.test",
            ["CdsHooks:Trust:Issuers:0:Jwks"] = TrustKit.Jwks(TrustKit.EcJwk(key, "es-1")),
        }).Build();
        var environment = new HostingEnvironment { EnvironmentName = Environments.Production };
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(config)
            .AddSingleton<IHostEnvironment>(environment)
            .AddSingleton(TimeProvider.System);
        services.AddCdsHooksTrust(config, environment);
        return services.BuildServiceProvider();
    }

    private static async Task<(bool Called, object? Result)> Invoke(CdsJwtFilter filter, IServiceProvider services, string? authorization)
    {
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Method = HttpMethods.Get;
        http.Request.Path = "/cds-services";
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        var called = false;
        var result = await filter.InvokeAsync(new DefaultEndpointFilterInvocationContext(http), _ =>
        {
            called = true;
            return ValueTask.FromResult<object?>(null);
        });
        return (called, result);
    }
}
