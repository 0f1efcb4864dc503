using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace ClonusCds.Api.Infrastructure;

/// <summary>Per-client rate limiting (configuration section "RateLimiting").</summary>
public sealed class RateLimitingOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "RateLimiting";

    /// <summary>
    /// On by default. Turned off only by setting this to false (the loopback load benchmark does,
    /// explicitly: tests/load/run.sh); never switched off implicitly.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second per client.</summary>
    public int PermitsPerSecond { get; set; } = 100;

    /// <summary>Burst: requests a client may make at once before the sustained rate applies.</summary>
    public int Burst { get; set; } = 200;
}

/// <summary>
/// The built-in rate limiter, one token bucket per client. The client is the remote IP address
/// (the forwarded one when Transport:KnownProxies trusts the proxy). Tokens are not used for the
/// key: an unvalidated token's claims could be chosen to dodge the limit. Health probes are not
/// limited. Over the limit: 429 ProblemDetails with Retry-After.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddClonusRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitingOptions.Section).Get<RateLimitingOptions>() ?? new();
        if (options.PermitsPerSecond < 1 || options.Burst < 1)
        {
            throw new InvalidOperationException("RateLimiting:PermitsPerSecond and RateLimiting:Burst must be at least 1.");
        }

        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
                    ? RateLimitPartition.GetNoLimiter("unlimited")
                    : RateLimitPartition.GetTokenBucketLimiter(ClientKey(http), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.Burst,
                        TokensPerPeriod = options.PermitsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            limiter.OnRejected = OnRejected;
        });
        return services;
    }

    /// <summary>
    /// Adds the rate-limiting middleware, only when RateLimiting:Enabled is true: switched off, it
    /// would still run for every request (one "no limiter" lease each) and limit nothing.
    /// </summary>
    public static WebApplication UseClonusRateLimiting(this WebApplication app)
    {
        var options = app.Configuration.GetSection(RateLimitingOptions.Section).Get<RateLimitingOptions>() ?? new();
        if (options.Enabled)
        {
            app.UseRateLimiter();
        }

        return app;
    }

    private static string ClientKey(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "unknown";

    private static async ValueTask OnRejected(OnRejectedContext context, CancellationToken ct)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        var http = context.HttpContext;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers.CacheControl = "no-store";
        await Results.Problem(
            statusCode: StatusCodes.Status429TooManyRequests,
            title: "Too many requests",
            detail: $"This client has exceeded its request rate. Retry after {seconds} s.",
            type: "https://www.rfc-editor.org/rfc/rfc6585#section-4").ExecuteAsync(http);
        _ = ct;
    }
}
