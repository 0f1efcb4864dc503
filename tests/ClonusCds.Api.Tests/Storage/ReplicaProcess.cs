using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace ClonusCds.Api.Tests.Storage;

/// <summary>
/// The built API as a separate process, the way a replica runs: <c>dotnet ClonusCds.Api.dll</c> (the
/// copy in the test output folder, which the test project's reference puts there) with the
/// environment a test gives, on a free loopback port. The content root and working directory are
/// <c>src/ClonusCds.Api</c>, as under <c>dotnet run --project src/ClonusCds.Api</c> (appsettings.json,
/// wwwroot), or the output folder when the repository is not around it. Started when
/// <c>GET /health/ready</c> answers 200; stdout and stderr are captured for assertions and failure
/// messages.
/// </summary>
public sealed class ReplicaProcess : IAsyncDisposable
{
    /// <summary>How long a replica may take to become ready (a busy 2-core machine runs tests alongside).</summary>
    public static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Set in every replica's environment to "pid:start" of the test process that started it (start:
    /// field 22 of /proc/pid/stat), so replicas left running by a killed test run are found and
    /// killed by the next run. tests/replicas/run.sh marks its replicas the same way.
    /// </summary>
    public const string OwnerVariable = "CLONUS_REPLICA_OWNER";

    private static readonly Lazy<int> Swept = new(SweepOrphans);

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<string> _ownedFiles;

    private ReplicaProcess(string name, Process process, int port, List<string> ownedFiles)
    {
        Name = name;
        _process = process;
        Port = port;
        _ownedFiles = ownedFiles;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>A label for messages ("A", "B", …).</summary>
    public string Name { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    /// <summary>A client for this replica (base address set).</summary>
    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once exited (137 after <see cref="Kill"/>: 128 + SIGKILL).</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>From process start to the first 200 from /health/ready.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved in arrival order (stderr lines marked).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of <see cref="Output"/>.</summary>
    public string OutputTail(int lines = 40)
    {
        lock (_output)
        {
            return string.Join('\n', _output.Skip(Math.Max(0, _output.Count - lines)));
        }
    }

    /// <summary>The API assembly in the test output folder.</summary>
    public static string ApiAssembly => Path.Combine(AppContext.BaseDirectory, "ClonusCds.Api.dll");

    /// <summary>src/ClonusCds.Api of the repository around the test output folder, else the output folder.</summary>
    public static string ContentRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var project = Path.Combine(dir.FullName, "src", "ClonusCds.Api");
                if (File.Exists(Path.Combine(dir.FullName, "ClonusCds.sln")) && File.Exists(Path.Combine(project, "appsettings.json")))
                {
                    return project;
                }
            }

            return AppContext.BaseDirectory;
        }
    }

    /// <summary>
    /// Starts a replica and waits until it is ready. <paramref name="environment"/> is applied on top
    /// of this process's environment, from which ASP.NET Core and configuration variables
    /// (<c>ASPNETCORE_*</c>, <c>DOTNET_ENVIRONMENT</c>, any <c>Section__Key</c>) are removed first, so
    /// only the test's settings count. Defaults, each unless given: <c>ASPNETCORE_URLS</c> a free
    /// loopback port, <c>ASPNETCORE_ENVIRONMENT=Production</c>, and an SQLite file of the replica's own
    /// (deleted on dispose) for <c>Storage__SqlitePath</c> and the legacy
    /// <c>CdsHooks__Feedback__DatabasePath</c> (either given: the other gets the same value), so a
    /// replica never writes into the repository's App_Data.
    /// </summary>
    public static async Task<ReplicaProcess> StartAsync(IReadOnlyDictionary<string, string?> environment, string name = "replica", TimeSpan? readyTimeout = null)
    {
        // The port is free when chosen but is bound only by the replica: another process could take
        // it first. Kestrel then exits at once with "address already in use"; that alone is retried.
        for (var attempt = 1; ; attempt++)
        {
            var replica = Launch(environment, name);
            try
            {
                await replica.WaitUntilReadyAsync(readyTimeout ?? DefaultReadyTimeout);
                return replica;
            }
            catch (ReplicaStartException) when (attempt < 3 && !environment.ContainsKey("ASPNETCORE_URLS")
                && replica.Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await replica.DisposeAsync();
            }
            catch
            {
                await replica.DisposeAsync();
                throw;
            }
        }
    }

    private static ReplicaProcess Launch(IReadOnlyDictionary<string, string?> environment, string name)
    {
        if (!File.Exists(ApiAssembly))
        {
            throw new InvalidOperationException($"{ApiAssembly} not found: the test project must reference src/ClonusCds.Api (it copies the API into its output folder).");
        }

        _ = Swept.Value;
        var contentRoot = ContentRoot;
        var info = new ProcessStartInfo
        {
            // The dotnet that runs the tests (the SDK sets DOTNET_HOST_PATH for its children).
            FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet",
            WorkingDirectory = contentRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(ApiAssembly);
        info.ArgumentList.Add("--contentRoot");
        info.ArgumentList.Add(contentRoot);

        foreach (var key in info.Environment.Keys.ToList())
        {
            var isHostSetting = key.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || key.Equals("DOTNET_ENVIRONMENT", StringComparison.OrdinalIgnoreCase);
            var isConfiguration = key.Contains("__", StringComparison.Ordinal)
                && !key.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) && !key.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase);
            if (isHostSetting || isConfiguration)
            {
                info.Environment.Remove(key);
            }
        }

        var port = 0;
        if (!environment.ContainsKey("ASPNETCORE_URLS"))
        {
            port = FreePort();
            info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        }

        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment[OwnerVariable] = $"{Environment.ProcessId}:{StartTimeOf(Environment.ProcessId)}";
        var owned = new List<string>();
        environment.TryGetValue("Storage__SqlitePath", out var sqlite);
        environment.TryGetValue("CdsHooks__Feedback__DatabasePath", out var legacy);
        if (sqlite is null && legacy is null)
        {
            sqlite = legacy = Path.Combine(Path.GetTempPath(), $"clonus-replica-{Guid.NewGuid():N}.db");
            owned.AddRange([sqlite, sqlite + "-wal", sqlite + "-shm"]);
        }

        info.Environment["Storage__SqlitePath"] = sqlite ?? legacy;
        info.Environment["CdsHooks__Feedback__DatabasePath"] = legacy ?? sqlite;
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        if (port == 0)
        {
            port = new Uri(environment["ASPNETCORE_URLS"]!.Split(';')[0].Replace("+", "localhost", StringComparison.Ordinal).Replace("*", "localhost", StringComparison.Ordinal)).Port;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var replica = new ReplicaProcess(name, process, port, owned);
        process.OutputDataReceived += (_, e) => replica.Capture(e.Data, stderr: false);
        process.ErrorDataReceived += (_, e) => replica.Capture(e.Data, stderr: true);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return replica;
    }

    private void Capture(string? line, bool stderr)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(stderr ? "[stderr] " + line : line);
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var last = "no answer yet";
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                throw new ReplicaStartException($"Replica {Name} exited during start-up with code {_process.ExitCode} after {clock.Elapsed.TotalSeconds:0.0} s. Its output ends:{Environment.NewLine}{OutputTail()}");
            }

            try
            {
                using var response = await probe.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    StartupTime = clock.Elapsed;
                    return;
                }

                last = $"/health/ready answered {(int)response.StatusCode}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException)
            {
                last = "/health/ready timed out";
            }

            await Task.Delay(100);
        }

        throw new ReplicaStartException($"Replica {Name} ({BaseAddress}) was not ready within {timeout.TotalSeconds:0} s ({last}). Its output ends:{Environment.NewLine}{OutputTail()}");
    }

    /// <summary>SIGKILL to the replica (and anything it started), as a crash or an OOM kill; waits for it to be gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    /// <summary>
    /// SIGTERM, as an orchestrator stops a replica, then waits for a graceful exit (in-flight requests
    /// finished, the host's shutdown run). Returns the exit code. If the replica is still running after
    /// <paramref name="timeout"/> it is killed and this throws.
    /// </summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            if (NativeMethods.kill(_process.Id, NativeMethods.SIGTERM) != 0 && !_process.HasExited)
            {
                throw new InvalidOperationException($"kill({_process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}");
            }

            using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
                throw new TimeoutException($"Replica {Name} did not exit within {(timeout ?? TimeSpan.FromSeconds(20)).TotalSeconds:0} s of SIGTERM and was killed. Its output ends:{Environment.NewLine}{OutputTail()}");
            }
        }

        await _process.WaitForExitAsync();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        Client.Dispose();
        _process.Dispose();
        foreach (var file in _ownedFiles)
        {
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Kills replicas whose owning test process (<see cref="OwnerVariable"/>) is gone. Returns how many.</summary>
    internal static int SweepOrphans()
    {
        var killed = 0;
        var marker = Encoding.ASCII.GetBytes(OwnerVariable + "=");
        foreach (var dir in Directory.Exists("/proc") ? Directory.GetDirectories("/proc") : [])
        {
            if (!int.TryParse(Path.GetFileName(dir), System.Globalization.CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                // Only this user's processes are readable: exactly the ones this user may kill.
                var entry = File.ReadAllBytes(Path.Combine(dir, "environ")).AsSpan();
                var at = entry.IndexOf(marker);
                if (at < 0)
                {
                    continue;
                }

                var value = entry[(at + marker.Length)..];
                var end = value.IndexOf((byte)0);
                var owner = Encoding.ASCII.GetString(end < 0 ? value : value[..end]).Split(':');
                if (owner.Length != 2 || !int.TryParse(owner[0], System.Globalization.CultureInfo.InvariantCulture, out var ownerPid)
                    || StartTimeOf(ownerPid) == owner[1])
                {
                    continue;
                }

                using var orphan = Process.GetProcessById(pid);
                orphan.Kill(entireProcessTree: true);
                killed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone meanwhile, or not ours.
            }
        }

        return killed;
    }

    /// <summary>A process's start time in clock ticks since boot (/proc/pid/stat field 22), or "" when there is no such process.</summary>
    internal static string StartTimeOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after "(comm)", which may itself hold spaces or parentheses: state is field 3.
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return "";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static class NativeMethods
    {
        public const int SIGTERM = 15;

        /// <summary>POSIX kill(2): there is no managed way to send SIGTERM (Process.Kill sends SIGKILL).</summary>
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks in the test project for one call.
        public static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
    }
}

/// <summary>A replica exited or did not become ready; the message ends with its output.</summary>
public sealed class ReplicaStartException(string message) : Exception(message);
