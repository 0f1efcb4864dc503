using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ClonusCds.Api.Infrastructure;
using ClonusCds.Core.Model;
using FluentValidation;
using Microsoft.Extensions.Options;

namespace ClonusCds.Api.Assessments;

/// <summary>
/// The body of POST /api/v1/assessments, read by <see cref="PatientContextReader"/> instead of the
/// framework's JSON binding so that a refused body can be read a second time: the deserializer
/// stops at the first problem, and the 400 should list them all.
/// </summary>
internal sealed class PatientContextBody : IRequestBody<PatientContext>
{
    private PatientContextBody(PatientContext? value, IResult? problem)
    {
        Value = value;
        Problem = problem;
    }

    /// <inheritdoc />
    public PatientContext? Value { get; }

    /// <inheritdoc />
    public IResult? Problem { get; }

    internal static PatientContextBody Of(PatientContext? value) => new(value, null);

    internal static PatientContextBody Invalid(IResult problem) => new(null, problem);

    /// <summary>Minimal APIs' custom binding hook.</summary>
    public static ValueTask<PatientContextBody?> BindAsync(HttpContext context) =>
        context.RequestServices.GetRequiredService<PatientContextReader>().ReadAsync(context);
}

/// <summary>
/// Reads the whole body from the request pipe (bounded by the size limit that
/// <see cref="RequestBodyLimit"/> sets) and deserializes it with the HTTP JSON options, exactly as
/// the framework's binding did. On a <see cref="JsonException"/> the same bytes go to
/// <see cref="JsonShapeCheck"/>, which finds every structural problem; the rules of
/// <see cref="PatientContextValidator"/> then run on what is left, and one 400 lists both. When the
/// body is not a JSON document at all (malformed, too deep) the deserializer's single error stands,
/// as before.
/// </summary>
internal sealed class PatientContextReader
{
    private readonly JsonTypeInfo<PatientContext> _typeInfo;
    private readonly JsonShapeCheck _shape;
    private readonly IValidator<PatientContext> _validator;

    public PatientContextReader(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IValidator<PatientContext> validator)
    {
        var options = json.Value.SerializerOptions;
        options.MakeReadOnly(populateMissingResolver: true);
        _typeInfo = (JsonTypeInfo<PatientContext>)options.GetTypeInfo(typeof(PatientContext));
        _shape = JsonShapeCheck.For(typeof(PatientContext), options, OpenApi.ContractSchemaFilter.RequiredInRequest);
        _validator = validator;
    }

    public async ValueTask<PatientContextBody?> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            // What the framework's JSON binding answered (the route's Accepts metadata already
            // refuses a non-JSON Content-Type with 415; this is the case of none at all).
            throw new BadHttpRequestException("Expected a supported JSON media type.", StatusCodes.Status415UnsupportedMediaType);
        }

        var reader = request.BodyReader;
        ReadResult read;
        try
        {
            while (true)
            {
                read = await reader.ReadAsync(context.RequestAborted);
                if (read.IsCompleted || read.IsCanceled)
                {
                    break;
                }

                // Nothing consumed, everything examined: the next read waits for more.
                reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A chunked body over the limit (RequestBodyLimit refuses a Content-Length over it
            // before this): the status alone, as the framework's binding answered, and the
            // status-code page writes the problem ("Content Too Large").
            return PatientContextBody.Invalid(TypedResults.StatusCode(StatusCodes.Status413PayloadTooLarge));
        }

        var buffer = read.Buffer;
        try
        {
            return buffer.IsEmpty ? PatientContextBody.Of(null) : Read(buffer);
        }
        finally
        {
            reader.AdvanceTo(buffer.End);
        }
    }

    private PatientContextBody Read(ReadOnlySequence<byte> buffer)
    {
        try
        {
            return PatientContextBody.Of(Deserialize(buffer));
        }
        catch (JsonException ex)
        {
            if (Explain(buffer) is { } problem)
            {
                return PatientContextBody.Invalid(problem);
            }

            // As the framework's binding threw it: ProblemDetailsExceptionHandler describes the
            // one error (malformed JSON, depth) at its path.
            throw new BadHttpRequestException("Failed to read the request body as JSON.", StatusCodes.Status400BadRequest, ex);
        }
    }

    private PatientContext? Deserialize(ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsSingleSegment)
        {
            return JsonSerializer.Deserialize(buffer.FirstSpan, _typeInfo);
        }

        var length = checked((int)buffer.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.CopyTo(rented);
            return JsonSerializer.Deserialize(rented.AsSpan(0, length), _typeInfo);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Every structural problem, then every rule problem on what parsed; null when the structural walk finds nothing to say.</summary>
    private Microsoft.AspNetCore.Http.HttpResults.ValidationProblem? Explain(ReadOnlySequence<byte> buffer)
    {
        var check = _shape.Check(buffer);
        if (check is null || check.Problems.Count == 0)
        {
            return null;
        }

        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var dropped = new List<string>();
        foreach (var (path, message, wasDropped) in check.Problems)
        {
            Add(errors, path, message);
            if (wasDropped)
            {
                dropped.Add(path);
            }
        }

        if (check.Cleaned is { } cleaned)
        {
            PatientContext? partial = null;
            try
            {
                partial = JsonSerializer.Deserialize(cleaned, _typeInfo);
            }
            catch (JsonException)
            {
                // The structural problems alone, then.
            }

            if (partial is not null)
            {
                foreach (var (path, messages) in ValidationErrors.ByPath(_validator.Validate(partial)))
                {
                    // A member dropped for its structural problem must not also be "required".
                    if (!dropped.Exists(d => Covers(d, path)))
                    {
                        foreach (var message in messages)
                        {
                            Add(errors, path, message);
                        }
                    }
                }
            }
        }

        var result = errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
        return TypedResults.ValidationProblem(result,
            title: "The request body is not valid",
            detail: ValidationErrors.Detail(result),
            type: ProblemDetailsSetup.TypeFor(400));
    }

    private static bool Covers(string dropped, string path) =>
        path == dropped
        || (path.StartsWith(dropped, StringComparison.Ordinal) && path.Length > dropped.Length && path[dropped.Length] is '.' or '[');

    private static void Add(Dictionary<string, List<string>> errors, string path, string message)
    {
        if (!errors.TryGetValue(path, out var list))
        {
            errors[path] = list = [];
        }

        if (!list.Contains(message))
        {
            list.Add(message);
        }
    }
}
