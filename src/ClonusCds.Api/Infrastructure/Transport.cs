using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace ClonusCds.Api.Infrastructure;

/// <summary>Transport settings (configuration section "Transport"). See docs/security.md.</summary>
public sealed class TransportOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Transport";

    /// <summary>
    /// Redirect http to https and send HSTS. Null: on outside Development. HSTS is sent on https
    /// responses only, and not for localhost.
    /// </summary>
    public bool? HttpsRedirection { get; set; }

    /// <summary>HSTS max-age in days.</summary>
    public int HstsMaxAgeDays { get; set; } = 365;

    /// <summary>
    /// Reverse proxies (IP addresses) whose X-Forwarded-For and X-Forwarded-Proto are trusted, so
    /// the client address (rate limiting) and scheme (redirection) are the real ones. Empty: none.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];
}

/// <summary>HTTPS redirection, HSTS and forwarded headers.</summary>
internal static partial class Transport
{
    [LoggerMessage(EventId = 50, Level = LogLevel.Warning,
        Message = "HTTPS redirection is on but no https port is configured (https_port, ASPNETCORE_HTTPS_PORTS or an https URL): http requests are not redirected. Terminate TLS in front and redirect there, or set the port.")]
    private static partial void LogNoHttpsPort(ILogger logger);

    public static IServiceCollection AddClonusTransport(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(TransportOptions.Section).Get<TransportOptions>() ?? new();
        services.AddHsts(h =>
        {
            h.MaxAge = TimeSpan.FromDays(options.HstsMaxAgeDays);
            h.IncludeSubDomains = true;
        });
        services.Configure<ForwardedHeadersOptions>(f =>
        {
            f.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            f.KnownProxies.Clear();
            f.KnownIPNetworks.Clear();
            foreach (var proxy in options.KnownProxies)
            {
                f.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
        return services;
    }

    public static WebApplication UseClonusTransport(this WebApplication app)
    {
        var options = app.Configuration.GetSection(TransportOptions.Section).Get<TransportOptions>() ?? new();
        if (options.KnownProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        if (options.HttpsRedirection ?? !app.Environment.IsDevelopment())
        {
            app.UseHsts();
            // Redirect only when the https port is known; otherwise the middleware would warn on
            // every request and redirect nothing (TLS terminated in front, or a loopback benchmark).
            var config = app.Configuration;
            var httpsPortKnown = config["https_port"] is not null || config["https_ports"] is not null
                || (config["urls"] ?? "").Contains("https://", StringComparison.OrdinalIgnoreCase);
            if (httpsPortKnown)
            {
                app.UseHttpsRedirection();
            }
            else
            {
                LogNoHttpsPort(app.Logger);
            }
        }

        return app;
    }
}
