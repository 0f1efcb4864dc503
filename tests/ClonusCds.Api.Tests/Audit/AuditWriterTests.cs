using System.Net;
using ClonusCds.Api.Audit;
using ClonusCds.Api.Storage;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using ClonusCds.Api.Tests.Support;

namespace ClonusCds.Api.Tests.Audit;

/// <summary>The queue and the background writer: drops are counted, failures retried then dropped, a graceful stop flushes, old records are purged.</summary>
public sealed class AuditWriterTests : IDisposable
{
    private static readonly TriageEngine Engine = new(ClinicalKnowledgeBase.LoadEmbedded());
    private static readonly PatientContext Context = new() { Clonus = new ClonusFinding { Present = true } };
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("clonus-audit-test-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static AuditTrail Trail(AuditOptions? options = null, TimeProvider? time = null) =>
        new(Options.Create(options ?? new AuditOptions()), time ?? TimeProvider.System, NullLogger<AuditTrail>.Instance);

    private static AuditWriter Writer(AuditTrail trail, IAuditStore store, AuditOptions? options = null, TimeProvider? time = null) =>
        new(trail, store, Options.Create(options ?? new AuditOptions()), time ?? TimeProvider.System, NullLogger<AuditWriter>.Instance);

    private static Assessment Record(AuditTrail trail)
    {
        var assessment = Engine.Assess(Context);
        trail.Record(new DefaultHttpContext(), assessment, Context);
        return assessment;
    }

    [Fact]
    public void A_full_queue_drops_the_new_record_counts_it_and_never_blocks()
    {
        var trail = Trail(new AuditOptions { QueueCapacity = 2 });
        var drops = new List<(long, string)>();
        trail.RecordsDropped += (n, reason) => drops.Add((n, reason));
        for (var i = 0; i < 5; i++)
        {
            Record(trail);
        }

        Assert.Equal(2, trail.Depth);
        Assert.Equal(3, trail.Dropped);
        Assert.Equal([(1L, "queue_full"), (1L, "queue_full"), (1L, "queue_full")], drops);
    }

    [Fact]
    public void After_completion_new_records_are_dropped_as_shutting_down()
    {
        var trail = Trail();
        var reasons = new List<string>();
        trail.RecordsDropped += (_, reason) => reasons.Add(reason);
        trail.Complete();
        Record(trail);
        Assert.Equal(["shutting_down"], reasons);
    }

    [Fact]
    public void Disabled_records_nothing()
    {
        var trail = Trail(new AuditOptions { Enabled = false });
        Record(trail);
        Assert.Equal(0, trail.Depth);
        Assert.Equal(0, trail.Dropped);
    }

    [Fact]
    public async Task A_failing_write_is_retried_and_succeeds_when_the_store_comes_back()
    {
        var store = new FlakyStore(failures: 2);
        var trail = Trail();
        var writer = Writer(trail, store, new AuditOptions { WriteAttempts = 5 });
        await writer.StartAsync(CancellationToken.None);
        var assessment = Record(trail);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(3, store.Attempts);
        Assert.Equal(assessment.AssessmentId, Assert.Single(store.Stored).AssessmentId);
        Assert.Equal(0, trail.Dropped);
        Assert.Equal(1, writer.Written);
    }

    [Fact]
    public async Task A_batch_that_keeps_failing_is_dropped_and_counted_as_write_failed()
    {
        var store = new FlakyStore(failures: int.MaxValue);
        var trail = Trail();
        var reasons = new List<string>();
        trail.RecordsDropped += (n, reason) => reasons.Add($"{n} {reason}");
        var writer = Writer(trail, store, new AuditOptions { WriteAttempts = 2 });
        await writer.StartAsync(CancellationToken.None);
        Record(trail);
        Record(trail);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(2, trail.Dropped);
        Assert.Empty(store.Stored);
        Assert.All(reasons, r => Assert.EndsWith("write_failed", r, StringComparison.Ordinal));
        Assert.Equal(0, writer.Written);
    }

    [Fact]
    public async Task A_graceful_stop_writes_everything_queued_before_returning()
    {
        var store = new FlakyStore(failures: 0, delay: TimeSpan.FromMilliseconds(20));
        var options = new AuditOptions { BatchSize = 7 };
        var trail = Trail(options);
        var writer = Writer(trail, store, options);
        await writer.StartAsync(CancellationToken.None);
        var ids = Enumerable.Range(0, 100).Select(_ => Record(trail).AssessmentId).ToList();
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(ids.Order(), store.Stored.Select(r => r.AssessmentId).Order());
        Assert.All(store.Batches, size => Assert.InRange(size, 1, 7));
        Assert.Equal(0, trail.Depth);
    }

    [Fact]
    public async Task A_full_batch_is_written_at_once_not_after_the_flush_interval()
    {
        // Records that wait the whole interval outlive garbage collections under load; a full
        // batch must not wait for it (docs/performance.md, "Issue 16").
        var store = new FlakyStore(failures: 0);
        var options = new AuditOptions { BatchSize = 5, FlushIntervalMilliseconds = 10_000 };
        var trail = Trail(options);
        var writer = Writer(trail, store, options);
        await writer.StartAsync(CancellationToken.None);
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            for (var i = 0; i < 5; i++)
            {
                Record(trail);
            }

            Assert.Equal(5, await store.FirstBatch.Task.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_partial_batch_waits_for_the_flush_interval_and_is_then_written()
    {
        var store = new FlakyStore(failures: 0);
        var options = new AuditOptions { BatchSize = 100, FlushIntervalMilliseconds = 300 };
        var trail = Trail(options);
        var writer = Writer(trail, store, options);
        await writer.StartAsync(CancellationToken.None);
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            Record(trail);
            Record(trail);
            Assert.Equal(2, await store.FirstBatch.Task.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(250), "written before the interval");
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_writer_never_blocks_a_thread_pool_thread()
    {
        // SQLite's calls are synchronous: a pool thread held by a batch is one the requests lack.
        var store = new FlakyStore(failures: 1);
        var options = new AuditOptions { BatchSize = 3, FlushIntervalMilliseconds = 0 };
        var trail = Trail(options);
        var writer = Writer(trail, store, options);
        await writer.StartAsync(CancellationToken.None);
        for (var i = 0; i < 9; i++)
        {
            Record(trail);
        }

        await writer.StopAsync(CancellationToken.None);
        Assert.Equal(9, store.Stored.Count);
        Assert.False(store.OnThreadPool);
    }

    [Fact]
    public async Task Records_older_than_the_retention_are_purged_and_newer_ones_kept()
    {
        var time = new ManualTime();
        var storage = new SqliteStorage(Options.Create(new StorageOptions { SqlitePath = Path.Combine(_root.FullName, "audit.db") }),
            new TestHostEnvironment(_root.FullName), NullLogger<SqliteStorage>.Instance);
        var store = new SqliteAuditStore(storage);
        var trail = Trail(time: time);
        var options = new AuditOptions { RetentionDays = 30 };
        AuditRecord At(DateTimeOffset when) => trail.Build(Engine.Assess(Context), Context, when, "c", "/r", null, null, 1);
        var old = At(time.Now.AddDays(-31));
        var edge = At(time.Now.AddDays(-29));
        var fresh = At(time.Now);
        await store.WriteAsync([old, edge, fresh], CancellationToken.None);

        var writer = Writer(trail, store, options, time);
        Assert.Equal(1, await writer.PurgeOnceAsync(CancellationToken.None));
        Assert.Null(await store.GetAsync(old.AssessmentId, CancellationToken.None));
        Assert.NotNull(await store.GetAsync(edge.AssessmentId, CancellationToken.None));
        Assert.Equal(fresh, await store.GetAsync(fresh.AssessmentId, CancellationToken.None) is { } f ? f with { Recommendations = fresh.Recommendations, Pitfalls = fresh.Pitfalls } : null);

        // A retried batch is harmless: the same ids are skipped, not duplicated or failed.
        await store.WriteAsync([edge, fresh], CancellationToken.None);
        time.Now = time.Now.AddDays(2);
        Assert.Equal(1, await writer.PurgeOnceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Stopping_the_service_flushes_records_of_answers_already_given()
    {
        var path = Path.Combine(_root.FullName, "flush.db");
        var ids = new List<string>();
        await using (var factory = new SettingsApiFactory(new Dictionary<string, string?> { ["Storage:SqlitePath"] = path }))
        {
            var client = factory.CreateClient();
            for (var i = 0; i < 40; i++)
            {
                var (response, answer) = await client.PostJson("/api/v1/assessments", AuditTrailTests.SerotoninCase);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                ids.Add(answer.GetProperty("assessmentId").GetString()!);
            }
        }

        SqliteConnection.ClearAllPools();
        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT assessment_id FROM assessment_audit;";
        var stored = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored.Add(reader.GetString(0));
        }

        Assert.Equal(ids.Order(), stored.Order());
    }

    private sealed class FlakyStore(int failures, TimeSpan? delay = null) : IAuditStore
    {
        private int _failures = failures;

        public List<AuditRecord> Stored { get; } = [];

        public List<int> Batches { get; } = [];

        public int Attempts { get; private set; }

        /// <summary>Whether any write ran on a thread-pool thread.</summary>
        public bool OnThreadPool { get; private set; }

        /// <summary>Completed with the size of the first batch stored.</summary>
        public TaskCompletionSource<int> FirstBatch { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task WriteAsync(IReadOnlyList<AuditRecord> records, CancellationToken ct)
        {
            Attempts++;
            OnThreadPool |= Thread.CurrentThread.IsThreadPoolThread;
            if (delay is { } d)
            {
                await Task.Delay(d, ct);
            }

            if (_failures-- > 0)
            {
                throw new InvalidOperationException("store down");
            }

            Batches.Add(records.Count);
            Stored.AddRange(records);
            FirstBatch.TrySetResult(records.Count);
        }

        public Task<AuditRecord?> GetAsync(Guid assessmentId, CancellationToken ct) => Task.FromResult(Stored.FirstOrDefault(r => r.AssessmentId == assessmentId));

        public Task<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken ct) => Task.FromResult(0);
    }
}
