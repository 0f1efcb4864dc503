using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace ClonusCds.Api.Tests.Hardening;

/// <summary>
/// These tests measure time and count connections on a 2-core machine shared with other work, so
/// they run alone rather than alongside the rest of the suite.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KestrelSocketTests
{
    public const string Name = "Kestrel over a real socket";
}

/// <summary>
/// The production size limits from appsettings.json (nothing overridden), with short timeouts so
/// the timeout tests take a second or two instead of 15 and 60.
/// </summary>
public sealed class KestrelLimitsFixture() : KestrelApiFactory(new Dictionary<string, string?>
{
    ["Limits:RequestHeadersTimeoutSeconds"] = KestrelLimitsFixture.HeadersTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["Limits:KeepAliveTimeoutSeconds"] = KestrelLimitsFixture.KeepAliveSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
})
{
    public const int HeadersTimeoutSeconds = 1;
    public const int KeepAliveSeconds = 2;
}

/// <summary>
/// Each Kestrel limit (docs/security.md) exercised over a loopback socket against real Kestrel:
/// the limit holds, and a request just inside it is still served, so the limit is where the
/// configuration says and not merely somewhere.
/// </summary>
[Collection(KestrelSocketTests.Name)]
public sealed partial class KestrelLimitsTests(KestrelLimitsFixture server, ITestOutputHelper output) : IClassFixture<KestrelLimitsFixture>
{
    private const int KiB = 1024;
    private const int MiB = 1024 * KiB;
    private const string Assessments = "/api/v1/assessments";
    private const string CdsService = "/cds-services/clonus-patient-view";

    /// <summary>Beyond the configured timeout, how long the test waits before calling it a failure.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(3);

    // ------------------------------------------------------------------ request line and headers

    [Fact]
    public async Task A_request_line_over_8_KB_gets_414_and_one_just_under_is_served()
    {
        var under = await Exchange(Get(PathWithLineLength(8 * KiB - 64)));
        var over = await Exchange(Get(PathWithLineLength(8 * KiB + 64)));

        AssertStatus(200, under);
        AssertStatus(414, over);
    }

    [Fact]
    public async Task Headers_over_32_KB_in_total_get_431_and_just_under_are_served()
    {
        var under = await Exchange(Get("/health/live", PaddingHeaders(31 * KiB)));
        var over = await Exchange(Get("/health/live", PaddingHeaders(33 * KiB)));

        AssertStatus(200, under);
        AssertStatus(431, over);
    }

    [Fact]
    public async Task More_than_64_headers_get_431_and_64_are_served()
    {
        // Host is one of the 64.
        var sixtyFour = await Exchange(Get("/health/live", CountedHeaders(63)));
        var sixtyFive = await Exchange(Get("/health/live", CountedHeaders(64)));

        AssertStatus(200, sixtyFour);
        AssertStatus(431, sixtyFive);
    }

    // ------------------------------------------------------------------ request bodies

    [Fact]
    public async Task A_rest_body_declared_over_256_KiB_gets_413_problem_details_before_it_is_sent()
    {
        // Only the headers go out: the limit must be enforced on the declared length, without
        // the server waiting for (or buffering) a body it is going to refuse.
        var response = await Exchange(Encoding.ASCII.GetBytes(PostHead(Assessments, $"Content-Length: {256 * KiB + 1}")));

        AssertTooLargeProblem(response);
    }

    [Fact]
    public async Task A_rest_body_of_exactly_256_KiB_is_not_refused_for_size()
    {
        var response = await Exchange(PostWithLength(Assessments, JsonOfSize(256 * KiB)));

        // Not a valid assessment (it carries an unknown property), so 400; what matters is that the
        // size check let it through to validation, which names the property.
        AssertStatus(400, response);
        Assert.Contains("pad", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_rest_body_over_256_KiB_gets_413_problem_details()
    {
        var response = await ExchangeChunked(Assessments, JsonOfSize(300 * KiB));

        // Kestrel stops the read and sets 413; the status-code page writes the problem, so the
        // title is the framework's (as docs/api.md says), not the middleware's.
        AssertTooLargeProblem(response, "Content Too Large");
    }

    [Fact]
    public async Task A_chunked_rest_body_under_256_KiB_is_not_refused_for_size()
    {
        var response = await ExchangeChunked(Assessments, JsonOfSize(250 * KiB));

        AssertStatus(400, response);
        Assert.Contains("pad", response.Body, StringComparison.Ordinal);
    }

    // Kestrel counts a chunked body's framing (the size lines and their CRLFs, 8 bytes per 16 KiB
    // chunk here) against the limit, so a chunked body of exactly 4 MiB is refused; 4 KiB under it
    // leaves room for the framing. With Content-Length the limit is exact.
    [Theory]
    [InlineData(1 * MiB, false)]
    [InlineData(1 * MiB, true)]
    [InlineData(4 * MiB, false)]
    [InlineData(4 * MiB - 4 * KiB, true)]
    public async Task A_cds_hooks_body_over_the_rest_limit_and_up_to_4_MiB_is_served(int size, bool chunked)
    {
        var body = CdsRequestOfSize(size);

        var response = chunked ? await ExchangeChunked(CdsService, body) : await Exchange(PostWithLength(CdsService, body));

        AssertStatus(200, response);
        Assert.Equal("application/json", MediaType(response));
    }

    [Fact]
    public async Task A_cds_hooks_body_declared_over_4_MiB_gets_413_problem_details()
    {
        var response = await Exchange(Encoding.ASCII.GetBytes(PostHead(CdsService, $"Content-Length: {4 * MiB + 1}")));

        AssertTooLargeProblem(response);
    }

    [Fact]
    public async Task A_chunked_cds_hooks_body_over_4_MiB_gets_413_problem_details()
    {
        var response = await ExchangeChunked(CdsService, CdsRequestOfSize(4 * MiB + 64 * KiB));

        AssertTooLargeProblem(response);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Feedback_under_cds_services_keeps_the_256_KiB_rest_limit(bool chunked)
    {
        // The path starts with /cds-services, so the server-side cap for it is 4 MiB; the feedback
        // endpoint must apply the REST limit itself, also to a body without Content-Length.
        const string Feedback = CdsService + "/feedback";
        var body = JsonOfSize(300 * KiB);

        var response = chunked ? await ExchangeChunked(Feedback, body) : await Exchange(PostWithLength(Feedback, body));

        AssertTooLargeProblem(response);
    }

    // ------------------------------------------------------------------ timeouts

    [Fact]
    public async Task Headers_not_finished_within_the_timeout_get_408_or_a_closed_connection()
    {
        using var connection = await RawConnection.OpenAsync(server.EndPoint);
        await connection.SendAsync("GET /health/live HTTP/1.1\r\nHost: localhost\r\n");

        var (closed, received) = await connection.WaitForCloseAsync(TimeSpan.FromSeconds(KestrelLimitsFixture.HeadersTimeoutSeconds) + Slack);

        Assert.True(closed, $"Still open {connection.SinceOpen.Elapsed} after half a request.");
        AssertTimedOutNotEarly(connection, KestrelLimitsFixture.HeadersTimeoutSeconds);
        AssertEmptyOr408(received);
    }

    [Fact]
    public async Task Headers_dripped_slowly_are_cut_off_at_the_timeout_all_the_same()
    {
        // Slow loris: a byte now and then must not keep the connection alive; the timeout covers
        // the whole header block, not the gap between bytes.
        using var connection = await RawConnection.OpenAsync(server.EndPoint);
        await connection.SendAsync("GET /health/live HTTP/1.1\r\nHost: localhost\r\n");
        var deadline = TimeSpan.FromSeconds(KestrelLimitsFixture.HeadersTimeoutSeconds) + Slack;
        var closed = false;
        var received = "";
        for (var i = 0; !closed && connection.SinceOpen.Elapsed < deadline; i++)
        {
            await connection.SendIgnoringCloseAsync(Encoding.ASCII.GetBytes($"X-Drip-{i}: 1\r\n"));
            (closed, received) = await connection.WaitForCloseAsync(TimeSpan.FromMilliseconds(200));
        }

        Assert.True(closed, $"Still open {connection.SinceOpen.Elapsed} while headers trickled in.");
        AssertTimedOutNotEarly(connection, KestrelLimitsFixture.HeadersTimeoutSeconds);
        AssertEmptyOr408(received);
    }

    [Fact]
    public async Task An_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout()
    {
        using var connection = await RawConnection.OpenAsync(server.EndPoint);
        await connection.SendAsync(Get("/health/live"));
        var first = await connection.ReadResponseAsync();
        AssertStatus(200, first);
        Assert.NotEqual("close", first.Header("Connection"));
        var idle = System.Diagnostics.Stopwatch.StartNew();

        var (closed, received) = await connection.WaitForCloseAsync(TimeSpan.FromSeconds(KestrelLimitsFixture.KeepAliveSeconds) + Slack);

        Assert.True(closed, $"An idle connection was still open after {idle.Elapsed}.");
        // Closed by the keep-alive timer, not at once: the server's idle clock started when it
        // finished the response, a little before this one, hence the half-second allowance.
        Assert.True(idle.Elapsed >= TimeSpan.FromSeconds(KestrelLimitsFixture.KeepAliveSeconds - 0.5), $"Closed after only {idle.Elapsed}.");
        Assert.Equal("", received);
    }

    // ------------------------------------------------------------------ what responses reveal

    public static TheoryData<string, int> ErrorRequests => new()
    {
        { "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n", 200 },
        { "GET /no/such/route HTTP/1.1\r\nHost: localhost\r\n\r\n", 404 },
        { "NOT-HTTP\r\n\r\n", 400 },
        { "GET /health/live HTTP/1.1\r\n\r\n", 400 },
        { $"GET /{new string('a', 9 * KiB)} HTTP/1.1\r\nHost: localhost\r\n\r\n", 414 },
        { $"GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Big: {new string('a', 33 * KiB)}\r\n\r\n", 431 },
        { $"POST {Assessments} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {300 * KiB}\r\n\r\n", 413 },
        { $"POST {Assessments} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{{\"clonus\"", 400 },
        { $"POST {Assessments} HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{{}}", 415 },
        { $"POST {CdsService} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n[1,2,3]", 400 },
    };

    [Theory]
    [MemberData(nameof(ErrorRequests))]
    public async Task Responses_over_the_socket_have_no_server_banner_and_no_stack_trace(string request, int expectedStatus)
    {
        var response = await Exchange(request);

        AssertStatus(expectedStatus, response);
        Assert.False(response.HasHeader("Server"), $"Server header: {response.Header("Server")}");
        Assert.DoesNotMatch(StackFrame(), response.AllText);
        Assert.DoesNotContain("Exception", response.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("Kestrel", response.AllText, StringComparison.OrdinalIgnoreCase);
    }

    // ------------------------------------------------------------------ helpers

    private async Task<RawResponse> Exchange(string request) => await Exchange(Encoding.UTF8.GetBytes(request));

    /// <summary>One request on a fresh connection; the send runs alongside the read so an early answer is not lost.</summary>
    private async Task<RawResponse> Exchange(byte[] request)
    {
        using var connection = await RawConnection.OpenAsync(server.EndPoint);
        var send = connection.SendIgnoringCloseAsync(request);
        var response = await connection.ReadResponseAsync();
        await send;
        return response;
    }

    private async Task<RawResponse> ExchangeChunked(string path, byte[] body)
    {
        using var connection = await RawConnection.OpenAsync(server.EndPoint);
        await connection.SendAsync(PostHead(path, "Transfer-Encoding: chunked"));
        var send = connection.SendChunkedIgnoringCloseAsync(body);
        var response = await connection.ReadResponseAsync();
        await send;
        return response;
    }

    private static string Get(string path, string extraHeaders = "") =>
        $"GET {path} HTTP/1.1\r\nHost: localhost\r\n{extraHeaders}\r\n";

    private static string PostHead(string path, string framing) =>
        $"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{framing}\r\n\r\n";

    private static byte[] PostWithLength(string path, byte[] body) =>
        [.. Encoding.ASCII.GetBytes(PostHead(path, $"Content-Length: {body.Length}")), .. body];

    /// <summary>A path (on a route that ignores its query) making "GET path HTTP/1.1\r\n" exactly this long.</summary>
    private static string PathWithLineLength(int length)
    {
        const string Prefix = "/health/live?pad=";
        var fixedPart = "GET ".Length + Prefix.Length + " HTTP/1.1\r\n".Length;
        return Prefix + new string('a', length - fixedPart);
    }

    /// <summary>Headers of 1 KiB or less each, adding up (names, values, separators, line ends) to about this size.</summary>
    private static string PaddingHeaders(int totalBytes)
    {
        var builder = new StringBuilder();
        for (var i = 0; builder.Length < totalBytes; i++)
        {
            var name = $"X-Pad-{i}: ";
            var lineLength = Math.Max(Math.Min(KiB, totalBytes - builder.Length), name.Length + 3);
            builder.Append(name).Append('a', lineLength - name.Length - 2).Append("\r\n");
        }

        return builder.ToString();
    }

    private static string CountedHeaders(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(i => $"X-H{i}: {i}\r\n"));

    /// <summary>An assessment-shaped JSON object padded with an unknown property to exactly this many bytes.</summary>
    private static byte[] JsonOfSize(int bytes) => Padded("{\"clonus\":{\"present\":true},\"pad\":\"", "\"}", bytes);

    /// <summary>A valid patient-view request padded (in "extension", which services ignore) to exactly this many bytes.</summary>
    private static byte[] CdsRequestOfSize(int bytes) => Padded(
        """{"hook":"patient-view","hookInstance":"a1","context":{"patientId":"p1"},"prefetch":{"patient":null,"conditions":null,"medications":null,"vitals":null,"labs":null,"findings":null},"extension":{"pad":""" + "\"",
        "\"}}",
        bytes);

    private static byte[] Padded(string prefix, string suffix, int bytes) =>
        Encoding.ASCII.GetBytes(prefix + new string('a', bytes - prefix.Length - suffix.Length) + suffix);

    /// <summary>Status check whose failure shows what the server actually said.</summary>
    private static void AssertStatus(int expected, RawResponse response) =>
        Assert.True(response.Status == expected,
            $"Expected {expected}, got: {(response.AllText.Length > 2000 ? response.AllText[..2000] + "..." : response.AllText)}");

    private static string? MediaType(RawResponse response) => response.Header("Content-Type")?.Split(';')[0].Trim();

    private static void AssertTooLargeProblem(RawResponse response, string title = "Request body too large")
    {
        AssertStatus(413, response);
        Assert.Equal("application/problem+json", MediaType(response));
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(413, problem.RootElement.GetProperty("status").GetInt32());
        Assert.True(problem.RootElement.GetProperty("title").GetString() == title, response.AllText);
        Assert.False(response.HasHeader("Server"));
        Assert.DoesNotMatch(StackFrame(), response.Body);
    }

    private static void AssertTimedOutNotEarly(RawConnection connection, int timeoutSeconds) =>
        // The stopwatch started before the server's clock did, so it cannot read less than the
        // timeout unless the server closed early; 200 ms covers clock granularity.
        Assert.True(connection.SinceOpen.Elapsed >= TimeSpan.FromSeconds(timeoutSeconds) - TimeSpan.FromMilliseconds(200),
            $"Closed after only {connection.SinceOpen.Elapsed}.");

    private void AssertEmptyOr408(string received)
    {
        // Which of the two Kestrel chose is worth seeing in the test log; both end the connection.
        output.WriteLine(received.Length == 0 ? "Closed without an answer." : $"Answered: {received.Split("\r\n")[0]}");
        Assert.True(received.Length == 0 || received.StartsWith("HTTP/1.1 408 ", StringComparison.Ordinal), $"Unexpected answer: {received}");
    }

    /// <summary>A .NET stack frame ("at Namespace.Type.Method(") or a source line reference.</summary>
    [GeneratedRegex(@"\bat [\w.`<>]+\(|\.cs:line \d+")]
    private static partial Regex StackFrame();
}

/// <summary>MaxConcurrentConnections, with a server of its own so no other test's connections count.</summary>
[Collection(KestrelSocketTests.Name)]
public sealed class KestrelConnectionLimitTests
{
    private const int Limit = 2;

    [Fact]
    public async Task Beyond_the_connection_limit_a_new_connection_is_closed_unanswered_while_the_others_keep_working()
    {
        using var factory = new KestrelApiFactory(new Dictionary<string, string?> { ["Limits:MaxConcurrentConnections"] = $"{Limit}" });
        var endPoint = factory.EndPoint;
        var open = new List<RawConnection>();
        try
        {
            for (var i = 0; i < Limit; i++)
            {
                var connection = await RawConnection.OpenAsync(endPoint);
                open.Add(connection);
                // A full exchange proves the server has taken (and counted) this connection
                // before the next one is made.
                Assert.Equal(200, await Live(connection));
            }

            using (var extra = await RawConnection.OpenAsync(endPoint))
            {
                await extra.SendIgnoringCloseAsync(Encoding.ASCII.GetBytes(LiveRequest));
                var (closed, received) = await extra.WaitForCloseAsync(TimeSpan.FromSeconds(3));

                Assert.True(closed, $"Connection {Limit + 1} was kept open; it received: {received}");
                Assert.Equal("", received);
            }

            foreach (var connection in open)
            {
                Assert.Equal(200, await Live(connection));
            }

            // The limit is on concurrent connections, not a total: once one closes, a newcomer is
            // served. The server notices the close asynchronously, hence the bounded retry.
            open[0].Dispose();
            open.RemoveAt(0);
            Assert.True(await ServedWithin(endPoint, TimeSpan.FromSeconds(3)), "A freed connection slot was not reused.");
        }
        finally
        {
            foreach (var connection in open)
            {
                connection.Dispose();
            }
        }
    }

    private const string LiveRequest = "GET /health/live HTTP/1.1\r\nHost: localhost\r\n\r\n";

    private static async Task<int> Live(RawConnection connection)
    {
        await connection.SendAsync(LiveRequest);
        return (await connection.ReadResponseAsync()).Status;
    }

    private static async Task<bool> ServedWithin(IPEndPoint endPoint, TimeSpan within)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        while (stopwatch.Elapsed < within)
        {
            using var connection = await RawConnection.OpenAsync(endPoint);
            await connection.SendIgnoringCloseAsync(Encoding.ASCII.GetBytes(LiveRequest));
            try
            {
                if ((await connection.ReadResponseAsync(TimeSpan.FromSeconds(1))).Status == 200)
                {
                    return true;
                }
            }
            catch (IOException)
            {
                // Refused: the slot is not free yet.
            }
            catch (OperationCanceledException)
            {
            }

            await Task.Delay(100);
        }

        return false;
    }
}
