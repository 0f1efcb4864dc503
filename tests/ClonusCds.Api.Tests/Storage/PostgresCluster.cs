using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace ClonusCds.Api.Tests.Storage;

/// <summary>
/// A throw-away PostgreSQL cluster for the storage tests: initdb in a fresh temporary folder,
/// started with pg_ctl on a free loopback port, stopped and deleted on dispose.
/// <list type="bullet">
/// <item>Server binaries: the highest <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> with initdb, pg_ctl and
/// postgres, else <c>pg_config --bindir</c>, else the PATH. When none has all three, Debian's
/// <c>postgresql</c> is installed (<c>apt-get install -y postgresql</c>, as root or through
/// <c>sudo -n</c>; <c>apt-get update</c> only if that fails) and the test output says so.</item>
/// <item>Root: initdb and postgres refuse to run as root, so when the tests run as root every
/// server command runs as the <c>postgres</c> system user (created when missing) through
/// <c>runuser</c> (or <c>setpriv</c>), and the folder is handed to that user.</item>
/// <item>Security: a superuser with a generated password, scram-sha-256 for every connection, TCP on
/// 127.0.0.1 only, the unix socket inside the folder. fsync off: nothing here must survive a crash.</item>
/// <item>Leftovers: each folder records the test process that owns it; a later run stops and deletes
/// the clusters of owners that are gone (a run killed before it could dispose).</item>
/// </list>
/// Use it through <see cref="PostgresClusterDefinition"/>; each test class takes its own database with
/// <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    /// <summary>Temporary folders are named with this prefix (the orphan sweep looks for it).</summary>
    public const string FolderPrefix = "clonus-pg-";

    /// <summary>The bootstrap superuser.</summary>
    public const string AdminUser = "clonus_admin";

    /// <summary>The system user the server runs as when the tests run as root.</summary>
    public const string ServiceUser = "postgres";

    private const string OwnerFile = "owner";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly SemaphoreSlim Provisioning = new(1, 1);

    private readonly IMessageSink? _messages;
    private int _databases;
    private int _stopped;

    /// <param name="messages">xunit's diagnostic sink (given to collection fixtures); null for a cluster a test starts itself: notes then go to stderr only.</param>
    public PostgresCluster(IMessageSink? messages) => _messages = messages;

    /// <summary>The folder holding data, socket and log (deleted on dispose).</summary>
    public string Root { get; private set; } = "";

    public string DataDirectory => Path.Combine(Root, "data");

    public string SocketDirectory => Path.Combine(Root, "socket");

    public string LogFile => Path.Combine(Root, "postgres.log");

    /// <summary>The folder initdb, pg_ctl and postgres were taken from.</summary>
    public string BinDirectory { get; private set; } = "";

    /// <summary>The server's major version, as <c>postgres --version</c> reports it.</summary>
    public string ServerVersion { get; private set; } = "";

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The system user the server runs as when the tests run as root; null otherwise.</summary>
    public string? RunAs { get; private set; }

    /// <summary>From the start of <see cref="InitializeAsync"/> to the first successful connection.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>The superuser's connection string (database <c>postgres</c>).</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        var binaries = await FindOrProvisionBinariesAsync();
        BinDirectory = binaries;
        RunAs = Environment.IsPrivilegedProcess ? EnsureServiceUser() : null;
        SweepOrphans(RunAs);

        Root = CreateRoot(RunAs);
        try
        {
            var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
            await InitDbAsync(password);
            await StartAsync();
            AdminConnectionString = ConnectionString("postgres", AdminUser, password);
            await WaitForConnectionAsync(AdminConnectionString);
            ServerVersion = await ScalarAsync<string>(AdminConnectionString, "SHOW server_version") ?? "";
            StartupTime = clock.Elapsed;
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
            Say($"PostgreSQL {ServerVersion} ({BinDirectory}) listening on 127.0.0.1:{Port}, ready in {StartupTime.TotalSeconds:0.0} s; "
                + $"data in {Root}{(RunAs is null ? "" : $", running as {RunAs} (the tests run as root)")}.");
        }
        catch
        {
            Stop();
            throw;
        }
    }

    /// <summary>
    /// A new, empty database for one test class, owned by a new login role of its own (not a
    /// superuser, as an application's should be), which no other role but the superuser can connect
    /// to. Returns that role's connection string.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string? purpose = null)
    {
        var n = Interlocked.Increment(ref _databases);
        var label = Sanitize(purpose);
        var name = $"clonus_{n}{(label.Length == 0 ? "" : "_" + label)}_{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            // Identifiers are generated above ([a-z0-9_]) and the password is hex: nothing to escape.
            foreach (var sql in new[]
            {
                $"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'",
                $"CREATE DATABASE \"{name}\" OWNER \"{name}\"",
                $"REVOKE ALL ON DATABASE \"{name}\" FROM PUBLIC",
            })
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        return ConnectionString(name, name, password);
    }

    public Task DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Stop();
        return Task.CompletedTask;
    }

    /// <summary>Stops the server (immediate mode) and deletes the folder. Safe to call twice.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1 || Root.Length == 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            StopServer(BinDirectory, DataDirectory, RunAs);
        }

        DeleteFolder(Root);
    }

    private void OnProcessExit(object? sender, EventArgs e) => Stop();

    private string ConnectionString(string database, string user, string password) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = database,
        Username = user,
        Password = password,
        Timeout = 10,
        IncludeErrorDetail = true,
    }.ConnectionString;

    private async Task InitDbAsync(string password)
    {
        var passwordFile = Path.Combine(Root, "pwfile");
        await File.WriteAllTextAsync(passwordFile, password + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        HandOver(passwordFile, RunAs);
        try
        {
            Run(Tool("initdb"),
                ["-D", DataDirectory, "-U", AdminUser, "--pwfile=" + passwordFile, "--auth=scram-sha-256",
                 "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
                Root, RunAs).ThrowIfFailed("initdb");
        }
        finally
        {
            File.Delete(passwordFile);
        }

        Directory.CreateDirectory(SocketDirectory);
        HandOver(SocketDirectory, RunAs);
    }

    private async Task StartAsync()
    {
        // A free port is taken from the kernel and released; another process could take it before
        // the server binds it, so a failed start is retried on a new port.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            var settings = string.Join('\n',
                "# ClonusCds test cluster (tests/ClonusCds.Api.Tests/Storage/PostgresCluster.cs)",
                "listen_addresses = '127.0.0.1'",
                $"port = {Port}",
                $"unix_socket_directories = '{SocketDirectory}'",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "max_connections = 200",
                "shared_buffers = 32MB",
                "dynamic_shared_memory_type = mmap",
                "logging_collector = off",
                "log_min_messages = warning",
                "");
            await File.WriteAllTextAsync(Path.Combine(DataDirectory, "postgresql.auto.conf"), settings);
            HandOver(Path.Combine(DataDirectory, "postgresql.auto.conf"), RunAs);
            var start = Run(Tool("pg_ctl"), ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "30", "-s"], Root, RunAs);
            if (start.ExitCode == 0)
            {
                return;
            }

            var log = Tail(LogFile);
            if (attempt < 3 && log.Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            throw new InvalidOperationException($"pg_ctl start failed (exit {start.ExitCode}).{Environment.NewLine}{start.Output}{Environment.NewLine}server log:{Environment.NewLine}{log}");
        }
    }

    private async Task WaitForConnectionAsync(string connectionString)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(100);
            }
            catch (NpgsqlException ex)
            {
                throw new InvalidOperationException($"PostgreSQL on 127.0.0.1:{Port} did not accept a connection: {ex.Message}{Environment.NewLine}{Tail(LogFile)}", ex);
            }
        }
    }

    private static async Task<T?> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T?)await command.ExecuteScalarAsync();
    }

    private string Tool(string name) => Path.Combine(BinDirectory, name);

    // ---- binaries -------------------------------------------------------------------------------

    /// <summary>The server binaries' folder, installing Debian's postgresql when none is found.</summary>
    private async Task<string> FindOrProvisionBinariesAsync()
    {
        if (FindBinaries() is { } found)
        {
            return found;
        }

        await Provisioning.WaitAsync();
        try
        {
            if (FindBinaries() is { } raced)
            {
                return raced;
            }

            Say("PostgreSQL tests: no PostgreSQL server binaries (initdb, pg_ctl, postgres) found; installing Debian's postgresql "
                + $"(apt-get install -y postgresql{(Environment.IsPrivilegedProcess ? "" : ", through sudo -n")}). This happens once per machine.");
            var log = new StringBuilder();
            var installed = AptGet(["install", "-y", "postgresql"], log) == 0
                // A fresh machine may not have package lists yet: update once, then try again.
                || (AptGet(["update"], log) == 0 && AptGet(["install", "-y", "postgresql"], log) == 0);
            if (installed && FindBinaries() is { } provisioned)
            {
                Say($"PostgreSQL tests: installed Debian's postgresql; server binaries in {provisioned}.");
                return provisioned;
            }

            throw new InvalidOperationException(
                "The PostgreSQL tests need the PostgreSQL server binaries (initdb, pg_ctl, postgres) and they could not be installed "
                + "automatically (apt-get as root, or sudo -n apt-get). Install them with `sudo apt-get install -y postgresql` "
                + $"and run the tests again.{Environment.NewLine}{TailOf(log.ToString())}");
        }
        finally
        {
            Provisioning.Release();
        }
    }

    /// <summary>
    /// The first folder holding initdb, pg_ctl and postgres: /usr/lib/postgresql/&lt;version&gt;/bin, highest
    /// version first (Debian and Ubuntu), then pg_config --bindir (which may be a client-only folder),
    /// then the PATH.
    /// </summary>
    public static string? FindBinaries()
    {
        var candidates = new List<string>();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: d, Version: double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin")));
        }

        if (Run("pg_config", ["--bindir"], null, null) is { ExitCode: 0 } pgConfig)
        {
            candidates.Add(pgConfig.Output.Trim());
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(dir => new[] { "initdb", "pg_ctl", "postgres" }.All(tool => File.Exists(Path.Combine(dir, tool))));
    }

    private static int AptGet(string[] arguments, StringBuilder log)
    {
        var result = Environment.IsPrivilegedProcess
            ? Run("apt-get", arguments, null, null, aptEnvironment: true)
            : Run("sudo", ["-n", "apt-get", .. arguments], null, null, aptEnvironment: true);
        log.Append(result.Output);
        return result.ExitCode;
    }

    // ---- the service user (tests running as root) -----------------------------------------------

    /// <summary>The postgres system user, created (system account, no login shell) when missing.</summary>
    private string EnsureServiceUser()
    {
        if (Run("id", ["-u", ServiceUser], null, null).ExitCode != 0)
        {
            Say($"PostgreSQL tests: running as root and there is no '{ServiceUser}' user to run the server as; creating it as a system user.");
            Run("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", ServiceUser], null, null)
                .ThrowIfFailed("useradd " + ServiceUser);
        }

        if (!File.Exists("/usr/sbin/runuser") && !File.Exists("/sbin/runuser") && !File.Exists("/usr/bin/runuser")
            && !File.Exists("/usr/bin/setpriv") && !File.Exists("/bin/setpriv"))
        {
            throw new InvalidOperationException("Running as root: PostgreSQL refuses root, and neither runuser nor setpriv (util-linux) is available to run it as " + ServiceUser + ".");
        }

        return ServiceUser;
    }

    /// <summary>A new folder for one cluster; when the server runs as another user, handed to that user.</summary>
    private static string CreateRoot(string? runAs)
    {
        var root = Path.Combine(BaseFolder(runAs), FolderPrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant());
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The PostgreSQL test cluster runs on Linux (initdb, pg_ctl, runuser).");
        }

        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using (var current = Process.GetCurrentProcess())
        {
            File.WriteAllText(Path.Combine(root, OwnerFile), $"{Environment.ProcessId} {current.StartTime.ToUniversalTime().Ticks}\n");
        }

        HandOver(root, runAs);
        return root;
    }

    /// <summary>
    /// The temporary folder, or /tmp when the service user could not reach it (a TMPDIR under
    /// /root), or when the socket path would be too long for a unix socket (107 bytes).
    /// </summary>
    private static string BaseFolder(string? runAs)
    {
        var temp = Path.GetFullPath(Path.GetTempPath()).TrimEnd('/');
        var reachable = true;
        if (runAs is not null && !OperatingSystem.IsWindows())
        {
            foreach (var dir in Ancestors(temp))
            {
                reachable &= (File.GetUnixFileMode(dir) & UnixFileMode.OtherExecute) != 0;
            }
        }

        return reachable && temp.Length < 50 ? temp : "/tmp";
    }

    private static IEnumerable<string> Ancestors(string path)
    {
        for (var dir = path; !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            yield return dir;
        }
    }

    private static void HandOver(string path, string? runAs)
    {
        if (runAs is not null)
        {
            Run("chown", [$"{runAs}:", path], null, null).ThrowIfFailed("chown " + path);
        }
    }

    // ---- leftovers -----------------------------------------------------------------------------

    /// <summary>
    /// Stops and deletes the clusters whose owning test process is gone (a run killed before it
    /// could dispose). Clusters of live processes, other users' folders and anything else are left alone.
    /// </summary>
    private void SweepOrphans(string? runAs)
    {
        foreach (var folder in new[] { Path.GetTempPath(), "/tmp" }.Select(p => Path.GetFullPath(p).TrimEnd('/')).Distinct())
        {
            string[] candidates;
            try
            {
                candidates = Directory.GetDirectories(folder, FolderPrefix + "*");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var candidate in candidates)
            {
                if (!IsOrphan(candidate))
                {
                    continue;
                }

                var data = Path.Combine(candidate, "data");
                if (File.Exists(Path.Combine(data, "postmaster.pid")) && FindBinaries() is { } bin)
                {
                    StopServer(bin, data, runAs);
                }

                if (DeleteFolder(candidate))
                {
                    Say($"PostgreSQL tests: removed a cluster left by an earlier run that did not finish ({candidate}).");
                }
            }
        }
    }

    private static bool IsOrphan(string folder)
    {
        string[] owner;
        try
        {
            owner = File.ReadAllText(Path.Combine(folder, OwnerFile)).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        if (owner.Length != 2 || !int.TryParse(owner[0], CultureInfo.InvariantCulture, out var pid) || !long.TryParse(owner[1], CultureInfo.InvariantCulture, out var ticks))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            // The same pid with another start time is another process: the owner is gone.
            return Math.Abs(process.StartTime.ToUniversalTime().Ticks - ticks) > TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>pg_ctl stop -m immediate; if that fails, SIGKILL to the postmaster named in postmaster.pid.</summary>
    private static void StopServer(string bin, string data, string? runAs)
    {
        var stop = Run(Path.Combine(bin, "pg_ctl"), ["stop", "-D", data, "-m", "immediate", "-w", "-t", "20", "-s"], Path.GetDirectoryName(data), runAs);
        if (stop.ExitCode == 0)
        {
            return;
        }

        try
        {
            var pidText = File.ReadLines(Path.Combine(data, "postmaster.pid")).FirstOrDefault();
            if (int.TryParse(pidText, CultureInfo.InvariantCulture, out var pid)
                && File.Exists($"/proc/{pid}/comm") && File.ReadAllText($"/proc/{pid}/comm").Trim() is "postgres" or "postmaster")
            {
                using var postmaster = Process.GetProcessById(pid);
                postmaster.Kill(entireProcessTree: true);
                postmaster.WaitForExit(10_000);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Nothing more to do: the folder is deleted anyway and the port is never reused on purpose.
        }
    }

    private static bool DeleteFolder(string folder)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
                return true;
            }
            catch (DirectoryNotFoundException)
            {
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A server process may still be writing its last files for a moment.
                Thread.Sleep(200);
            }
        }

        return false;
    }

    // ---- processes -------------------------------------------------------------------------------

    private sealed record CommandResult(string Command, int ExitCode, string Output)
    {
        public void ThrowIfFailed(string what)
        {
            if (ExitCode != 0)
            {
                throw new InvalidOperationException($"{what} failed (exit {ExitCode}): {Command}{Environment.NewLine}{TailOf(Output)}");
            }
        }
    }

    /// <summary>
    /// Runs a command to completion with its output captured; as <paramref name="runAs"/> (through
    /// runuser, else setpriv) when given. Exit code -1 when it could not be started.
    /// </summary>
    private static CommandResult Run(string file, IReadOnlyList<string> arguments, string? workingDirectory, string? runAs, bool aptEnvironment = false)
    {
        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            // The server tools call getcwd(): the service user must be able to enter the folder.
            WorkingDirectory = workingDirectory ?? "/",
        };
        if (runAs is null)
        {
            info.FileName = file;
        }
        else if (File.Exists("/usr/sbin/runuser") || File.Exists("/sbin/runuser") || File.Exists("/usr/bin/runuser"))
        {
            info.FileName = "runuser";
            foreach (var a in new[] { "-u", runAs, "--" })
            {
                info.ArgumentList.Add(a);
            }

            info.ArgumentList.Add(file);
        }
        else
        {
            info.FileName = "setpriv";
            foreach (var a in new[] { "--reuid=" + runAs, "--regid=" + runAs, "--init-groups", "--" })
            {
                info.ArgumentList.Add(a);
            }

            info.ArgumentList.Add(file);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Settings of the caller's own PostgreSQL must not leak into the throw-away cluster.
        foreach (var name in new[] { "PGDATA", "PGPORT", "PGHOST", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGOPTIONS" })
        {
            info.Environment.Remove(name);
        }

        info.Environment["LC_ALL"] = "C";
        if (aptEnvironment)
        {
            info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        }

        var command = $"{info.FileName} {string.Join(' ', info.ArgumentList)}";
        try
        {
            using var process = Process.Start(info)!;
            process.StandardInput.Close();
            var output = new StringBuilder();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(CommandTimeout))
            {
                process.Kill(entireProcessTree: true);
                return new CommandResult(command, -1, $"timed out after {CommandTimeout.TotalSeconds} s");
            }

            output.Append(stdout.Result).Append(stderr.Result);
            return new CommandResult(command, process.ExitCode, output.ToString());
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new CommandResult(command, -1, $"{info.FileName}: {ex.Message}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Sanitize(string? purpose)
    {
        if (string.IsNullOrEmpty(purpose))
        {
            return "";
        }

        var text = new string(purpose.ToLowerInvariant().Select(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '_').ToArray()).Trim('_');
        return text.Length <= 30 ? text : text[..30];
    }

    private static string Tail(string file)
    {
        try
        {
            return TailOf(File.ReadAllText(file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"({file}: {ex.Message})";
        }
    }

    private static string TailOf(string text) => text.Length <= 3000 ? text : text[^3000..];

    private void Say(string message)
    {
        // Shown in `dotnet test` output (xunit.runner.json: diagnosticMessages); stderr for a
        // cluster a test starts itself.
        if (_messages is null)
        {
            Console.Error.WriteLine(message);
        }
        else
        {
            _messages.OnMessage(new DiagnosticMessage(message));
        }
    }
}

/// <summary>The test classes that share one <see cref="PostgresCluster"/> (each with a database of its own).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresClusterDefinition : ICollectionFixture<PostgresCluster>
{
    public const string Name = "postgres";
}
