using System.Net;
using ClonusCds.Api.CdsHooks;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>GET /cds-services: a conforming discovery document listing the three (id, hook) pairs with the catalog's prefetch.</summary>
public sealed class CdsDiscoveryTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Discovery_conforms_to_the_spec()
    {
        var (response, body) = await _client.GetJson("/cds-services");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.MediaType());
        var violations = CdsConformance.CheckDiscovery(body);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public async Task Discovery_lists_patient_view_order_select_and_order_sign_with_every_prefetch_template()
    {
        var (_, body) = await _client.GetJson("/cds-services");

        var services = body.GetProperty("services").EnumerateArray().ToList();
        var pairs = services.Select(s => (s.GetProperty("id").GetString(), s.GetProperty("hook").GetString())).ToHashSet();
        Assert.Equal(
            new HashSet<(string?, string?)>
            {
                (CdsServiceCatalog.PatientViewId, CdsServiceCatalog.PatientView),
                (CdsServiceCatalog.OrderSelectId, CdsServiceCatalog.OrderSelect),
                (CdsServiceCatalog.OrderSignId, CdsServiceCatalog.OrderSign),
            },
            pairs);
        Assert.Equal(3, services.Count);
        // One id per hook: clients that key services by id must not collide; the deprecated shared id is not listed.
        Assert.Equal(services.Count, services.Select(s => s.GetProperty("id").GetString()).Distinct().Count());
        Assert.DoesNotContain(services, s => s.GetProperty("id").GetString() == CdsServiceCatalog.DeprecatedOrderCheckId);
        foreach (var service in services)
        {
            var prefetch = service.GetProperty("prefetch").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
            Assert.Equal(CdsServiceCatalog.Prefetch.OrderBy(p => p.Key, StringComparer.Ordinal), prefetch.OrderBy(p => p.Key, StringComparer.Ordinal)!);
            Assert.False(string.IsNullOrWhiteSpace(service.GetProperty("title").GetString()));
        }
    }
}
