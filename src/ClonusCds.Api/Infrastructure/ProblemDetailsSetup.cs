using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace ClonusCds.Api.Infrastructure;

/// <summary>Every error is RFC 9457 ProblemDetails with an RFC 9110 type URI and a traceId.</summary>
internal static class ProblemDetailsSetup
{
    public static void Customize(ProblemDetailsOptions options) =>
        options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Type ??= TypeFor(problem.Status ?? 500);
            problem.Instance ??= context.HttpContext.Request.Path;
            problem.Detail ??= DefaultDetail(problem.Status ?? 500);
            problem.Extensions["traceId"] = TraceId(context.HttpContext);
            // Problems describe the request, never a stack or exception text.
            problem.Extensions.Remove("exception");
        };

    private static string DefaultDetail(int status) => status switch
    {
        404 => "No resource at this path. GET /swagger lists every route.",
        405 => "This route does not accept that HTTP method. GET /swagger lists the methods of every route.",
        413 => "The request body exceeds the size limit.",
        415 => "Send the body as application/json.",
        _ => "See the status code; quote the traceId when reporting a problem.",
    };

    public static string TraceId(HttpContext http) =>
        Activity.Current?.TraceId.ToString() ?? http.Features.Get<IHttpActivityFeature>()?.Activity.TraceId.ToString() ?? http.TraceIdentifier;

    public static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        406 => "https://tools.ietf.org/html/rfc9110#section-15.5.7",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        _ => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    };
}
