using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClonusCds.Core.Model;

namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// Turns System.Text.Json failures into a field path and a message a clinician or integrator can
/// act on ("patient.sex: expected one of female, male, other, unknown"), without .NET type names.
/// </summary>
internal static partial class JsonErrorDescriber
{
    [GeneratedRegex(@"The JSON property '(?<name>[^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"[Dd]uplicate .*property '(?<name>[^']+)'")]
    private static partial Regex DuplicateProperty();

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex Index();

    public static (string Field, string Message) Describe(JsonException ex, Type root)
    {
        var path = ToField(ex.Path);
        var message = ex.Message;
        if (UnmappedProperty().Match(message) is { Success: true } unmapped)
        {
            var name = unmapped.Groups["name"].Value;
            var field = path.EndsWith(name, StringComparison.Ordinal) ? path : Join(path, name);
            return (field, $"Unknown property '{name}'. Misspelt fields are rejected rather than ignored, because an ignored field could change a triage.");
        }

        if (DuplicateProperty().Match(message) is { Success: true } duplicate)
        {
            var name = duplicate.Groups["name"].Value;
            return (path.EndsWith(name, StringComparison.Ordinal) ? path : Join(path, name), "The property appears more than once; send it once.");
        }

        if (message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            return (path, $"The JSON is nested deeper than the limit of {Core.ClonusJson.MaxDepth} levels.");
        }

        var inner = ex.InnerException?.Message ?? "";
        if (ex.InnerException is System.Text.DecoderFallbackException
            || message.Contains("UTF-8", StringComparison.OrdinalIgnoreCase) || inner.Contains("UTF-8", StringComparison.OrdinalIgnoreCase)
            || inner.Contains("UTF8", StringComparison.OrdinalIgnoreCase))
        {
            return (path, "The body is not valid UTF-8.");
        }

        if (message.Contains("could not be converted", StringComparison.Ordinal))
        {
            return (path, Expected(root, ex.Path));
        }

        // A syntax error: the reader's own words (they quote only the caller's bytes) without the
        // trailing "Path: … | LineNumber: …" that the field key already carries.
        var reason = message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].Trim();
        return (path, $"The body is not well-formed JSON here ({reason}).");
    }

    /// <summary>"$.medications[2].rxcui" → "medications[2].rxcui"; "$" → "$" (the whole body).</summary>
    public static string ToField(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
        {
            return "$";
        }

        return jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
    }

    private static string Join(string path, string name) => path == "$" ? name : $"{path}.{name}";

    /// <summary>Walks the contract types along the path to say what the field expects.</summary>
    private static string Expected(Type root, string? jsonPath)
    {
        var type = root;
        var field = ToField(jsonPath);
        if (field != "$")
        {
            foreach (var raw in field.Split('.'))
            {
                var name = Index().Replace(raw, "");
                var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
                if (property is null)
                {
                    return "The value has the wrong type for this field.";
                }

                type = property.PropertyType;
                if (raw.Contains('[', StringComparison.Ordinal) && ElementType(type) is { } element)
                {
                    type = element;
                }
            }
        }

        return Describe(type);
    }

    /// <summary>What a field of this type expects ("Expected one of: …", "Expected a whole number (or null).").</summary>
    public static string Expectation(Type type) => Describe(type);

    private static Type? ElementType(Type type) =>
        type.IsGenericType && type.GetGenericArguments() is [var element] && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) && type != typeof(string)
            ? element
            : null;

    private static string Describe(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsEnum)
        {
            var names = Enum.GetNames(underlying).Select(JsonNamingPolicy.SnakeCaseLower.ConvertName);
            return $"Expected one of: {string.Join(", ", names)}.";
        }

        if (underlying == typeof(bool))
        {
            return "Expected true, false or null.";
        }

        if (underlying == typeof(int))
        {
            return "Expected a whole number (or null).";
        }

        if (underlying == typeof(double))
        {
            return "Expected a number (or null); strings such as \"NaN\" are not numbers.";
        }

        if (underlying == typeof(string))
        {
            return "Expected a string (or null).";
        }

        if (ElementType(underlying) is { } element)
        {
            return $"Expected an array. {Describe(element)}".Replace("Expected an array. Expected", "Expected an array; each item:", StringComparison.Ordinal);
        }

        return underlying == typeof(PatientContext)
            ? "Expected a JSON object with the patient context (see the OpenAPI schema)."
            : "Expected a JSON object (or null).";
    }
}
