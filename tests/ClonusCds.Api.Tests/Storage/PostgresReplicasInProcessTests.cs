using System.Net;
using System.Security.Cryptography;
using ClonusCds.Api.Tests.Audit;
using ClonusCds.Api.Tests.CdsHooks.Trust;
using static ClonusCds.Api.Tests.CdsHooks.Feedback.FeedbackTestData;

namespace ClonusCds.Api.Tests.Storage;

/// <summary>
/// Two service instances in this process on one PostgreSQL database, with CDS Hooks JWT trust on:
/// replicas as a load balancer sees them (the process-level test starts real processes).
/// </summary>
[Collection(PostgresClusterDefinition.Name)]
public sealed class PostgresReplicasInProcessTests(PostgresCluster cluster) : IAsyncLifetime, IDisposable
{
    private const string Issuer = "https://ehr.replicas.test";
    private const string Kid = "replicas-1";
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private SettingsApiFactory _a = null!;
    private SettingsApiFactory _b = null!;

    internal static Dictionary<string, string?> Settings(string connectionString, ECDsa? key = null) => new()
    {
        ["Storage:Provider"] = "postgres",
        ["Storage:ConnectionString"] = connectionString,
        ["CdsHooks:PublicBaseUrl"] = TrustKit.PublicBaseUrl,
        ["CdsHooks:Trust:RequireJwt"] = key is null ? "false" : "true",
        ["CdsHooks:Trust:Issuers:0:Issuer"] = Issuer,
        ["CdsHooks:Trust:Issuers:0:Jwks"] = key is null ? null : TrustKit.Jwks(TrustKit.EcJwk(key, Kid)),
    };

    public async Task InitializeAsync()
    {
        var database = await cluster.CreateDatabaseAsync("in-process replicas");
        _a = new SettingsApiFactory(Settings(database, _key));
        _b = new SettingsApiFactory(Settings(database, _key));
        // Both start together, as replicas behind a load balancer do: the migration runs once.
        await Task.WhenAll(Task.Run(() => _a.CreateClient()), Task.Run(() => _b.CreateClient()));
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        _key.Dispose();
    }

    public void Dispose()
    {
        _a?.Dispose();
        _b?.Dispose();
    }

    private string Jwt(string path) => TrustKit.SignEs(_key, Kid, TrustKit.Claims(Issuer, TrustKit.PublicBaseUrl + path));

    private static async Task<HttpResponseMessage> Send(HttpClient client, string path, string jwt, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Http.Json(body) };
        request.Headers.Authorization = new("Bearer", jwt);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task A_jwt_used_on_one_replica_is_refused_on_the_other()
    {
        var jwt = Jwt(Url);
        var body = Body(Overridden(NewCard()));
        Assert.Equal(HttpStatusCode.OK, (await Send(_a.CreateClient(), Url, jwt, body)).StatusCode);

        var replayed = await Send(_b.CreateClient(), Url, jwt, body);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Contains(_b.Logs.Events, e => e.Values.TryGetValue("Reason", out var r) && r == "replayed_jti");
        // And on the first replica too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(_a.CreateClient(), Url, jwt, body)).StatusCode);
    }

    [Fact]
    public async Task The_same_jwt_raced_to_both_replicas_is_accepted_exactly_once()
    {
        for (var round = 0; round < 5; round++)
        {
            var jwt = Jwt(Url);
            var body = Body(Overridden(NewCard()));
            var a = _a.CreateClient();
            var b = _b.CreateClient();
            var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Send(i % 2 == 0 ? a : b, Url, jwt, body)));
            Assert.Equal(1, results.Count(r => r.StatusCode == HttpStatusCode.OK));
            Assert.Equal(5, results.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        }
    }

    [Fact]
    public async Task The_same_feedback_posted_to_both_replicas_is_stored_once_and_read_whole_from_either()
    {
        var card = NewCard();
        var body = Body(Accepted(card, "2021-12-11T10:05:31.123456Z", "s-1", "s-2"));
        var first = await Send(_a.CreateClient(), Url, Jwt(Url), body);
        AssertReceipt(await Http.Read(first), received: 1, stored: 1);
        var second = await Send(_b.CreateClient(), Url, Jwt(Url), body);
        AssertReceipt(await Http.Read(second), received: 1, stored: 0);

        // The read is a REST route (no bearer required in these settings).
        var fromA = Assert.Single(await _a.CreateClient().StoredFor(card));
        var fromB = Assert.Single(await _b.CreateClient().StoredFor(card));
        Assert.Equal(fromA.GetRawText(), fromB.GetRawText());
        Assert.Equal("accepted", fromA.GetProperty("outcome").GetString());
        Assert.Equal(["s-1", "s-2"], fromA.GetProperty("acceptedSuggestions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(new DateTimeOffset(2021, 12, 11, 10, 5, 31, TimeSpan.Zero).AddTicks(1_234_560), fromA.GetProperty("outcomeTimestamp").GetDateTimeOffset());
    }

    [Fact]
    public async Task Duplicate_feedback_raced_to_both_replicas_is_stored_once()
    {
        var card = NewCard();
        var body = Body(Overridden(card));
        var a = _a.CreateClient();
        var b = _b.CreateClient();
        var receipts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i => await Http.Read(await Send(i % 2 == 0 ? a : b, Url, Jwt(Url), body))));
        Assert.Equal(1, receipts.Sum(r => r.GetProperty("stored").GetInt32()));
        Assert.Equal(7, receipts.Sum(r => r.GetProperty("duplicates").GetInt32()));
        Assert.Single(await b.StoredFor(card));
    }

    [Fact]
    public async Task An_assessment_answered_by_one_replica_is_audited_and_readable_from_the_other()
    {
        var (response, answer) = await _a.CreateClient().PostJson("/api/v1/assessments", AuditTrailTests.SerotoninCase);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = answer.GetProperty("assessmentId").GetString()!;
        var fromB = await AuditTrailTests.AwaitRecord(_b.CreateClient(), id);
        var fromA = await AuditTrailTests.AwaitRecord(_a.CreateClient(), id);
        Assert.Equal(fromA.GetRawText(), fromB.GetRawText());
        Assert.Equal("serotonin_toxicity", fromB.GetProperty("primaryEtiology").GetString());
        Assert.Equal("emergency", fromB.GetProperty("urgency").GetString());
    }

    [Fact]
    public async Task Both_replicas_report_ready_with_the_shared_store()
    {
        foreach (var replica in new[] { _a, _b })
        {
            var (response, _) = await replica.CreateClient().GetJson("/health/ready");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
