using System.Globalization;
using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// Writes each log event as one line on standard output, as Serilog's console sink did, with the
/// same formatter and so the same bytes, but in batches: one <c>write</c> system call for all the
/// lines of the last <see cref="FlushDelayMs"/> ms instead of 4–5 calls per line.
/// </summary>
/// <remarks>
/// <para>
/// Why: the runtime's <see cref="Console.Out"/> writer has a 256-character buffer and flushes on
/// every write, so each ~1 KB JSON request line became 4–5 <c>write</c> calls (counted with
/// strace), and the console sink allocated a new <see cref="StringWriter"/> and string per event.
/// Under load those writes were the largest cost of the request log line (docs/performance.md,
/// "HTTP load"). Here a line is formatted into a per-thread buffer that is reused, encoded with
/// the console's own encoding, and appended to a pending buffer that is written out
/// <see cref="FlushDelayMs"/> ms after its first line, or at once when it reaches
/// <see cref="FlushBytes"/>.
/// </para>
/// <para>
/// Order is kept (one lock). An event at <see cref="LogEventLevel.Warning"/> or above is written
/// at once, with everything pending before it, so errors and the fatal start-up line are never
/// held back; pending lines are also written on dispose (host shutdown), process exit and an
/// unhandled exception. When <see cref="Console.Out"/> is not the runtime's own console writer
/// (someone called <see cref="Console.SetOut"/>, e.g. a test capturing the output), each line goes
/// to <see cref="Console.Out"/> at once, exactly as the console sink wrote it.
/// </para>
/// </remarks>
internal sealed class StdoutJsonSink : ILogEventSink, IDisposable
{
    /// <summary>Longest time a line waits in the pending buffer.</summary>
    public const int FlushDelayMs = 2;

    /// <summary>Pending bytes that trigger a write at once.</summary>
    public const int FlushBytes = 64 * 1024;

    /// <summary>Buffers larger than this (a huge event) are not kept for the next event.</summary>
    private const int MaxRetainedChars = 64 * 1024;

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    [ThreadStatic]
    private static LineBuffer? _threadBuffer;

    private readonly ITextFormatter _formatter;
    private readonly object _gate = new();
    private readonly Timer _timer;
    private byte[] _pending = new byte[FlushBytes + 16 * 1024];
    private int _pendingLength;
    private bool _timerArmed;
    private TextWriter? _checkedWriter;
    private Encoding? _consoleEncoding;
    private Stream? _stdout;

    private readonly bool _fixedStream;

    public StdoutJsonSink(ITextFormatter formatter)
    {
        _formatter = formatter;
        _timer = new Timer(static state => ((StdoutJsonSink)state!).FlushQuietly(), this, Timeout.Infinite, Timeout.Infinite);
        AppDomain.CurrentDomain.ProcessExit += OnExit;
        AppDomain.CurrentDomain.UnhandledException += OnExit;
    }

    /// <summary>Writes to <paramref name="output"/> (UTF-8) instead of standard output (tests).</summary>
    internal StdoutJsonSink(ITextFormatter formatter, Stream output)
        : this(formatter)
    {
        _stdout = output;
        _fixedStream = true;
        _consoleEncoding = Utf8;
    }

    public void Emit(LogEvent logEvent)
    {
        var buffer = _threadBuffer ??= new LineBuffer();
        var text = buffer.Writer.GetStringBuilder();
        text.Clear();
        _formatter.Format(logEvent, buffer.Writer);

        var output = Console.Out;
        lock (_gate)
        {
            if (!_fixedStream && !ReferenceEquals(output, _checkedWriter))
            {
                _checkedWriter = output;
                _consoleEncoding = IsRuntimeConsoleWriter(output)
                    ? (output.Encoding.CodePage == Utf8.CodePage ? Utf8 : output.Encoding)
                    : null;
            }

            if (_consoleEncoding is null)
            {
                WritePendingLocked();
                output.Write(text.ToString());
                output.Flush();
            }
            else
            {
                Append(buffer.Encode(text, _consoleEncoding));
                if (logEvent.Level >= LogEventLevel.Warning || _pendingLength >= FlushBytes)
                {
                    WritePendingLocked();
                }
                else if (!_timerArmed)
                {
                    _timerArmed = true;
                    _timer.Change(FlushDelayMs, Timeout.Infinite);
                }
            }
        }

        if (text.Capacity > MaxRetainedChars)
        {
            _threadBuffer = null;
        }
    }

    /// <summary>Writes whatever is pending.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            WritePendingLocked();
        }
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnExit;
        AppDomain.CurrentDomain.UnhandledException -= OnExit;
        Flush();
        _timer.Dispose();
    }

    private void OnExit(object? sender, EventArgs e) => FlushQuietly();

    /// <summary>For the timer and exit paths, where an exception has no caller to go to.</summary>
    private void FlushQuietly()
    {
        try
        {
            Flush();
        }
        catch (IOException ex)
        {
            Serilog.Debugging.SelfLog.WriteLine("Writing log lines to standard output failed: {0}", ex.Message);
        }
        catch (ObjectDisposedException ex)
        {
            Serilog.Debugging.SelfLog.WriteLine("Writing log lines to standard output failed: {0}", ex.Message);
        }
    }

    private void Append(ReadOnlySpan<byte> line)
    {
        if (_pending.Length - _pendingLength < line.Length)
        {
            WritePendingLocked();
            if (_pending.Length < line.Length)
            {
                _pending = new byte[line.Length];
            }
        }

        line.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += line.Length;
    }

    private void WritePendingLocked()
    {
        _timerArmed = false;
        if (_pendingLength == 0)
        {
            return;
        }

        _stdout ??= Console.OpenStandardOutput();
        var length = _pendingLength;
        _pendingLength = 0;
        _stdout.Write(_pending, 0, length);
        _stdout.Flush();
    }

    /// <summary>
    /// True for the writer System.Console creates for standard output: only System.Console's own
    /// writers use its internal ConsoleEncoding. Anything else (a writer set with
    /// <see cref="Console.SetOut"/>) is written to through <see cref="Console.Out"/> itself.
    /// </summary>
    private static bool IsRuntimeConsoleWriter(TextWriter writer) =>
        string.Equals(writer.Encoding.GetType().FullName, "System.Text.ConsoleEncoding", StringComparison.Ordinal);

    private sealed class LineBuffer
    {
        private char[] _chars = new char[2048];
        private byte[] _bytes = new byte[4096];

        // Same construction as the console sink's buffer (current culture; InvariantGlobalization).
        public StringWriter Writer { get; } = new(new StringBuilder(2048), CultureInfo.CurrentCulture);

        /// <summary>The console's UTF-8 (no preamble, replacement fallback) encodes as <see cref="Utf8"/>.</summary>
        public ReadOnlySpan<byte> Encode(StringBuilder text, Encoding encoding)
        {
            if (_chars.Length < text.Length)
            {
                _chars = new char[Math.Max(text.Length, _chars.Length * 2)];
            }

            text.CopyTo(0, _chars, 0, text.Length);
            var chars = _chars.AsSpan(0, text.Length);
            var needed = encoding.GetMaxByteCount(chars.Length);
            if (_bytes.Length < needed)
            {
                _bytes = new byte[Math.Max(needed, _bytes.Length * 2)];
            }

            var count = encoding.GetBytes(chars, _bytes);
            return _bytes.AsSpan(0, count);
        }
    }
}
