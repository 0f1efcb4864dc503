using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ClonusCds.Api.Audit;
using ClonusCds.Api.Storage;
using ClonusCds.Core;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClonusCds.Benchmarks;

/// <summary>
/// The audit trail's cost per assessment, in its two halves (docs/performance.md, "Issue 16"):
/// on the request path, the canonical request hash and the whole record; in the writer, a batch of
/// 256 records written to SQLite in one transaction (reported per batch: divide by 256).
/// </summary>
[MemoryDiagnoser]
public class AuditBenchmarks : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clonus-audit-bench-").FullName;
    private PatientContext _context = null!;
    private Assessment _assessment = null!;
    private AuditTrail _trail = null!;
    private SqliteAuditStore _store = null!;
    private AuditRecord[] _batch = null!;

    [GlobalSetup]
    public void Setup()
    {
        _context = JsonSerializer.Deserialize<PatientContext>(EngineBenchmarks.SevereSerotoninToxicityJson, ClonusJson.Options)!;
        _assessment = new TriageEngine(ClinicalKnowledgeBase.LoadEmbedded()).Assess(_context);
        _trail = new AuditTrail(Options.Create(new AuditOptions()), TimeProvider.System, NullLogger<AuditTrail>.Instance);
        var storage = new SqliteStorage(Options.Create(new StorageOptions { SqlitePath = Path.Combine(_folder, "audit.db") }),
            new BenchmarkHostEnvironment(_folder), NullLogger<SqliteStorage>.Instance);
        _store = new SqliteAuditStore(storage);
        _batch = [.. Enumerable.Range(0, 256).Select(_ => Record())];
    }

    /// <summary>The canonical request hash alone.</summary>
    [Benchmark]
    public string RequestHash() => AuditTrail.RequestHash(_context);

    /// <summary>The whole record, as the endpoint builds it before queueing.</summary>
    [Benchmark]
    public AuditRecord Record() =>
        _trail.Build(_assessment, _context, DateTimeOffset.UtcNow, "client", "/api/v1/assessments/", null, null, 1.0);

    /// <summary>256 records in one SQLite transaction (new time-ordered ids each time, as the engine makes them).</summary>
    [Benchmark]
    public async Task WriteBatchOf256()
    {
        for (var i = 0; i < _batch.Length; i++)
        {
            _batch[i] = _batch[i] with { AssessmentId = Guid.CreateVersion7() };
        }

        await _store.WriteAsync(_batch, CancellationToken.None);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }
}
