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
}

/// <summary>
/// Rejects bodies over the limit with 413 ProblemDetails: at once when Content-Length says so, and
/// through the server's body-size feature when the body is chunked.
/// </summary>
internal sealed class RequestBodyLimit(RequestDelegate next, Microsoft.Extensions.Options.IOptions<RequestLimitsOptions> options)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength > _limit)
        {
            await Results.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Request body too large",
                detail: $"The request body is {context.Request.ContentLength} bytes; the limit is {_limit} bytes.")
                .ExecuteAsync(context);
            return;
        }

        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = _limit;
        }

        await next(context);
    }
}
