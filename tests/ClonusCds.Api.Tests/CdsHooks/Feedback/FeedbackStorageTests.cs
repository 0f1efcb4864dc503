using System.Net;
using ClonusCds.Api.CdsHooks.Feedback;
using ClonusCds.Api.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using static ClonusCds.Api.Tests.CdsHooks.Feedback.FeedbackTestData;

using ClonusCds.Api.Tests.Support;

namespace ClonusCds.Api.Tests.CdsHooks.Feedback;

/// <summary>The SQLite store on disk: first run, restarts, schema, and swapping the store.</summary>
public sealed class FeedbackStorageTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("clonus-feedback-test-");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task First_run_creates_the_directory_file_and_schema_at_the_configured_path()
    {
        var path = Path.Combine(_root.FullName, "not", "yet", "there", "feedback.db");
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));

        await using (var factory = new FeedbackPathFactory(path))
        {
            var (response, receipt) = await factory.CreateClient().PostJson(Url, Body(Overridden(NewCard())));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            AssertReceipt(receipt, 1, 1);
            Assert.True(File.Exists(path));
        }

        await using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        // Versioned migrations (DbUp's journal): every migration this build carries has run.
        Assert.Equal(SchemaMigrations.Known(StorageProvider.Sqlite),
            (await Db.Strings(connection, $"SELECT scriptname FROM {SchemaMigrations.JournalTable} ORDER BY scriptname;"))
                .Select(n => SchemaMigrations.ShortName(n, StorageProvider.Sqlite)));
        Assert.Equal("wal", await Scalar(connection, "PRAGMA journal_mode;"));
        var columns = await Db.Strings(connection, "SELECT name FROM pragma_table_info('feedback') ORDER BY cid;");

        Assert.Equal(["id", "service_id", "card_uuid", "outcome", "outcome_timestamp", "accepted_suggestions", "override_system", "override_code",
            "override_display", "user_comment", "received_at", "dedupe_key"], columns);
        var key = (string)(await Scalar(connection, "SELECT dedupe_key FROM feedback;"))!;
        Assert.Matches("^[0-9a-f]{64}$", key);
    }

    [Fact]
    public async Task Feedback_survives_a_restart_and_stays_idempotent()
    {
        var path = Path.Combine(_root.FullName, "shared.db");
        var card = NewCard();
        var body = Body(Accepted(card, "2021-12-11T10:05:31Z", "s-1", "s-2"));

        await using (var first = new FeedbackPathFactory(path))
        {
            var (_, receipt) = await first.CreateClient().PostJson(Url, body);
            AssertReceipt(receipt, 1, 1);
        }

        await using var second = new FeedbackPathFactory(path);
        var client = second.CreateClient();
        var row = Assert.Single(await client.StoredFor(card));
        Assert.Equal(["s-1", "s-2"], row.GetProperty("acceptedSuggestions").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        var (_, again) = await client.PostJson(Url, body);
        AssertReceipt(again, 1, 0);
    }

    [Fact]
    public async Task Another_store_replaces_sqlite_when_registered()
    {
        var store = new MemoryStore();
        await using var parent = new ClonusApiFactory();
        await using var factory = parent.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IFeedbackStore>(store)));
        var (response, receipt) = await factory.CreateClient().PostJson(Url, Body(Overridden(NewCard())));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertReceipt(receipt, 1, 1);
        Assert.Single(store.Saved);
    }

    [Theory]
    [InlineData(null, "/srv/app", "/srv/app/App_Data/clonus-feedback.db")]
    [InlineData("", "/srv/app", "/srv/app/App_Data/clonus-feedback.db")]
    [InlineData("data/f.db", "/srv/app", "/srv/app/data/f.db")]
    [InlineData("/var/lib/clonus/f.db", "/srv/app", "/var/lib/clonus/f.db")]
    public void Database_path_is_resolved_against_the_content_root(string? configured, string contentRoot, string expected)
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(expected, SqliteStorage.ResolvePath(configured, contentRoot));
        }
    }

    [Fact]
    public void Dedupe_key_ignores_suggestion_order_offset_spelling_comment_and_display()
    {
        var at = new DateTimeOffset(2021, 12, 11, 10, 5, 31, TimeSpan.Zero);
        var a = new FeedbackEntry("card", FeedbackOutcome.Accepted, ["x", "y"], null, null, at);
        var b = a with { AcceptedSuggestionIds = ["y", "x", "x"], OutcomeTimestamp = at.ToOffset(TimeSpan.FromHours(2)) };
        Assert.Equal(FeedbackFormat.DedupeKey("svc", a), FeedbackFormat.DedupeKey("svc", b));
        Assert.NotEqual(FeedbackFormat.DedupeKey("svc", a), FeedbackFormat.DedupeKey("other", a));
        Assert.NotEqual(FeedbackFormat.DedupeKey("svc", a), FeedbackFormat.DedupeKey("svc", a with { OutcomeTimestamp = at.AddTicks(1) }));

        var o = new FeedbackEntry("card", FeedbackOutcome.Overridden, [], new FeedbackCoding("sys", "code", "Display"), "comment", at);
        Assert.Equal(FeedbackFormat.DedupeKey("svc", o), FeedbackFormat.DedupeKey("svc", o with { UserComment = null, OverrideReason = new("sys", "code", null) }));
        Assert.NotEqual(FeedbackFormat.DedupeKey("svc", o), FeedbackFormat.DedupeKey("svc", o with { OverrideReason = new("sys", "other", null) }));
        Assert.NotEqual(FeedbackFormat.DedupeKey("svc", o), FeedbackFormat.DedupeKey("svc", o with { OverrideReason = null }));
    }

    private static async Task<object?> Scalar(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private sealed class MemoryStore : IFeedbackStore
    {
        public List<FeedbackEntry> Saved { get; } = [];

        public Task<FeedbackSaveResult> SaveAsync(string serviceId, IReadOnlyList<FeedbackEntry> items, CancellationToken cancellationToken)
        {
            Saved.AddRange(items);
            return Task.FromResult(new FeedbackSaveResult(items.Count, items.Count));
        }

        public Task<IReadOnlyList<StoredFeedback>> ListAsync(string serviceId, FeedbackQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<StoredFeedback>>([]);
    }
}
