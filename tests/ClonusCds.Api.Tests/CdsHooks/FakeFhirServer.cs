using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ClonusCds.Api.CdsHooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>One request the fake FHIR server saw.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="PathAndQuery">Path and query as received.</param>
/// <param name="Key">Normalised relative URL (<c>Observation?category=vital-signs&amp;patient=…</c>): type or
/// instance path, then the decoded query parameters sorted, <c>_format</c> dropped.</param>
/// <param name="Authorization">The Authorization header, if any.</param>
/// <param name="Status">The status the server answered.</param>
public sealed record RecordedFhirRequest(string Method, string PathAndQuery, string Key, string? Authorization, int Status);

/// <summary>
/// A real FHIR server on loopback (Kestrel on 127.0.0.1, random port) for the service's own FHIR calls:
/// answers reads and searches registered by relative URL, records every request with its Authorization
/// header, and can demand a bearer token, answer slowly, fail, or paginate with next links back to itself.
/// </summary>
public sealed class FakeFhirServer : IAsyncDisposable
{
    private const string FhirJson = "application/fhir+json";

    private readonly WebApplication _app;
    private readonly string _basePath;
    private readonly ConcurrentDictionary<string, (int Status, string Body)> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedFhirRequest> _requests = new();

    private FakeFhirServer(WebApplication app, string basePath)
    {
        _app = app;
        _basePath = basePath;
    }

    /// <summary>Base URL to pass as fhirServer (no trailing slash), e.g. http://127.0.0.1:41234/fhir/r4.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>When set, requests without <c>Authorization: Bearer &lt;token&gt;</c> get 401.</summary>
    public string? RequiredBearerToken { get; set; }

    /// <summary>Wait this long before answering (the wait ends early if the caller gives up).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Every request, in arrival order.</summary>
    public IReadOnlyList<RecordedFhirRequest> Requests => _requests.ToList();

    /// <summary>Starts a server whose FHIR base is <paramref name="basePath"/> on a free loopback port.</summary>
    public static async Task<FakeFhirServer> StartAsync(string basePath = "/fhir/r4")
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ContentRootPath = AppContext.BaseDirectory,
        });
        // The test output folder holds the API's appsettings.json; the fake needs none of it.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeFhirServer(app, basePath.TrimEnd('/'));
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/') + server._basePath;
        return server;
    }

    /// <summary>Answers GET {base}/{relativeUrl} (e.g. <c>Patient/123</c> or <c>Condition?patient=123&amp;clinical-status=active</c>).</summary>
    public void Register(string relativeUrl, JsonNode? body, int status = 200) =>
        _routes[Normalise(relativeUrl)] = (status, body?.ToJsonString() ?? "null");

    /// <summary>
    /// Answers a search page by page: page 1 at <paramref name="relativeUrl"/>, later pages at
    /// {base}/_page?set=…&amp;page=n, each page's Bundle linking to the next with an absolute URL.
    /// Returns the absolute URLs of pages 2…n.
    /// </summary>
    public IReadOnlyList<string> RegisterPaged(string relativeUrl, JsonObject bundle, int pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var entries = (bundle["entry"] as JsonArray)?.Select(e => e!.DeepClone()).ToList() ?? [];
        var pages = Math.Max(1, (entries.Count + pageSize - 1) / pageSize);
        var set = Guid.NewGuid().ToString("N");
        var later = new List<string>();
        for (var page = 1; page <= pages; page++)
        {
            var copy = (JsonObject)bundle.DeepClone();
            copy["total"] = entries.Count;
            var slice = entries.Skip((page - 1) * pageSize).Take(pageSize).Select(e => e.DeepClone()).ToArray();
            if (slice.Length > 0)
            {
                copy["entry"] = new JsonArray(slice);
            }
            else
            {
                copy.Remove("entry");
            }

            var self = page == 1 ? $"{BaseUrl}/{relativeUrl}" : PageUrl(set, page);
            var links = new JsonArray { new JsonObject { ["relation"] = "self", ["url"] = self } };
            if (page < pages)
            {
                links.Add(new JsonObject { ["relation"] = "next", ["url"] = PageUrl(set, page + 1) });
            }

            copy["link"] = links;
            Register(page == 1 ? relativeUrl : $"_page?set={set}&page={page}", copy);
            if (page > 1)
            {
                later.Add(self);
            }
        }

        return later;
    }

    /// <summary>Absolute URL of page <paramref name="page"/> of a paged set.</summary>
    private string PageUrl(string set, int page) => $"{BaseUrl}/_page?set={set}&page={page}";

    /// <summary>
    /// Serves every prefetch value of a CDS Hooks request at the relative URL its catalog template
    /// produces for that request's context, as the EHR's FHIR server would; keys listed in
    /// <paramref name="pageSizes"/> are served paginated.
    /// </summary>
    public void RegisterPrefetch(JsonObject request, IReadOnlyDictionary<string, int>? pageSizes = null)
    {
        var prefetch = request["prefetch"] as JsonObject ?? throw new ArgumentException("request has no prefetch", nameof(request));
        var context = request["context"] as JsonObject ?? throw new ArgumentException("request has no context", nameof(request));
        foreach (var (key, value) in prefetch)
        {
            if (!CdsServiceCatalog.Prefetch.TryGetValue(key, out var template) || value is null)
            {
                continue;
            }

            var url = RelativeUrl(template, context);
            if (pageSizes is not null && pageSizes.TryGetValue(key, out var size) && value is JsonObject bundle)
            {
                RegisterPaged(url, bundle, size);
            }
            else
            {
                Register(url, value.DeepClone());
            }
        }

        // A search for data the fixture does not carry finds nothing on a real server: an empty searchset, not 404.
        foreach (var key in CdsServiceCatalog.SupplementaryKeys.Where(k => !prefetch.ContainsKey(k)))
        {
            Register(RelativeUrl(CdsServiceCatalog.Prefetch[key], context), new JsonObject { ["resourceType"] = "Bundle", ["type"] = "searchset", ["total"] = 0 });
        }
    }

    /// <summary>The catalog template of a prefetch key with its tokens filled from a request context.</summary>
    public static string RelativeUrl(string template, JsonObject context)
    {
        var url = template;
        foreach (var (name, value) in context)
        {
            if (value is JsonValue v && v.TryGetValue<string>(out var s))
            {
                url = url.Replace("{{context." + name + "}}", s, StringComparison.Ordinal);
            }
        }

        return url;
    }

    /// <summary>The normalised key the server records for the request a prefetch key's template produces.</summary>
    public static string KeyFor(string prefetchKey, JsonObject context) =>
        Normalise(RelativeUrl(CdsServiceCatalog.Prefetch[prefetchKey], context));

    /// <summary>Answers <paramref name="status"/> to every path starting with <paramref name="relativePathPrefix"/> ("" for all).</summary>
    public void Fail(string relativePathPrefix, int status) => _failures[relativePathPrefix] = status;

    /// <summary>Answers <paramref name="status"/> to the first <paramref name="times"/> requests under the prefix, then as registered.</summary>
    public void FailFirst(string relativePathPrefix, int status, int times) => _transient[relativePathPrefix] = new TransientFailure(status, times);

    private sealed class TransientFailure(int status, int times)
    {
        private int _remaining = times;

        public int Status { get; } = status;

        public bool Take() => Interlocked.Decrement(ref _remaining) >= 0;
    }

    private readonly ConcurrentDictionary<string, TransientFailure> _transient = new(StringComparer.Ordinal);

    /// <summary>Type or instance path plus sorted decoded query parameters, without _format.</summary>
    public static string Normalise(string relativeUrl)
    {
        var q = relativeUrl.IndexOf('?', StringComparison.Ordinal);
        var path = (q < 0 ? relativeUrl : relativeUrl[..q]).Trim('/');
        var query = q < 0 ? "" : relativeUrl[q..];
        return Normalise(path, QueryHelpers.ParseQuery(query));
    }

    private static string Normalise(string path, IDictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        var pairs = query
            .Where(p => !string.Equals(p.Key, "_format", StringComparison.Ordinal))
            .SelectMany(p => p.Value.Select(v => $"{p.Key}={v}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        return pairs.Count == 0 ? path : $"{path}?{string.Join("&", pairs)}";
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.Count > 0 ? request.Headers.Authorization.ToString() : null;
        var pathValue = request.Path.Value ?? "";
        var relativePath = pathValue.StartsWith(_basePath + "/", StringComparison.Ordinal) ? pathValue[(_basePath.Length + 1)..] : null;
        var key = relativePath is null ? pathValue : Normalise(relativePath.Trim('/'), QueryHelpers.ParseQuery(request.QueryString.Value));

        var (status, body) = Answer(request.Method, relativePath, key, authorization);
        _requests.Enqueue(new RecordedFhirRequest(request.Method, pathValue + request.QueryString.Value, key, authorization, status));

        if (Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
        }

        context.Response.ContentType = FhirJson;
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    private (int Status, string Body) Answer(string method, string? relativePath, string key, string? authorization)
    {
        if (!HttpMethods.IsGet(method))
        {
            return (StatusCodes.Status405MethodNotAllowed, Outcome("not-supported", "only GET is served"));
        }

        if (relativePath is null)
        {
            return (StatusCodes.Status404NotFound, Outcome("not-found", "outside the FHIR base"));
        }

        if (RequiredBearerToken is { } token && !string.Equals(authorization, "Bearer " + token, StringComparison.Ordinal))
        {
            return (StatusCodes.Status401Unauthorized, Outcome("login", "bearer token required"));
        }

        foreach (var (prefix, transient) in _transient)
        {
            if (relativePath.StartsWith(prefix, StringComparison.Ordinal) && transient.Take())
            {
                return (transient.Status, Outcome("transient", "configured transient failure"));
            }
        }

        foreach (var (prefix, failure) in _failures)
        {
            if (relativePath.StartsWith(prefix, StringComparison.Ordinal))
            {
                return (failure, Outcome("exception", "configured failure"));
            }
        }

        return _routes.TryGetValue(key, out var route)
            ? route
            : (StatusCodes.Status404NotFound, Outcome("not-found", $"nothing registered for {key}"));
    }

    private static string Outcome(string code, string diagnostics) =>
        new JsonObject
        {
            ["resourceType"] = "OperationOutcome",
            ["issue"] = new JsonArray { new JsonObject { ["severity"] = "error", ["code"] = code, ["diagnostics"] = diagnostics } },
        }.ToJsonString();

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
    }
}
