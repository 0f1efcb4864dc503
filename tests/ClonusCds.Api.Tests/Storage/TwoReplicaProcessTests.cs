using System.Net;
using System.Text.Json;
using Npgsql;
using Xunit.Abstractions;

namespace ClonusCds.Api.Tests.Storage;

/// <summary>
/// Two service processes on two loopback ports, in Production mode, against one PostgreSQL
/// database: replay, duplication and a SIGKILL, as an adversary and an operator would try them.
/// (tests/replicas/run.sh does the same from a shell.)
/// </summary>
[Collection(PostgresClusterDefinition.Name)]
public sealed class TwoReplicaProcessTests(PostgresCluster cluster, ITestOutputHelper output) : IDisposable
{
    private readonly ReplicaTrust _trust = new();

    public void Dispose() => _trust.Dispose();

    private Dictionary<string, string?> Settings(string database, string name) => new(_trust.Environment)
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Storage__Provider"] = "postgres",
        ["Storage__ConnectionString"] = database,
        ["Audit__Instance"] = name,
    };

    private static async Task<JsonElement> Send(ReplicaProcess replica, HttpRequestMessage request, HttpStatusCode expected)
    {
        using (request)
        {
            var response = await replica.Client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{replica.Name}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private async Task<JsonElement> Record(ReplicaProcess replica, string id)
    {
        for (var i = 0; ; i++)
        {
            using var request = ReplicaRequests.Get($"/api/v1/assessments/{id}", _trust.AccessToken("clonus.audit.read"));
            var response = await replica.Client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.OK || i >= 100)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return await Http.Read(response);
            }

            await Task.Delay(100);
        }
    }

    private async Task<JsonElement[]> Feedback(ReplicaProcess replica, string card) =>
        (await Send(replica, ReplicaRequests.Get($"/cds-services/{ReplicaRequests.PatientView}/feedback?limit=500", _trust.AccessToken("clonus.feedback.read")), HttpStatusCode.OK))
            .GetProperty("feedback").EnumerateArray().Where(f => f.GetProperty("card").GetString() == card).ToArray();

    [Fact]
    public async Task Two_replicas_on_one_database_refuse_replays_store_feedback_once_share_the_audit_trail_and_lose_nothing_acknowledged_to_sigkill()
    {
        var database = await cluster.CreateDatabaseAsync("two replicas");
        // Started together: one migrates, the other waits on the advisory lock.
        var starting = new[] { ReplicaProcess.StartAsync(Settings(database, "replica-a"), "A"), ReplicaProcess.StartAsync(Settings(database, "replica-b"), "B") };
        await using var a = await starting[0];
        await using var b = await starting[1];
        output.WriteLine($"A ready in {a.StartupTime.TotalSeconds:0.0} s on {a.BaseAddress}; B ready in {b.StartupTime.TotalSeconds:0.0} s on {b.BaseAddress}");
        const string Service = "/cds-services/" + ReplicaRequests.PatientView;

        // 1. A CDS Hooks JWT used on A is refused on B (and on A again).
        var jwt = _trust.CdsJwt(ReplicaRequests.PatientView);
        await Send(a, ReplicaRequests.Post(Service, ReplicaRequests.PatientViewCall, jwt), HttpStatusCode.OK);
        await Send(b, ReplicaRequests.Post(Service, ReplicaRequests.PatientViewCall, jwt), HttpStatusCode.Unauthorized);
        await Send(a, ReplicaRequests.Post(Service, ReplicaRequests.PatientViewCall, jwt), HttpStatusCode.Unauthorized);
        Assert.Contains("replayed_jti", b.Output, StringComparison.Ordinal);
        output.WriteLine("PASS replayed JWT refused by the other replica");

        // 2. The same feedback posted to both is stored once and read back whole from either.
        var card = Guid.NewGuid().ToString();
        var first = await Send(a, ReplicaRequests.Post(Service + "/feedback", ReplicaRequests.Feedback(card), _trust.CdsJwt(ReplicaRequests.PatientView)), HttpStatusCode.OK);
        var second = await Send(b, ReplicaRequests.Post(Service + "/feedback", ReplicaRequests.Feedback(card), _trust.CdsJwt(ReplicaRequests.PatientView)), HttpStatusCode.OK);
        Assert.Equal(1, first.GetProperty("stored").GetInt32());
        Assert.Equal(0, second.GetProperty("stored").GetInt32());
        Assert.Equal(1, second.GetProperty("duplicates").GetInt32());
        var fromA = Assert.Single(await Feedback(a, card));
        var fromB = Assert.Single(await Feedback(b, card));
        Assert.Equal(fromA.GetRawText(), fromB.GetRawText());
        output.WriteLine("PASS duplicate feedback stored once, read whole from both");

        // 3. Audit records from both replicas are readable from either.
        var idA = (await Send(a, ReplicaRequests.Post(Http.Assessments, ReplicaRequests.Assessment, _trust.AccessToken("clonus.assess")), HttpStatusCode.OK))
            .GetProperty("assessmentId").GetString()!;
        var idB = (await Send(b, ReplicaRequests.Post(Http.Assessments, ReplicaRequests.Assessment, _trust.AccessToken("clonus.assess")), HttpStatusCode.OK))
            .GetProperty("assessmentId").GetString()!;
        var recordA = await Record(b, idA);
        var recordB = await Record(a, idB);
        Assert.Equal("replica-a", recordA.GetProperty("instance").GetString());
        Assert.Equal("replica-b", recordB.GetProperty("instance").GetString());
        Assert.Equal(ReplicaTrust.ClientId, recordA.GetProperty("client").GetString());
        Assert.Equal(recordA.GetProperty("requestSha256").GetString(), recordB.GetProperty("requestSha256").GetString());
        Assert.Equal((await Record(a, idA)).GetRawText(), recordA.GetRawText());
        Assert.Contains(idA, a.Output, StringComparison.Ordinal); // assessmentId on A's request log line
        output.WriteLine("PASS audit records of both replicas readable from either");

        // 4. SIGKILL right after an acknowledged feedback post: nothing acknowledged is lost.
        var cards = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid().ToString()).ToList();
        foreach (var c in cards)
        {
            await Send(a, ReplicaRequests.Post(Service + "/feedback", ReplicaRequests.Feedback(c), _trust.CdsJwt(ReplicaRequests.PatientView)), HttpStatusCode.OK);
        }

        a.Kill();
        Assert.True(a.HasExited);
        foreach (var c in cards)
        {
            Assert.Single(await Feedback(b, c));
        }

        await Send(b, ReplicaRequests.Get("/health/ready", null), HttpStatusCode.OK);
        output.WriteLine("PASS feedback acknowledged by a replica killed with SIGKILL is all there on the other");

        // 5. SIGTERM: the audit records of every answer given are written before the process exits.
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add((await Send(b, ReplicaRequests.Post(Http.Assessments, ReplicaRequests.Assessment, _trust.AccessToken("clonus.assess")), HttpStatusCode.OK))
                .GetProperty("assessmentId").GetString()!);
        }

        Assert.Equal(0, await b.StopAsync());
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM assessment_audit WHERE assessment_id = ANY(@ids)", connection);
        count.Parameters.AddWithValue("ids", ids.Select(Guid.Parse).ToArray());
        Assert.Equal(20L, (long)(await count.ExecuteScalarAsync())!);
        output.WriteLine("PASS a graceful stop writes the audit records of every answer given");
    }
}
