using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// Maps every exception to ProblemDetails: bad requests (malformed JSON, wrong types, unknown or
/// duplicate properties, depth, size, content type) to 4xx naming the field; anything else to a
/// 500 that reveals nothing. Exception messages are not logged: they can quote request content.
/// </summary>
internal sealed partial class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemDetailsExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        switch (exception)
        {
            case BadHttpRequestException { InnerException: JsonException json }:
                problem = JsonProblem(json, httpContext);
                break;
            case JsonException json:
                problem = JsonProblem(json, httpContext);
                break;
            case BadHttpRequestException bad:
                problem = BadRequestProblem(bad);
                break;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                return true;
            default:
                LogUnhandled(logger, exception.GetType().FullName ?? "?", exception.TargetSite?.DeclaringType?.FullName ?? "?");
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status500InternalServerError,
                    Title = "Unexpected error",
                    Detail = "The request could not be completed. Quote the traceId when reporting this.",
                };
                break;
        }

        httpContext.Response.StatusCode = problem.Status ?? 500;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = null });
    }

    private static HttpValidationProblemDetails JsonProblem(JsonException json, HttpContext context)
    {
        var endpoint = context.GetEndpoint() ?? context.Items[RequestLogging.EndpointKey] as Endpoint;
        var root = endpoint?.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>().Select(m => m.RequestType).OfType<Type>().FirstOrDefault() ?? typeof(object);
        var (field, message) = JsonErrorDescriber.Describe(json, root);
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request body is not valid",
            Detail = field == "$" ? message : $"{field}: {message}",
        };
    }

    private static ProblemDetails BadRequestProblem(BadHttpRequestException bad)
    {
        var status = bad.StatusCode;
        var (title, detail) = status switch
        {
            StatusCodes.Status413PayloadTooLarge => ("Request body too large", "The request body exceeds the size limit."),
            StatusCodes.Status415UnsupportedMediaType => ("Unsupported media type", "Send the body as application/json."),
            _ when bad.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase)
                || bad.Message.Contains("was not provided from body", StringComparison.OrdinalIgnoreCase)
                => ("The request body is required", "Send the patient context as a JSON object."),
            _ => ("Bad request", "The request could not be read."),
        };
        return new ProblemDetails { Status = status, Title = title, Detail = detail };
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "Unhandled {ExceptionType} in {Site}")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType, string site);
}
