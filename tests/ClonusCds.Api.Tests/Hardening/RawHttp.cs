using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ClonusCds.Api.Tests.Hardening;

/// <summary>
/// The API on real Kestrel, listening on a loopback port the OS picks. The in-memory TestServer
/// never parses HTTP, counts connections or runs Kestrel's timers, so Kestrel's limits can only be
/// exercised this way.
/// </summary>
public class KestrelApiFactory : SettingsApiFactory
{
    private IPEndPoint? _endPoint;

    public KestrelApiFactory(IReadOnlyDictionary<string, string?> settings)
        : base(settings)
    {
        // Port 0: the OS hands out a free port, so parallel runs never collide.
        UseKestrel(0);
    }

    public KestrelApiFactory()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <summary>Where Kestrel listens (starts the server on first use).</summary>
    public IPEndPoint EndPoint => _endPoint ??= Start();

    protected override void Configure(IWebHostBuilder builder)
    {
        base.Configure(builder);
        // Plain http on loopback only; nothing else on the machine can reach the test server.
        builder.UseUrls("http://127.0.0.1:0");
    }

    private IPEndPoint Start()
    {
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            ?? throw new InvalidOperationException("Kestrel reported no addresses.");
        var uri = new Uri(addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal)));
        return new IPEndPoint(IPAddress.Parse(uri.Host), uri.Port);
    }
}

/// <summary>One HTTP/1.1 response read off a raw socket.</summary>
public sealed record RawResponse(string StatusLine, int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
{
    public string? Header(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public bool HasHeader(string name) => Headers.Any(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Everything the client saw, for assertions that nothing leaks anywhere.</summary>
    public string AllText => StatusLine + "\n" + string.Join("\n", Headers.Select(h => $"{h.Key}: {h.Value}")) + "\n" + Body;
}

/// <summary>
/// A raw TCP connection speaking hand-written HTTP/1.1. HttpClient refuses to send oversized or
/// half-finished requests and hides connection closes, which are exactly what these tests need.
/// </summary>
public sealed class RawConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    private RawConnection(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>
    /// Started just before connecting. Kestrel's first-request timer starts when it accepts the
    /// connection, which is never earlier, so elapsed time measured here is never shorter than the
    /// server's.
    /// </summary>
    public Stopwatch SinceOpen { get; private init; } = new();

    public static async Task<RawConnection> OpenAsync(IPEndPoint endPoint)
    {
        var stopwatch = Stopwatch.StartNew();
        var client = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        try
        {
            await client.ConnectAsync(endPoint).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new RawConnection(client) { SinceOpen = stopwatch };
    }

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _stream.WriteAsync(bytes).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>
    /// Sends a request, or as much of it as the server takes: a server that answers early and
    /// closes (413 mid-upload, a refused connection) makes the rest of the write fail, which is
    /// not a test failure; the response (or its absence) is what the test checks.
    /// </summary>
    public async Task SendIgnoringCloseAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await SendAsync(bytes);
        }
        catch (Exception ex) when (ClosedByServer(ex))
        {
        }
    }

    /// <summary>Sends a body in HTTP/1.1 chunked framing, 16 KiB per chunk, then the last chunk; stops quietly if the server closes.</summary>
    public async Task SendChunkedIgnoringCloseAsync(byte[] body)
    {
        const int ChunkSize = 16 * 1024;
        try
        {
            for (var offset = 0; offset < body.Length; offset += ChunkSize)
            {
                var length = Math.Min(ChunkSize, body.Length - offset);
                await SendAsync(length.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
                await SendAsync(body.AsMemory(offset, length));
                await SendAsync("\r\n");
            }

            await SendAsync("0\r\n\r\n");
        }
        catch (Exception ex) when (ClosedByServer(ex))
        {
        }
    }

    private static bool ClosedByServer(Exception ex) => ex is IOException or SocketException or ObjectDisposedException;

    /// <summary>Reads one response: status line, headers, then a Content-Length, chunked or read-to-close body.</summary>
    public async Task<RawResponse> ReadResponseAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var head = Encoding.ASCII.GetString(await ReadUntilAsync("\r\n\r\n"u8.ToArray(), cts.Token));
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var statusLine = lines[0];
        var status = int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = lines.Skip(1)
            .Select(l => l.Split(':', 2))
            .Select(p => KeyValuePair.Create(p[0].Trim(), p.Length > 1 ? p[1].Trim() : ""))
            .ToList();

        byte[] body;
        var contentLength = headers.FirstOrDefault(h => string.Equals(h.Key, "Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
        var transferEncoding = headers.FirstOrDefault(h => string.Equals(h.Key, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase)).Value;
        if (contentLength is not null)
        {
            body = await ReadExactlyAsync(int.Parse(contentLength, CultureInfo.InvariantCulture), cts.Token);
        }
        else if (string.Equals(transferEncoding, "chunked", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = new List<byte>();
            while (true)
            {
                var sizeLine = Encoding.ASCII.GetString(await ReadUntilAsync("\r\n"u8.ToArray(), cts.Token)).Trim();
                var size = int.Parse(sizeLine.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    await ReadUntilAsync("\r\n"u8.ToArray(), cts.Token);
                    break;
                }

                decoded.AddRange(await ReadExactlyAsync(size, cts.Token));
                await ReadExactlyAsync(2, cts.Token);
            }

            body = [.. decoded];
        }
        else if (status is 204 or 304 || status < 200)
        {
            body = [];
        }
        else
        {
            body = await ReadToEndAsync(cts.Token);
        }

        return new RawResponse(statusLine, status, headers, Encoding.UTF8.GetString(body));
    }

    /// <summary>
    /// Waits for the server to close the connection. True when it did (end of stream or reset)
    /// within the time; false when the connection was still open. Any bytes the server sent
    /// before closing are returned (a 408, say).
    /// </summary>
    public async Task<(bool Closed, string Received)> WaitForCloseAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var received = new List<byte>(_pending);
        _pending.Clear();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer, cts.Token);
                if (read == 0)
                {
                    return (true, Encoding.ASCII.GetString([.. received]));
                }

                received.AddRange(buffer.AsSpan(0, read).ToArray());
            }
        }
        catch (OperationCanceledException)
        {
            return (false, Encoding.ASCII.GetString([.. received]));
        }
        catch (IOException)
        {
            // Connection reset: closed too, just less politely.
            return (true, Encoding.ASCII.GetString([.. received]));
        }
    }

    private async Task<byte[]> ReadUntilAsync(byte[] terminator, CancellationToken ct)
    {
        while (true)
        {
            var index = IndexOf(_pending, terminator);
            if (index >= 0)
            {
                var result = _pending.GetRange(0, index + terminator.Length).ToArray();
                _pending.RemoveRange(0, index + terminator.Length);
                return result;
            }

            if (!await FillAsync(ct))
            {
                throw new IOException($"The server closed the connection before sending a complete response; received: {Encoding.ASCII.GetString([.. _pending])}");
            }
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
    {
        while (_pending.Count < count)
        {
            if (!await FillAsync(ct))
            {
                throw new IOException("The server closed the connection in the middle of a response body.");
            }
        }

        var result = _pending.GetRange(0, count).ToArray();
        _pending.RemoveRange(0, count);
        return result;
    }

    private async Task<byte[]> ReadToEndAsync(CancellationToken ct)
    {
        while (await FillAsync(ct))
        {
        }

        var result = _pending.ToArray();
        _pending.Clear();
        return result;
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        int read;
        try
        {
            read = await _stream.ReadAsync(buffer, ct);
        }
        catch (IOException)
        {
            return false;
        }

        _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        return read > 0;
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Count - needle.Length; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++)
            {
                match = haystack[i + j] == needle[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }

    public void Dispose()
    {
        _stream.Dispose();
        _client.Dispose();
    }
}
