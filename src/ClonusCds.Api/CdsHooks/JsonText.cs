using System.Text.Json;

namespace ClonusCds.Api.CdsHooks;

/// <summary>
/// JsonDocument checks structure when it parses, not string contents: invalid UTF-8 bytes or a
/// lone surrogate escape inside a string only fail later, when the string is read. The CDS Hooks
/// request is checked once, up front, so such input is a 400 naming where it is, never a failure
/// deep in the FHIR mapping.
/// </summary>
internal static class JsonText
{
    /// <summary>The JSON path of the first string or property name that is not valid text, or null.</summary>
    public static string? FindInvalid(JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path + ".(property name)";
                    }

                    if (FindInvalid(property.Value, path + "." + name) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindInvalid(item, $"{path}[{i++}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return path;
                }

            default:
                return null;
        }
    }
}
