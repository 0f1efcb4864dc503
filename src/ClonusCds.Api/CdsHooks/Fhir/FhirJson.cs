using System.Globalization;
using System.Text.Json;

namespace ClonusCds.Api.CdsHooks.Fhir;

/// <summary>Small readers over FHIR R4 JSON (no FHIR SDK restores here; System.Text.Json only).</summary>
internal static class FhirJson
{
    public const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public const string Loinc = "http://loinc.org";
    public const string Snomed = "http://snomed.info/sct";
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";

    /// <summary>A string member, or null when absent, not a string, or blank.</summary>
    public static string? Str(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            && v.GetString() is { Length: > 0 } s && !string.IsNullOrWhiteSpace(s) ? s : null;

    /// <summary>An object member, or null.</summary>
    public static JsonElement? Obj(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    /// <summary>The items of an array member (none when absent or not an array).</summary>
    public static IEnumerable<JsonElement> Arr(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray()
            : [];

    /// <summary>A number member, or null.</summary>
    public static double? Num(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;

    /// <summary>A boolean member, or null.</summary>
    public static bool? Bool(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean() : null;

    /// <summary>resourceType.</summary>
    public static string? ResourceType(this JsonElement e) => e.Str("resourceType");

    /// <summary>"Type/id" for a resource with an id.</summary>
    public static string? Reference(this JsonElement e) => e.ResourceType() is { } t && e.Str("id") is { } id ? $"{t}/{id}" : null;

    /// <summary>The codings of a CodeableConcept.</summary>
    public static IEnumerable<(string? System, string? Code, string? Display)> Codings(this JsonElement? concept) =>
        concept is { } c ? c.Arr("coding").Select(x => (x.Str("system"), x.Str("code"), x.Str("display"))) : [];

    /// <summary>True when the concept has that system|code.</summary>
    public static bool HasCode(this JsonElement? concept, string system, string code) =>
        concept.Codings().Any(c => c.Code == code && string.Equals(c.System, system, StringComparison.OrdinalIgnoreCase));

    /// <summary>The first code of the concept in that system.</summary>
    public static string? CodeIn(this JsonElement? concept, string system) =>
        concept.Codings().FirstOrDefault(c => c.Code is not null && string.Equals(c.System, system, StringComparison.OrdinalIgnoreCase)).Code;

    /// <summary>Text of a concept: its text, else the first coding display.</summary>
    public static string? Text(this JsonElement? concept) =>
        concept is { } c ? c.Str("text") ?? concept.Codings().Select(x => x.Display).FirstOrDefault(d => d is not null) : null;

    /// <summary>
    /// A FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD, or a full dateTime) as an instant, with its
    /// precision, or null when unreadable or outside 1800–2300 (an implausible date is no date).
    /// Partial dates are placed mid-period by the caller when it needs a point.
    /// </summary>
    public static FhirDate? Date(string? value) => Parse(value) is { } date && date.Start.Year is >= 1800 and <= 2300 ? date : null;

    /// <summary>Parses the FHIR date forms; the caller keeps only plausible years (1800–2300).</summary>
    private static FhirDate? Parse(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length == 4 && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var year) && year is > 1800 and < 2300)
        {
            return new FhirDate(new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.Zero), DatePrecision.Year);
        }

        if (value.Length == 7 && DateTime.TryParseExact(value, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var month))
        {
            return new FhirDate(new DateTimeOffset(month, TimeSpan.Zero), DatePrecision.Month);
        }

        if (value.Length == 10 && DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day))
        {
            return new FhirDate(new DateTimeOffset(day, TimeSpan.Zero), DatePrecision.Day);
        }

        // FHIR dateTime with time requires a zone; accept what DateTimeOffset can read with one.
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? new FhirDate(instant.ToUniversalTime(), DatePrecision.Time)
            : null;
    }
}

/// <summary>How precise a FHIR date is.</summary>
internal enum DatePrecision { Year, Month, Day, Time }

/// <summary>A FHIR date with its precision.</summary>
internal readonly record struct FhirDate(DateTimeOffset Start, DatePrecision Precision);
