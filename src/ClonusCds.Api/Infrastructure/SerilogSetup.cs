using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace ClonusCds.Api.Infrastructure;

/// <summary>Builds the Serilog logger: one JSON object per line on stdout.</summary>
internal static class SerilogSetup
{
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

    public static Serilog.ILogger CreateLogger(IConfiguration configuration) =>
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
            // Serilog's console sink output (same formatter, same bytes), one write per line:
            // see StdoutJsonSink.
            .WriteTo.Sink(new StdoutJsonSink(new JsonFormatter(renderMessage: true)))
            .CreateLogger();
}
