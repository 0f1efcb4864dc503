using System.Net;
using System.Text.Json;
using ClonusCds.Api.CdsHooks;
using static ClonusCds.Api.Tests.CdsHooks.Feedback.FeedbackTestData;

namespace ClonusCds.Api.Tests.CdsHooks.Feedback;

/// <summary>POST and GET /cds-services/{id}/feedback: storage, idempotency, listing, logging.</summary>
public sealed class FeedbackEndpointTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Accepted_feedback_with_suggestions_is_stored_and_listed()
    {
        var card = NewCard();
        var (response, receipt) = await _client.PostJson(Url, Body(Accepted(card, "2021-12-11T10:05:31Z", "sugg-a", "sugg-b")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.MediaType());
        AssertReceipt(receipt, 1, 1);

        var row = Assert.Single(await _client.StoredFor(card));
        Assert.Equal(ServiceId, row.GetProperty("serviceId").GetString());
        Assert.Equal("accepted", row.GetProperty("outcome").GetString());
        Assert.Equal(["sugg-a", "sugg-b"], row.GetProperty("acceptedSuggestions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("2021-12-11T10:05:31Z", row.GetProperty("outcomeTimestamp").GetString());
        Assert.False(row.TryGetProperty("overrideReason", out _));
        Assert.True(row.GetProperty("id").GetInt64() > 0);
        var receivedAt = DateTimeOffset.Parse(row.GetProperty("receivedAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(receivedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task Overridden_without_reason_is_stored()
    {
        var card = NewCard();
        var (response, receipt) = await _client.PostJson(Url, Body(Overridden(card)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertReceipt(receipt, 1, 1);
        var row = Assert.Single(await _client.StoredFor(card));
        Assert.Equal("overridden", row.GetProperty("outcome").GetString());
        Assert.False(row.TryGetProperty("acceptedSuggestions", out _));
        Assert.False(row.TryGetProperty("overrideReason", out _));
    }

    [Fact]
    public async Task Overridden_with_reason_and_comment_is_stored_with_both()
    {
        var card = NewCard();
        var body = $$"""
            {"feedback":[{"card":"{{card}}","outcome":"overridden",
              "overrideReason":{"reason":{"code":"d7ecf885","system":"https://example.com/cds-hooks/override-reason-system","display":"Already managed"},
                                "userComment":"A comment entered by the clinician."},
              "outcomeTimestamp":"2020-12-11T01:00:00+01:00"}]}
            """;
        var (response, receipt) = await _client.PostJson(Url, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertReceipt(receipt, 1, 1);
        var row = Assert.Single(await _client.StoredFor(card));
        var reason = row.GetProperty("overrideReason");
        Assert.Equal("d7ecf885", reason.GetProperty("reason").GetProperty("code").GetString());
        Assert.Equal("https://example.com/cds-hooks/override-reason-system", reason.GetProperty("reason").GetProperty("system").GetString());
        Assert.Equal("Already managed", reason.GetProperty("reason").GetProperty("display").GetString());
        Assert.Equal("A comment entered by the clinician.", reason.GetProperty("userComment").GetString());
        // Normalised to UTC.
        Assert.Equal("2020-12-11T00:00:00Z", row.GetProperty("outcomeTimestamp").GetString());
    }

    [Fact]
    public async Task Comment_only_override_is_stored()
    {
        var card = NewCard();
        var body = $$"""{"feedback":[{"card":"{{card}}","outcome":"overridden","overrideReason":{"userComment":"Seen by neurology"},"outcomeTimestamp":"2020-12-11T00:00:00Z"}]}""";
        var (response, _) = await _client.PostJson(Url, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = Assert.Single(await _client.StoredFor(card));
        Assert.False(row.GetProperty("overrideReason").TryGetProperty("reason", out _));
        Assert.Equal("Seen by neurology", row.GetProperty("overrideReason").GetProperty("userComment").GetString());
    }

    [Fact]
    public async Task Repeated_feedback_is_a_duplicate_and_stored_once()
    {
        var card = NewCard();
        var body = Body(Accepted(card));
        var (_, first) = await _client.PostJson(Url, body);
        var (second, receipt) = await _client.PostJson(Url, body);

        AssertReceipt(first, 1, 1);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        AssertReceipt(receipt, 1, 0);
        Assert.Single(await _client.StoredFor(card));
    }

    [Fact]
    public async Task The_same_instant_in_another_offset_and_a_repeat_in_one_request_are_duplicates()
    {
        var card = NewCard();
        var (_, receipt) = await _client.PostJson(Url, Body(Overridden(card, "2020-12-11T00:00:00Z"), Overridden(card, "2020-12-11T02:00:00.000+02:00")));

        AssertReceipt(receipt, 2, 1);
        Assert.Single(await _client.StoredFor(card));
    }

    [Fact]
    public async Task Same_card_with_a_different_outcome_is_a_new_row()
    {
        var card = NewCard();
        var (_, first) = await _client.PostJson(Url, Body(Accepted(card, "2021-12-11T10:05:31Z")));
        var (_, second) = await _client.PostJson(Url, Body(Overridden(card, "2021-12-11T10:05:31Z")));

        AssertReceipt(first, 1, 1);
        AssertReceipt(second, 1, 1);
        Assert.Equal(["accepted", "overridden"], (await _client.StoredFor(card)).Select(r => r.GetProperty("outcome").GetString()).Order());
    }

    [Fact]
    public async Task Order_of_accepted_suggestions_does_not_matter_for_idempotency()
    {
        var card = NewCard();
        var (_, first) = await _client.PostJson(Url, Body(Accepted(card, "2021-12-11T10:05:31Z", "a", "b", "c")));
        var (_, second) = await _client.PostJson(Url, Body(Accepted(card, "2021-12-11T10:05:31Z", "c", "a", "b")));
        var (_, different) = await _client.PostJson(Url, Body(Accepted(card, "2021-12-11T10:05:31Z", "a", "b")));

        AssertReceipt(first, 1, 1);
        AssertReceipt(second, 1, 0);
        AssertReceipt(different, 1, 1);
        Assert.Equal(2, (await _client.StoredFor(card)).Length);
    }

    [Fact]
    public async Task Concurrent_duplicate_posts_store_one_row()
    {
        var card = NewCard();
        var body = Body(Accepted(card));
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _client.PostJson(Url, body)));

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Response.StatusCode));
        Assert.Equal(1, results.Sum(r => r.Body.GetProperty("stored").GetInt32()));
        Assert.Equal(9, results.Sum(r => r.Body.GetProperty("duplicates").GetInt32()));
        Assert.Single(await _client.StoredFor(card));
    }

    [Fact]
    public async Task Unknown_members_and_extensions_are_ignored()
    {
        var card = NewCard();
        var body = $$$"""
            {"extension":{"com.example.batch":{"n":1}},"note":"ignored",
             "feedback":[{"card":"{{{card}}}","outcome":"accepted","acceptedSuggestions":[{"id":"s-1","extension":{"com.example.x":[1,2]}}],
               "outcomeTimestamp":"2021-12-11T10:05:31Z","extension":{"com.example.ui":"sidebar"},"unknownNumber":5,"nullMember":null}]}
            """;
        var (response, receipt) = await _client.PostJson(Url, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertReceipt(receipt, 1, 1);
        Assert.Single(await _client.StoredFor(card));
    }

    [Fact]
    public async Task Unknown_service_is_404_problem_for_post_and_get()
    {
        var post = await _client.PostAsync("/cds-services/no-such-service/feedback", Http.Json(Body(Overridden(NewCard()))));
        ErrorTests.AssertProblem(post, await Http.Read(post), 404);
        var get = await _client.GetAsync("/cds-services/no-such-service/feedback");
        ErrorTests.AssertProblem(get, await Http.Read(get), 404);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=abc", "limit")]
    [InlineData("limit=-1", "limit")]
    [InlineData("limit=1&limit=2", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("offset=1.5", "offset")]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=2021-12-11T10:05:31", "since")]
    public async Task Bad_query_parameters_are_400_naming_the_parameter(string query, string key)
    {
        var (response, problem) = await _client.GetJson(Url + "?" + query);

        ErrorTests.AssertProblem(response, problem, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty(key, out _), problem.ToString());
    }

    [Fact]
    public async Task List_is_newest_first_pages_filters_by_since_and_is_not_cached()
    {
        var card = NewCard();
        await _client.PostJson(Url, Body(Overridden(NewCard())));
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await _client.PostJson(Url, Body(Overridden(card)));

        var response = await _client.GetAsync(Url + "?limit=1");
        var body = await Http.Read(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
        var all = (await Http.Read(await _client.GetAsync(Url + "?limit=500"))).GetProperty("feedback").EnumerateArray().ToList();
        Assert.Equal(all[0].GetProperty("id").GetInt64(), Assert.Single(body.GetProperty("feedback").EnumerateArray()).GetProperty("id").GetInt64());
        var received = all.Select(f => f.GetProperty("receivedAt").GetString()).ToList();
        Assert.Equal(received.OrderDescending(StringComparer.Ordinal), received);

        var (_, second) = await _client.GetJson(Url + "?limit=1&offset=1");
        Assert.Equal(all[1].GetProperty("id").GetInt64(), Assert.Single(second.GetProperty("feedback").EnumerateArray()).GetProperty("id").GetInt64());

        var since = Uri.EscapeDataString(before.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        var (_, recent) = await _client.GetJson(Url + "?limit=500&since=" + since);
        Assert.Contains(recent.GetProperty("feedback").EnumerateArray(), f => f.GetProperty("card").GetString() == card);
        var (_, future) = await _client.GetJson(Url + "?since=" + Uri.EscapeDataString("2999-01-01T00:00:00Z"));
        Assert.Empty(future.GetProperty("feedback").EnumerateArray());
    }

    [Fact]
    public async Task Feedback_for_one_service_is_not_listed_under_another()
    {
        var card = NewCard();
        await _client.PostJson("/cds-services/" + CdsServiceCatalog.OrderSelectId + "/feedback", Body(Overridden(card)));

        Assert.Empty(await _client.StoredFor(card));
        var (_, other) = await _client.GetJson("/cds-services/" + CdsServiceCatalog.OrderSelectId + "/feedback?limit=500");
        Assert.Contains(other.GetProperty("feedback").EnumerateArray(), f => f.GetProperty("card").GetString() == card);
    }

    [Fact]
    public async Task Post_logs_counts_and_never_the_user_comment()
    {
        const string marker = "Jane-Doe-Comment-Marker-5521";
        var card = NewCard();
        var good = $$"""{"feedback":[{"card":"{{card}}","outcome":"overridden","overrideReason":{"userComment":"Patient {{marker}} declined"},"outcomeTimestamp":"2020-12-11T00:00:00Z"}]}""";
        var bad = $$"""{"feedback":[{"card":"{{card}}","outcome":"nope","overrideReason":{"userComment":"{{marker}}{{new string('x', 2100)}}"},"outcomeTimestamp":"2020-12-11T00:00:00Z"}]}""";
        var malformed = $$"""{"feedback":[{"card":"{{card}}","outcome":"overridden","overrideReason":{"userComment":"{{marker}}" """;

        Assert.Equal(HttpStatusCode.OK, (await _client.PostJson(Url, good)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostJson(Url, good)).Response.StatusCode);
        var (badResponse, problem) = await _client.PostJson(Url, bad);
        Assert.Equal(HttpStatusCode.BadRequest, badResponse.StatusCode);
        Assert.DoesNotContain(marker, problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostJson(Url, malformed)).Response.StatusCode);
        await _client.GetAsync(Url + "?limit=500");

        Assert.DoesNotContain(factory.Logs.Events, e => e.AllText.Contains(marker, StringComparison.Ordinal));
        var line = factory.Logs.Events.Last(e => e.Category.EndsWith("CdsFeedbackEndpoints", StringComparison.Ordinal));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, line.Level);
        Assert.Equal(ServiceId, line.Values["ServiceId"]);
        Assert.Equal("1", line.Values["Received"]);
        Assert.Equal("0", line.Values["Stored"]);
        Assert.Equal("1", line.Values["Duplicates"]);
    }

    [Fact]
    public async Task OpenApi_describes_both_feedback_operations_under_the_cds_hooks_tag()
    {
        var (_, doc) = await _client.GetJson("/swagger/v1/swagger.json");
        var path = doc.GetProperty("paths").GetProperty("/cds-services/{id}/feedback");

        foreach (var (method, name) in new[] { ("post", "CdsFeedback"), ("get", "CdsFeedbackList") })
        {
            var op = path.GetProperty(method);
            Assert.Equal(name, op.GetProperty("operationId").GetString());
            Assert.Equal(["CDS Hooks"], op.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
            Assert.True(op.GetProperty("responses").TryGetProperty("400", out _));
        }
    }

    [Fact]
    public async Task OpenApi_marks_the_read_with_the_bearer_scope_and_leaves_the_post_to_cds_hooks_trust()
    {
        // Locks are shown only where tokens are required (without, Swagger UI has no Authorize).
        var auth = new ClonusCds.Api.Tests.Security.ApiAuthFixture();
        await auth.InitializeAsync();
        JsonElement doc;
        try
        {
            (_, doc) = await auth.Client.GetJson("/swagger/v1/swagger.json");
        }
        finally
        {
            await auth.DisposeAsync();
        }

        var path = doc.GetProperty("paths").GetProperty("/cds-services/{id}/feedback");

        // The read takes a REST access token, shown like the other protected routes (lock, 401, 403, scope named).
        var get = path.GetProperty("get");
        Assert.True(Assert.Single(get.GetProperty("security").EnumerateArray()).TryGetProperty("bearer", out _));
        Assert.True(get.GetProperty("responses").TryGetProperty("401", out _));
        Assert.True(get.GetProperty("responses").TryGetProperty("403", out _));
        Assert.Contains("clonus.feedback.read", get.GetProperty("description").GetString(), StringComparison.Ordinal);

        // The post takes the CDS Hooks JWT, which is not the REST bearer scheme.
        Assert.False(path.GetProperty("post").TryGetProperty("security", out _));
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Contains("clonus.feedback.read", scheme.GetProperty("description").GetString(), StringComparison.Ordinal);
    }
}
