namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// Security headers on every response. The API answers JSON only, so its policy forbids
/// everything a browser could load from it. The Swagger UI gets a strict policy of its own:
/// scripts and styles only from this origin (its index.html has no inline script), images from
/// this origin or data: URIs, and no framing. Every response under /cds-services is
/// <c>Cache-Control: no-store</c>, errors included.
/// </summary>
internal sealed class SecurityHeaders(RequestDelegate next)
{
    /// <summary>Policy for API responses.</summary>
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// Policy for /swagger. Swagger UI (React) sets style attributes at run time, which needs
    /// 'unsafe-inline' for styles; scripts stay 'self' only.
    /// </summary>
    public const string SwaggerPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        // Set when the response starts: the exception handler clears headers written earlier.
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase)
                ? SwaggerPolicy
                : ApiPolicy;
            // Every CDS Hooks answer (cards, discovery, feedback, and 400/401/412/413 errors alike)
            // may carry or reveal patient context: never cached.
            if (http.Request.Path.StartsWithSegments("/cds-services", StringComparison.OrdinalIgnoreCase))
            {
                headers.CacheControl = "no-store";
            }
            return Task.CompletedTask;
        }, context);
        return next(context);
    }
}
