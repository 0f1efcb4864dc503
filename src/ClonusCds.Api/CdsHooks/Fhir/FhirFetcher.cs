using Microsoft.Extensions.Http.Resilience;
using Polly;
using System.Net.Http.Headers;
using System.Text.Json;
using ClonusCds.Api.Infrastructure.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using R4 = Hl7.Fhir.Model;

namespace ClonusCds.Api.CdsHooks.Fhir;

/// <summary>The FHIR server could not supply data the service needs (the caller answers 412).</summary>
internal sealed class FhirFetchException : Exception
{
    public FhirFetchException() : base("FHIR fetch failed") { }

    public FhirFetchException(string message) : base(message) { }

    public FhirFetchException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Reads prefetch templates from the CDS Client's FHIR server with the bearer token the client
/// passed in <c>fhirAuthorization</c>. The token is used for these requests only and never logged.
/// The HTTP client is the named client <see cref="ClientName"/> from <see cref="IHttpClientFactory"/>
/// (<see cref="FhirFetchRegistration"/>): no redirects, the connect-time address policy, and no
/// logging handlers (they would log URLs with patient ids).
/// </summary>
internal sealed class FhirFetcher(IHttpClientFactory clients, IOptions<CdsHooksOptions> options, ClonusMetrics metrics)
{
    /// <summary>The named HTTP client.</summary>
    public const string ClientName = "clonus-fhir";

    private readonly FhirFetchOptions _options = options.Value.Fhir;

    /// <summary>
    /// Whether the service may call that server: an absolute https URL (http only when allowed by
    /// configuration) without userinfo, under an allow-list entry by parsed origin and whole path
    /// segments when a list is configured (<see cref="FhirUrlPolicy"/>).
    /// </summary>
    public bool Allowed(Uri server) => FhirUrlPolicy.IsAllowedServer(server, _options.AllowedServers, _options.AllowHttp);

    /// <summary>Reads one template (already filled in) and follows searchset pages up to the limit.</summary>
    public async Task<PrefetchData> FetchAsync(Uri server, string token, string key, string relativeUrl, CancellationToken ct)
    {
        var data = new PrefetchData(key, PrefetchOrigin.Fetched);
        var url = new Uri(server.AbsoluteUri.TrimEnd('/') + "/" + relativeUrl.TrimStart('/'));
        using var first = await GetAsync(url, token, notFoundIsNull: !relativeUrl.Contains('?', StringComparison.Ordinal), ct);
        if (first is null)
        {
            data.Null = true;
            return data;
        }

        Add(data, first.RootElement);
        await FollowAsync(server, token, data, ct);
        return data;
    }

    /// <summary>
    /// Reads one referenced resource: <c>Type/id</c> relative to the server, or an absolute
    /// reference only when it lies under the client's FHIR server (<see cref="FhirUrlPolicy.IsFollowable"/>:
    /// the token never leaves that server). Null when the server has no such resource (404/410)
    /// or the reference is not one this service may follow.
    /// </summary>
    public async Task<R4.Resource?> ReadAsync(Uri server, string token, string reference, CancellationToken ct)
    {
        Uri url;
        if (Uri.TryCreate(reference, UriKind.Absolute, out _))
        {
            if (!FhirUrlPolicy.IsFollowable(reference, server, out var absolute))
            {
                return null;
            }

            url = absolute!;
        }
        else if (FhirReferenceResolver.Normalize(reference) is { } typeId)
        {
            url = new Uri(server.AbsoluteUri.TrimEnd('/') + "/" + string.Join('/', typeId.Split('/').Select(Uri.EscapeDataString)));
        }
        else
        {
            return null;
        }

        using var doc = await GetAsync(url, token, notFoundIsNull: true, ct);
        return doc is null ? null : Deserialize(doc.RootElement);
    }

    /// <summary>Follows a searchset's next links on the same server, up to MaxPages in all.</summary>
    public async Task FollowAsync(Uri server, string token, PrefetchData data, CancellationToken ct)
    {
        for (var page = 1; data.Next is { } next && page < _options.MaxPages; page++)
        {
            if (!FhirUrlPolicy.IsFollowable(next, server, out var nextUrl))
            {
                // A next link off the client's server (another origin, userinfo, or outside its
                // path) is not followed: the token must not leave the server.
                return;
            }

            using var doc = await GetAsync(nextUrl!, token, notFoundIsNull: false, ct);
            if (doc is null)
            {
                return;
            }

            Add(data, doc.RootElement);
        }
    }

    private static void Add(PrefetchData data, JsonElement root) => data.Add(Deserialize(root));

    /// <summary>
    /// The server's answer as a POCO, read with the same rules as prefetch (<see cref="FhirResources"/>);
    /// the problems go to the log only (through the exception), never to the caller.
    /// </summary>
    private static R4.Resource Deserialize(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(type.GetString()))
        {
            throw new FhirFetchException("The FHIR server answered with something that is not a FHIR resource.");
        }

        var problems = new Dictionary<string, string[]>();
        return FhirResources.Read(root, "$", problems)
            ?? throw new FhirFetchException($"The FHIR server answered with invalid FHIR R4 ({string.Join("; ", problems.Take(3).Select(p => $"{p.Key}: {p.Value[0]}"))}).");
    }

    /// <summary>
    /// A failure worth one quick retry: the connection failed or was reset (not an address the policy
    /// refused), a per-attempt timeout, or 502/503/504. Never a 4xx (the token or the request is wrong)
    /// or 500 (the server's own error, likely to repeat).
    /// </summary>
    internal static bool IsRetryable(Polly.Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException ex } => !FhirAddressRefusedException.In(ex),
        { Exception: Polly.Timeout.TimeoutRejectedException } => true,
        { Result: { } response } => response.StatusCode is System.Net.HttpStatusCode.BadGateway or System.Net.HttpStatusCode.ServiceUnavailable
            or System.Net.HttpStatusCode.GatewayTimeout,
        _ => false,
    };

    private async Task<JsonDocument?> GetAsync(Uri url, string token, bool notFoundIsNull, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutSeconds));
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (notFoundIsNull && response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Gone)
            {
                metrics.FhirFetch("not_found");
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                metrics.FhirFetch(response.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Gone ? "not_found" : "http_error");
                throw new FhirFetchException($"The FHIR server answered {(int)response.StatusCode}.");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            var document = await JsonDocument.ParseAsync(stream, new JsonDocumentOptions { MaxDepth = 128 }, timeout.Token);
            metrics.FhirFetch("ok");
            return document;
        }
        catch (Exception ex) when (ex is Polly.Timeout.TimeoutRejectedException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            metrics.FhirFetch("timeout");
            throw new FhirFetchException($"The FHIR server did not answer within {_options.TimeoutSeconds:0.#} s.");
        }
        catch (HttpRequestException ex)
        {
            metrics.FhirFetch(FhirAddressRefusedException.In(ex) ? "refused" : "unreachable");
            throw new FhirFetchException("The FHIR server could not be reached.", ex);
        }
        catch (JsonException ex)
        {
            metrics.FhirFetch("invalid_response");
            throw new FhirFetchException("The FHIR server answered with invalid JSON.", ex);
        }
    }
}

/// <summary>Registers the FHIR fetch path: the named client and the fetcher.</summary>
internal static class FhirFetchRegistration
{
    public static IServiceCollection AddFhirFetch(this IServiceCollection services)
    {
        services.AddHttpClient(FhirFetcher.ClientName, client =>
            {
                // The budget is the resilience pipeline's (below) and, for the body, the fetcher's own.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = 16 * 1024 * 1024;
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var fhir = sp.GetRequiredService<IOptions<CdsHooksOptions>>().Value.Fhir;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    ConnectTimeout = TimeSpan.FromSeconds(Math.Max(1, fhir.TimeoutSeconds)),
                    // Addresses are checked after DNS resolution, at connect time (no rebinding around it).
                    ConnectCallback = (context, ct) => FhirAddressPolicy.ConnectAsync(context, fhir, ct),
                };
            })
            // No logging handlers: they would log URLs with patient ids.
            .RemoveAllLoggers()
            // Microsoft.Extensions.Http.Resilience: the request's total budget, an optional per-attempt
            // timeout, and at most MaxRetries quick retries of fast transient failures inside the budget
            // (the token goes only to the same server again). Redirects stay off (the handler above).
            .AddResilienceHandler("fhir", (pipeline, context) =>
            {
                var fhir = context.ServiceProvider.GetRequiredService<IOptions<CdsHooksOptions>>().Value.Fhir;
                var budget = TimeSpan.FromSeconds(fhir.TimeoutSeconds);
                pipeline.AddTimeout(budget);
                if (fhir.MaxRetries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = fhir.MaxRetries,
                        BackoffType = DelayBackoffType.Constant,
                        Delay = TimeSpan.FromMilliseconds(100),
                        UseJitter = true,
                        ShouldRetryAfterHeader = false,
                        ShouldHandle = args => ValueTask.FromResult(FhirFetcher.IsRetryable(args.Outcome)),
                    });
                }

                if (fhir.AttemptTimeoutSeconds is { } attempt && attempt < fhir.TimeoutSeconds)
                {
                    pipeline.AddTimeout(TimeSpan.FromSeconds(attempt));
                }
            });
        services.AddOptions<CdsHooksOptions>()
            .Validate(o => o.Fhir.TimeoutSeconds is >= 0.1 and <= 60, "CdsHooks:Fhir:TimeoutSeconds must be between 0.1 and 60.")
            .Validate(o => o.Fhir.AttemptTimeoutSeconds is null or (>= 0.1 and <= 60), "CdsHooks:Fhir:AttemptTimeoutSeconds must be between 0.1 and 60 (unset: the whole budget).")
            .Validate(o => o.Fhir.MaxRetries is >= 0 and <= 2, "CdsHooks:Fhir:MaxRetries must be 0, 1 or 2.")
            .ValidateOnStart();
        services.TryAddSingleton<ClonusMetrics>();
        services.AddSingleton<FhirFetcher>();
        return services;
    }
}
