using System.Net;

namespace ClonusCds.Api.Tests;

public sealed class OpenApiTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task OpenApi_document_describes_every_route()
    {
        var (response, doc) = await _client.GetJson("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/assessments", "/api/v1/knowledge", "/api/v1/knowledge/recommendations", "/api/v1/knowledge/recommendations/{code}",
                     "/api/v1/knowledge/sources", "/api/v1/knowledge/sources/{id}", "/api/v1/knowledge/serotonergic-agents", "/api/v1/knowledge/drugs", "/api/v1/examples", "/health/live", "/health/ready" })
        {
            Assert.True(paths.TryGetProperty(path, out _) || paths.TryGetProperty(path + "/", out _), $"missing {path}");
        }
    }

    [Fact]
    public async Task Assessment_operation_has_one_click_examples_and_declares_its_errors()
    {
        var (_, doc) = await _client.GetJson("/swagger/v1/swagger.json");
        var paths = doc.GetProperty("paths");
        var op = (paths.TryGetProperty("/api/v1/assessments", out var p) ? p : paths.GetProperty("/api/v1/assessments/")).GetProperty("post");
        var examples = op.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("examples");
        var names = examples.EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains("01-serotonin-toxicity-severe", names);
        Assert.Contains("02-chronic-ms-clonus", names);
        Assert.Contains("03-infant-startle-attacks", names);
        Assert.True(examples.GetProperty("01-serotonin-toxicity-severe").GetProperty("value").GetProperty("clonus").GetProperty("present").GetBoolean());
        foreach (var status in new[] { "200", "400", "413", "415" })
        {
            Assert.True(op.GetProperty("responses").TryGetProperty(status, out _), $"missing response {status}");
        }
    }

    [Fact]
    public async Task Enums_appear_as_their_wire_strings_and_fields_are_described()
    {
        var (_, doc) = await _client.GetJson("/swagger/v1/swagger.json");
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var setting = schemas.GetProperty("CareSetting").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("emergency_department", setting);
        var clonus = schemas.GetProperty("ClonusFinding").GetProperty("properties");
        Assert.Contains("Required", clonus.GetProperty("present").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Swagger_ui_is_served()
    {
        var response = await _client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class HttpFileTests
{
    [Fact]
    public void Http_file_carries_every_swagger_example()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ClonusCds.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var http = File.ReadAllText(Path.Combine(dir.FullName, "src", "ClonusCds.Api", "ClonusCds.Api.http"));
        foreach (var (_, example) in ClonusCds.Api.OpenApi.WorkedExamples.All)
        {
            Assert.Contains(example.Summary, http, StringComparison.Ordinal);
            Assert.Contains(example.Description, http, StringComparison.Ordinal);
            // The body itself: every medication name and the clonus block appear as sent.
            foreach (var med in example.Value.TryGetProperty("medications", out var meds) ? meds.EnumerateArray() : default)
            {
                Assert.Contains($"\"name\": \"{med.GetProperty("name").GetString()}\"", http, StringComparison.Ordinal);
            }
        }
    }
}

/// <summary>The .http file's CDS Hooks and feedback requests are answered as their titles say.</summary>
public sealed class HttpFileCdsTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    /// <summary>(request line, body) of every request in the .http file, "{{host}}" removed.</summary>
    private static List<(string Line, string Body)> Requests()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ClonusCds.sln")))
        {
            dir = dir.Parent;
        }

        var text = File.ReadAllText(Path.Combine(dir!.FullName, "src", "ClonusCds.Api", "ClonusCds.Api.http")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var requests = new List<(string, string)>();
        foreach (var block in text.Split("\n###", StringSplitOptions.None).Skip(1))
        {
            var lines = block.Split('\n').Skip(1).Where(l => !l.StartsWith('#')).ToList();
            var line = lines.First(l => l.StartsWith("GET ", StringComparison.Ordinal) || l.StartsWith("POST ", StringComparison.Ordinal)).Replace("{{host}}", "", StringComparison.Ordinal);
            var blank = lines.FindIndex(l => l.Length == 0);
            requests.Add((line, blank < 0 ? "" : string.Join("\n", lines.Skip(blank + 1)).Trim()));
        }

        return requests;
    }

    [Fact]
    public async Task Http_file_covers_cds_hooks_discovery_a_service_call_with_prefetch_and_feedback()
    {
        var requests = Requests();
        var discovery = await _client.GetAsync(requests.Single(r => r.Line == "GET /cds-services").Line[4..]);
        Assert.Equal(HttpStatusCode.OK, discovery.StatusCode);

        var call = requests.Single(r => r.Line == "POST /cds-services/clonus-order-select");
        Assert.Contains("\"prefetch\"", call.Body, StringComparison.Ordinal);
        var (response, cards) = await _client.PostJson("/cds-services/clonus-order-select", call.Body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(cards.GetProperty("cards").EnumerateArray());

        var feedback = requests.Single(r => r.Line == "POST /cds-services/clonus-order-select/feedback");
        var (posted, _) = await _client.PostJson("/cds-services/clonus-order-select/feedback", feedback.Body);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        var read = await _client.GetAsync(requests.Single(r => r.Line == "GET /cds-services/clonus-order-select/feedback").Line[4..]);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task Http_file_error_examples_get_their_400()
    {
        foreach (var (_, body) in Requests().Where(r => r.Line == "POST /api/v1/assessments" && r.Body.Contains("temprature", StringComparison.Ordinal)))
        {
            var (response, problem) = await _client.PostJson(Http.Assessments, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("Did you mean 'temperatureC'?", problem.GetProperty("errors").GetProperty("vitals.temprature")[0].GetString(), StringComparison.Ordinal);
        }
    }
}
