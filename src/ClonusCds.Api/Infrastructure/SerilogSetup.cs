using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting.Json;

namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// Builds the Serilog logger the host logs through (Serilog.AspNetCore, <c>AddSerilog</c> in
/// Program.cs): one JSON object per line on stdout.
/// </summary>
internal static class SerilogSetup
{
    /// <summary>
    /// Removes properties by name. ASP.NET Core's hosting log scope carries the raw request path
    /// (<c>RequestPath</c>), and Serilog's Microsoft.Extensions.Logging bridge turns scopes into
    /// properties of every event written during the request, the request line included (through
    /// <c>Enrich.FromLogContext</c>). Neither library has a setting that leaves it out.
    /// </summary>
    private sealed class DropProperties(params string[] names) : Serilog.Core.ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, Serilog.Core.ILogEventPropertyFactory propertyFactory)
        {
            foreach (var name in names)
            {
                logEvent.RemovePropertyIfPresent(name);
            }
        }
    }

    /// <param name="configuration">The "Serilog" section: levels and any extra sinks an operator configures.</param>
    /// <param name="providers">
    /// Microsoft.Extensions.Logging providers that also receive every event this logger writes
    /// (<c>AddSerilog(..., providers)</c> fills it with the providers registered in the container:
    /// none in production, the tests' log capture in tests).
    /// </param>
    public static Serilog.Core.Logger CreateLogger(IConfiguration configuration, LoggerProviderCollection providers) =>
        new LoggerConfiguration()
            // Levels (and any extra sinks an operator configures) come from the "Serilog" section;
            // the JSON console sink is always on.
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("System", LogEventLevel.Warning)
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            // The hosting scope adds the raw request path; routes are logged as templates instead.
            .Enrich.With(new DropProperties("RequestPath"))
            .Enrich.WithProperty("Service", "ClonusCds")
            // Serilog's console sink output (same formatter, same bytes), one write per batch of
            // lines: see StdoutJsonSink and docs/performance.md ("Issue 17: Serilog.AspNetCore").
            .WriteTo.Sink(new StdoutJsonSink(new JsonFormatter(renderMessage: true)))
            .WriteTo.Providers(providers)
            .CreateLogger();
}
