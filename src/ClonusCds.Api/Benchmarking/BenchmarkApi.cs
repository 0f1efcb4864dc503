#if BENCHMARK
// Program.cs calls app.MapBenchmark() inside its own #if BENCHMARK without a using of its own.
global using ClonusCds.Api.Benchmarking;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ClonusCds.Api.Benchmarking;

/// <summary>
/// Load-benchmark routes, compiled in only by <c>dotnet build -p:ClonusBenchmark=true</c>
/// (<c>BENCHMARK</c>; see tests/load/run.sh and docs/performance.md, "HTTP load"). A normal build
/// has none of them.
/// <list type="bullet">
/// <item><c>POST /benchmark/echo</c>: the platform's own ceiling. The JSON body is read with
/// System.Text.Json into a <see cref="JsonElement"/> and written back. The route is
/// short-circuited: routing runs it at once, so none of the application's middleware (exception
/// handler, request log line, body limit, CORS) runs. What remains is Kestrel + routing +
/// System.Text.Json.</item>
/// <item><c>POST /benchmark/echo-pipeline</c>: the same echo through the whole middleware
/// pipeline, request log line included. A diagnostic that separates the pipeline's cost from the
/// endpoints' cost; not part of the pass/fail targets.</item>
/// <item><c>POST /benchmark/replay</c>: the floor for the assessments. Reads the body like the echo
/// and answers the bytes of the real assessment of that body (computed once per distinct body and
/// kept), so the platform moves exactly the bytes <c>POST /api/v1/assessments</c> moves, without the
/// validation, engine, serialization or middleware. Short-circuited. A diagnostic.</item>
/// <item><c>POST /benchmark/assess-floor</c>: the floor for the assessments' own work. Binds the
/// body to a patient context like the real endpoint, runs the engine and writes the assessment the
/// way the real endpoint does, but short-circuited: no middleware, no request log line, no
/// validation. What no tuning of the pipeline, the logging or the validation can go below. A
/// diagnostic.</item>
/// <item><c>GET /benchmark/stats</c>: memory, GC, CPU-time and thread-pool figures of the process, sampled
/// by the soak (tests/load/soak.sh). Short-circuited too, so sampling adds no log lines.</item>
/// <item><c>POST /benchmark/gc</c>: a full, blocking, compacting collection, then the stats: the
/// heap that is really retained, for the soak's leak check at its start and end.</item>
/// </list>
/// </summary>
internal static class BenchmarkApi
{
    public static IEndpointRouteBuilder MapBenchmark(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/benchmark").ExcludeFromDescription();
        group.MapPost("/echo", Echo).ShortCircuit();
        group.MapPost("/echo-pipeline", Echo);
        group.MapPost("/replay", Replay).ShortCircuit();
        group.MapPost("/assess-floor", AssessFloor).ShortCircuit();
        group.MapGet("/stats", Stats).ShortCircuit();
        group.MapPost("/gc", FullCollection).ShortCircuit();
        return routes;
    }

    private static Ok<JsonElement> Echo([FromBody] JsonElement body) => TypedResults.Ok(body);

    private static readonly ConcurrentDictionary<string, byte[]> ReplayCache = new(StringComparer.Ordinal);

    private static async Task Replay([FromBody] JsonElement body, HttpContext http, TriageEngine engine,
        Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    {
        var raw = body.GetRawText();
        if (!ReplayCache.TryGetValue(raw, out var bytes))
        {
            var context = body.Deserialize<PatientContext>(json.Value.SerializerOptions)
                ?? throw new InvalidOperationException("replay needs a patient context");
            bytes = JsonSerializer.SerializeToUtf8Bytes(engine.Assess(context), json.Value.SerializerOptions);
            ReplayCache.TryAdd(raw, bytes);
        }

        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
    }

    private static ClonusCds.Api.Assessments.AssessmentJsonResult AssessFloor(PatientContext context, TriageEngine engine, AssessmentJsonWriter json) =>
        new(engine.Assess(context), json);

    private static Ok<BenchmarkStats> FullCollection()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return Stats();
    }

    private static Ok<BenchmarkStats> Stats()
    {
        var info = GC.GetGCMemoryInfo();
        var cpu = Environment.CpuUsage;
        int threads;
        using (var process = Process.GetCurrentProcess())
        {
            threads = process.Threads.Count;
        }

        return TypedResults.Ok(new BenchmarkStats(
            TimestampMs: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            TotalMemoryBytes: GC.GetTotalMemory(false),
            GcHeapSizeBytes: info.HeapSizeBytes,
            Gen2SizeAfterBytes: info.GenerationInfo.Length > 2 ? info.GenerationInfo[2].SizeAfterBytes : 0,
            TotalAllocatedBytes: GC.GetTotalAllocatedBytes(false),
            GcPauseTotalMs: GC.GetTotalPauseDuration().TotalMilliseconds,
            CpuUserMs: cpu.UserTime.TotalMilliseconds,
            CpuKernelMs: cpu.PrivilegedTime.TotalMilliseconds,
            WorkingSetBytes: Environment.WorkingSet,
            ThreadPoolThreads: ThreadPool.ThreadCount,
            ThreadPoolPendingWorkItems: ThreadPool.PendingWorkItemCount,
            ThreadPoolCompletedWorkItems: ThreadPool.CompletedWorkItemCount,
            Gen0Collections: GC.CollectionCount(0),
            Gen1Collections: GC.CollectionCount(1),
            Gen2Collections: GC.CollectionCount(2),
            ProcessThreads: threads));
    }
}

/// <summary>One sample of <c>GET /benchmark/stats</c>.</summary>
internal sealed record BenchmarkStats(
    long TimestampMs,
    long TotalMemoryBytes,
    long GcHeapSizeBytes,
    long Gen2SizeAfterBytes,
    long TotalAllocatedBytes,
    double GcPauseTotalMs,
    double CpuUserMs,
    double CpuKernelMs,
    long WorkingSetBytes,
    int ThreadPoolThreads,
    long ThreadPoolPendingWorkItems,
    long ThreadPoolCompletedWorkItems,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    int ProcessThreads);
#endif
