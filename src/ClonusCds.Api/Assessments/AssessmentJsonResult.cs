using System.Text.Json;
using ClonusCds.Core.Model;

namespace ClonusCds.Api.Assessments;

/// <summary>
/// 200 with the assessment as JSON, written by <see cref="AssessmentJsonWriter"/> straight onto the
/// response's <see cref="HttpResponse.BodyWriter"/>. Same status, Content-Type and bytes as
/// <c>TypedResults.Ok(assessment)</c> (the writer is built from the same HTTP JSON options, and
/// tests compare the bodies), at a fraction of the serializer's cost: serializing was about a
/// quarter of the endpoint's CPU time (docs/performance.md).
/// </summary>
/// <remarks>
/// The OpenAPI description does not come from this type: the endpoint declares
/// <c>Produces&lt;Assessment&gt;(200)</c> itself, so the document is unchanged.
/// </remarks>
internal sealed class AssessmentJsonResult(Assessment assessment, AssessmentJsonWriter writer, AssessmentView view = AssessmentView.Full)
    : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<Assessment>, IContentTypeHttpResult
{
    /// <summary>What <c>TypedResults.Ok</c> sends for a JSON body.</summary>
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>The assessment.</summary>
    public Assessment Value => assessment;

    object? IValueHttpResult.Value => assessment;

    int? IStatusCodeHttpResult.StatusCode => StatusCodes.Status200OK;

    string? IContentTypeHttpResult.ContentType => JsonContentType;

    /// <inheritdoc />
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;

        // The whole body (tens of KB at most, bounded by the request limits) goes into the pipe's
        // buffers synchronously, then one flush sends it; the serializer flushes every ~16 KB
        // instead, which matters only for far larger bodies. No Content-Length is set, so the
        // response is chunked as before.
        using (var json = new Utf8JsonWriter(response.BodyWriter, writer.WriterOptions))
        {
            writer.Write(json, assessment, view);
            json.Flush();
        }

        try
        {
            await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
        }
        catch (OperationCanceledException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nothing to answer, as with the framework's JSON results.
        }
    }
}
