using System.Text;
using FluentValidation;

namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// Runs the registered FluentValidation validator for the body argument and answers 400
/// ValidationProblem keyed by JSON path (medications[2].rxcui). FluentValidation.AspNetCore does
/// not restore here, and its own docs now recommend explicit validation like this anyway.
/// </summary>
internal sealed class ValidationFilter<T> : IEndpointFilter where T : class
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var body = context.Arguments.OfType<T>().FirstOrDefault();
        if (body is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The request body is required",
                detail: "Send the patient context as a JSON object.");
        }

        var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<T>>();
        var result = await validator.ValidateAsync(body, context.HttpContext.RequestAborted);
        if (result.IsValid)
        {
            return await next(context);
        }

        var errors = result.Errors
            .GroupBy(e => JsonPath(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => Message(e, g.Key)).Distinct().ToArray());
        return TypedResults.ValidationProblem(errors,
            title: "The patient context is not valid",
            detail: string.Join(" ", errors.Select(e => $"{e.Key}: {e.Value[0]}")),
            type: ProblemDetailsSetup.TypeFor(400));
    }

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
