using System.Diagnostics;
using System.Net.Sockets;
using Npgsql;

namespace ClonusCds.Api.Tests.Storage;

/// <summary>The throw-away PostgreSQL cluster itself: reachable, locked down, isolated databases, cleaned up.</summary>
[Collection(PostgresClusterDefinition.Name)]
public sealed class PostgresClusterTests(PostgresCluster cluster)
{
    [Fact]
    public async Task The_superuser_connects_over_loopback_tcp_with_a_scram_password()
    {
        await using var connection = new NpgsqlConnection(cluster.AdminConnectionString);
        await connection.OpenAsync();

        Assert.StartsWith("PostgreSQL ", await Scalar<string>(connection, "SELECT version()"), StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", await Scalar<string>(connection, "SHOW listen_addresses"));
        Assert.Equal(cluster.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), await Scalar<string>(connection, "SHOW port"));
        Assert.Equal("off", await Scalar<string>(connection, "SHOW fsync"));
        Assert.True(await Scalar<bool>(connection, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
        Assert.StartsWith("SCRAM-SHA-256$", await Scalar<string>(connection, "SELECT rolpassword FROM pg_authid WHERE rolname = current_user"), StringComparison.Ordinal);
        Assert.Equal(PostgresCluster.AdminUser, new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString).Username);
    }

    [Fact]
    public async Task A_wrong_password_is_refused()
    {
        var wrong = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Password = "not-the-password", Pooling = false };
        await using var connection = new NpgsqlConnection(wrong.ConnectionString);

        var ex = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InvalidPassword, ex.SqlState);
    }

    [Fact]
    public async Task Two_databases_are_isolated_and_owned_by_roles_that_are_not_superusers()
    {
        var first = await cluster.CreateDatabaseAsync("isolation a");
        var second = await cluster.CreateDatabaseAsync("isolation b");
        var a = new NpgsqlConnectionStringBuilder(first);
        var b = new NpgsqlConnectionStringBuilder(second);
        Assert.NotEqual(a.Database, b.Database);
        Assert.NotEqual(a.Username, b.Username);

        await using (var connection = new NpgsqlConnection(first))
        {
            await connection.OpenAsync();
            Assert.False(await Scalar<bool>(connection, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"));
            Assert.Equal(a.Database, await Scalar<string>(connection, "SELECT current_database()"));
            // The owner can create its schema objects in the public schema, as migrations do.
            await Execute(connection, "CREATE TABLE marker (id int PRIMARY KEY, note text NOT NULL)");
            await Execute(connection, "INSERT INTO marker VALUES (1, 'first database')");
        }

        await using (var connection = new NpgsqlConnection(second))
        {
            await connection.OpenAsync();
            var missing = await Assert.ThrowsAsync<PostgresException>(() => Scalar<string>(connection, "SELECT note FROM marker"));
            Assert.Equal(PostgresErrorCodes.UndefinedTable, missing.SqlState);
        }

        // One database's role cannot even connect to the other database.
        var crossed = new NpgsqlConnectionStringBuilder(first) { Database = b.Database, Pooling = false };
        await using (var connection = new NpgsqlConnection(crossed.ConnectionString))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        }
    }

    [Fact]
    public void The_server_does_not_run_as_root_and_its_files_are_in_the_fixture_folder()
    {
        Assert.StartsWith(PostgresCluster.FolderPrefix, Path.GetFileName(cluster.Root), StringComparison.Ordinal);
        var postmasterPid = int.Parse(File.ReadLines(Path.Combine(cluster.DataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
        var uid = File.ReadLines($"/proc/{postmasterPid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.NotEqual("0", uid);
        Assert.Equal(Environment.IsPrivilegedProcess ? PostgresCluster.ServiceUser : null, cluster.RunAs);
        Assert.True(File.Exists(Path.Combine(cluster.SocketDirectory, $".s.PGSQL.{cluster.Port}")), "the unix socket should be inside the fixture folder");
    }

    [Fact]
    public async Task A_cluster_left_by_a_killed_run_is_swept_and_a_disposed_cluster_leaves_nothing()
    {
        // A cluster whose owning test process is gone, as after a run killed mid-way: its owner file
        // names a process that has exited.
        var orphan = new PostgresCluster(null);
        await orphan.InitializeAsync();
        var orphanRoot = orphan.Root;
        var orphanPid = PostmasterPid(orphan);
        using (var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!)
        {
            await exited.WaitForExitAsync();
            await File.WriteAllTextAsync(Path.Combine(orphanRoot, "owner"), $"{exited.Id} {DateTime.UtcNow.Ticks}\n");
        }

        // The next cluster to start sweeps it away.
        var next = new PostgresCluster(null);
        await next.InitializeAsync();
        try
        {
            Assert.False(Directory.Exists(orphanRoot), "the orphaned cluster's folder should be deleted");
            Assert.False(IsAlive(orphanPid), "the orphaned cluster's server should be stopped");
            Assert.True(Directory.Exists(cluster.Root), "the live fixture's cluster must be left alone");
        }
        finally
        {
            await next.DisposeAsync();
            await orphan.DisposeAsync();
        }

        Assert.False(Directory.Exists(next.Root));
        Assert.False(IsAlive(PostmasterPidOrZero(next)));
        using var client = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => client.ConnectAsync("127.0.0.1", next.Port));
    }

    private static int PostmasterPid(PostgresCluster c) =>
        int.Parse(File.ReadLines(Path.Combine(c.DataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    private static int PostmasterPidOrZero(PostgresCluster c) => File.Exists(Path.Combine(c.DataDirectory, "postmaster.pid")) ? PostmasterPid(c) : 0;

    private static bool IsAlive(int pid) => pid > 0 && Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    private static async Task<T> Scalar<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
