using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace ClonusCds.Api.Tests;

/// <summary>The service in memory, with every log event captured for PHI checks.</summary>
public class ClonusApiFactory : WebApplicationFactory<Program>
{
    public LogCapture Logs { get; } = new();

    /// <summary>A feedback database of its own, deleted with the factory.</summary>
    public string FeedbackDatabasePath { get; } = Path.Combine(Path.GetTempPath(), $"clonus-feedback-{Guid.NewGuid():N}.db");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        // CDS Hooks JWT trust is tested with its own settings (CdsHooks/Trust tests); elsewhere calls
        // are unauthenticated, and the fake FHIR server on loopback speaks plain http.
        builder.UseSetting("CdsHooks:Trust:RequireJwt", "false");
        builder.UseSetting("Auth:RequireBearer", "false");
        builder.UseSetting("CdsHooks:Fhir:AllowHttp", "true");
        builder.UseSetting("CdsHooks:Fhir:AllowLoopback", "true");
        builder.UseSetting("CdsHooks:Feedback:DatabasePath", FeedbackDatabasePath);
        // Rate limiting is tested with its own small limits (RateLimitingTests).
        builder.UseSetting("RateLimiting:Enabled", "false");
        Configure(builder);
    }

    /// <summary>Extra settings for derived factories.</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in new[] { FeedbackDatabasePath, FeedbackDatabasePath + "-wal", FeedbackDatabasePath + "-shm" })
            {
                try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }
}

/// <summary>The API with settings (and optionally an environment) of a test's choosing, on top of the shared test settings.</summary>
public class SettingsApiFactory(IReadOnlyDictionary<string, string?> settings, string? environment = null) : ClonusApiFactory
{
    protected override void Configure(IWebHostBuilder builder)
    {
        if (environment is not null)
        {
            builder.UseEnvironment(environment);
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>Collects rendered messages and structured values of every log event.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _events = new();

    public IReadOnlyCollection<CapturedLog> Events => _events;

    public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, _events);

    public void Dispose()
    {
    }

    private sealed class Capturing(string category, ConcurrentQueue<CapturedLog> events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.ToDictionary(p => p.Key, p => p.Value?.ToString())
                : [];
            events.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), values, exception?.ToString()));
        }
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, string?> Values, string? Exception)
{
    /// <summary>The request log line: written by Serilog.AspNetCore's request logging middleware, under its category.</summary>
    public bool IsRequestLine => Category == "Serilog.AspNetCore.RequestLoggingMiddleware";

    public string AllText => $"{Message} {string.Join(" ", Values.Values)} {Exception}";
}
