using Microsoft.Net.Http.Headers;

namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// JSON bodies must be UTF-8 (RFC 8259). A request that names another or an unknown charset gets
/// 415 ProblemDetails here, before any endpoint tries to decode it (the framework's JSON reader
/// would otherwise throw for an unknown charset).
/// </summary>
internal sealed class JsonCharset(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var contentType = context.Request.ContentType;
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media) || !media.Charset.HasValue)
        {
            return next(context);
        }

        var charset = media.Charset.Value.Trim('"');
        if (charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            // RFC 9110 allows a quoted charset; the framework's JSON reader does not unquote it.
            media.Charset = "utf-8";
            context.Request.ContentType = media.ToString();
            return next(context);
        }

        return Results.Problem(
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "Unsupported charset",
            detail: "Send JSON as UTF-8 (charset=utf-8, or no charset).").ExecuteAsync(context);
    }
}
