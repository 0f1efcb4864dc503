using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>The outcome of a key lookup: whether the key set could be had at all, and the keys with the kid.</summary>
internal readonly record struct CdsKeyLookup(bool Available, IReadOnlyList<JsonWebKey> Keys);

/// <summary>
/// Public keys of trusted issuers: the static JWK Sets from configuration (loaded once), and JWK Sets
/// fetched from allow-listed <c>jku</c> URLs (cached, refetched at most once per
/// <see cref="CdsTrustOptions.JwksMinRefetchSeconds"/> when a kid is unknown or a fetch failed).
/// Callers check the allow-list before asking for a jku: this class fetches whatever it is given.
/// </summary>
internal sealed partial class CdsJwksProvider
{
    /// <summary>Named HttpClient for jku fetches (no redirects, no cookies, short timeout).</summary>
    public const string HttpClientName = "cds-hooks-jku";

    private const int MaxJwksBytes = 64 * 1024;

    private readonly Dictionary<string, IReadOnlyList<JsonWebKey>> _static = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RemoteSet> _remote = new(StringComparer.Ordinal);
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _time;
    private readonly ILogger<CdsJwksProvider> _logger;
    private readonly TimeSpan _cacheFor;
    private readonly TimeSpan _minRefetch;

    public CdsJwksProvider(IOptions<CdsTrustOptions> options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<CdsJwksProvider> logger)
    {
        _httpClientFactory = httpClientFactory;
        _time = time;
        _logger = logger;
        var o = options.Value;
        _cacheFor = TimeSpan.FromSeconds(o.JwksCacheSeconds);
        _minRefetch = TimeSpan.FromSeconds(o.JwksMinRefetchSeconds);
        foreach (var issuer in o.Issuers)
        {
            var keys = new List<JsonWebKey>();
            // Validated at startup (CdsTrustOptionsValidator); an unreadable set here simply adds no keys.
            if (!string.IsNullOrWhiteSpace(issuer.Jwks) && CdsJwks.TryParse(issuer.Jwks, out var inline, out _))
            {
                keys.AddRange(inline);
            }

            if (!string.IsNullOrWhiteSpace(issuer.JwksPath) && File.Exists(issuer.JwksPath)
                && CdsJwks.TryParse(File.ReadAllText(issuer.JwksPath), out var fromFile, out _))
            {
                keys.AddRange(fromFile);
            }

            _static[issuer.Issuer] = keys;
        }
    }

    /// <summary>The issuer's configured keys with this kid.</summary>
    public CdsKeyLookup StaticKeys(string issuer, string kid) =>
        new(true, _static.TryGetValue(issuer, out var keys) ? CdsJwks.WithKid(keys, kid) : []);

    /// <summary>The keys with this kid in the JWK Set at <paramref name="jku"/> (already allow-listed).</summary>
    public async Task<CdsKeyLookup> RemoteKeysAsync(string jku, string kid, CancellationToken ct)
    {
        var set = _remote.GetOrAdd(jku, _ => new RemoteSet());
        var now = _time.GetUtcNow();
        var snapshot = set.Snapshot;
        if (snapshot is not null && now - snapshot.FetchedAt < _cacheFor)
        {
            var found = CdsJwks.WithKid(snapshot.Keys, kid);
            if (found.Count > 0 || now - set.LastAttempt < _minRefetch)
            {
                return new(true, found);
            }
        }

        await set.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            now = _time.GetUtcNow();
            snapshot = set.Snapshot;
            var fresh = snapshot is not null && now - snapshot.FetchedAt < _cacheFor;
            if (now - set.LastAttempt < _minRefetch)
            {
                // Fetched (or failed) very recently, possibly by a request we waited behind: no new fetch.
                return fresh ? new(true, CdsJwks.WithKid(snapshot!.Keys, kid)) : new(false, []);
            }

            set.LastAttempt = now;
            var keys = await FetchAsync(jku).ConfigureAwait(false);
            if (keys is null)
            {
                return fresh ? new(true, CdsJwks.WithKid(snapshot!.Keys, kid)) : new(false, []);
            }

            set.Snapshot = new Snapshot(keys, now);
            return new(true, CdsJwks.WithKid(keys, kid));
        }
        finally
        {
            set.Gate.Release();
        }
    }

    private async Task<IReadOnlyList<JsonWebKey>?> FetchAsync(string jku)
    {
        try
        {
            // Not tied to the request's cancellation: an aborted request must not count as a failed fetch.
            var client = _httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.GetAsync(new Uri(jku), HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                LogFetchFailed(_logger, jku, $"HTTP {(int)response.StatusCode}");
                return null;
            }

            if (response.Content.Headers.ContentLength > MaxJwksBytes)
            {
                LogFetchFailed(_logger, jku, "too large");
                return null;
            }

            var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxJwksBytes + 1];
                var length = 0;
                int read;
                while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length)).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }

                if (length > MaxJwksBytes)
                {
                    LogFetchFailed(_logger, jku, "too large");
                    return null;
                }

                if (!CdsJwks.TryParse(Encoding.UTF8.GetString(buffer, 0, length), out var keys, out var error))
                {
                    LogFetchFailed(_logger, jku, error ?? "not a JWK Set");
                    return null;
                }

                LogFetched(_logger, jku, keys.Count);
                return keys;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or InvalidOperationException or UriFormatException)
        {
            LogFetchFailed(_logger, jku, ex is OperationCanceledException ? "timeout" : ex.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "Fetched the CDS Client JWK Set at {Jku}: {KeyCount} keys")]
    private static partial void LogFetched(ILogger logger, string jku, int keyCount);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "Could not fetch the CDS Client JWK Set at {Jku}: {Error}")]
    private static partial void LogFetchFailed(ILogger logger, string jku, string error);

    private sealed record Snapshot(IReadOnlyList<JsonWebKey> Keys, DateTimeOffset FetchedAt);

    private sealed class RemoteSet
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public Snapshot? Snapshot { get; set; }

        // Read outside the gate by the fast path: kept as ticks and read/written atomically.
        private long _lastAttemptTicks = DateTimeOffset.MinValue.UtcTicks;

        public DateTimeOffset LastAttempt
        {
            get => new(Interlocked.Read(ref _lastAttemptTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _lastAttemptTicks, value.UtcTicks);
        }
    }
}
