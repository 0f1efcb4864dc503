using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hl7.Fhir.Introspection;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;
using Hl7.Fhir.Validation;
using R4 = Hl7.Fhir.Model;

namespace ClonusCds.Api.CdsHooks.Fhir;

/// <summary>
/// FHIR R4 JSON → the Firely SDK's POCOs (<see cref="FhirJsonDeserializer"/>), with the errors as
/// request paths for a 400.
/// <para>
/// <b>How strict, and why.</b> The deserializer runs in <see cref="DeserializationMode.NoOverflow"/>:
/// whatever it accepts is in the typed model, so no property of a POCO it returns can throw on
/// access. Within that mode three kinds of imperfection that EHRs really send are tolerated, as the
/// hand-written reader tolerated them:
/// <list type="bullet">
/// <item>unknown elements (vendor additions, elements of a later FHIR release, misspellings): ignored;</item>
/// <item>codes outside a required value set (<c>"status": "held"</c>): kept as written and read
/// from the element's raw value (<see cref="Raw{T}"/>), never through the enum property, which would
/// throw; an unknown medication status counts as taken, as before;</item>
/// <item>a dateTime with a time but no zone offset (FHIR requires one): read as UTC, as before.</item>
/// </list>
/// The SDK's NoOverflow mode also accepts missing required elements (an Observation without
/// <c>status</c>), <c>null</c> values, empty objects and arrays, and resource types it does not
/// know (read as a resource the mapping does not use, as before). Everything else is refused with a
/// 400 naming the path, e.g. <c>prefetch.medications.entry[0].resource.status</c>: a JSON type FHIR
/// does not allow there (a number for a code, a string where a Quantity belongs, an object where an
/// array belongs), a primitive whose text is not of its type (a date "yesterday", an empty string,
/// an id with a space), a number the model cannot hold (1e309), a resource without
/// <c>resourceType</c>. Such data cannot be read without guessing, and a guess about a medication
/// list is not a safe default. The hand-written reader read all of these as "absent".
/// </para>
/// </summary>
internal static partial class FhirResources
{
    public const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public const string Loinc = "http://loinc.org";
    public const string Snomed = "http://snomed.info/sct";
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";

    /// <summary>At most this many problems are reported per resource.</summary>
    private const int MaxProblems = 10;

    private static readonly FhirJsonDeserializer Deserializer = new(new DeserializerSettings
    {
        PrimitiveValueConverter = ZoneLessDateTimeAsUtc,
        Validator = new PrimitiveValuesValidator(),
    }.UsingMode(DeserializationMode.NoOverflow)
        .Ignoring([CodedValidationException.UNKNOWN_ELEMENT_CODE, CodedValidationException.INVALID_CODED_VALUE_CODE])
        // NoOverflow also lets these through, but in 6.8.0 a JSON primitive where an element is
        // expected ("valueQuantity": false) then makes the POCO's property throw on access; they are
        // shape errors of the JSON itself, so they are refused with the type errors.
        .Enforcing([
            FhirJsonException.RESOURCETYPE_SHOULD_BE_STRING_CODE, FhirJsonException.NO_RESOURCETYPE_PROPERTY_CODE,
            FhirJsonException.CHOICE_ELEMENT_MUST_HAVE_SUFFIX_CODE, FhirJsonException.DUPLICATE_PROPERTY_CODE, FhirJsonException.NESTED_ARRAY_CODE,
            FhirJsonException.UNEXPECTED_PRIMITIVE_VALUE_FOR_NON_PRIMITIVE_CODE, FhirJsonException.UNEXPECTED_OBJECT_VALUE_FOR_PRIMITIVE_CODE,
            FhirJsonException.USE_OF_UNDERSCORE_WITH_NON_PRIMITIVE_CODE, FhirJsonException.UNDERSCORE_SHOULD_BE_OBJECT_CODE,
            FhirJsonException.PRIMITIVE_VALUE_SUPPLIED_TWICE_CODE, CodedValidationException.CHOICE_TYPE_NOT_ALLOWED_CODE,
        ]));

    /// <summary>
    /// Deserializes one resource (a prefetch value, the draft orders Bundle, a fetched page). On
    /// invalid FHIR returns null and adds each problem to <paramref name="errors"/> under
    /// <paramref name="path"/> plus the element's path inside the resource.
    /// </summary>
    public static R4.Resource? Read(JsonElement value, string path, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(value));
        IEnumerable<CodedException> issues;
        R4.Resource? resource;
        try
        {
            if (Deserializer.TryDeserializeResource(ref reader, out resource, out issues))
            {
                return resource;
            }
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            // The deserializer reports problems as issues, but some inputs make it throw instead
            // (6.8.0: an empty property name, {"": 0}, throws IndexOutOfRangeException). The JSON
            // itself was already parsed, so whatever it throws is the data's fault: a 400, never a 500.
            errors[path] = ["Not valid FHIR R4: the resource could not be read."];
            return null;
        }

        var reported = false;
        foreach (var issue in issues.Take(MaxProblems))
        {
            var at = Path(path, (issue as ExtendedCodedException)?.InstancePath);
            var message = $"Not valid FHIR R4: {Describe(issue)}";
            errors[at] = errors.TryGetValue(at, out var earlier) ? [.. earlier, message] : [message];
            reported = true;
        }

        if (!reported)
        {
            errors[path] = ["Not valid FHIR R4: the resource could not be read."];
        }

        return null;
    }

    /// <summary><c>Bundle.entry[0].resource.status</c> under <c>prefetch.medications</c> → <c>prefetch.medications.entry[0].resource.status</c>.</summary>
    private static string Path(string prefix, string? instancePath)
    {
        if (string.IsNullOrEmpty(instancePath))
        {
            return prefix;
        }

        var dot = instancePath.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? prefix : prefix + instancePath[dot..];
    }

    /// <summary>The SDK's message without its location suffix, shortened; never a .NET type or exception name.</summary>
    private static string Describe(CodedException issue)
    {
        var text = (issue as ExtendedCodedException)?.BaseErrorMessage ?? issue.Message;
        if (text.Contains("Exception", StringComparison.Ordinal) || text.Contains("System.", StringComparison.Ordinal))
        {
            return $"the element is not valid ({issue.ErrorCode}).";
        }

        return Cards.Markdown.Shorten(text, 200);
    }

    /// <summary>
    /// The SDK's validator for every property and every primitive value (type of the JSON value,
    /// the literal's format, single vs repeating), without its pass over each complex object,
    /// which checks cardinality and invariants: NoOverflow ignores what that pass finds, so it was
    /// work for nothing (12 KB of the 274 KB the benchmark call allocated; docs/performance.md,
    /// "Issue 17").
    /// </summary>
    private sealed class PrimitiveValuesValidator : IPocoValidator
    {
        private static readonly IPocoValidator Full = new DeserializerSettings().Validator!;

        public IReadOnlyCollection<CodedValidationException> ValidateProperty(string propertyName, object? propertyValue, PropertyMapping? propertyMapping, PocoValidationContext context) =>
            Full.ValidateProperty(propertyName, propertyValue, propertyMapping, context);

        public IReadOnlyCollection<CodedValidationException> ValidateObject(Hl7.Fhir.Model.Base instance, ClassMapping classMapping, PocoValidationContext context) =>
            instance is Hl7.Fhir.Model.PrimitiveType ? Full.ValidateObject(instance, classMapping, context) : [];
    }

    /// <summary>A FHIR dateTime or instant with a time but no offset ("2026-11-21T10:00:00") is read as UTC; anything else is left to the SDK.</summary>
    private static object ZoneLessDateTimeAsUtc(object value, Type targetType, ClassMapping primitiveMapping) =>
        value is string text && primitiveMapping.Name is "dateTime" or "instant" && ZoneLess().IsMatch(text) ? text + "Z" : value;

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?$", RegexOptions.CultureInvariant)]
    private static partial Regex ZoneLess();

    // ---------------------------------------------------------------- reading the typed model

    /// <summary>A string with content, or null when absent or blank.</summary>
    public static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>
    /// A coded element's code as written, also when it is not in the element's value set (those are
    /// kept, see the class comment; the typed enum property would throw on them).
    /// </summary>
    public static string? Raw<T>(this R4.Code<T>? element) where T : struct, Enum => Text(element?.JsonValue as string);

    /// <summary>"Type/id" for a resource with an id.</summary>
    public static string? Reference(this R4.Resource resource) => Text(resource.Id) is { } id ? $"{resource.TypeName}/{id}" : null;

    /// <summary>The codings of a CodeableConcept (system, code, display; blanks as null).</summary>
    public static IEnumerable<(string? System, string? Code, string? Display)> Codings(this R4.CodeableConcept? concept) =>
        concept is null ? [] : concept.Coding.Where(c => c is not null).Select(c => (Text(c.System), Text(c.Code), Text(c.Display)));

    /// <summary>True when the concept has that system|code.</summary>
    public static bool HasCode(this R4.CodeableConcept? concept, string system, string code) =>
        concept.Codings().Any(c => c.Code == code && string.Equals(c.System, system, StringComparison.OrdinalIgnoreCase));

    /// <summary>The first code of the concept in that system.</summary>
    public static string? CodeIn(this R4.CodeableConcept? concept, string system) =>
        concept.Codings().FirstOrDefault(c => c.Code is not null && string.Equals(c.System, system, StringComparison.OrdinalIgnoreCase)).Code;

    /// <summary>Text of a concept: its text, else the first coding display.</summary>
    public static string? Words(this R4.CodeableConcept? concept) =>
        concept is null ? null : Text(concept.Text) ?? concept.Codings().Select(x => x.Display).FirstOrDefault(d => d is not null);

    /// <summary>
    /// A FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD, or a full dateTime) as an instant, with its
    /// precision, or null when unreadable or outside 1800–2300 (an implausible date is no date).
    /// Partial dates are placed mid-period by the caller when it needs a point.
    /// </summary>
    public static FhirDate? Date(string? value)
    {
        if (Text(value) is not { } text || !Hl7.Fhir.ElementModel.Types.DateTime.TryParse(text, out var parsed))
        {
            return null;
        }

        // The year is read from the text, before any conversion (year 1 with an offset is not a DateTimeOffset).
        if (!int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year is < 1800 or > 2300)
        {
            return null;
        }

        var precision = parsed.Precision switch
        {
            Hl7.Fhir.ElementModel.Types.DateTimePrecision.Year => DatePrecision.Year,
            Hl7.Fhir.ElementModel.Types.DateTimePrecision.Month => DatePrecision.Month,
            Hl7.Fhir.ElementModel.Types.DateTimePrecision.Day => DatePrecision.Day,
            _ => DatePrecision.Time,
        };
        return new FhirDate(parsed.ToDateTimeOffset(TimeSpan.Zero).ToUniversalTime(), precision);
    }

    /// <summary>An instant (<c>issued</c>, <c>meta.lastUpdated</c>, <c>effectiveInstant</c>) as a date, within the same plausible years.</summary>
    public static FhirDate? Date(DateTimeOffset? value) =>
        value is { } v && v.Year is >= 1800 and <= 2300 ? new FhirDate(v.ToUniversalTime(), DatePrecision.Time) : null;
}

/// <summary>How precise a FHIR date is.</summary>
internal enum DatePrecision { Year, Month, Day, Time }

/// <summary>A FHIR date with its precision.</summary>
internal readonly record struct FhirDate(DateTimeOffset Start, DatePrecision Precision);
