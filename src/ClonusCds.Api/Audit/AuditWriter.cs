using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Audit;

/// <summary>
/// Writes queued audit records in batches (one transaction each) and purges expired ones. A batch
/// that fails is retried with back-off (Audit:WriteAttempts), then dropped, counted and logged. On a
/// graceful stop the queue is closed and everything in it is written before the process exits (the
/// web server stops first, so requests in flight are recorded too).
/// </summary>
/// <remarks>
/// The write loop runs on its own thread, not the thread pool: SQLite's calls are synchronous (its
/// "async" methods block), and a pool thread blocked for a batch's inserts and disk flush is one the
/// requests lack on a small machine. A batch is written as soon as <see cref="AuditOptions.BatchSize"/>
/// records wait (the request that completes a batch wakes the writer), or
/// <see cref="AuditOptions.FlushIntervalMilliseconds"/> after the first one: under
/// load records stay queued for milliseconds, so they die young, rather than outliving garbage
/// collections and being carried into the older generations (which measured as full collections
/// several times a second when every batch waited the whole interval; docs/performance.md).
/// </remarks>
internal sealed partial class AuditWriter(
    AuditTrail trail,
    IAuditStore store,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditWriter> logger) : IHostedService, IDisposable
{
    private readonly AuditOptions _options = options.Value;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _loopDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _purge = Task.CompletedTask;
    private Thread? _thread;

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
        if (!trail.Enabled)
        {
            _loopDone.TrySetResult();
            return Task.CompletedTask;
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "clonus-audit-writer" };
        _thread.Start();
        _purge = Task.Run(() => PurgeLoopAsync(_stopping.Token), CancellationToken.None);
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
        if (_thread is null)
        {
            _loopDone.TrySetResult();
        }

        await _loopDone.Task.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _purge.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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
    private volatile bool _stopRequested;

    private void SignalStop()
    {
        if (Interlocked.Exchange(ref _stopSignalled, 1) == 0)
        {
            _stopRequested = true;
            _stopping.Cancel();
        }
    }

    // The write loop, on its own thread; ends when the queue is closed and empty.
    private void Run()
    {
        try
        {
            var reader = trail.Reader;
            var batch = new List<AuditRecord>(_options.BatchSize);
            while (reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
            {
                Gather();
                batch.Clear();
                while (batch.Count < _options.BatchSize && trail.TryTake(out var record))
                {
                    batch.Add(record);
                }

                if (batch.Count > 0)
                {
                    Write(batch);
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not expected (Write catches store failures); logged so a dead writer is never silent.
            var type = ex.GetType().Name;
            LogWriterFailed(logger, type, trail.Depth);
        }
        finally
        {
            _loopDone.TrySetResult();
        }
    }

    // Waits until a whole batch is queued, the flush interval has passed since the first record, or
    // a stop: one transaction, and one disk flush, for many answers.
    private void Gather()
    {
        if (_options.FlushIntervalMilliseconds > 0 && !_stopRequested)
        {
            trail.WaitForBatch(TimeSpan.FromMilliseconds(_options.FlushIntervalMilliseconds));
        }
    }

    private void Write(List<AuditRecord> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Synchronous on SQLite; on PostgreSQL this thread waits for the network.
                store.WriteAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
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
                var wait = _stopRequested
                    ? TimeSpan.FromMilliseconds(200)
                    : TimeSpan.FromMilliseconds(Math.Min(250 * (1 << Math.Min(attempt, 5)), 5_000));
                Task.Delay(wait, time, CancellationToken.None).GetAwaiter().GetResult();
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

    [LoggerMessage(EventId = 5107, Level = LogLevel.Critical, Message = "The audit writer stopped unexpectedly ({ExceptionType}) with {Count} records queued")]
    private static partial void LogWriterFailed(ILogger logger, string exceptionType, long count);

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
