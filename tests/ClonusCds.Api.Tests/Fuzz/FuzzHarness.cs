using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;

namespace ClonusCds.Api.Tests.Fuzz;

/// <summary>One request: where it goes, what it is (for the report), and the bytes.</summary>
public sealed record FuzzCase(string Url, string Label, JValue Body, string? ContentType = "application/json", bool Chunked = false)
{
    public IEnumerable<FuzzCase> Shrink() => JText.Shrink(Body).Select(b => this with { Body = b });

    public override string ToString() =>
        $"POST {Url} [{Label}]" +
        (ContentType == "application/json" ? "" : $" Content-Type: {ContentType ?? "(none)"}") +
        (Chunked ? " (chunked, no Content-Length)" : "") +
        $"{Environment.NewLine}  body: {Body}";
}

/// <summary>Which response rules apply.</summary>
public enum Surface
{
    /// <summary>POST /api/v1/assessments.</summary>
    Assessments,
    /// <summary>POST /cds-services/{id}.</summary>
    CdsService,
    /// <summary>POST /cds-services/{id}/feedback.</summary>
    Feedback,
}

/// <summary>
/// The service with rate limiting off (a fuzz run is thousands of calls from one client) and with
/// exception diagnostics kept even when the ProblemDetails handler answers: .NET 10 suppresses the
/// ExceptionHandlerMiddleware log for handled exceptions by default, and a 500 found by the fuzzer
/// must come with its stack trace (from <see cref="ClonusApiFactory.Logs"/>).
/// </summary>
public sealed class FuzzApiFactory : ClonusApiFactory
{
    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("RateLimiting:Enabled", "false");
        builder.ConfigureServices(services =>
            services.Configure<ExceptionHandlerOptions>(o => o.SuppressDiagnosticsCallback = _ => false));
    }
}

/// <summary>A property failed: the message says how to replay it.</summary>
public sealed class FuzzPropertyException : Exception
{
    public FuzzPropertyException()
    {
    }

    public FuzzPropertyException(string message) : base(message)
    {
    }

    public FuzzPropertyException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>
/// Runs an FsCheck property over HTTP against the in-memory service. Cases per property:
/// <c>CLONUS_FUZZ_CASES</c> (default <see cref="DefaultCases"/>). Seed: <c>CLONUS_FUZZ_SEED</c> —
/// <c>seed,gamma</c> replays a whole run (with the same case count), <c>seed,gamma,size</c> replays
/// the one failing case FsCheck names ("Replay directly at failing step with (…)").
/// </summary>
public sealed partial class FuzzHarness(ClonusApiFactory factory, ITestOutputHelper output)
{
    public const int DefaultCases = 250;
    public const string CasesVariable = "CLONUS_FUZZ_CASES";
    public const string SeedVariable = "CLONUS_FUZZ_SEED";

    /// <summary>Candidate inputs tried while shrinking one failure (each is one HTTP call).</summary>
    private const int ShrinkBudget = 3000;

    /// <summary>
    /// A case that takes longer fails the property ("no answer"). The wait is on a separate task, so
    /// it holds even when the server spins synchronously on the calling thread (TestServer runs the
    /// pipeline inline until its first real await).
    /// </summary>
    private static readonly TimeSpan CaseTimeout = TimeSpan.FromSeconds(20);

    private const string ExceptionMiddlewareCategory = "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware";

    private readonly HttpClient _client = CreateClient(factory);

    public static int Cases { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultCases;

    private static HttpClient CreateClient(ClonusApiFactory factory)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.Timeout = TimeSpan.FromSeconds(60);
        return client;
    }

    /// <summary>Checks the property over <see cref="Cases"/> generated requests (on a pool thread: FsCheck runs properties synchronously).</summary>
    public Task RunAsync(string test, Gen<FuzzCase> generator, Surface surface) => Task.Run(() => Run(test, generator, surface));

    private void Run(string test, Gen<FuzzCase> generator, Surface surface)
    {
        var (rnd, size, seedText) = Seed();
        var maxTest = size is null ? Cases : 1;
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(maxTest)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(rnd, size is { } s ? FSharpOption<int>.Some(s) : FSharpOption<int>.None)));

        var stats = new Stats { ShrinkBudget = ShrinkBudget };
        var arbitrary = Arb.From(generator, c => c.Shrink().TakeWhile(_ => stats.TakeShrink()));
        var property = Prop.ForAll(arbitrary, c => Check(c, surface, stats));
        // Console, not the xunit output: it shows while the run is going, so a hang can be replayed.
        Console.WriteLine($"[fuzz] {test}: {maxTest} case(s), {SeedVariable}={seedText}");
        var clock = Stopwatch.StartNew();
        try
        {
            FsCheck.Check.One(config, property);
        }
        catch (Exception ex) when (ex is not FuzzPropertyException)
        {
            var replay = $"{SeedVariable}={seedText} {CasesVariable}={Cases} dotnet test tests/ClonusCds.Api.Tests --filter \"FullyQualifiedName~{test}\"";
            throw new FuzzPropertyException(
                $"Fuzz property {test} failed (seed {seedText}, {maxTest} case(s)). Replay the run with:{Environment.NewLine}  {replay}{Environment.NewLine}" +
                $"or the failing case alone with {SeedVariable}=<the three numbers FsCheck gives after \"Replay directly at failing step with\">.{Environment.NewLine}{Environment.NewLine}{ex.Message}");
        }
        finally
        {
            output.WriteLine($"{test}: {stats.Cases} requests ({maxTest} cases, seed {seedText}) in {clock.Elapsed.TotalSeconds:0.0} s; statuses {stats.Histogram()}");
            foreach (var note in stats.Notes)
            {
                output.WriteLine("  note: " + note);
            }
        }
    }

    private static (Rnd Rnd, int? Size, string Text) Seed()
    {
        var text = Environment.GetEnvironmentVariable(SeedVariable)?.Trim().Trim('(', ')');
        if (string.IsNullOrEmpty(text))
        {
            var fresh = new Rnd((ulong)System.Random.Shared.NextInt64());
            return (fresh, null, $"{fresh.Seed},{fresh.Gamma}");
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var seed = ulong.Parse(parts[0], CultureInfo.InvariantCulture);
        var rnd = parts.Length >= 2 ? new Rnd(seed, ulong.Parse(parts[1], CultureInfo.InvariantCulture)) : new Rnd(seed);
        int? size = parts.Length >= 3 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : null;
        return (rnd, size, $"{rnd.Seed},{rnd.Gamma}" + (size is null ? "" : $",{size}"));
    }

    // ------------------------------------------------------------------ one case

    private void Check(FuzzCase c, Surface surface, Stats stats)
    {
        var before = factory.Logs.Events.Count;
        var bytes = JText.ToBytes(c.Body);
        int status;
        string? mediaType;
        string body;
        var send = Task.Run(() => SendAsync(c, bytes));
        try
        {
            if (!send.Wait(CaseTimeout))
            {
                stats.TimedOut();
                Console.WriteLine($"[fuzz] no answer within {CaseTimeout.TotalSeconds:0} s to:{Environment.NewLine}{c}");
                throw new FuzzPropertyException($"no answer within {CaseTimeout.TotalSeconds:0} s");
            }

            (status, mediaType, body) = send.Result;
        }
        catch (AggregateException ex) when (ex.InnerException is TaskCanceledException)
        {
            throw new FuzzPropertyException($"no answer within {_client.Timeout.TotalSeconds:0} s");
        }

        var events = factory.Logs.Events.Skip(before).ToList();
        stats.Record(status);
        var failure = Verify(surface, status, mediaType, body, bytes);
        var errors = events.Where(e => e.Exception is not null || e.Level >= LogLevel.Error).ToList();
        if (failure is null)
        {
            // The middleware's own line is expected for every exception mapped to a 4xx (diagnostics are
            // kept on purpose, see FuzzApiFactory); anything else at Error is worth a look.
            var unexpected = errors.FirstOrDefault(e => e.Category != ExceptionMiddlewareCategory);
            if (unexpected is not null)
            {
                stats.Note($"HTTP {status} but the server logged {unexpected.Level} {unexpected.Category}: {unexpected.Message} ({c.Label})");
            }

            if (status >= 400 && body.Length > 64 * 1024)
            {
                stats.Note($"HTTP {status} with a {body.Length}-character error body for a {bytes.Length}-byte request ({c.Label})");
            }

            return;
        }

        var report = new StringBuilder()
            .AppendLine(failure)
            .AppendLine(CultureInfo.InvariantCulture, $"HTTP {status} {mediaType ?? "(no content type)"}")
            .AppendLine("response body: " + (body.Length > 1500 ? body[..1500] + "…" : body));
        foreach (var e in errors)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"server log [{e.Level}] {e.Category}: {e.Message}");
            if (e.Exception is not null)
            {
                report.AppendLine(e.Exception);
            }
        }

        throw new FuzzPropertyException(report.ToString());
    }

    private async Task<(int Status, string? MediaType, string Body)> SendAsync(FuzzCase c, byte[] bytes)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, c.Url);
        HttpContent content = c.Chunked ? new ChunkedContent(bytes) : new ByteArrayContent(bytes);
        if (c.ContentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
        }

        request.Content = content;
        // Without this TestServer buffers the content and sends a Content-Length.
        request.Headers.TransferEncodingChunked = c.Chunked;
        using var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    /// <summary>The property. Null when the response is acceptable, else why not.</summary>
    public static string? Verify(Surface surface, int status, string? mediaType, string body, byte[] request)
    {
        if (status is < 200 or >= 300 and < 400 or >= 500)
        {
            return $"status {status}: must be 2xx or 4xx";
        }

        var leak = Leak(body, request);
        if (leak is not null)
        {
            return $"the response body contains a .NET internals marker \"{leak}\"";
        }

        if (status >= 400)
        {
            return surface == Surface.CdsService && status == (int)HttpStatusCode.Unauthorized
                ? body.Length == 0 ? null : "a 401 from a CDS service must have an empty body"
                : Problem(status, mediaType, body);
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return $"a {status} body is not JSON";
        }

        return surface switch
        {
            Surface.CdsService when status != 200 || root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("cards", out var cards) || cards.ValueKind != JsonValueKind.Array
                => $"a {status} from a CDS service must be an object with a cards array",
            Surface.Assessments when root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("assessmentId", out _)
                => $"a {status} from assessments must be an assessment object",
            Surface.Feedback when root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("received", out _)
                => $"a {status} from feedback must be a receipt object",
            _ => null,
        };
    }

    private static string? Problem(int status, string? mediaType, string body)
    {
        if (mediaType != "application/problem+json")
        {
            return $"a {status} must be application/problem+json, not {mediaType ?? "(no content type)"}";
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return $"the {status} problem body is not an object";
            }

            if (!root.TryGetProperty("status", out var s) || s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out var value) || value != status)
            {
                return $"the problem's status member does not equal the HTTP status {status}";
            }

            return root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(title.GetString())
                ? null
                : $"the {status} problem has no title";
        }
        catch (JsonException)
        {
            return $"the {status} problem body is not JSON";
        }
    }

    /// <summary>A stack-trace or type-name marker in the body that the request did not itself contain.</summary>
    private static string? Leak(string body, byte[] request)
    {
        var found = LeakMarkers().Match(body);
        if (!found.Success)
        {
            return null;
        }

        var requestText = Encoding.UTF8.GetString(request);
        for (; found.Success; found = found.NextMatch())
        {
            // The whole word around the marker ("NullReferenceException", "System.Text"), at most 80 characters back.
            var start = found.Index;
            while (start > 0 && found.Index - start < 80 && (char.IsLetterOrDigit(body[start - 1]) || body[start - 1] is '.' or '_'))
            {
                start--;
            }

            var word = body[start..(found.Index + found.Length)];
            if (!requestText.Contains(word, StringComparison.Ordinal))
            {
                return word;
            }
        }

        return null;
    }

    // " at ClonusCds.", "System.<Type>", "Exception" ending a word (not "Exceptional"). No leading \w*:
    // on a body holding a long run of letters (an echoed 10 MB string) that backtracks quadratically.
    [GeneratedRegex(@" at ClonusCds\.|System\.[A-Z]|Exception\b", RegexOptions.CultureInvariant)]
    private static partial Regex LeakMarkers();

    /// <summary>The service still answers a valid request with 200.</summary>
    public async Task AssertHealthyAsync(string url, string body)
    {
        var (status, mediaType, text) = await SendAsync(new FuzzCase(url, "health", JRaw.Of("")), Encoding.UTF8.GetBytes(body));
        Assert.True(status == 200, $"after the property run a valid request to {url} answered {status} {mediaType}: {text}");
    }

    private sealed class Stats
    {
        private readonly SortedDictionary<int, int> _statuses = [];
        private readonly List<string> _notes = [];

        public int Cases { get; private set; }

        public int ShrinkBudget { get; set; }

        public bool TakeShrink() => --ShrinkBudget >= 0;

        /// <summary>A hang: each shrink step may hang again (and leave a thread spinning), so stop soon.</summary>
        public void TimedOut() => ShrinkBudget = Math.Min(ShrinkBudget, 10);

        public IReadOnlyList<string> Notes => _notes;

        public void Record(int status)
        {
            Cases++;
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
        }

        public void Note(string note)
        {
            if (_notes.Count < 10)
            {
                _notes.Add(note);
            }
        }

        public string Histogram() => string.Join(", ", _statuses.Select(s => $"{s.Key}×{s.Value}"));
    }

    /// <summary>
    /// A body sent without Content-Length (chunked), so only the server's body-size feature can stop it.
    /// TestServer has no IHttpMaxRequestBodySizeFeature: in memory a chunked body over the limit is read
    /// in full (Kestrel would stop it with 413), so these cases test the readers, not the limit.
    /// </summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += 64 * 1024)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(64 * 1024, bytes.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
