using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ClonusCds.Core;

namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// The error path's second look at a body the deserializer refused. The deserializer stops at the
/// first problem; this walks the whole document (a <see cref="JsonDocument"/>) against the shape
/// of the contract type, as <see cref="ClonusJson"/> reads it, and collects every structural
/// problem with its JSON path: unknown properties (with the nearest known name), duplicate
/// properties, enum values outside the snake_case set, wrong JSON types, integers with fractions,
/// strings that are not valid UTF-8. It also writes a cleaned copy without the offending members,
/// so the caller can deserialize what is left and run the validation rules on it too.
/// </summary>
/// <remarks>
/// Runs only after the deserializer failed: valid requests never come here. Messages name fields
/// and allowed values and never quote a submitted value (values can hold patient data); an unknown
/// property's name is quoted only when it looks like a field name.
/// </remarks>
internal sealed class JsonShapeCheck
{
    private readonly Shape _root;

    private JsonShapeCheck(Shape root) => _root = root;

    /// <summary>
    /// The shape of <paramref name="root"/> as <paramref name="options"/> reads it (built once).
    /// <paramref name="required"/>: members that may not be null (by declaring type), whose
    /// messages then do not offer null.
    /// </summary>
    public static JsonShapeCheck For(Type root, JsonSerializerOptions options, IReadOnlyDictionary<Type, string[]>? required = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var shape = Shape.Of(root, options, new Dictionary<Type, Shape>());
        if (required is not null)
        {
            Mark(shape, required, []);
        }

        return new JsonShapeCheck(shape);
    }

    private static void Mark(Shape shape, IReadOnlyDictionary<Type, string[]> required, HashSet<Shape> seen)
    {
        if (!seen.Add(shape))
        {
            return;
        }

        if (shape.Kind == Kind.Array)
        {
            Mark(shape.Item!, required, seen);
        }

        if (shape.Kind != Kind.Object)
        {
            return;
        }

        shape.NotNull = required.TryGetValue(Nullable.GetUnderlyingType(shape.Type) ?? shape.Type, out var names)
            ? new HashSet<string>(names, StringComparer.Ordinal)
            : null;
        foreach (var child in shape.Properties!.Values)
        {
            Mark(child, required, seen);
        }
    }

    /// <summary>"Expected true, false or null." without the null, for a member that may not be null.</summary>
    private static string WithoutNull(string message) => message
        .Replace("Expected true, false or null.", "Expected true or false.", StringComparison.Ordinal)
        .Replace(" (or null)", "", StringComparison.Ordinal);

    /// <summary>
    /// One problem: the JSON path (as in ValidationProblem's errors) and a message. <paramref name="Dropped"/>:
    /// the value at the path was left out of the cleaned copy (so a rule's "required" there says nothing new).
    /// </summary>
    public readonly record struct Problem(string Path, string Message, bool Dropped = false);

    /// <summary>The outcome of <see cref="Check"/>.</summary>
    /// <param name="Problems">Every structural problem, in document order.</param>
    /// <param name="Cleaned">The document without the offending members (null when the root itself is wrong).</param>
    public sealed record Result(IReadOnlyList<Problem> Problems, byte[]? Cleaned);

    /// <summary>
    /// Walks <paramref name="body"/>. Null when the body is not a readable JSON document at all
    /// (malformed, too deep): the deserializer's own single error then stands.
    /// </summary>
    public Result? Check(ReadOnlySequence<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions
            {
                MaxDepth = ClonusJson.MaxDepth,
                CommentHandling = JsonCommentHandling.Disallow,
                AllowTrailingCommas = false,
            });
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var problems = new List<Problem>();
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || _root.Kind != Kind.Object)
            {
                problems.Add(new Problem("$", JsonErrorDescriber.Expectation(_root.Type)));
                return new Result(problems, null);
            }

            var buffer = new ArrayBufferWriter<byte>(4096);
            try
            {
                using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
                {
                    WriteObject(root, _root, "", writer, problems);
                }
            }
            catch (InvalidOperationException)
            {
                // A property name that is not valid UTF-8 (values are checked one by one below).
                problems.Add(new Problem("$", "The body is not valid UTF-8."));
                return new Result(problems, null);
            }

            return new Result(problems, buffer.WrittenSpan.ToArray());
        }
    }

    private static void WriteObject(JsonElement element, Shape shape, string path, Utf8JsonWriter writer, List<Problem> problems)
    {
        writer.WriteStartObject();
        HashSet<string>? seen = null;
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            if (!shape.Properties!.TryGetValue(name, out var child))
            {
                problems.Add(Unknown(path, name, shape));
                continue;
            }

            var childPath = Join(path, name);
            if (!(seen ??= new HashSet<string>(StringComparer.Ordinal)).Add(name))
            {
                problems.Add(new Problem(childPath, "The property appears more than once; send it once."));
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                writer.WriteNull(name);
                continue;
            }

            if (Mismatch(property.Value, child) is { } message)
            {
                problems.Add(new Problem(childPath, shape.NotNull?.Contains(name) == true ? WithoutNull(message) : message, Dropped: true));
                continue;
            }

            writer.WritePropertyName(name);
            WriteValue(property.Value, child, childPath, writer, problems);
        }

        writer.WriteEndObject();
    }

    private static void WriteValue(JsonElement element, Shape shape, string path, Utf8JsonWriter writer, List<Problem> problems)
    {
        switch (shape.Kind)
        {
            case Kind.Object:
                WriteObject(element, shape, path, writer, problems);
                break;
            case Kind.Array:
                writer.WriteStartArray();
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    var itemPath = $"{path}[{i++}]";
                    var itemShape = shape.Item!;
                    if (item.ValueKind == JsonValueKind.Null && itemShape.Kind != Kind.Enum)
                    {
                        // Left for the validation rules ("Items must not be null").
                        writer.WriteNullValue();
                    }
                    else if ((item.ValueKind == JsonValueKind.Null ? JsonErrorDescriber.Expectation(itemShape.Type) : Mismatch(item, itemShape)) is { } message)
                    {
                        problems.Add(new Problem(itemPath, message, Dropped: true));
                        // An object item becomes null so that later indices keep their paths (the
                        // rules' "must not be null" at the same path is then dropped by the caller).
                        if (itemShape.Kind == Kind.Object)
                        {
                            writer.WriteNullValue();
                        }
                    }
                    else
                    {
                        WriteValue(item, itemShape, itemPath, writer, problems);
                    }
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>Null when <paramref name="element"/> (not JSON null) fits <paramref name="shape"/> at its top level; otherwise what the field expects.</summary>
    private static string? Mismatch(JsonElement element, Shape shape)
    {
        var fits = shape.Kind switch
        {
            Kind.Object => element.ValueKind == JsonValueKind.Object,
            Kind.Array => element.ValueKind == JsonValueKind.Array,
            Kind.Boolean => element.ValueKind is JsonValueKind.True or JsonValueKind.False,
            Kind.Integer => element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out _),
            Kind.Number => element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var d) && double.IsFinite(d),
            Kind.String => element.ValueKind == JsonValueKind.String,
            Kind.Enum => element.ValueKind == JsonValueKind.String && shape.EnumNames!.Any(element.ValueEquals),
            _ => true,
        };
        if (!fits)
        {
            return JsonErrorDescriber.Expectation(shape.Type);
        }

        if (element.ValueKind == JsonValueKind.String && !IsValidUtf8(element))
        {
            return "The value is not valid UTF-8.";
        }

        return null;
    }

    private static bool IsValidUtf8(JsonElement element)
    {
        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    /// <summary>
    /// The errors key for a path. ProblemDetails are written with the contract's camelCase
    /// dictionary-key policy, which would turn a top-level "Clonus" into "clonus", a real field:
    /// such a path is written "$.Clonus" (JSONPath's explicit root), which the policy leaves alone.
    /// </summary>
    internal static string Key(string path) =>
        JsonNamingPolicy.CamelCase.ConvertName(path) == path ? path : "$." + path;

    // ------------------------------------------------------------------ unknown properties

    private const string Rejected = "Misspelt fields are rejected rather than ignored, because an ignored field could change a triage.";

    private static Problem Unknown(string path, string name, Shape shape)
    {
        if (!LooksLikeFieldName(name))
        {
            // Not a field name: it may be free text (a name, a note), so it is not repeated.
            return new Problem(path.Length == 0 ? "$" : path,
                $"An unknown property whose name is not repeated here (it does not look like a field name). {Rejected}");
        }

        var suggestion = Suggest(name, shape) is { } known ? $" Did you mean '{known}'?" : "";
        return new Problem(Key(Join(path, name)), $"Unknown property '{name}'.{suggestion} {Rejected}");
    }

    /// <summary>An ASCII identifier of at most 64 characters, as every contract field name is.</summary>
    internal static bool LooksLikeFieldName(string name) =>
        name.Length is > 0 and <= 64 && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>
    /// The nearest known name at this level: case-insensitive edit distance (with transpositions)
    /// within about a third of the name's length, or a unique case-insensitive prefix of at least 4
    /// characters; failing both, a field of the same name one level down ("vitals.temperatureC").
    /// Null when nothing is close.
    /// </summary>
    internal static string? Suggest(string name, Shape shape)
    {
        var limit = Math.Clamp(name.Length / 3, 1, 3);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var known in shape.Names!)
        {
            var distance = Distance(name, known);
            if (distance <= limit && distance < bestDistance)
            {
                best = known;
                bestDistance = distance;
            }
        }

        if (best is not null)
        {
            return best;
        }

        if (name.Length >= 4)
        {
            var prefixed = shape.Names!.Where(k => k.StartsWith(name, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
            if (prefixed.Count == 1)
            {
                return prefixed[0];
            }
        }

        foreach (var known in shape.Names!)
        {
            var child = shape.Properties![known];
            var inner = child.Kind == Kind.Array ? child.Item! : child;
            if (inner.Kind == Kind.Object && inner.Names!.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) is { } deeper)
            {
                return child.Kind == Kind.Array ? $"{known}[].{deeper}" : $"{known}.{deeper}";
            }
        }

        return null;
    }

    /// <summary>Optimal string alignment distance, case-insensitive (ASCII).</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 2])
                    && char.ToLowerInvariant(a[i - 2]) == char.ToLowerInvariant(b[j - 1]))
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    // ------------------------------------------------------------------ the contract's shape

    internal enum Kind { Object, Array, Boolean, Integer, Number, String, Enum, Other }

    internal sealed class Shape
    {
        public required Kind Kind { get; init; }
        public required Type Type { get; init; }
        public Dictionary<string, Shape>? Properties { get; set; }
        public string[]? Names { get; set; }
        public Shape? Item { get; init; }
        public string[]? EnumNames { get; init; }
        /// <summary>Members of this object that may not be null (required by the contract).</summary>
        public HashSet<string>? NotNull { get; set; }

        public static Shape Of(Type type, JsonSerializerOptions options, Dictionary<Type, Shape> cache)
        {
            if (cache.TryGetValue(type, out var known))
            {
                return known;
            }

            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            if (underlying.IsEnum)
            {
                return new Shape
                {
                    Kind = Kind.Enum, Type = type,
                    EnumNames = [.. Enum.GetNames(underlying).Select(StrictSnakeCaseEnumConverter.NameOf)],
                };
            }

            if (underlying == typeof(bool))
            {
                return new Shape { Kind = Kind.Boolean, Type = type };
            }

            if (underlying == typeof(int))
            {
                return new Shape { Kind = Kind.Integer, Type = type };
            }

            if (underlying == typeof(double))
            {
                return new Shape { Kind = Kind.Number, Type = type };
            }

            if (underlying == typeof(string))
            {
                return new Shape { Kind = Kind.String, Type = type };
            }

            var info = options.GetTypeInfo(underlying);
            if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } element)
            {
                return new Shape { Kind = Kind.Array, Type = type, Item = Of(element, options, cache) };
            }

            if (info.Kind != JsonTypeInfoKind.Object)
            {
                return new Shape { Kind = Kind.Other, Type = type };
            }

            var shape = new Shape { Kind = Kind.Object, Type = type };
            cache[type] = shape;
            shape.Properties = new Dictionary<string, Shape>(StringComparer.Ordinal);
            foreach (var property in info.Properties)
            {
                shape.Properties[property.Name] = Of(property.PropertyType, options, cache);
            }

            shape.Names = [.. info.Properties.Select(p => p.Name)];
            return shape;
        }
    }
}
