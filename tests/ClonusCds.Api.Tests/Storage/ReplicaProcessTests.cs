using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace ClonusCds.Api.Tests.Storage;

/// <summary>
/// The replica harness itself, on the default SQLite storage: one Production replica (bearer tokens
/// and CDS Hooks JWTs required) started as its own process, called with tokens from
/// <see cref="ReplicaTrust"/>, stopped with SIGTERM or killed.
/// </summary>
public sealed class ReplicaProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly ReplicaTrust _trust = new();
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"clonus-replica-test-{Guid.NewGuid():N}.db");

    private Dictionary<string, string?> Settings() => new(_trust.Environment)
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Storage__SqlitePath"] = _database,
        ["CdsHooks__Feedback__DatabasePath"] = _database,
    };

    [Fact]
    public async Task A_production_replica_serves_tokens_from_the_trust_kit_rejects_a_replayed_jwt_and_stops_cleanly_on_sigterm()
    {
        await using var replica = await ReplicaProcess.StartAsync(Settings(), "A");
        output.WriteLine($"replica ready in {replica.StartupTime.TotalSeconds:0.00} s on {replica.BaseAddress} (pid {replica.ProcessId})");
        var client = replica.Client;

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        Assert.Contains("\"Production\"", replica.Output, StringComparison.Ordinal);
        // In the repository the content root is src/ClonusCds.Api, as under dotnet run: the clinician page (wwwroot) is served.
        if (Directory.Exists(Path.Combine(ReplicaProcess.ContentRoot, "wwwroot")))
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
        }

        // REST: a bearer token with clonus.assess is required, and enough.
        using (var anonymous = ReplicaRequests.Post(Http.Assessments, ReplicaRequests.Assessment, null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(anonymous)).StatusCode);
        }

        using (var assess = ReplicaRequests.Post(Http.Assessments, ReplicaRequests.Assessment, _trust.AccessToken("clonus.assess")))
        {
            var response = await client.SendAsync(assess);
            var body = await Http.Read(response);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("serotonin_toxicity", body.GetProperty("etiology").GetProperty("primary").GetString());
            Assert.True(Guid.TryParse(body.GetProperty("assessmentId").GetString(), out _));
        }

        // CDS Hooks: a fresh JWT is accepted once; the same JWT again is a replay.
        var jwt = _trust.CdsJwt(ReplicaRequests.PatientView);
        const string path = "/cds-services/" + ReplicaRequests.PatientView;
        using (var first = ReplicaRequests.Post(path, ReplicaRequests.PatientViewCall, jwt))
        {
            var response = await client.SendAsync(first);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        using (var replay = ReplicaRequests.Post(path, ReplicaRequests.PatientViewCall, jwt))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(replay)).StatusCode);
        }

        // Feedback with its own JWT is stored, and read back with clonus.feedback.read.
        var card = Guid.NewGuid().ToString();
        using (var feedback = ReplicaRequests.Post(path + "/feedback", ReplicaRequests.Feedback(card), _trust.CdsJwt(ReplicaRequests.PatientView)))
        {
            var response = await client.SendAsync(feedback);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(1, (await Http.Read(response)).GetProperty("stored").GetInt32());
        }

        using (var read = ReplicaRequests.Get(path + "/feedback", _trust.AccessToken("clonus.feedback.read")))
        {
            var response = await client.SendAsync(read);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Single((await Http.Read(response)).GetProperty("feedback").EnumerateArray(), f => f.GetProperty("card").GetString() == card);
        }

        var exitCode = await replica.StopAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains("Application is shutting down", replica.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(_database), "the replica should have used the SQLite file it was given");
    }

    [Fact]
    public async Task A_killed_replica_is_gone_at_once_and_a_replica_that_cannot_start_says_why()
    {
        await using (var replica = await ReplicaProcess.StartAsync(Settings(), "K"))
        {
            output.WriteLine($"replica ready in {replica.StartupTime.TotalSeconds:0.00} s");
            replica.Kill();

            Assert.True(replica.HasExited);
            Assert.Equal(137, replica.ExitCode);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => replica.Client.GetAsync("/health/live"));
            Assert.DoesNotContain("Application is shutting down", replica.Output, StringComparison.Ordinal);
        }

        // Production without the trust settings refuses to start: the failure carries its output.
        var ex = await Assert.ThrowsAsync<ReplicaStartException>(() => ReplicaProcess.StartAsync(new Dictionary<string, string?>(), "unconfigured"));
        Assert.Contains("exited during start-up", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:Audience is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replicas_left_by_a_killed_test_run_are_killed_and_those_of_live_runs_are_not()
    {
        int gonePid;
        using (var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            await gone.WaitForExitAsync();
            gonePid = gone.Id;
        }

        using var orphan = Sleeper($"{gonePid}:12345");
        using var owned = Sleeper($"{Environment.ProcessId}:{ReplicaProcess.StartTimeOf(Environment.ProcessId)}");

        ReplicaProcess.SweepOrphans();

        Assert.True(orphan.WaitForExit(10_000), "the replica of a gone test run should be killed");
        Assert.False(owned.HasExited, "a replica of this live test run must be left alone");
        owned.Kill();
        await owned.WaitForExitAsync();
    }

    private static Process Sleeper(string owner)
    {
        var info = new ProcessStartInfo("sleep", "60") { UseShellExecute = false };
        info.Environment[ReplicaProcess.OwnerVariable] = owner;
        return Process.Start(info)!;
    }

    public void Dispose()
    {
        _trust.Dispose();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
