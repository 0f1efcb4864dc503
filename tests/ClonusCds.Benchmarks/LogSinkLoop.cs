using System.Diagnostics;
using System.Globalization;
using ClonusCds.Api.Infrastructure;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;
using Serilog.Parsing;

namespace ClonusCds.Benchmarks;

/// <summary>
/// The request log line written through each candidate sink, with standard output redirected by
/// the caller (to a file, as a deployment's log collector or <c>tests/load/run.sh</c> does):
/// <c>dotnet ClonusCds.Benchmarks.dll --log-sink [events] [rounds] &gt; /tmp/log.jsonl</c>.
/// The figures go to standard error. Not BenchmarkDotNet: its child process reports through
/// standard output, which this loop floods on purpose.
/// </summary>
/// <remarks>
/// Variants, interleaved round by round so a busy phase of the shared machine hits all alike:
/// <c>formatter</c> (JsonFormatter into a reused writer, no output: the floor), <c>console</c>
/// (Serilog.Sinks.Console's <c>WriteTo.Console(new JsonFormatter(renderMessage: true))</c>) and
/// <c>stdout-json</c> (<see cref="StdoutJsonSink"/>), each on one thread and on two threads at once.
/// Per event: wall time, process CPU time (user + kernel, every thread, so the custom sink's flush
/// timer counts) and bytes allocated (every thread).
/// </remarks>
public static class LogSinkLoop
{
    private static readonly MessageTemplate Template = new MessageTemplateParser().Parse(
        "HTTP {Method} {Route} responded {StatusCode} in {ElapsedMs:0.000} ms (trace {TraceId}; etiology {Etiology}; urgency {Urgency}; knowledge base {KnowledgeBaseVersion}; assessment {AssessmentId})");

    /// <summary>
    /// Arguments: events per variant and round (default 50,000), rounds (default 5), and optionally
    /// one variant's name (to count its system calls alone, e.g. under <c>strace -f -c -e trace=write</c>).
    /// </summary>
    public static int Run(ReadOnlySpan<string> args, TextWriter report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        var only = args.Length > 2 ? args[2] : null;
        if (!Console.IsOutputRedirected)
        {
            report.WriteLine("redirect standard output (to a file): this writes a log line per event");
            return 2;
        }

        var variants = new (string Name, Func<Serilog.Core.Logger?> Create)[]
        {
            ("formatter", () => null),
            ("console", () => Configure().WriteTo.Console(new JsonFormatter(renderMessage: true)).CreateLogger()),
            ("stdout-json", () => Configure().WriteTo.Sink(new StdoutJsonSink(new JsonFormatter(renderMessage: true))).CreateLogger()),
        };
        if (only is not null)
        {
            variants = variants.Where(v => v.Name == only).ToArray();
        }

        var sample = new StringWriter();
        new JsonFormatter(renderMessage: true).Format(Enriched(RequestLine(1.234)), sample);
        report.WriteLine($"request line: {sample.ToString().Length} characters; {events} events per variant, round and thread count; {rounds} rounds");

        var results = new Dictionary<string, List<(double Wall, double Cpu, double Bytes)>>();
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var threads in new[] { 1, 2 })
            {
                foreach (var (name, create) in variants)
                {
                    // Round 0 warms every path up (tiered compilation) and is not counted.
                    var result = Measure(create, events, threads);
                    if (round > 0)
                    {
                        var key = $"{name} x{threads}";
                        (results.TryGetValue(key, out var list) ? list : results[key] = []).Add(result);
                    }
                }
            }
        }

        report.WriteLine($"{"variant",-16} {"wall µs/event",14} {"CPU µs/event",13} {"B/event",9}   per round (CPU µs/event)");
        foreach (var (key, list) in results)
        {
            report.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{key,-16} {Median(list.Select(r => r.Wall)),14:F2} {Median(list.Select(r => r.Cpu)),13:F2} {Median(list.Select(r => r.Bytes)),9:F0}   {string.Join(", ", list.Select(r => r.Cpu.ToString("F2", CultureInfo.InvariantCulture)))}"));
        }

        return 0;
    }

    private static LoggerConfiguration Configure() =>
        new LoggerConfiguration()
            .MinimumLevel.Information()
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Service", "ClonusCds");

    private static (double Wall, double Cpu, double Bytes) Measure(Func<Serilog.Core.Logger?> create, int events, int threads)
    {
        var logger = create();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var cpu = Environment.CpuUsage.TotalTime;
        var bytes = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            if (logger is null)
            {
                // The floor: format each event as the sinks do, into a writer that is reused.
                var formatter = new JsonFormatter(renderMessage: true);
                var writer = new StringWriter();
                for (var i = 0; i < events; i++)
                {
                    writer.GetStringBuilder().Clear();
                    formatter.Format(Enriched(RequestLine(i * 0.001)), writer);
                }
            }
            else
            {
                var source = logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "Serilog.AspNetCore.RequestLoggingMiddleware");
                for (var i = 0; i < events; i++)
                {
                    source.Write(RequestLine(i * 0.001));
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        logger?.Dispose(); // writes what a batching sink still holds
        var wall = clock.Elapsed.TotalMicroseconds;
        var total = (double)events * threads;
        return (wall / total, (Environment.CpuUsage.TotalTime - cpu).TotalMicroseconds / total,
            (GC.GetTotalAllocatedBytes(precise: true) - bytes) / total);
    }

    /// <summary>The event Serilog.AspNetCore's request logging middleware builds for an assessment.</summary>
    private static LogEvent RequestLine(double elapsedMs) =>
        new(DateTimeOffset.Now, LogEventLevel.Information, null, Template,
        [
            new("TraceId", new ScalarValue(ActivityTraceId.CreateRandom().ToString())),
            new("Route", new ScalarValue("/api/v1/assessments/")),
            new("Etiology", new ScalarValue("serotonin_toxicity")),
            new("Urgency", new ScalarValue("emergency")),
            new("KnowledgeBaseVersion", new ScalarValue("2026.12.3")),
            new("AssessmentId", new ScalarValue(Guid.NewGuid().ToString())),
            new("Method", new ScalarValue("POST")),
            new("StatusCode", new ScalarValue(200)),
            new("ElapsedMs", new ScalarValue(elapsedMs)),
        ]);

    /// <summary>What the logger's enrichers add before a sink sees the event (for the formatter floor).</summary>
    private static LogEvent Enriched(LogEvent e)
    {
        e.AddPropertyIfAbsent(new LogEventProperty(Serilog.Core.Constants.SourceContextPropertyName, new ScalarValue("Serilog.AspNetCore.RequestLoggingMiddleware")));
        e.AddPropertyIfAbsent(new LogEventProperty("Service", new ScalarValue("ClonusCds")));
        return e;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
