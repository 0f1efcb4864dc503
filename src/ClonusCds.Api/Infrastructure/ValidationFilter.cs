using System.Text;
using FluentValidation;

namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// Runs the registered FluentValidation validator for the body argument and answers 400
/// ValidationProblem keyed by JSON path (medications[2].rxcui). FluentValidation.AspNetCore does
/// not restore here, and its own docs now recommend explicit validation like this anyway.
/// When the validator also implements <see cref="IFastValidity{T}"/>, a valid body skips
/// FluentValidation altogether (see <see cref="InvokeAsync"/>).
/// </summary>
internal sealed class ValidationFilter<T> : IEndpointFilter where T : class
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var body = Body(context.Arguments, out var problem);
        if (problem is not null)
        {
            // The body was read by a binder that already found it invalid (RequestBody<T>).
            return problem;
        }

        if (body is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request body is required",
                detail: "Send the patient context as a JSON object.");
        }

        var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<T>>();

        // Fast path: almost every request is valid, and FluentValidation costs microseconds and
        // allocates even then. A validator that also implements IFastValidity<T> answers "certainly
        // valid" without allocating; anything else (or a "no") falls through to FluentValidation,
        // which alone decides and writes the 400, so error bodies are exactly as before.
        if (validator is IFastValidity<T> fast && fast.IsCertainlyValid(body))
        {
            return await next(context);
        }

        var result = await validator.ValidateAsync(body, context.HttpContext.RequestAborted);
        if (result.IsValid)
        {
            return await next(context);
        }

        var errors = ValidationErrors.ByPath(result);
        return TypedResults.ValidationProblem(errors,
            title: "The patient context is not valid",
            detail: ValidationErrors.Detail(errors),
            type: ProblemDetailsSetup.TypeFor(400));
    }

    /// <summary>
    /// The first argument of type <typeparamref name="T"/>, or the value of the first
    /// <see cref="IRequestBody{T}"/> (with its problem, when its binder found one); a plain loop,
    /// because LINQ's OfType allocates on every request.
    /// </summary>
    private static T? Body(IList<object?> arguments, out IResult? problem)
    {
        problem = null;
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] is T body)
            {
                return body;
            }

            if (arguments[i] is IRequestBody<T> bound)
            {
                problem = bound.Problem;
                return bound.Value;
            }
        }

        return null;
    }
}

/// <summary>A request body read by its own binder: the value, or the 400 the binder already wrote.</summary>
internal interface IRequestBody<out T> where T : class
{
    /// <summary>The body; null when it was empty or JSON null (or invalid, with <see cref="Problem"/>).</summary>
    T? Value { get; }

    /// <summary>The 400 for a body the binder found invalid; null otherwise.</summary>
    IResult? Problem { get; }
}

/// <summary>FluentValidation results as ProblemDetails errors keyed by JSON path.</summary>
internal static class ValidationErrors
{
    /// <summary>Failures grouped by JSON path, in rule order, each message once.</summary>
    public static Dictionary<string, string[]> ByPath(FluentValidation.Results.ValidationResult result) =>
        result.Errors
            .GroupBy(e => JsonPath(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => Message(e, g.Key)).Distinct().ToArray());

    /// <summary>"path: first message" for every path, joined: the ProblemDetails detail.</summary>
    public static string Detail(IEnumerable<KeyValuePair<string, string[]>> errors) =>
        string.Join(" ", errors.Select(e => e.Key == "$" ? e.Value[0] : $"{e.Key}: {e.Value[0]}"));

    /// <summary>FluentValidation's display name ("Vitals Temperature C") replaced by the JSON path.</summary>
    private static string Message(FluentValidation.Results.ValidationFailure e, string path)
    {
        var message = e.ErrorMessage;
        if (e.FormattedMessagePlaceholderValues?.TryGetValue("PropertyName", out var display) == true && display is string name && name.Length > 0)
        {
            message = message.Replace($"'{name}'", path, StringComparison.Ordinal);
        }

        return message;
    }

    /// <summary>"Medications[2].Rxcui" → "medications[2].rxcui".</summary>
    internal static string JsonPath(string propertyName)
    {
        var sb = new StringBuilder(propertyName.Length);
        var startOfSegment = true;
        foreach (var c in propertyName)
        {
            sb.Append(startOfSegment ? char.ToLowerInvariant(c) : c);
            startOfSegment = c == '.';
        }

        return sb.ToString();
    }
}
