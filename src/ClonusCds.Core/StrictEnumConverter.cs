using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClonusCds.Core;

/// <summary>
/// Enum values exactly as the contract spells them: snake_case, case-sensitive (api-v1.md).
/// <see cref="JsonStringEnumConverter"/> reads case-insensitively and also takes the C# member name,
/// so <c>"Ankle"</c>, <c>"INDUCIBLE"</c> or <c>"emergencyDepartment"</c> were accepted; an
/// integration that sends them is not following the contract, and a field read loosely in one place
/// invites misreadings elsewhere. Anything but the exact snake_case name (or an integer) is a
/// <see cref="JsonException"/> without a message, which the serializer reports as "could not be
/// converted" at the field's path; the API turns that into a 400 listing the allowed values.
/// Writing gives the same snake_case names as before.
/// </summary>
public sealed class StrictSnakeCaseEnumConverter : JsonConverterFactory
{
    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    /// <inheritdoc />
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    /// <summary>The snake_case name of an enum member, as written and as the only spelling read.</summary>
    public static string NameOf(string member) => JsonNamingPolicy.SnakeCaseLower.ConvertName(member);

    private sealed class Converter<T> : JsonConverter<T> where T : struct, Enum
    {
        private static readonly T[] Values = Enum.GetValues<T>();
        private static readonly JsonEncodedText[] Names = [.. Values.Select(v => JsonEncodedText.Encode(NameOf(v.ToString())))];
        private static readonly byte[][] Utf8 = [.. Names.Select(n => n.EncodedUtf8Bytes.ToArray())];

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                for (var i = 0; i < Utf8.Length; i++)
                {
                    // ValueTextEquals unescapes, so "\u0061nkle" is still "ankle"; case is exact.
                    if (reader.ValueTextEquals(Utf8[i]))
                    {
                        return Values[i];
                    }
                }
            }

            throw new JsonException();
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Name(value));

        public override T ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Read(ref reader, typeToConvert, options);

        public override void WriteAsPropertyName(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WritePropertyName(Name(value));

        private static JsonEncodedText Name(T value)
        {
            var i = Array.IndexOf(Values, value);
            return i >= 0 ? Names[i] : throw new JsonException($"{typeof(T).Name} has no member with value {Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)}.");
        }
    }
}
