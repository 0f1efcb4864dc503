using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace ClonusCds.Api.Infrastructure;

/// <summary>Builds the Serilog logger: one JSON object per line on stdout.</summary>
internal static class SerilogSetup
{
    public static Serilog.ILogger CreateLogger(IConfiguration configuration) =>
        new LoggerConfiguration()
            // Levels come from configuration ("Serilog:MinimumLevel"); the sink is fixed here so
            // that no configuration can route logs somewhere unreviewed.
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("System", LogEventLevel.Warning)
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Service", "ClonusCds")
            .WriteTo.Console(new JsonFormatter(renderMessage: true))
            .CreateLogger();
}
