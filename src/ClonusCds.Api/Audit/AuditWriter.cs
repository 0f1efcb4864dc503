using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Audit;

/// <summary>
/// Writes queued audit records in batches (one transaction each) and purges expired ones. A batch
/// that fails is retried with back-off (Audit:WriteAttempts), then dropped, counted and logged. On a
/// graceful stop the queue is closed and everything in it is written before the process exits (the
/// web server stops first, so requests in flight are recorded too).
/// </summary>
internal sealed partial class AuditWriter(
    AuditTrail trail,
    IAuditStore store,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditWriter> logger) : IHostedService, IDisposable
{
    private readonly AuditOptions _options = options.Value;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>Raised after each batch is stored, with its size (metrics).</summary>
    public event Action<long>? RecordsWritten;

    /// <summary>Records stored since start.</summary>
    public long Written => Interlocked.Read(ref _written);

    private long _written;

    // Not a BackgroundService: its ExecuteAsync is started on the thread pool with the stopping
    // token, so a stop that comes first would skip it and lose the queue. Here the loop always runs
    // and ends only when the queue is closed and drained.
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (trail.Enabled)
        {
            _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Closes the queue and waits until everything in it is written (bounded by the host's shutdown
    /// timeout, which cancels <paramref name="cancellationToken"/>). The web server has stopped first, so
    /// requests in flight have been recorded.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        trail.Complete();
        SignalStop();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (trail.Depth > 0)
        {
            LogNotFlushed(logger, trail.Depth);
        }
    }

    /// <summary>
    /// Stops the purge loop and releases the token source. The container may dispose this before or
    /// after the host's StopAsync (and twice: it is registered as itself and as a hosted service), so
    /// both paths tolerate the other.
    /// </summary>
    public void Dispose()
    {
        trail.Complete();
        SignalStop();
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Dispose();
        }
    }

    private int _stopSignalled;
    private int _disposed;

    private void SignalStop()
    {
        if (Interlocked.Exchange(ref _stopSignalled, 1) == 0)
        {
            _stopping.Cancel();
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var purge = PurgeLoopAsync(stoppingToken);
        var reader = trail.Reader;
        var batch = new List<AuditRecord>(_options.BatchSize);
        // Not cancelled by stoppingToken: the loop ends when the queue is closed and empty.
        var linger = TimeSpan.FromMilliseconds(_options.FlushIntervalMilliseconds);
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            // Let a batch gather (up to FlushIntervalMilliseconds, or until it is full, or until a
            // stop): one transaction for many answers rather than a commit, and a disk flush, per
            // answer, which under load costs the request path the CPU it shares with this writer.
            if (linger > TimeSpan.Zero && reader.Count < _options.BatchSize && !stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(linger, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                }
            }

            batch.Clear();
            while (batch.Count < _options.BatchSize && reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            if (batch.Count > 0)
            {
                await WriteAsync(batch, stoppingToken);
            }
        }

        try
        {
            await purge;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WriteAsync(List<AuditRecord> batch, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.WriteAsync(batch, CancellationToken.None);
                Interlocked.Add(ref _written, batch.Count);
                RecordsWritten?.Invoke(batch.Count);
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The exception type only: a database message can quote a value.
                LogWriteFailed(logger, batch.Count, attempt, _options.WriteAttempts, ex.GetType().Name);
                if (attempt >= _options.WriteAttempts)
                {
                    trail.Drop(batch.Count, "write_failed");
                    return;
                }

                // Shorter waits once shutting down, so the flush fits in the host's shutdown timeout.
                var wait = stoppingToken.IsCancellationRequested
                    ? TimeSpan.FromMilliseconds(200)
                    : TimeSpan.FromMilliseconds(Math.Min(250 * (1 << Math.Min(attempt, 5)), 5_000));
                await Task.Delay(wait, time, CancellationToken.None);
            }
        }
    }

    private async Task PurgeLoopAsync(CancellationToken stoppingToken)
    {
        // The first purge a minute after start, not at start: on SQLite the file is created on
        // first use, and a service that has answered nothing has nothing to purge.
        var interval = TimeSpan.FromMinutes(_options.PurgeIntervalMinutes);
        await Task.Delay(interval < TimeSpan.FromMinutes(1) ? interval : TimeSpan.FromMinutes(1), time, stoppingToken);
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            await PurgeOnceAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Deletes records older than the retention period; failures are logged and retried at the next interval.</summary>
    internal async Task<int> PurgeOnceAsync(CancellationToken ct)
    {
        try
        {
            var purged = await store.PurgeAsync(time.GetUtcNow().AddDays(-_options.RetentionDays), ct);
            if (purged > 0)
            {
                LogPurged(logger, purged, _options.RetentionDays);
            }

            return purged;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            LogPurgeFailed(logger, ex.GetType().Name);
            return 0;
        }
    }

    [LoggerMessage(EventId = 5106, Level = LogLevel.Error, Message = "Shutdown timed out with {Count} audit records not written")]
    private static partial void LogNotFlushed(ILogger logger, long count);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning,
        Message = "Audit batch of {Count} not written (attempt {Attempt} of {Attempts}): {ExceptionType}")]
    private static partial void LogWriteFailed(ILogger logger, int count, int attempt, int attempts, string exceptionType);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "Purged {Count} audit records older than {RetentionDays} days")]
    private static partial void LogPurged(ILogger logger, int count, int retentionDays);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "Audit purge failed: {ExceptionType}")]
    private static partial void LogPurgeFailed(ILogger logger, string exceptionType);
}
