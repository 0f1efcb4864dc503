using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace ClonusCds.Benchmarks;

/// <summary>
/// Entry point. Default: BenchmarkDotNet's switcher (pass <c>--filter '*'</c> to run everything).
/// <c>--smoke</c>: run each benchmark context once through the engine and print the outcome.
/// <c>--loop [context] [seconds]</c>: assess one context in a tight loop, for a profiler to attach
/// to (docs/performance.md shows a <c>perf</c> recipe). <c>--log-sink [events] [rounds]</c>: the
/// request log line through each candidate sink, standard output redirected (<see cref="LogSinkLoop"/>).
/// <c>--request-line [requests] [rounds]</c>: the request line's whole cost, library against the
/// hand-written middleware it replaced (<see cref="RequestLineLoop"/>). <c>--audit-write [batches] [rounds]</c>:
/// the audit trail's CPU per assessment on the request path and in the writer (<see cref="AuditWriteLoop"/>).
/// </summary>
public static class Program
{
    /// <summary>Runs the smoke check, the profiling loop or the benchmarks; non-zero on failure.</summary>
    public static int Main(string[] args)
    {
        if (args.Contains("--smoke", StringComparer.Ordinal))
        {
            return Smoke.Run(Console.Out);
        }

        if (args.Length > 0 && args[0] == "--loop")
        {
            return ProfileLoop.Run(args.AsSpan(1), Console.Out);
        }

        if (args.Length > 0 && args[0] == "--log-sink")
        {
            return LogSinkLoop.Run(args.AsSpan(1), Console.Error);
        }

        if (args.Length > 0 && args[0] == "--request-line")
        {
            return RequestLineLoop.Run(args.AsSpan(1), Console.Error);
        }

        if (args.Length > 0 && args[0] == "--audit-write")
        {
            return AuditWriteLoop.Run(args.AsSpan(1), Console.Error);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchConfig.Create());
        // Non-zero when a benchmark failed to build or run, so a script notices.
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}

/// <summary>
/// A short job for a small (2-core) machine: one launch, 3 warm-up and 12 measured iterations,
/// plus allocation counting and median/P95 columns. The five benchmarks finish in under two minutes.
/// </summary>
public static class BenchConfig
{
    /// <summary>The configuration used by <see cref="Program"/>.</summary>
    public static IConfig Create() =>
        DefaultConfig.Instance
            .AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(12)
                .WithId("Short2Core"))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
            .WithOptions(ConfigOptions.JoinSummary)
            .WithArtifactsPath(ArtifactsPath());

    // BenchmarkDotNet writes to ./BenchmarkDotNet.Artifacts by default; keep its reports inside
    // this project (git-ignored) whatever the working directory.
    private static string ArtifactsPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClonusCds.Benchmarks.csproj")))
            {
                return Path.Combine(dir.FullName, "BenchmarkDotNet.Artifacts");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts");
    }
}

/// <summary>One pass of every benchmark context through the engine, for CI and developers.</summary>
public static class Smoke
{
    /// <summary>Prints etiology, urgency and recommendation count per context; 0 when every context takes its intended path.</summary>
    public static int Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var bench = new EngineBenchmarks();
        bench.Setup();
        var failures = 0;
        foreach (var (name, context, expected) in bench.Cases())
        {
            var a = bench.Engine.Assess(context);
            var r = a.Recommendations;
            var count = r.FirstLine.Count + r.Adjunct.Count + r.Refractory.Count + r.Monitoring.Count + r.Workup.Count;
            var etiology = a.Etiology.Subtype is null ? $"{a.Etiology.Primary}" : $"{a.Etiology.Primary}/{a.Etiology.Subtype}";
            var ok = a.Etiology.Primary == expected;
            if (!ok)
            {
                failures++;
            }

            output.WriteLine($"{name,-28} etiology={etiology,-52} urgency={a.Urgency,-9} recommendations={count,2} pitfalls={a.Pitfalls.Count,2} trace={a.Trace.Count,2} severity={a.SerotoninToxicity?.Severity?.ToString() ?? "-"}{(ok ? "" : $"  UNEXPECTED (wanted {expected})")}");
        }

        var endToEnd = new EndToEndBenchmarks();
        endToEnd.Setup();
        var json = endToEnd.EndToEndJson();
        output.WriteLine($"{"EndToEndJson",-28} response bytes={json.Length}");

        // The CDS Hooks call must still produce one critical order card for the tramadol draft.
        var cds = new CdsHooksBenchmarks();
        cds.Setup();
        var cards = System.Text.Json.JsonDocument.Parse(cds.Call().GetAwaiter().GetResult()).RootElement.GetProperty("cards");
        var cdsOk = cards.GetArrayLength() == 1 && cards[0].GetProperty("indicator").GetString() == "critical";
        if (!cdsOk)
        {
            failures++;
        }

        output.WriteLine($"{"CdsOrderSelect",-28} cards={cards.GetArrayLength()} indicator={(cards.GetArrayLength() > 0 ? cards[0].GetProperty("indicator").GetString() : "-")}{(cdsOk ? "" : "  UNEXPECTED (wanted one critical card)")}");

        // The validation benchmarks compare the two paths on valid bodies: every worked example must
        // take the fast path, or IsCertainlyValid would be timed on an early "no".
        var validation = new ValidationBenchmarks();
        validation.Setup();
        var fast = validation.IsCertainlyValid();
        var fluent = validation.FluentValidate();
        var validationOk = fast == validation.Contexts.Count && fluent == validation.Contexts.Count;
        if (!validationOk)
        {
            failures++;
        }

        output.WriteLine($"{"Validation",-28} examples={validation.Contexts.Count} fluentValid={fluent} certainlyValid={fast}{(validationOk ? "" : "  UNEXPECTED (wanted every example valid on both paths)")}");
        output.WriteLine(failures == 0 ? "smoke: ok" : $"smoke: {failures} context(s) took an unintended path");
        return failures == 0 ? 0 : 1;
    }
}

/// <summary>Assesses one context in a loop for a fixed time: a steady target for a sampling profiler.</summary>
public static class ProfileLoop
{
    /// <summary>Arguments: context name (default SevereSerotoninToxicity), seconds (default 10).</summary>
    public static int Run(ReadOnlySpan<string> args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var name = args.Length > 0 ? args[0] : nameof(EngineBenchmarks.SevereSerotoninToxicity);
        var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
        var bench = new EngineBenchmarks();
        bench.Setup();
        var context = bench.Cases().FirstOrDefault(c => c.Name == name).Context;
        if (context is null)
        {
            output.WriteLine($"unknown context '{name}'; one of: {string.Join(", ", bench.Cases().Select(c => c.Name))}");
            return 2;
        }

        // Warm up past tiered compilation before measuring.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 2)
        {
            bench.Engine.Assess(context);
        }

        long operations = 0;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        clock.Restart();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 1000; i++)
            {
                bench.Engine.Assess(context);
            }

            operations += 1000;
        }

        var elapsed = clock.Elapsed;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        output.WriteLine($"{name}: {operations} assessments, {elapsed.TotalMicroseconds / operations:F2} µs/op, {allocated / operations} B/op");
        return 0;
    }
}
