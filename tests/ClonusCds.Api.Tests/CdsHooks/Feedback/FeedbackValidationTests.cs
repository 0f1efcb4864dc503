using System.Net;
using System.Text;
using static ClonusCds.Api.Tests.CdsHooks.Feedback.FeedbackTestData;

namespace ClonusCds.Api.Tests.CdsHooks.Feedback;

/// <summary>Every bad feedback body is a 400 (or 413/415) ProblemDetails naming the JSON path; never a 500.</summary>
public sealed class FeedbackValidationTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private const string Ts = "\"outcomeTimestamp\":\"2021-12-11T10:05:31Z\"";
    private const string Sugg = "\"acceptedSuggestions\":[{\"id\":\"s-1\"}]";

    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, string, string> BadBodies() => new()
    {
        // name, body, errors key
        { "missing feedback", "{}", "feedback" },
        { "feedback null", """{"feedback":null}""", "feedback" },
        { "feedback not an array", """{"feedback":{"card":"c"}}""", "feedback" },
        { "empty feedback", """{"feedback":[]}""", "feedback" },
        { "more than 100 items", Body(Enumerable.Range(0, 101).Select(i => Overridden($"card-{i}")).ToArray()), "feedback" },
        { "item not an object", """{"feedback":["c"]}""", "feedback[0]" },
        { "missing card", $$"""{"feedback":[{"outcome":"overridden",{{Ts}}}]}""", "feedback[0].card" },
        { "empty card", $$"""{"feedback":[{"card":"","outcome":"overridden",{{Ts}}}]}""", "feedback[0].card" },
        { "card too long", $$"""{"feedback":[{"card":"{{new string('c', 201)}}","outcome":"overridden",{{Ts}}}]}""", "feedback[0].card" },
        { "card a number", $$"""{"feedback":[{"card":42,"outcome":"overridden",{{Ts}}}]}""", "feedback[0].card" },
        { "missing outcome", $$"""{"feedback":[{"card":"c",{{Ts}}}]}""", "feedback[0].outcome" },
        { "bad outcome", $$"""{"feedback":[{"card":"c","outcome":"rejected",{{Ts}}}]}""", "feedback[0].outcome" },
        { "outcome wrong case", $$"""{"feedback":[{"card":"c","outcome":"Accepted",{{Sugg}},{{Ts}}}]}""", "feedback[0].outcome" },
        { "outcome null", $$"""{"feedback":[{"card":"c","outcome":null,{{Ts}}}]}""", "feedback[0].outcome" },
        { "bad outcome in second item", Body(Overridden("a"), $$"""{"card":"b","outcome":"ignored",{{Ts}}}"""), "feedback[1].outcome" },
        { "accepted without acceptedSuggestions", $$"""{"feedback":[{"card":"c","outcome":"accepted",{{Ts}}}]}""", "feedback[0].acceptedSuggestions" },
        { "accepted with empty acceptedSuggestions", $$"""{"feedback":[{"card":"c","outcome":"accepted","acceptedSuggestions":[],{{Ts}}}]}""", "feedback[0].acceptedSuggestions" },
        { "acceptedSuggestions not an array", $$"""{"feedback":[{"card":"c","outcome":"accepted","acceptedSuggestions":{"id":"s"},{{Ts}}}]}""", "feedback[0].acceptedSuggestions" },
        { "suggestion without id", $$"""{"feedback":[{"card":"c","outcome":"accepted","acceptedSuggestions":[{}],{{Ts}}}]}""", "feedback[0].acceptedSuggestions[0].id" },
        { "suggestion id a number", $$"""{"feedback":[{"card":"c","outcome":"accepted","acceptedSuggestions":[{"id":"a"},{"id":7}],{{Ts}}}]}""", "feedback[0].acceptedSuggestions[1].id" },
        { "overridden with acceptedSuggestions", $$"""{"feedback":[{"card":"c","outcome":"overridden",{{Sugg}},{{Ts}}}]}""", "feedback[0].acceptedSuggestions" },
        { "accepted with overrideReason", $$"""{"feedback":[{"card":"c","outcome":"accepted",{{Sugg}},"overrideReason":{"userComment":"x"},{{Ts}}}]}""", "feedback[0].overrideReason" },
        { "empty overrideReason", $$"""{"feedback":[{"card":"c","outcome":"overridden","overrideReason":{},{{Ts}}}]}""", "feedback[0].overrideReason" },
        { "overrideReason a string", $$"""{"feedback":[{"card":"c","outcome":"overridden","overrideReason":"busy",{{Ts}}}]}""", "feedback[0].overrideReason" },
        { "reason without system", $$$"""{"feedback":[{"card":"c","outcome":"overridden","overrideReason":{"reason":{"code":"x"}},{{{Ts}}}}]}""", "feedback[0].overrideReason.reason.system" },
        { "reason without code", $$$"""{"feedback":[{"card":"c","outcome":"overridden","overrideReason":{"reason":{"system":"https://x"}},{{{Ts}}}}]}""", "feedback[0].overrideReason.reason.code" },
        { "reason not an object", $$"""{"feedback":[{"card":"c","outcome":"overridden","overrideReason":{"reason":"x"},{{Ts}}}]}""", "feedback[0].overrideReason.reason" },
        { "empty userComment", $$"""{"feedback":[{"card":"c","outcome":"overridden","overrideReason":{"userComment":""},{{Ts}}}]}""", "feedback[0].overrideReason.userComment" },
        { "userComment too long", $$"""{"feedback":[{"card":"c","outcome":"overridden","overrideReason":{"userComment":"{{new string('x', 2001)}}"},{{Ts}}}]}""", "feedback[0].overrideReason.userComment" },
        { "missing timestamp", """{"feedback":[{"card":"c","outcome":"overridden"}]}""", "feedback[0].outcomeTimestamp" },
        { "timestamp without offset", Body(Overridden("c", "2021-12-11T10:05:31")), "feedback[0].outcomeTimestamp" },
        { "timestamp date only", Body(Overridden("c", "2021-12-11")), "feedback[0].outcomeTimestamp" },
        { "timestamp not a date", Body(Overridden("c", "yesterday")), "feedback[0].outcomeTimestamp" },
        { "timestamp impossible date", Body(Overridden("c", "2021-02-30T10:05:31Z")), "feedback[0].outcomeTimestamp" },
        { "timestamp far future", Body(Overridden("c", "2999-01-01T00:00:00Z")), "feedback[0].outcomeTimestamp" },
        { "timestamp a number", """{"feedback":[{"card":"c","outcome":"overridden","outcomeTimestamp":1639217131}]}""", "feedback[0].outcomeTimestamp" },
        { "malformed JSON", """{"feedback":[{"card":"c","outcome":overr""", "feedback[0].outcome" },
        { "truncated JSON", """{"feedback":[{"card":"c","outcome":"overridden",""", "feedback[0].outcome" },
        { "trailing comma", """{"feedback":[],}""", "feedback" },
        { "duplicate key", $$"""{"feedback":[{"card":"a","card":"b","outcome":"overridden",{{Ts}}}]}""", "feedback[0].card" },
        { "duplicate key in an extension", $$$"""{"feedback":[{"card":"a","outcome":"overridden",{{{Ts}}},"extension":{"x":1,"x":2}}]}""", "feedback[0].extension.x" },
        { "array body", "[]", "$" },
        { "string body", "\"feedback\"", "$" },
        { "null body", "null", "$" },
        { "empty body", "", "$" },
        { "raw control character", "{\"feedback\":[{\"card\":\"a\u0001b\"}]}", "feedback[0].card" },
        { "unpaired surrogate escape", """{"feedback":[{"card":"\uD800","outcome":"overridden"}]}""", "feedback[0].card" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_body_is_400_problem_naming_the_path(string name, string body, string key)
    {
        var (response, problem) = await _client.PostJson(Url, body);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {problem}");
        ErrorTests.AssertProblem(response, problem, 400);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(key, out var messages), $"{name}: errors lack '{key}': {errors}");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
    }

    [Fact]
    public async Task Deep_nesting_in_an_extension_is_400_naming_where()
    {
        var body = "{\"extension\":" + new string('[', 100) + new string(']', 100) + ",\"feedback\":[]}";
        var (response, problem) = await _client.PostJson(Url, body);

        ErrorTests.AssertProblem(response, problem, 400);
        Assert.StartsWith("extension[0][0]", Assert.Single(problem.GetProperty("errors").EnumerateObject()).Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_in_a_body_is_reported_and_nothing_is_stored()
    {
        var card = NewCard();
        var body = $$"""{"feedback":[{"card":"{{card}}","outcome":"overridden",{{Ts}}},{"outcome":"accepted","outcomeTimestamp":"soon"}]}""";
        var (response, problem) = await _client.PostJson(Url, body);

        ErrorTests.AssertProblem(response, problem, 400);
        var keys = problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Equal(["feedback[1].card", "feedback[1].acceptedSuggestions", "feedback[1].outcomeTimestamp"], keys);
        Assert.Empty(await _client.StoredFor(card));
    }

    [Fact]
    public async Task Invalid_utf8_is_400()
    {
        var bytes = Encoding.UTF8.GetBytes(Body(Overridden("X-card")));
        bytes[Array.IndexOf(bytes, (byte)'X')] = 0xff;
        var response = await _client.PostAsync(Url, Http.Raw(bytes));

        var problem = await Http.Read(response);
        ErrorTests.AssertProblem(response, problem, 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("feedback[0].card", out _), problem.ToString());
    }

    [Fact]
    public async Task Utf8_bom_and_charset_are_accepted()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Body(Overridden(NewCard())))).ToArray();
        var content = Http.Raw(bytes, "application/json");
        content.Headers.ContentType!.CharSet = "utf-8";
        var response = await _client.PostAsync(Url, content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Wrong_or_missing_content_type_is_415_problem()
    {
        var text = await _client.PostAsync(Url, Http.Raw(Encoding.UTF8.GetBytes(Body(Overridden("c"))), "text/plain"));
        ErrorTests.AssertProblem(text, await Http.Read(text), 415);

        using var none = new ByteArrayContent(Encoding.UTF8.GetBytes(Body(Overridden("c"))));
        var missing = await _client.PostAsync(Url, none);
        ErrorTests.AssertProblem(missing, await Http.Read(missing), 415);
    }

    [Fact]
    public async Task Body_over_the_size_limit_is_413_problem()
    {
        var body = Body(Overridden("c")).Replace("\"c\"", "\"c\",\"extension\":{\"pad\":\"" + new string('p', 300_000) + "\"}", StringComparison.Ordinal);
        var (response, problem) = await _client.PostJson(Url, body);

        ErrorTests.AssertProblem(response, problem, 413);
    }

    [Fact]
    public async Task Timestamps_with_fractions_offsets_and_lower_case_separators_are_accepted()
    {
        foreach (var timestamp in new[] { "1985-04-12T23:20:50.52Z", "2021-12-11t10:05:31z", "2021-12-11T10:05:31.123456789-05:00", "2021-12-11T10:05:31+14:00" })
        {
            var (response, problem) = await _client.PostJson(Url, Body(Overridden(NewCard(), timestamp)));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{timestamp}: {problem}");
        }
    }
}
