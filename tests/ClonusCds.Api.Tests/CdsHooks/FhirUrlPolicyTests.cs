using System.Net;
using System.Text.Json.Nodes;
using ClonusCds.Api.CdsHooks.Fhir;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>
/// Where the FHIR bearer token may go (issue 12): parsed origin and whole path segments, never a
/// text prefix. Each attack below passed the first release's <c>StartsWith</c> check.
/// </summary>
public sealed class FhirUrlPolicyTests
{
    private static readonly string[] Allowed = ["https://fhir.example.org/fhir"];

    [Theory]
    [InlineData("https://fhir.example.org/fhir")]
    [InlineData("https://fhir.example.org/fhir/")]
    [InlineData("https://FHIR.Example.ORG/fhir")] // host case
    [InlineData("https://fhir.example.org./fhir")] // trailing dot
    [InlineData("https://fhir.example.org:443/fhir")] // explicit default port
    [InlineData("https://fhir.example.org/fhir/r4")] // below by whole segments
    public void A_server_under_the_allowed_entry_is_allowed(string server) =>
        Assert.True(FhirUrlPolicy.IsAllowedServer(new Uri(server), Allowed, allowHttp: false));

    [Theory]
    [InlineData("https://fhir.example.org@evil.test/fhir")] // userinfo: the host is evil.test
    [InlineData("https://user:pass@fhir.example.org/fhir")] // userinfo on the right host
    [InlineData("https://fhir.example.org.evil.test/fhir")] // suffix host
    [InlineData("https://fhir.example.org/fhir-other")] // path prefix, not a segment
    [InlineData("https://fhir.example.org/fhirx/r4")]
    [InlineData("https://fhir.example.org:8443/fhir")] // another port
    [InlineData("http://fhir.example.org/fhir")] // plain http without AllowHttp
    [InlineData("https://fhir.example.org/other")]
    [InlineData("https://fhir.example.org/")]
    [InlineData("https://fhir.example.org/fhir#x")] // fragment
    public void Anything_else_is_refused(string server) =>
        Assert.False(FhirUrlPolicy.IsAllowedServer(new Uri(server), Allowed, allowHttp: false));

    [Fact]
    public void Idn_hosts_compare_in_their_ascii_form()
    {
        string[] allowed = ["https://xn--bcher-kva.example/fhir"];
        Assert.True(FhirUrlPolicy.IsAllowedServer(new Uri("https://BÜCHER.example/fhir/r4"), allowed, allowHttp: false));
        Assert.False(FhirUrlPolicy.IsAllowedServer(new Uri("https://bucher.example/fhir"), allowed, allowHttp: false));
    }

    [Fact]
    public void Without_an_allow_list_any_https_server_without_userinfo_is_allowed_and_http_only_when_enabled()
    {
        Assert.True(FhirUrlPolicy.IsAllowedServer(new Uri("https://any.example/fhir"), [], allowHttp: false));
        Assert.False(FhirUrlPolicy.IsAllowedServer(new Uri("https://a@any.example/fhir"), [], allowHttp: false));
        Assert.False(FhirUrlPolicy.IsAllowedServer(new Uri("http://any.example/fhir"), [], allowHttp: false));
        Assert.True(FhirUrlPolicy.IsAllowedServer(new Uri("http://any.example/fhir"), [], allowHttp: true));
    }

    [Fact]
    public void An_allow_list_entry_that_is_not_an_absolute_url_matches_nothing() =>
        Assert.False(FhirUrlPolicy.IsAllowedServer(new Uri("https://fhir.example.org/fhir"), ["fhir.example.org/fhir"], allowHttp: false));

    [Theory]
    [InlineData("https://fhir.example.org/fhir/MedicationRequest?patient=1&_page=2", true)]
    [InlineData("https://FHIR.example.org:443/fhir/MedicationRequest?page=2", true)]
    [InlineData("https://fhir.example.org@evil.test/fhir/MedicationRequest?page=2", false)]
    [InlineData("https://fhir.example.org.evil.test/fhir/MedicationRequest", false)]
    [InlineData("https://fhir.example.org/fhir-other/MedicationRequest", false)]
    [InlineData("https://fhir.example.org:444/fhir/MedicationRequest", false)]
    [InlineData("http://fhir.example.org/fhir/MedicationRequest", false)] // scheme downgrade
    [InlineData("/fhir/MedicationRequest?page=2", false)] // relative
    [InlineData("not a url", false)]
    public void A_next_link_is_followed_only_on_the_same_origin_and_under_the_server_path(string link, bool followable) =>
        Assert.Equal(followable, FhirUrlPolicy.IsFollowable(link, new Uri("https://fhir.example.org/fhir"), out _));
}

/// <summary>The same attacks against real loopback listeners: the token's actual destination is asserted.</summary>
public sealed class FhirTokenConfinementTests
{
    private const string Token = "confined-token-42";
    private const string Fixture = "03-order-sign-linezolid-escitalopram.json";

    private sealed class AllowListFactory(string allowed) : ClonusApiFactory
    {
        protected override void Configure(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
            builder.UseSetting("CdsHooks:Fhir:AllowedServers:0", allowed);
    }

    private static JsonObject Authorization() => FhirAuthorizationJson.For(Token);

    private static bool GotToken(FakeFhirServer server) => server.Requests.Any(r => r.Authorization?.Contains(Token, StringComparison.Ordinal) == true);

    [Fact]
    public async Task A_fhir_server_with_userinfo_naming_the_allowed_server_gets_no_token()
    {
        await using var allowed = await FakeFhirServer.StartAsync();
        await using var attacker = await FakeFhirServer.StartAsync();
        // The allow-list names the origin only, as in the reported attack: a text-prefix check passes it.
        await using var factory = new AllowListFactory($"http://{new Uri(allowed.BaseUrl).Authority}");
        var fixture = FixtureLoader.Load(Fixture);
        attacker.RegisterPrefetch(fixture.Request);
        fixture.Request.Remove("prefetch");
        // "http://127.0.0.1:<allowed port>@127.0.0.1:<attacker port>/fhir/r4": the part before @ is userinfo.
        var allowedAuthority = new Uri(allowed.BaseUrl).Authority;
        var attackerUri = new Uri(attacker.BaseUrl);
        fixture.Request["fhirServer"] = $"http://{allowedAuthority}@{attackerUri.Authority}{attackerUri.AbsolutePath}";
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, _) = await factory.CreateClient().PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.False(GotToken(attacker));
        Assert.False(GotToken(allowed));
    }

    [Fact]
    public async Task A_fhir_server_whose_path_only_starts_like_the_allowed_one_gets_no_token()
    {
        await using var server = await FakeFhirServer.StartAsync("/fhir-other");
        var uri = new Uri(server.BaseUrl);
        await using var factory = new AllowListFactory($"{uri.Scheme}://{uri.Authority}/fhir");
        var fixture = FixtureLoader.Load(Fixture);
        server.RegisterPrefetch(fixture.Request);
        fixture.Request.Remove("prefetch");
        fixture.Request["fhirServer"] = server.BaseUrl;
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, _) = await factory.CreateClient().PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.False(GotToken(server));
    }

    [Fact]
    public async Task A_fetched_page_whose_next_link_has_userinfo_naming_the_fhir_server_gets_no_token()
    {
        // The service fetches the medications itself; the server's page 1 links "next" to
        // "http://127.0.0.1:P1@127.0.0.1:P2/…", which a text-prefix check let through.
        await using var fhir = await FakeFhirServer.StartAsync("");
        await using var attacker = await FakeFhirServer.StartAsync();
        await using var factory = new ClonusApiFactory();
        var fixture = FixtureLoader.Load(Fixture);
        var context = (JsonObject)fixture.Request["context"]!;
        fhir.RegisterPrefetch(fixture.Request);
        var medications = (JsonObject)fixture.Request["prefetch"]!["medications"]!;
        var pages = attacker.RegisterPaged("MedicationRequest?patient=x", medications, 2);
        var entries = (JsonArray)medications["entry"]!;
        var page1 = (JsonObject)medications.DeepClone();
        page1["total"] = entries.Count;
        page1["entry"] = new JsonArray(entries.Take(2).Select(e => e!.DeepClone()).ToArray());
        page1["link"] = new JsonArray(new JsonObject
        {
            ["relation"] = "next",
            ["url"] = $"http://{new Uri(fhir.BaseUrl).Authority}@{new Uri(attacker.BaseUrl).Authority}{new Uri(pages[0]).PathAndQuery}",
        });
        fhir.Register(FakeFhirServer.RelativeUrl(ClonusCds.Api.CdsHooks.CdsServiceCatalog.Prefetch["medications"], context), page1);
        ((JsonObject)fixture.Request["prefetch"]!).Remove("medications");
        fixture.Request["fhirServer"] = fhir.BaseUrl;
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, _) = await factory.CreateClient().PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}");
        Assert.True(GotToken(fhir), "the medications page was not fetched from the fhirServer");
        Assert.False(GotToken(attacker));
    }

    /// <summary>A caller-supplied prefetch page whose next link points at <paramref name="next"/>, posted with fhirServer <paramref name="server"/>.</summary>
    private static async Task PostWithNextLink(ClonusApiFactory factory, FakeFhirServer pagesOn, string server, Func<string, string> next)
    {
        // Every key prefetched: the only request the service may make is the next link.
        var fixture = FixtureLoader.Load(Fixture).WithEmptySupplementaryKeys();
        var medications = (JsonObject)fixture.Request["prefetch"]!["medications"]!;
        var pages = pagesOn.RegisterPaged("MedicationRequest?patient=x", medications, 2);
        var entries = (JsonArray)medications["entry"]!;
        var page1 = (JsonObject)medications.DeepClone();
        page1["total"] = entries.Count;
        page1["entry"] = new JsonArray(entries.Take(2).Select(e => e!.DeepClone()).ToArray());
        page1["link"] = new JsonArray(new JsonObject { ["relation"] = "next", ["url"] = next(pages[0]) });
        fixture.Request["prefetch"]!["medications"] = page1;
        fixture.Request["fhirServer"] = server;
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, _) = await factory.CreateClient().PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode}");
    }

    [Fact]
    public async Task A_prefetched_next_link_with_userinfo_naming_the_fhir_server_gets_no_token()
    {
        // fhirServer "http://127.0.0.1:P1"; next "http://127.0.0.1:P1@127.0.0.1:P2/…": a text-prefix
        // check passes it, and the host is P2.
        await using var fhir = await FakeFhirServer.StartAsync("");
        await using var attacker = await FakeFhirServer.StartAsync();
        await using var factory = new ClonusApiFactory();
        var attackerAuthority = new Uri(attacker.BaseUrl).Authority;

        await PostWithNextLink(factory, attacker, fhir.BaseUrl, page => $"http://{new Uri(fhir.BaseUrl).Authority}@{attackerAuthority}{new Uri(page).PathAndQuery}");

        Assert.False(GotToken(attacker));
    }

    [Fact]
    public async Task A_prefetched_next_link_outside_the_fhir_server_path_on_the_same_host_gets_no_token()
    {
        // fhirServer ".../fhir/r4"; next ".../fhir/r4-evil/…" on the same host and port.
        await using var other = await FakeFhirServer.StartAsync("/fhir/r4-evil");
        await using var factory = new ClonusApiFactory();
        var uri = new Uri(other.BaseUrl);

        await PostWithNextLink(factory, other, $"{uri.Scheme}://{uri.Authority}/fhir/r4", page => page);

        Assert.False(GotToken(other));
    }
}

/// <summary>
/// Connect-time address policy (issue 12): loopback, private and reserved addresses are refused by
/// default after DNS resolution; settings allow loopback (development, tests) or named private hosts.
/// </summary>
public sealed class FhirAddressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", "Loopback")]
    [InlineData("127.9.9.9", "Loopback")]
    [InlineData("::1", "Loopback")]
    [InlineData("::ffff:127.0.0.1", "Loopback")]
    [InlineData("10.1.2.3", "Private")]
    [InlineData("172.16.0.1", "Private")]
    [InlineData("172.31.255.255", "Private")]
    [InlineData("192.168.1.1", "Private")]
    [InlineData("100.64.0.1", "Private")]
    [InlineData("100.127.255.254", "Private")]
    [InlineData("169.254.169.254", "Private")] // cloud metadata
    [InlineData("fe80::1", "Private")]
    [InlineData("fd12:3456::1", "Private")]
    [InlineData("::ffff:10.0.0.1", "Private")]
    [InlineData("0.0.0.0", "Never")]
    [InlineData("::", "Never")]
    [InlineData("224.0.0.1", "Never")]
    [InlineData("255.255.255.255", "Never")]
    [InlineData("ff02::1", "Never")]
    [InlineData("172.15.0.1", "Public")]
    [InlineData("172.32.0.1", "Public")]
    [InlineData("100.63.255.255", "Public")]
    [InlineData("8.8.8.8", "Public")]
    [InlineData("2001:4860:4860::8888", "Public")]
    public void Addresses_are_classified(string address, string kind) =>
        Assert.Equal(kind, FhirAddressPolicy.Classify(IPAddress.Parse(address)).ToString());

    [Fact]
    public void Settings_open_loopback_and_named_private_hosts_only()
    {
        var closed = new ClonusCds.Api.CdsHooks.FhirFetchOptions();
        var open = new ClonusCds.Api.CdsHooks.FhirFetchOptions { AllowLoopback = true, AllowedPrivateHosts = ["fhir.hospital.internal"] };
        Assert.False(FhirAddressPolicy.Permitted(IPAddress.Loopback, "localhost", closed));
        Assert.True(FhirAddressPolicy.Permitted(IPAddress.Loopback, "localhost", open));
        Assert.False(FhirAddressPolicy.Permitted(IPAddress.Parse("10.0.0.5"), "fhir.hospital.internal", closed));
        Assert.True(FhirAddressPolicy.Permitted(IPAddress.Parse("10.0.0.5"), "FHIR.hospital.internal.", open));
        Assert.False(FhirAddressPolicy.Permitted(IPAddress.Parse("10.0.0.5"), "other.internal", open));
        Assert.False(FhirAddressPolicy.Permitted(IPAddress.Parse("0.0.0.0"), "fhir.hospital.internal", open));
        Assert.True(FhirAddressPolicy.Permitted(IPAddress.Parse("8.8.8.8"), "anything", closed));
    }

    private sealed class NoLoopbackFactory : ClonusApiFactory
    {
        protected override void Configure(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
            builder.UseSetting("CdsHooks:Fhir:AllowLoopback", "false");
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")] // a DNS name that resolves to loopback is refused after resolution
    public async Task By_default_a_loopback_fhir_server_is_never_contacted(string host)
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        await using var factory = new NoLoopbackFactory();
        var fixture = FixtureLoader.Load("03-order-sign-linezolid-escitalopram.json");
        fhir.RegisterPrefetch(fixture.Request);
        fixture.Request.Remove("prefetch");
        var uri = new Uri(fhir.BaseUrl);
        fixture.Request["fhirServer"] = $"http://{host}:{uri.Port}{uri.AbsolutePath}";
        fixture.Request["fhirAuthorization"] = new JsonObject
        {
            ["access_token"] = "t", ["token_type"] = "Bearer", ["expires_in"] = 300, ["scope"] = "user/*.read", ["subject"] = "clonus-cds",
        };

        var (response, body) = await factory.CreateClient().PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Contains("could not be read", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(fhir.Requests);
    }
}

/// <summary>Every CDS Hooks response is no-store, errors included (issue 12).</summary>
public sealed class CdsNoStoreTests
{
    [Fact]
    public async Task Cards_discovery_and_every_error_under_cds_services_are_no_store()
    {
        await using var factory = new ClonusApiFactory();
        var client = factory.CreateClient();
        var fixture = FixtureLoader.Load("03-order-sign-linezolid-escitalopram.json");
        var noPrefetch = FixtureLoader.Load("03-order-sign-linezolid-escitalopram.json");
        noPrefetch.Request.Remove("prefetch");

        var responses = new List<(string What, HttpResponseMessage Response)>
        {
            ("discovery", await client.GetAsync("/cds-services")),
            ("cards", (await client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson)).Item1),
            ("412", (await client.PostJson($"/cds-services/{noPrefetch.Service}", noPrefetch.RequestJson)).Item1),
            ("400", await client.PostAsync($"/cds-services/{fixture.Service}", new StringContent("{", System.Text.Encoding.UTF8, "application/json"))),
            ("404", await client.PostAsync("/cds-services/no-such-service", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))),
        };

        Assert.Equal(HttpStatusCode.PreconditionFailed, responses[2].Response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, responses[3].Response.StatusCode);
        foreach (var (what, response) in responses)
        {
            Assert.True(response.Headers.CacheControl?.NoStore == true, $"{what} ({(int)response.StatusCode}) is not no-store");
        }
    }
}
