using System.Collections.Concurrent;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace ClonusCds.Api.Security;

/// <summary>The outcome of a key lookup: whether the key set could be had at all, and the keys with the kid.</summary>
internal readonly record struct JwtKeyLookup(bool Available, IReadOnlyList<JsonWebKey> Keys);

/// <summary>Where <see cref="ClonusJwtHandler"/> finds public keys.</summary>
internal interface IJwtKeySource
{
    /// <summary>The issuer's configured keys with this kid.</summary>
    JwtKeyLookup StaticKeys(string issuer, string kid);

    /// <summary>The keys with this kid in the JWK Set at <paramref name="url"/> (already allow-listed by the caller).</summary>
    Task<JwtKeyLookup> RemoteKeysAsync(string url, string kid, CancellationToken ct);
}

/// <summary>
/// Public keys of trusted issuers: each issuer's static JWK Sets (inline and file, loaded once), and
/// JWK Sets fetched from URLs (see <see cref="RemoteJwksCache"/>). Each trust domain (CDS Hooks,
/// REST API) derives its own store from its own settings.
/// </summary>
internal abstract class JwtKeyStore : IJwtKeySource
{
    private readonly Dictionary<string, IReadOnlyList<JsonWebKey>> _static = new(StringComparer.Ordinal);
    private readonly RemoteJwksCache _remote;

    protected JwtKeyStore(IEnumerable<(string Issuer, string? Jwks, string? JwksPath)> issuers, RemoteJwksCache remote)
    {
        _remote = remote;
        foreach (var (issuer, jwks, jwksPath) in issuers)
        {
            _static[issuer] = JwkSets.LoadStatic(jwks, jwksPath);
        }
    }

    /// <inheritdoc />
    public JwtKeyLookup StaticKeys(string issuer, string kid) =>
        new(true, _static.TryGetValue(issuer, out var keys) ? JwkSets.WithKid(keys, kid) : []);

    /// <inheritdoc />
    public Task<JwtKeyLookup> RemoteKeysAsync(string url, string kid, CancellationToken ct) => _remote.KeysAsync(url, kid, ct);
}

/// <summary>
/// JWK Sets fetched over HTTP (GET, through a named client with no redirects and no cookies, at most
/// 64 KB), cached for <c>cacheFor</c> and refetched at most once per <c>minRefetch</c> when a kid is
/// unknown or a fetch failed. It fetches whatever URL it is given: callers check their allow-list first.
/// </summary>
internal sealed partial class RemoteJwksCache(
    IHttpClientFactory httpClientFactory, string httpClientName, TimeProvider time, TimeSpan cacheFor, TimeSpan minRefetch, ILogger logger, string owner)
{
    private const int MaxJwksBytes = 64 * 1024;

    private readonly ConcurrentDictionary<string, RemoteSet> _remote = new(StringComparer.Ordinal);

    /// <summary>The keys with this kid in the JWK Set at <paramref name="url"/>.</summary>
    public async Task<JwtKeyLookup> KeysAsync(string url, string kid, CancellationToken ct)
    {
        var set = _remote.GetOrAdd(url, _ => new RemoteSet());
        var now = time.GetUtcNow();
        var snapshot = set.Snapshot;
        if (snapshot is not null && now - snapshot.FetchedAt < cacheFor)
        {
            var found = JwkSets.WithKid(snapshot.Keys, kid);
            if (found.Count > 0 || now - set.LastAttempt < minRefetch)
            {
                return new(true, found);
            }
        }

        await set.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            now = time.GetUtcNow();
            snapshot = set.Snapshot;
            var fresh = snapshot is not null && now - snapshot.FetchedAt < cacheFor;
            if (now - set.LastAttempt < minRefetch)
            {
                // Fetched (or failed) very recently, possibly by a request we waited behind: no new fetch.
                return fresh ? new(true, JwkSets.WithKid(snapshot!.Keys, kid)) : new(false, []);
            }

            set.LastAttempt = now;
            var keys = await FetchAsync(url).ConfigureAwait(false);
            if (keys is null)
            {
                return fresh ? new(true, JwkSets.WithKid(snapshot!.Keys, kid)) : new(false, []);
            }

            set.Snapshot = new Snapshot(keys, now);
            return new(true, JwkSets.WithKid(keys, kid));
        }
        finally
        {
            set.Gate.Release();
        }
    }

    private async Task<IReadOnlyList<JsonWebKey>?> FetchAsync(string url)
    {
        try
        {
            // Not tied to the request's cancellation: an aborted request must not count as a failed fetch.
            var client = httpClientFactory.CreateClient(httpClientName);
            using var response = await client.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                LogFetchFailed(logger, owner, url, $"HTTP {(int)response.StatusCode}");
                return null;
            }

            if (response.Content.Headers.ContentLength > MaxJwksBytes)
            {
                LogFetchFailed(logger, owner, url, "too large");
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
                    LogFetchFailed(logger, owner, url, "too large");
                    return null;
                }

                if (!JwkSets.TryParse(Encoding.UTF8.GetString(buffer, 0, length), out var keys, out var error))
                {
                    LogFetchFailed(logger, owner, url, error ?? "not a JWK Set");
                    return null;
                }

                LogFetched(logger, owner, url, keys.Count);
                return keys;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException or InvalidOperationException or UriFormatException)
        {
            LogFetchFailed(logger, owner, url, ex is OperationCanceledException ? "timeout" : ex.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "Fetched the {Owner} JWK Set at {Url}: {KeyCount} keys")]
    private static partial void LogFetched(ILogger logger, string owner, string url, int keyCount);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "Could not fetch the {Owner} JWK Set at {Url}: {Error}")]
    private static partial void LogFetchFailed(ILogger logger, string owner, string url, string error);

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

/// <summary>The named HttpClient for JWK Set fetches.</summary>
internal static class JwksHttp
{
    /// <summary>Registers a client that never follows redirects (a redirect could lead off an allow-list) and keeps no cookies.</summary>
    public static IServiceCollection AddJwksHttpClient(this IServiceCollection services, string name, Func<IServiceProvider, double> timeoutSeconds)
    {
        services.AddHttpClient(name)
            .ConfigureHttpClient((sp, client) => client.Timeout = TimeSpan.FromSeconds(timeoutSeconds(sp)))
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                ConnectTimeout = TimeSpan.FromSeconds(timeoutSeconds(sp)),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        return services;
    }
}
