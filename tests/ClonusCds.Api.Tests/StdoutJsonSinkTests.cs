using System.Diagnostics;
using System.Text;
using ClonusCds.Api.Infrastructure;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace ClonusCds.Api.Tests;

/// <summary>
/// The log sink that replaced Serilog's console sink (docs/performance.md, "HTTP load") writes the
/// same bytes, keeps the order, holds Information lines at most briefly and writes a Warning (and
/// everything before it) at once.
/// </summary>
public sealed class StdoutJsonSinkTests
{
    [Fact]
    public void Lines_are_the_json_formatter_output_byte_for_byte()
    {
        var output = new CapturingStream();
        var seen = new Collecting();
        using (var sink = new StdoutJsonSink(new JsonFormatter(renderMessage: true), output))
        using (var logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).WriteTo.Sink(seen).CreateLogger())
        {
            logger.Information("HTTP {Method} {Route} responded {StatusCode} in {ElapsedMs:0.000} ms", "POST", "/api/v1/assessments/", 200, 1.23456);
            logger.Information("Non-ASCII and escapes: {Text}", "Größe ✓ 😀 \"quoted\" \\ back\tslash\nnew line");
            logger.Debug("Debug {Count}", 3);
            logger.Warning("Warning {Code}", "W1");
            logger.Information(new string('x', 100_000) + " {Tail}", "end");
        }

        var expected = new StringWriter();
        var formatter = new JsonFormatter(renderMessage: true);
        foreach (var e in seen.Events)
        {
            formatter.Format(e, expected);
        }

        Assert.Equal(5, seen.Events.Count);
        Assert.Equal(Encoding.UTF8.GetBytes(expected.ToString()), output.Snapshot());
    }

    [Fact]
    public void A_warning_is_written_at_once_after_the_lines_before_it()
    {
        var output = new CapturingStream();
        using var sink = new StdoutJsonSink(new JsonFormatter(), output);
        using var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();

        logger.Information("first {N}", 1);
        logger.Information("second {N}", 2);
        logger.Error("third {N}", 3);

        var lines = Encoding.UTF8.GetString(output.Snapshot()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains("first", lines[0], StringComparison.Ordinal);
        Assert.Contains("second", lines[1], StringComparison.Ordinal);
        Assert.Contains("third", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_information_line_is_written_within_moments_without_further_events()
    {
        var output = new CapturingStream();
        using var sink = new StdoutJsonSink(new JsonFormatter(), output);
        using var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();

        logger.Information("alone {N}", 1);

        var clock = Stopwatch.StartNew();
        while (output.Snapshot().Length == 0 && clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(5);
        }

        Assert.Contains("alone", Encoding.UTF8.GetString(output.Snapshot()), StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_writes_what_is_pending()
    {
        var output = new CapturingStream();
        var sink = new StdoutJsonSink(new JsonFormatter(), output);
        var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger();

        logger.Information("pending {N}", 1);
        logger.Dispose();
        sink.Dispose();

        Assert.Contains("pending", Encoding.UTF8.GetString(output.Snapshot()), StringComparison.Ordinal);
    }

    private sealed class Collecting : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }

    /// <summary>A write-only stream whose content can be read while the sink's timer writes.</summary>
    private sealed class CapturingStream : Stream
    {
        private readonly MemoryStream _inner = new();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public byte[] Snapshot()
        {
            lock (_inner)
            {
                return _inner.ToArray();
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (_inner)
            {
                _inner.Write(buffer, offset, count);
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
