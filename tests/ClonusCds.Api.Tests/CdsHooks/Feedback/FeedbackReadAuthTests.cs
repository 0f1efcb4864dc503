using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using ClonusCds.Api.Tests.CdsHooks.Trust;
using ClonusCds.Api.Tests.Security;
using static ClonusCds.Api.Tests.CdsHooks.Feedback.FeedbackTestData;

namespace ClonusCds.Api.Tests.CdsHooks.Feedback;

/// <summary>
/// One API instance with both trusts on, as deployed: CDS Hooks JWTs required (an EHR issuer trusted
/// as a CDS Client only, and one trusted both as a CDS Client and as a REST authorization server) and
/// REST bearer tokens required (an authorization server of the product's own). The anonymous
/// knowledge and health settings are on, to show they never open the feedback read.
/// </summary>
public sealed class FeedbackReadAuthFixture : IAsyncLifetime
{
    /// <summary>A CDS Client (EHR) issuer, not trusted by the REST API.</summary>
    public const string EhrIssuer = "https://ehr.test";

    /// <summary>An issuer trusted on both sides with the same key (an EHR whose SMART server also issues REST tokens).</summary>
    public const string SharedIssuer = "https://ehr-smart.test";

    public const string EhrKid = "ehr-1";
    public const string SharedKid = "shared-1";

    public ECDsa EhrKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public ECDsa SharedKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    /// <summary>The product's own authorization server (<see cref="ApiKit.EsIssuer"/>).</summary>
    public ECDsa RestKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public ApiAuthFactory Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        var shared = TrustKit.Jwks(TrustKit.EcJwk(SharedKey, SharedKid));
        Factory = new ApiAuthFactory(new Dictionary<string, string?>
        {
            ["CdsHooks:PublicBaseUrl"] = TrustKit.PublicBaseUrl,
            ["CdsHooks:Trust:RequireJwt"] = "true",
            ["CdsHooks:Trust:Issuers:0:Issuer"] = EhrIssuer,
            ["CdsHooks:Trust:Issuers:0:Jwks"] = TrustKit.Jwks(TrustKit.EcJwk(EhrKey, EhrKid)),
            ["CdsHooks:Trust:Issuers:1:Issuer"] = SharedIssuer,
            ["CdsHooks:Trust:Issuers:1:Jwks"] = shared,
            ["CdsHooks:Cors:AllowedOrigins:0"] = TrustKit.AllowedOrigin,
            ["Auth:RequireBearer"] = "true",
            ["Auth:Audience"] = ApiKit.Audience,
            ["Auth:AnonymousKnowledge"] = "true",
            ["Auth:AnonymousHealth"] = "true",
            ["Auth:Issuers:0:Issuer"] = ApiKit.EsIssuer,
            ["Auth:Issuers:0:Jwks"] = TrustKit.Jwks(TrustKit.EcJwk(RestKey, ApiKit.EsKid)),
            ["Auth:Issuers:1:Issuer"] = SharedIssuer,
            ["Auth:Issuers:1:Jwks"] = shared,
        });
        Client = Factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        EhrKey.Dispose();
        SharedKey.Dispose();
        RestKey.Dispose();
    }
}

/// <summary>
/// GET /cds-services/{id}/feedback is the quality-review read: a REST access token with
/// clonus.feedback.read, never a CDS Client's JWT. POST stays the CDS Hooks endpoint.
/// </summary>
public sealed class FeedbackReadAuthTests(FeedbackReadAuthFixture f) : IClassFixture<FeedbackReadAuthFixture>
{
    private const string ReadScope = "clonus.feedback.read";
    private const string FeedbackAudience = TrustKit.PublicBaseUrl + Url;

    private HttpClient Client => f.Client;

    /// <summary>A CDS Hooks client JWT of the kind POST feedback accepts (fresh jti each time).</summary>
    private string Cds(string issuer = FeedbackReadAuthFixture.EhrIssuer, object? aud = null) =>
        issuer == FeedbackReadAuthFixture.SharedIssuer
            ? TrustKit.SignEs(f.SharedKey, FeedbackReadAuthFixture.SharedKid, TrustKit.Claims(issuer, aud ?? FeedbackAudience))
            : TrustKit.SignEs(f.EhrKey, FeedbackReadAuthFixture.EhrKid, TrustKit.Claims(issuer, aud ?? FeedbackAudience));

    /// <summary>A REST access token from the product's authorization server.</summary>
    private string Rest(string? scope, object? aud = null, long iatOffset = 0) =>
        ApiKit.SignEs(f.RestKey, ApiKit.Claims(ApiKit.EsIssuer, scope, aud, iatOffset));

    /// <summary>Posts one overridden item with a comment, as an EHR would, and returns its card id.</summary>
    private async Task<(string Card, string Comment)> PostAsEhr(string issuer = FeedbackReadAuthFixture.EhrIssuer)
    {
        var card = NewCard();
        var comment = "quality-marker-" + Guid.NewGuid().ToString("N");
        var body = $$"""{"feedback":[{"card":"{{card}}","outcome":"overridden","overrideReason":{"userComment":"{{comment}}"},"outcomeTimestamp":"2020-12-11T00:00:00Z"}]}""";
        var response = await Client.Send(HttpMethod.Post, Url, Cds(issuer), body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertReceipt(await Http.Read(response), received: 1, stored: 1);
        return (card, comment);
    }

    /// <summary>A refusal must not carry any stored feedback.</summary>
    private static async Task AssertNoFeedbackIn(HttpResponseMessage response, params string[] secrets)
    {
        var text = await response.Content.ReadAsStringAsync();
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        var body = await Http.Read(response);
        Assert.False(body.ValueKind == JsonValueKind.Object && body.TryGetProperty("feedback", out _), "a refusal must not list feedback");
    }

    [Fact]
    public async Task No_token_is_401_in_the_rest_format_although_knowledge_and_health_are_anonymous()
    {
        var (card, comment) = await PostAsEhr();
        var response = await Client.GetAsync(Url);
        var body = await ApiKit.AssertUnauthorized(response, tokenSent: false);
        Assert.Equal(Url, body.GetProperty("instance").GetString());
        Assert.Equal("missing_token", f.Factory.LastRejection());
        await AssertNoFeedbackIn(response, card, comment);

        // The anonymous settings are really on in this deployment.
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/v1/knowledge")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/health/live")).StatusCode);
    }

    [Theory]
    [InlineData(FeedbackAudience)]
    [InlineData(TrustKit.ServiceAudience)]
    public async Task A_cds_client_jwt_that_posts_feedback_cannot_read_it_back(string aud)
    {
        var (card, comment) = await PostAsEhr();
        var response = await Client.Send(HttpMethod.Get, Url, Cds(aud: aud));
        await ApiKit.AssertUnauthorized(response, tokenSent: true);
        Assert.Equal("iss_not_trusted", f.Factory.LastRejection());
        await AssertNoFeedbackIn(response, card, comment);
    }

    [Fact]
    public async Task A_cds_jwt_from_an_issuer_also_trusted_by_the_rest_api_is_still_refused()
    {
        var (card, comment) = await PostAsEhr(FeedbackReadAuthFixture.SharedIssuer);

        // Addressed to the CDS endpoint, as CDS Hooks requires: not meant for the REST API.
        var response = await Client.Send(HttpMethod.Get, Url, Cds(FeedbackReadAuthFixture.SharedIssuer));
        await ApiKit.AssertUnauthorized(response, tokenSent: true);
        Assert.Equal("aud_mismatch", f.Factory.LastRejection());
        await AssertNoFeedbackIn(response, card, comment);

        // Addressed to both: POST accepts it, and the read still needs the scope.
        var both = new[] { FeedbackAudience, ApiKit.Audience };
        var postCard = NewCard();
        var post = await Client.Send(HttpMethod.Post, Url, Cds(FeedbackReadAuthFixture.SharedIssuer, both), Body(Overridden(postCard)));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        response = await Client.Send(HttpMethod.Get, Url, Cds(FeedbackReadAuthFixture.SharedIssuer, both));
        await ApiKit.AssertForbidden(response, ReadScope);
        await AssertNoFeedbackIn(response, card, comment, postCard);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("clonus.assess")]
    [InlineData("clonus.assess clonus.knowledge.read")]
    [InlineData("CLONUS.FEEDBACK.READ")]
    [InlineData("system/clonus.feedback.read")]
    [InlineData("clonus.feedback")]
    public async Task A_rest_token_without_clonus_feedback_read_is_403_insufficient_scope(string? scope)
    {
        var (card, comment) = await PostAsEhr();
        var response = await Client.Send(HttpMethod.Get, Url, Rest(scope));
        var body = await ApiKit.AssertForbidden(response, ReadScope);
        Assert.Equal(Url, body.GetProperty("instance").GetString());
        Assert.Equal("insufficient_scope", f.Factory.LastRejection());
        await AssertNoFeedbackIn(response, card, comment);
    }

    [Fact]
    public async Task A_rest_token_with_clonus_feedback_read_gets_the_stored_items()
    {
        var (card, comment) = await PostAsEhr();
        var token = Rest(ReadScope);

        var response = await Client.Send(HttpMethod.Get, Url + "?limit=500", token);
        ApiKit.AssertOk(response);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var item = Assert.Single((await Http.Read(response)).GetProperty("feedback").EnumerateArray(), i => i.GetProperty("card").GetString() == card);
        Assert.Equal(comment, item.GetProperty("overrideReason").GetProperty("userComment").GetString());

        // Authorised, then the endpoint's own answers. The same token is reused: no jti check on access tokens.
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.Send(HttpMethod.Get, Url + "?limit=0", token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.Send(HttpMethod.Get, "/cds-services/no-such-service/feedback", token)).StatusCode);
    }

    [Fact]
    public async Task The_token_is_checked_before_the_query_and_the_service_id()
    {
        await ApiKit.AssertUnauthorized(await Client.GetAsync(Url + "?limit=0"), tokenSent: false);
        await ApiKit.AssertUnauthorized(await Client.GetAsync("/cds-services/no-such-service/feedback"), tokenSent: false);
    }

    [Theory]
    [InlineData("expired", "expired")]
    [InlineData("audience of another API", "aud_mismatch")]
    [InlineData("audience of the CDS feedback URL", "aud_mismatch")]
    public async Task An_expired_or_misaddressed_token_is_401_invalid_token(string @case, string reason)
    {
        var token = @case switch
        {
            // Issued 400 s ago for 300 s: expired 100 s ago, beyond the 60 s skew.
            "expired" => Rest(ReadScope, iatOffset: -400),
            "audience of another API" => Rest(ReadScope, aud: "https://other.test/api"),
            _ => Rest(ReadScope, aud: FeedbackAudience),
        };
        var (card, comment) = await PostAsEhr();
        var response = await Client.Send(HttpMethod.Get, Url, token);
        await ApiKit.AssertUnauthorized(response, tokenSent: true);
        Assert.Equal(reason, f.Factory.LastRejection());
        await AssertNoFeedbackIn(response, card, comment);
    }

    [Fact]
    public async Task A_cds_hooks_call_is_never_run_through_the_rest_bearer_scheme()
    {
        // The JwtBearer scheme is no default: only the REST policies run it. A CDS Client's JWT on a
        // CDS Hooks call (or a REST token there) is not validated as an access token, nor logged as one.
        int BearerEvents() => f.Factory.Logs.Events.Count(e => e.Category.Contains("JwtBearer", StringComparison.Ordinal)
            || e.Category.EndsWith(".ApiAuthenticator", StringComparison.Ordinal));
        var before = BearerEvents();
        await PostAsEhr();
        await TrustKit.AssertRejected(await Client.Send(HttpMethod.Post, Url, Rest(ReadScope, aud: "https://other.test/api"), Body(Overridden(NewCard()))));
        Assert.Equal(before, BearerEvents());
    }

    [Fact]
    public async Task Post_still_takes_the_cds_jwt_and_refuses_a_rest_token()
    {
        // PostAsEhr asserts the 200 with a CDS JWT.
        await PostAsEhr();

        // A REST token, even one that may read feedback, is not a CDS Client's JWT: the CDS Hooks 401 (empty body).
        await TrustKit.AssertRejected(await Client.Send(HttpMethod.Post, Url, Rest(ReadScope), Body(Overridden(NewCard()))));
        await TrustKit.AssertRejected(await Client.Send(HttpMethod.Post, Url, token: null, Body(Overridden(NewCard()))));
    }

    [Fact]
    public async Task Cors_stays_the_cds_hooks_policy_on_the_read()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, Url);
        preflight.Headers.Add("Origin", TrustKit.AllowedOrigin);
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
        var answer = await Client.SendAsync(preflight);
        Assert.True(answer.IsSuccessStatusCode, $"status {(int)answer.StatusCode}");
        Assert.Equal(TrustKit.AllowedOrigin, Assert.Single(answer.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Credentials"));

        // A refused read from an allowed origin carries the header (the browser can show why); another origin gets none.
        using var allowed = new HttpRequestMessage(HttpMethod.Get, Url);
        allowed.Headers.Add("Origin", TrustKit.AllowedOrigin);
        var refused = await Client.SendAsync(allowed);
        await ApiKit.AssertUnauthorized(refused, tokenSent: false);
        Assert.Equal(TrustKit.AllowedOrigin, Assert.Single(refused.Headers.GetValues("Access-Control-Allow-Origin")));

        using var other = new HttpRequestMessage(HttpMethod.Get, Url);
        other.Headers.Add("Origin", "https://evil.example");
        Assert.False((await Client.SendAsync(other)).Headers.Contains("Access-Control-Allow-Origin"));
    }
}

/// <summary>With Auth:RequireBearer false the read behaves like every REST route in that mode.</summary>
public sealed class FeedbackReadWithoutBearerTests
{
    [Fact]
    public async Task The_read_is_open_and_a_sent_token_ignored_even_while_the_cds_jwt_is_required_on_post()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        await using var factory = new SettingsApiFactory(new Dictionary<string, string?>
        {
            ["Auth:RequireBearer"] = "false",
            ["CdsHooks:PublicBaseUrl"] = TrustKit.PublicBaseUrl,
            ["CdsHooks:Trust:RequireJwt"] = "true",
            ["CdsHooks:Trust:Issuers:0:Issuer"] = "https://ehr.test",
            ["CdsHooks:Trust:Issuers:0:Jwks"] = TrustKit.Jwks(TrustKit.EcJwk(key, "ehr-1")),
        });
        var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(Url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.Send(HttpMethod.Get, Url, "not-a-jwt")).StatusCode);
        // POST still follows CdsHooks:Trust.
        await TrustKit.AssertRejected(await client.Send(HttpMethod.Post, Url, token: null, Body(Overridden(NewCard()))));
    }
}
