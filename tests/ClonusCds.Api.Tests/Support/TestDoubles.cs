using System.Data.Common;
using Microsoft.Extensions.Hosting;

namespace ClonusCds.Api.Tests.Support;

/// <summary>A clock a test sets by hand.</summary>
internal sealed class ManualTime : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A host environment rooted at a test's temporary folder.</summary>
internal sealed class TestHostEnvironment(string root) : IHostEnvironment
{
    public string EnvironmentName { get; set; } = "Testing";

    public string ApplicationName { get; set; } = "ClonusCds.Api";

    public string ContentRootPath { get; set; } = root;

    public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
}

/// <summary>Small database reads for storage tests (SQLite or PostgreSQL).</summary>
internal static class Db
{
    /// <summary>The first column of every row, as text.</summary>
    public static async Task<List<string>> Strings(DbConnection connection, string sql)
    {
        var values = new List<string>();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
