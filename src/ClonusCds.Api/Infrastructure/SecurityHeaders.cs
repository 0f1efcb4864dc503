namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// Security headers on every response. The API answers JSON, so its policy forbids
/// everything a browser could load from it. The clinician page at / gets a strict policy of its own
/// (this origin only, nothing inline). The Swagger UI gets a strict policy of its own:
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

    /// <summary>
    /// Policy for the clinician page (/, /index.html, /assets/…): scripts, styles, images and API
    /// calls from this origin only. No 'unsafe-inline' anywhere: the page has no inline script,
    /// style or event handler, and builds its DOM with textContent.
    /// </summary>
    public const string PagePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; object-src 'none'";

    internal static bool IsPage(PathString path) =>
        path == "/" || path.Equals("/index.html", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/assets", StringComparison.OrdinalIgnoreCase);

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
            // UseDefaultFiles has rewritten / to /index.html by now; both are the page.
            headers.ContentSecurityPolicy = http.Request.Path.StartsWithSegments("/swagger", StringComparison.OrdinalIgnoreCase)
                ? SwaggerPolicy
                : IsPage(http.Request.Path) ? PagePolicy : ApiPolicy;
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
