using Microsoft.Extensions.Options;

namespace ClonusCds.Api.CdsHooks.Trust;

/// <summary>The outcome of recording a jti.</summary>
internal enum CdsReplayOutcome
{
    /// <summary>First use: recorded.</summary>
    Recorded,

    /// <summary>Seen before for this issuer and not yet expired.</summary>
    Replayed,

    /// <summary>The cache is full of unexpired entries: the token is refused (fail closed).</summary>
    Full,

    /// <summary>The shared store could not be reached: the token is refused (fail closed).</summary>
    Unavailable,
}

/// <summary>
/// Where (issuer, jti) pairs are remembered: <see cref="CdsJtiReplayCache"/> in memory for one
/// process (the SQLite default), <see cref="PostgresJtiReplayStore"/> on the database every replica
/// shares, so a token used on one replica is refused on another.
/// </summary>
internal interface IJtiReplayStore
{
    /// <summary>Records the jti unless it was seen before and is still remembered; never throws for a store failure (answers Unavailable).</summary>
    ValueTask<CdsReplayOutcome> TryRecordAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken ct);
}

/// <summary>
/// In memory: remembers each (issuer, jti) until its token's <c>exp</c> plus the clock skew, so a token is
/// accepted once. In memory, per process (instances behind a load balancer do not share it). Expired
/// entries are dropped on every insert; the number of live entries is bounded by
/// <see cref="CdsTrustOptions.ReplayCacheCapacity"/>, and when that is reached new tokens are
/// rejected rather than old ones forgotten: forgetting would let those tokens be replayed.
/// </summary>
internal sealed class CdsJtiReplayCache(IOptions<CdsTrustOptions> options, TimeProvider time) : IJtiReplayStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Issuer, string Jti), DateTimeOffset> _seen = [];
    private readonly PriorityQueue<(string Issuer, string Jti), DateTimeOffset> _byExpiry = new();
    private readonly int _capacity = options.Value.ReplayCacheCapacity;

    /// <summary>Live entries (after the last purge).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _seen.Count;
            }
        }
    }

    public ValueTask<CdsReplayOutcome> TryRecordAsync(string issuer, string jti, DateTimeOffset keepUntil, CancellationToken ct) =>
        ValueTask.FromResult(TryRecord(issuer, jti, keepUntil));

    /// <summary>Records the jti unless it was seen before (and is still remembered) or the cache is full.</summary>
    public CdsReplayOutcome TryRecord(string issuer, string jti, DateTimeOffset keepUntil)
    {
        var key = (issuer, jti);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            while (_byExpiry.TryPeek(out var oldest, out var until) && until <= now)
            {
                _byExpiry.Dequeue();
                _seen.Remove(oldest);
            }

            if (_seen.ContainsKey(key))
            {
                return CdsReplayOutcome.Replayed;
            }

            if (_seen.Count >= _capacity)
            {
                return CdsReplayOutcome.Full;
            }

            _seen[key] = keepUntil;
            _byExpiry.Enqueue(key, keepUntil);
            return CdsReplayOutcome.Recorded;
        }
    }
}
