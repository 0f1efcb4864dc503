using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace ClonusCds.Benchmarks;

/// <summary>
/// Entry point. Default: BenchmarkDotNet's switcher (pass <c>--filter '*'</c> to run everything).
/// <c>--smoke</c>: run each benchmark context once through the engine and print the outcome.
/// </summary>
public static class Program
{
    /// <summary>Runs the smoke check or the benchmarks.</summary>
    public static int Main(string[] args)
    {
        if (args.Contains("--smoke", StringComparer.Ordinal))
        {
            return Smoke.Run(Console.Out);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, BenchConfig.Create());
        return 0;
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
        output.WriteLine(failures == 0 ? "smoke: ok" : $"smoke: {failures} context(s) took an unintended path");
        return failures == 0 ? 0 : 1;
    }
}
