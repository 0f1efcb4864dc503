using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Tests.CdsHooks.Trust;

/// <summary>Startup validation and the environment default of RequireJwt.</summary>
public sealed class CdsTrustStartupTests
{
    private static Dictionary<string, string?> WithIssuer(ECDsa key) => new()
    {
        ["CdsHooks:Trust:Issuers:0:Issuer"] = "https://ehr-es.test",
        ["CdsHooks:Trust:Issuers:0:Jwks"] = TrustKit.Jwks(TrustKit.EcJwk(key, "es-1")),
    };

    [Fact]
    public async Task Refuses_to_start_when_jwt_is_required_and_PublicBaseUrl_is_empty()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var settings = WithIssuer(key);
        settings["CdsHooks:Trust:RequireJwt"] = "true";
        settings["CdsHooks:PublicBaseUrl"] = "";

        var validation = StartupFailure.Of<OptionsValidationException>(() => new TrustApiFactory(settings));

        Assert.Contains("CdsHooks:PublicBaseUrl", validation.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://keys.ehr.test/jwks.json")] // plain http on another host
    [InlineData("https://user@keys.ehr.test/jwks.json")] // userinfo
    [InlineData("https://keys.ehr.test/jwks.json#x")] // fragment
    public void Refuses_to_start_with_a_jku_allow_list_entry_keys_could_be_fetched_insecurely_from(string jku)
    {
        // Issue 12: the same rule as the REST JWK Set URL (https; plain http only on loopback).
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var settings = WithIssuer(key);
        settings["CdsHooks:Trust:Issuers:0:JkuAllowList:0"] = jku;

        var validation = StartupFailure.Of<OptionsValidationException>(() => new TrustApiFactory(settings));

        Assert.Contains("JkuAllowList", validation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unset_RequireJwt_means_not_required_in_Development_and_a_sent_token_is_ignored()
    {
        await using var factory = new TrustApiFactory(new Dictionary<string, string?> { ["CdsHooks:Trust:RequireJwt"] = null }, "Development");
        var client = factory.CreateClient();
        TrustKit.AssertAccepted(await client.Call(token: null));
        TrustKit.AssertAccepted(await client.Call(token: "not-a-jwt"));
    }

    [Fact]
    public async Task Unset_RequireJwt_means_required_in_Production()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var settings = WithIssuer(key);
        settings["CdsHooks:Trust:RequireJwt"] = null;
        settings["CdsHooks:PublicBaseUrl"] = TrustKit.PublicBaseUrl;
        await using var factory = new TrustApiFactory(settings, "Production");
        var client = factory.CreateClient();

        await TrustKit.AssertRejected(await client.Call(token: null));
        TrustKit.AssertAccepted(await client.Call(TrustKit.SignEs(key, "es-1", TrustKit.Claims("https://ehr-es.test"))));
    }

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
