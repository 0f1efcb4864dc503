using Microsoft.AspNetCore.Http.Features;

namespace ClonusCds.Api.Infrastructure;

/// <summary>Request limits (configuration section "Limits").</summary>
public sealed class RequestLimitsOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Limits";

    /// <summary>
    /// Largest request body accepted. The largest valid assessment (100 medications, 100 conditions
    /// and 50 treatments at their maximum lengths) is about 100 KB.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// Largest CDS Hooks request body (/cds-services). Prefetched FHIR Bundles are much larger than
    /// an assessment: a year of vitals and a long medication list run to a few hundred KB.
    /// </summary>
    public long MaxCdsHooksBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest total size of the request headers (Kestrel default 32 KB). A JWT is at most 8 KB.</summary>
    public int MaxRequestHeadersTotalBytes { get; set; } = 32 * 1024;

    /// <summary>Most request headers (Kestrel default 100).</summary>
    public int MaxRequestHeaderCount { get; set; } = 64;

    /// <summary>Longest request line (method, path, query; Kestrel default 8 KB).</summary>
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>Idle keep-alive connections are closed after this (Kestrel default 130 s).</summary>
    public int KeepAliveTimeoutSeconds { get; set; } = 60;

    /// <summary>Time allowed to receive the request headers (Kestrel default 30 s; slow-loris defence).</summary>
    public int RequestHeadersTimeoutSeconds { get; set; } = 15;

    /// <summary>Most open connections (Kestrel default: unlimited). Beyond it new connections are refused.</summary>
    public long MaxConcurrentConnections { get; set; } = 1024;

    /// <summary>The largest of the limits (Kestrel's server-wide cap).</summary>
    public long Largest => Math.Max(MaxRequestBodyBytes, MaxCdsHooksBodyBytes);

    /// <summary>The limit for a request path.</summary>
    public long For(PathString path) =>
        path.StartsWithSegments("/cds-services", StringComparison.OrdinalIgnoreCase) ? MaxCdsHooksBodyBytes : MaxRequestBodyBytes;
}

/// <summary>
/// Rejects bodies over the limit with 413 ProblemDetails: at once when Content-Length says so, and
/// through the server's body-size feature when the body is chunked.
/// </summary>
internal sealed class RequestBodyLimit(RequestDelegate next, Microsoft.Extensions.Options.IOptions<RequestLimitsOptions> options)
{
    private readonly RequestLimitsOptions _options = options.Value;

    public async Task InvokeAsync(HttpContext context)
    {
        var limit = _options.For(context.Request.Path);
        if (context.Request.ContentLength > limit)
        {
            await Results.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Request body too large",
                detail: $"The request body is {context.Request.ContentLength} bytes; the limit is {limit} bytes.")
                .ExecuteAsync(context);
            return;
        }

        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = limit;
        }

        await next(context);
    }
}
