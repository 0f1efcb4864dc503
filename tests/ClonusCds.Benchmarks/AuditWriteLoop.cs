using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
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
/// The audit trail's CPU per assessment, in its two halves, as process CPU time (user + kernel, every
/// thread) rather than BenchmarkDotNet's wall time, which for the writer includes waiting for the
/// disk: <c>dotnet ClonusCds.Benchmarks.dll --audit-write [batches] [rounds]</c>.
/// <c>record</c> is what the endpoint does per answer (<see cref="AuditTrail.Build"/>: the canonical
/// request hash and the record); <c>write</c> is the writer storing batches of 256 records in one
/// SQLite transaction each, into a file that keeps growing from round to round, as a service's does.
/// Records are built from the seven OpenAPI example contexts with the engine's own (time-ordered) ids.
/// </summary>
public static class AuditWriteLoop
{
    /// <summary>Arguments: batches of 256 per round (default 100), rounds (default 5).</summary>
    public static int Run(ReadOnlySpan<string> args, TextWriter report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var batches = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var folder = Directory.CreateTempSubdirectory("clonus-audit-loop-").FullName;
        try
        {
            var engine = new TriageEngine(ClinicalKnowledgeBase.LoadEmbedded());
            var contexts = Examples().ToArray();
            var trail = new AuditTrail(Options.Create(new AuditOptions()), TimeProvider.System, NullLogger<AuditTrail>.Instance);
            var storage = new SqliteStorage(Options.Create(new StorageOptions { SqlitePath = Path.Combine(folder, "audit.db") }),
                new BenchmarkHostEnvironment(folder), NullLogger<SqliteStorage>.Instance);
            var store = new SqliteAuditStore(storage);
            report.WriteLine($"{contexts.Length} example contexts; {batches} batches of 256 per round; {rounds} rounds (round 0 warms up, not counted)");
            report.WriteLine($"{"round",5} {"record CPU µs",14} {"record B",9} {"write CPU µs",13} {"write B",8} {"write wall µs",14} {"rows",9}");
            var rows = 0L;
            var recordCpu = new List<double>();
            var writeCpu = new List<double>();
            for (var round = 0; round <= rounds; round++)
            {
                var assessments = new (Assessment A, PatientContext C)[256];
                var records = new AuditRecord[256];
                double rCpu = 0, rBytes = 0, wCpu = 0, wBytes = 0, wWall = 0;
                for (var b = 0; b < batches; b++)
                {
                    for (var i = 0; i < assessments.Length; i++)
                    {
                        var context = contexts[(b + i) % contexts.Length];
                        assessments[i] = (engine.Assess(context), context);
                    }

                    var (cpu, bytes, _) = Measure(() =>
                    {
                        for (var i = 0; i < records.Length; i++)
                        {
                            records[i] = trail.Build(assessments[i].A, assessments[i].C, DateTimeOffset.UtcNow, "client", "/api/v1/assessments/",
                                null, null, 1.0);
                        }
                    });
                    rCpu += cpu;
                    rBytes += bytes;
                    (cpu, bytes, var wall) = Measure(() => store.WriteAsync(records, CancellationToken.None).GetAwaiter().GetResult());
                    wCpu += cpu;
                    wBytes += bytes;
                    wWall += wall;
                    rows += records.Length;
                }

                var n = batches * 256.0;
                report.WriteLine($"{round,5} {rCpu / n,14:F2} {rBytes / n,9:F0} {wCpu / n,13:F2} {wBytes / n,8:F0} {wWall / n,14:F2} {rows,9}");
                if (round > 0)
                {
                    recordCpu.Add(rCpu / n);
                    writeCpu.Add(wCpu / n);
                }
            }

            report.WriteLine($"median per assessment: record {Median(recordCpu):F2} µs CPU, write {Median(writeCpu):F2} µs CPU");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    // The OpenAPI worked examples, embedded in the Api assembly as ClonusCds.Examples.*.json.
    private static IEnumerable<PatientContext> Examples()
    {
        var assembly = typeof(AuditTrail).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("ClonusCds.Examples.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var document = JsonDocument.Parse(stream);
            yield return document.RootElement.GetProperty("value").Deserialize<PatientContext>(ClonusJson.Options)!;
        }
    }

    // Process CPU time (every thread), bytes allocated (every thread) and wall time, in µs and bytes.
    private static (double CpuMicroseconds, double Bytes, double WallMicroseconds) Measure(Action action)
    {
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var bytes0 = GC.GetTotalAllocatedBytes(precise: false);
        var start = Stopwatch.GetTimestamp();
        action();
        var wall = Stopwatch.GetElapsedTime(start);
        process.Refresh();
        return ((process.TotalProcessorTime - cpu0).TotalMicroseconds, GC.GetTotalAllocatedBytes(precise: false) - bytes0, wall.TotalMicroseconds);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
