using System.Net;
using System.Text.Json;
using ClonusCds.Api.Audit;
using ClonusCds.Api.Infrastructure;
using ClonusCds.Api.Tests.CdsHooks;
using ClonusCds.Core;
using ClonusCds.Core.Model;
using Microsoft.Data.Sqlite;

namespace ClonusCds.Api.Tests.Audit;

/// <summary>The audit trail end to end on the default SQLite store: REST and CDS Hooks answers are recorded and read back by id.</summary>
public sealed class AuditTrailTests : IClassFixture<ClonusApiFactory>
{
    internal const string SerotoninCase = """
        {"patient":{"ageYears":34},"clonus":{"present":true,"types":["inducible"],"onset":"acute"},"vitals":{"temperatureC":38.4},
         "exam":{"agitation":true,"diaphoresis":true,"tremor":true,"reflexes":"increased","tone":"normal"},
         "medications":[{"name":"sertraline","rxcui":"36437"},{"name":"Ultram","change":"new","daysSinceChange":1}]}
        """;

    private readonly ClonusApiFactory _factory;
    private readonly HttpClient _client;

    public AuditTrailTests(ClonusApiFactory factory)
    {
        _factory = factory;
        _client = factory.CreateClient();
    }

    /// <summary>Reads the audit record, waiting for the background writer (at most 10 s).</summary>
    internal static async Task<JsonElement> AwaitRecord(HttpClient client, string id, string? token = null)
    {
        for (var i = 0; ; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/assessments/{id}");
            if (token is not null)
            {
                request.Headers.Authorization = new("Bearer", token);
            }

            var response = await client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.OK || i >= 100)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
                return await Http.Read(response);
            }

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            await Task.Delay(100);
        }
    }

    private static IEnumerable<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!);

    [Fact]
    public async Task A_rest_assessment_is_recorded_with_what_was_advised_and_read_back_by_id()
    {
        var (response, answer) = await _client.PostJson("/api/v1/assessments", SerotoninCase);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = answer.GetProperty("assessmentId").GetString()!;

        var record = await AwaitRecord(_client, id);
        Assert.Equal(id, record.GetProperty("assessmentId").GetString());
        Assert.Equal("anonymous", record.GetProperty("client").GetString());
        Assert.Equal("/api/v1/assessments/", record.GetProperty("route").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("hook").ValueKind);
        Assert.Equal(answer.GetProperty("knowledgeBaseVersion").GetString(), record.GetProperty("knowledgeBaseVersion").GetString());
        Assert.Equal(AuditTrail.EngineVersion, record.GetProperty("engineVersion").GetString());
        Assert.Equal("serotonin_toxicity", record.GetProperty("primaryEtiology").GetString());
        Assert.Equal(answer.GetProperty("etiology").GetProperty("primary").GetString(), record.GetProperty("primaryEtiology").GetString());
        Assert.Equal(answer.GetProperty("urgency").GetString(), record.GetProperty("urgency").GetString());
        foreach (var tier in new[] { "firstLine", "adjunct", "refractory", "monitoring", "workup" })
        {
            Assert.Equal(answer.GetProperty("recommendations").GetProperty(tier).EnumerateArray().Select(r => r.GetProperty("code").GetString()!),
                Strings(record.GetProperty("recommendations").GetProperty(tier)));
        }

        Assert.Equal(answer.GetProperty("pitfalls").EnumerateArray().Select(r => r.GetProperty("code").GetString()!), Strings(record.GetProperty("pitfalls")));
        Assert.NotEmpty(Strings(record.GetProperty("pitfalls")));
        var context = JsonSerializer.Deserialize<PatientContext>(SerotoninCase, ClonusJson.Options)!;
        Assert.Equal(AuditTrail.RequestHash(context), record.GetProperty("requestSha256").GetString());
        Assert.Matches("^[0-9a-f]{64}$", record.GetProperty("requestSha256").GetString()!);
        Assert.InRange(record.GetProperty("latencyMs").GetDouble(), 0.001, 60_000);
        Assert.False(string.IsNullOrWhiteSpace(record.GetProperty("instance").GetString()));
        var recorded = record.GetProperty("recordedAt").GetDateTimeOffset();
        Assert.InRange(recorded, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task The_same_request_hashes_the_same_and_a_different_one_differently()
    {
        var (_, a) = await _client.PostJson("/api/v1/assessments", SerotoninCase);
        var (_, b) = await _client.PostJson("/api/v1/assessments", SerotoninCase.Replace("\n", " ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal));
        var (_, c) = await _client.PostJson("/api/v1/assessments", SerotoninCase.Replace("38.4", "38.5", StringComparison.Ordinal));
        var ra = await AwaitRecord(_client, a.GetProperty("assessmentId").GetString()!);
        var rb = await AwaitRecord(_client, b.GetProperty("assessmentId").GetString()!);
        var rc = await AwaitRecord(_client, c.GetProperty("assessmentId").GetString()!);
        Assert.NotEqual(ra.GetProperty("assessmentId").GetString(), rb.GetProperty("assessmentId").GetString());
        // Canonical: whitespace does not change the hash, a value does.
        Assert.Equal(ra.GetProperty("requestSha256").GetString(), rb.GetProperty("requestSha256").GetString());
        Assert.NotEqual(ra.GetProperty("requestSha256").GetString(), rc.GetProperty("requestSha256").GetString());
    }

    [Fact]
    public async Task The_record_and_the_database_hold_no_patient_data()
    {
        const string Marker = "Zebedee-Quixote-4471";
        var body = SerotoninCase.Replace("\"name\":\"Ultram\"", $"\"name\":\"Ultram {Marker}\"", StringComparison.Ordinal);
        var (response, answer) = await _client.PostJson("/api/v1/assessments", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = answer.GetProperty("assessmentId").GetString()!;
        var record = await AwaitRecord(_client, id);
        Assert.DoesNotContain(Marker, record.GetRawText(), StringComparison.OrdinalIgnoreCase);

        // Every column of every stored row.
        await using var connection = new SqliteConnection($"Data Source={_factory.FeedbackDatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM assessment_audit;";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
            for (var i = 0; i < reader.FieldCount; i++)
            {
                Assert.DoesNotContain(Marker, Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "", StringComparison.OrdinalIgnoreCase);
            }
        }

        Assert.True(rows >= 1);
    }

    [Fact]
    public async Task The_request_log_line_names_the_assessment_id()
    {
        var (_, answer) = await _client.PostJson("/api/v1/assessments", SerotoninCase);
        var id = answer.GetProperty("assessmentId").GetString()!;
        // The line is written when the response completes.
        CapturedLog? line = null;
        for (var i = 0; i < 50 && line is null; i++)
        {
            line = _factory.Logs.Events.FirstOrDefault(e => e.IsRequestLine && e.Message.Contains(id, StringComparison.Ordinal));
            await Task.Delay(20);
        }

        Assert.NotNull(line);
        Assert.Equal(id, line.Values["AssessmentId"]);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("3f2b8c1e4d5a4b6c9e7f0a1b2c3d4e5f")]
    [InlineData("{3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f}")]
    public async Task A_malformed_id_is_a_400_naming_the_field(string id)
    {
        var (response, problem) = await _client.GetJson($"/api/v1/assessments/{Uri.EscapeDataString(id)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.MediaType());
        Assert.True(problem.GetProperty("errors").TryGetProperty("id", out _));
    }

    [Fact]
    public async Task An_unknown_id_is_a_404_problem()
    {
        var (response, problem) = await _client.GetJson($"/api/v1/assessments/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.MediaType());
        Assert.Equal("Audit record not found", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_cds_hooks_call_is_recorded_with_its_service_hook_and_the_codes_on_its_cards()
    {
        var fixture = FixtureLoader.Load("05-patient-view-ms-sustained-ankle-clonus.json");
        var (response, body) = await _client.PostJson($"/cds-services/{fixture.Service}", fixture.RequestJson);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = body.GetProperty("cards")[0];
        var extension = card.GetProperty("extension").GetProperty("org.clonuscds");
        var id = extension.GetProperty("assessmentId").GetString()!;
        var shown = Strings(extension.GetProperty("codes")).ToHashSet();

        var record = await AwaitRecord(_client, id);
        Assert.Equal("/cds-services/{id}", record.GetProperty("route").GetString());
        Assert.Equal(fixture.Service, record.GetProperty("service").GetString());
        Assert.Equal(fixture.Hook, record.GetProperty("hook").GetString());
        Assert.Equal(extension.GetProperty("etiology").GetString(), record.GetProperty("primaryEtiology").GetString());
        Assert.Equal(extension.GetProperty("urgency").GetString(), record.GetProperty("urgency").GetString());
        var recorded = record.GetProperty("recommendations").EnumerateObject().SelectMany(tier => Strings(tier.Value))
            .Concat(Strings(record.GetProperty("pitfalls"))).ToList();
        Assert.NotEmpty(recorded);
        Assert.All(recorded, code => Assert.Contains(code, shown));
        Assert.Equal(shown.Count, recorded.Distinct().Count());
    }
}
