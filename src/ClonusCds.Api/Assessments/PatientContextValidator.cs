using System.Diagnostics.CodeAnalysis;
using ClonusCds.Api.Infrastructure;
using ClonusCds.Core.Model;
using FluentValidation;

namespace ClonusCds.Api.Assessments;

/// <summary>
/// Ranges, required fields, list and string limits from the contract (shared/contract/api-v1.md).
/// Types, enum values and unknown properties are already enforced by the JSON reader.
/// <see cref="IsCertainlyValid"/> is a hand-written mirror of the same rules that lets valid
/// requests skip FluentValidation (see <see cref="ValidationFilter{T}"/>).
/// </summary>
internal sealed class PatientContextValidator : AbstractValidator<PatientContext>, IFastValidity<PatientContext>
{
    /// <summary>
    /// The rxcui pattern: 1–12 ASCII digits and nothing else. <c>\z</c>, not <c>$</c>: a .NET
    /// <c>$</c> also matches just before one final "\n", which let "36437\n" through (found by the
    /// equivalence tests of the fast path). <see cref="IsRxcui"/> mirrors it.
    /// </summary>
    public const string RxcuiPattern = @"^[0-9]{1,12}\z";

    public const int MaxMedications = 100;
    public const int MaxConditions = 100;
    public const int MaxTreatments = 50;
    public const int MaxText = 200;
    public const int MaxCodeLength = 64;
    public const int MaxEnumList = 16;

    public PatientContextValidator()
    {
        RuleFor(x => x.Clonus).NotNull().WithMessage("clonus is required: at least { \"present\": true|false }.");
        When(x => x.Clonus is not null, () =>
        {
            RuleFor(x => x.Clonus!.Present).NotNull().WithMessage("clonus.present is required (true or false).");
            RuleFor(x => x.Clonus!.Beats).InclusiveBetween(0, 1000);
            RuleFor(x => x.Clonus!.DurationHours).InclusiveBetween(0, 1_000_000);
            RuleFor(x => x.Clonus!.Sites).Must(l => l is null || l.Count <= MaxEnumList).WithMessage($"At most {MaxEnumList} items.");
            RuleFor(x => x.Clonus!.Types).Must(l => l is null || l.Count <= MaxEnumList).WithMessage($"At most {MaxEnumList} items.");
        });

        When(x => x.Patient is not null, () =>
        {
            RuleFor(x => x.Patient!.AgeYears).InclusiveBetween(0, 120);
            RuleFor(x => x.Patient!.GestationalAgeWeeks).InclusiveBetween(1, 45);
            RuleFor(x => x.Patient!.GestationalAgeWeeks).Null()
                .When(x => x.Patient!.Pregnant == false)
                .WithMessage("gestationalAgeWeeks is given but pregnant is false.");
            RuleFor(x => x.Patient!.Egfr).InclusiveBetween(0, 200);
        });

        When(x => x.Vitals is not null, () =>
        {
            RuleFor(x => x.Vitals!.TemperatureC).InclusiveBetween(25, 45).WithMessage((_, t) => TemperatureMessage(t));
            RuleFor(x => x.Vitals!.HeartRateBpm).InclusiveBetween(20, 300);
            RuleFor(x => x.Vitals!.SystolicBp).InclusiveBetween(20, 300);
            RuleFor(x => x.Vitals!.DiastolicBp).InclusiveBetween(20, 300);
            RuleFor(x => x.Vitals!.RespiratoryRate).InclusiveBetween(0, 80);
            RuleFor(x => x.Vitals!.Spo2Percent).InclusiveBetween(0, 100);
        });

        When(x => x.Labs is not null, () =>
        {
            RuleFor(x => x.Labs!.CreatineKinaseUPerL).InclusiveBetween(0, 10_000_000);
            RuleFor(x => x.Labs!.LithiumMmolPerL).InclusiveBetween(0, 100);
            RuleFor(x => x.Labs!.AmmoniaUmolPerL).InclusiveBetween(0, 100_000);
            RuleFor(x => x.Labs!.SodiumMmolPerL).InclusiveBetween(0, 1_000);
            RuleFor(x => x.Labs!.BicarbonateMmolPerL).InclusiveBetween(0, 1_000);
            RuleFor(x => x.Labs!.CreatinineMgPerDl).InclusiveBetween(0, 1_000);
            RuleFor(x => x.Labs!.Inr).InclusiveBetween(0, 100);
        });

        RuleFor(x => x.Medications).Must(l => l is null || l.Count <= MaxMedications).WithMessage($"At most {MaxMedications} medications.");
        RuleForEach(x => x.Medications).NotNull().WithMessage("Items must not be null.").ChildRules(m =>
        {
            m.RuleFor(x => x.Name).NotEmpty().WithMessage("name is required.").MaximumLength(MaxText);
            m.RuleFor(x => x.Rxcui).Matches(RxcuiPattern).WithMessage("rxcui must be 1–12 digits.");
            m.RuleFor(x => x.DaysSinceChange).InclusiveBetween(0, 36_500);
            m.RuleFor(x => x.Dose).MaximumLength(MaxText);
        });

        RuleFor(x => x.Conditions).Must(l => l is null || l.Count <= MaxConditions).WithMessage($"At most {MaxConditions} conditions.");
        RuleForEach(x => x.Conditions).NotNull().WithMessage("Items must not be null.").ChildRules(c =>
        {
            c.RuleFor(x => x).Must(x => x.Category is not null || !string.IsNullOrWhiteSpace(x.Code) || !string.IsNullOrWhiteSpace(x.Display))
                .WithName("category").WithMessage("Each condition needs at least one of category, code or display.");
            c.RuleFor(x => x.Code).MaximumLength(MaxCodeLength);
            c.RuleFor(x => x.System).MaximumLength(MaxText)
                .Must(s => s is null || Uri.TryCreate(s, UriKind.Absolute, out _)).WithMessage("system must be an absolute URI, e.g. http://hl7.org/fhir/sid/icd-10-cm or http://snomed.info/sct.");
            c.RuleFor(x => x.System).NotEmpty().When(x => !string.IsNullOrWhiteSpace(x.Code) && x.System is not null);
            c.RuleFor(x => x.Display).MaximumLength(MaxText);
        });

        RuleFor(x => x.TreatmentHistory).Must(l => l is null || l.Count <= MaxTreatments).WithMessage($"At most {MaxTreatments} treatments.");
        RuleForEach(x => x.TreatmentHistory).NotNull().WithMessage("Items must not be null.").ChildRules(t =>
        {
            t.RuleFor(x => x.Treatment).NotEmpty().WithMessage("treatment is required.").MaximumLength(MaxText);
        });
    }

    /// <summary>Lowest and highest values read as a Fahrenheit body temperature (30–45 °C).</summary>
    public const double FahrenheitLow = 86, FahrenheitHigh = 113;

    /// <summary>
    /// The range message, plus a hint when the value looks like °F: "98.6 looks like °F: 37.0 °C".
    /// Only the number is echoed (it is the caller's number, not free text).
    /// </summary>
    internal static string TemperatureMessage(double? value)
    {
        var entered = value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null";
        var message = $"vitals.temperatureC must be between 25 and 45. You entered {entered}.";
        if (value is >= FahrenheitLow and <= FahrenheitHigh)
        {
            var celsius = (value.Value - 32) * 5 / 9;
            message += $" {entered} looks like °F: {celsius.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)} °C. Send the temperature in °C.";
        }

        return message;
    }

    // ------------------------------------------------------------------ fast path
    //
    // Every rule in the constructor above has its mirror below, in the same order, and
    // PatientContextValidatorEquivalenceTests (tests/ClonusCds.Api.Tests/Validation) keep the two
    // equal: IsCertainlyValid(x) == Validate(x).IsValid over thousands of generated contexts near
    // every boundary. Change a rule, change its mirror. When a mirror cannot be exact, it must err
    // towards false: false only costs a FluentValidation run, a wrong true lets an invalid body in.

    /// <summary>
    /// True only when every rule above passes, without allocating (except <see cref="Uri.TryCreate(string, UriKind, out Uri)"/>
    /// for a condition's system that is not one of the well-known ones). The filter then skips
    /// FluentValidation; on false FluentValidation runs and writes the 400 as before.
    /// </summary>
    public bool IsCertainlyValid(PatientContext value)
    {
        if (value is null)
        {
            return false;
        }

        // clonus: NotNull; then, when present, present NotNull, beats, durationHours, sites, types.
        var clonus = value.Clonus;
        if (clonus is null
            || clonus.Present is null
            || !InRange(clonus.Beats, 0, 1000)
            || !InRange(clonus.DurationHours, 0, 1_000_000)
            || !AtMost(clonus.Sites, MaxEnumList)
            || !AtMost(clonus.Types, MaxEnumList))
        {
            return false;
        }

        // patient (When not null): ranges, and gestationalAgeWeeks Null() When pregnant == false
        // (pregnant null or true puts no constraint on it beyond the range).
        if (value.Patient is { } patient
            && (!InRange(patient.AgeYears, 0, 120)
                || !InRange(patient.GestationalAgeWeeks, 1, 45)
                || (patient.Pregnant == false && patient.GestationalAgeWeeks is not null)
                || !InRange(patient.Egfr, 0, 200)))
        {
            return false;
        }

        if (value.Vitals is { } vitals
            && (!InRange(vitals.TemperatureC, 25, 45)
                || !InRange(vitals.HeartRateBpm, 20, 300)
                || !InRange(vitals.SystolicBp, 20, 300)
                || !InRange(vitals.DiastolicBp, 20, 300)
                || !InRange(vitals.RespiratoryRate, 0, 80)
                || !InRange(vitals.Spo2Percent, 0, 100)))
        {
            return false;
        }

        if (value.Labs is { } labs
            && (!InRange(labs.CreatineKinaseUPerL, 0, 10_000_000)
                || !InRange(labs.LithiumMmolPerL, 0, 100)
                || !InRange(labs.AmmoniaUmolPerL, 0, 100_000)
                || !InRange(labs.SodiumMmolPerL, 0, 1_000)
                || !InRange(labs.BicarbonateMmolPerL, 0, 1_000)
                || !InRange(labs.CreatinineMgPerDl, 0, 1_000)
                || !InRange(labs.Inr, 0, 100)))
        {
            return false;
        }

        // Lists: an indexed loop, because foreach over IReadOnlyList<T> boxes an enumerator.
        var medications = value.Medications;
        if (medications is not null)
        {
            if (medications.Count > MaxMedications)
            {
                return false;
            }

            for (var i = 0; i < medications.Count; i++)
            {
                var m = medications[i];
                if (m is null
                    || !IsNotEmpty(m.Name) || m.Name.Length > MaxText
                    || !IsRxcui(m.Rxcui)
                    || !InRange(m.DaysSinceChange, 0, 36_500)
                    || !AtMostChars(m.Dose, MaxText))
                {
                    return false;
                }
            }
        }

        var conditions = value.Conditions;
        if (conditions is not null)
        {
            if (conditions.Count > MaxConditions)
            {
                return false;
            }

            for (var i = 0; i < conditions.Count; i++)
            {
                var c = conditions[i];
                if (c is null
                    || (c.Category is null && string.IsNullOrWhiteSpace(c.Code) && string.IsNullOrWhiteSpace(c.Display))
                    || !AtMostChars(c.Code, MaxCodeLength)
                    || !IsValidSystem(c.System, c.Code)
                    || !AtMostChars(c.Display, MaxText))
                {
                    return false;
                }
            }
        }

        var treatments = value.TreatmentHistory;
        if (treatments is not null)
        {
            if (treatments.Count > MaxTreatments)
            {
                return false;
            }

            for (var i = 0; i < treatments.Count; i++)
            {
                var t = treatments[i];
                if (t is null || !IsNotEmpty(t.Treatment) || t.Treatment.Length > MaxText)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Systems seen in nearly every coded condition. <see cref="Uri.TryCreate(string, UriKind, out Uri)"/>
    /// is deterministic and accepts each of them (a test checks it), so an ordinal match answers
    /// without building a Uri.
    /// </summary>
    private static readonly string[] WellKnownSystems =
    [
        "http://hl7.org/fhir/sid/icd-10-cm",
        "http://snomed.info/sct",
        "http://hl7.org/fhir/sid/icd-10",
    ];

    /// <summary>Exposed for the test that every well-known system really is an absolute URI.</summary>
    internal static IReadOnlyList<string> WellKnownSystemUris => WellKnownSystems;

    /// <summary>
    /// InclusiveBetween on a nullable: null passes; otherwise from ≤ v ≤ to by IComparable. For a
    /// double, CompareTo sorts NaN below everything, so NaN fails, as it does here (every comparison
    /// with NaN is false); -0.0 compares equal to 0 both ways.
    /// </summary>
    private static bool InRange(double? value, double from, double to) =>
        value is not { } v || (v >= from && v <= to);

    private static bool InRange(int? value, int from, int to) =>
        value is not { } v || (v >= from && v <= to);

    /// <summary>The list-count Must rules: null passes.</summary>
    private static bool AtMost<TItem>(IReadOnlyList<TItem>? list, int max) => list is null || list.Count <= max;

    /// <summary>MaximumLength: null passes; the length is in UTF-16 code units (string.Length), not characters.</summary>
    private static bool AtMostChars(string? s, int max) => s is null || s.Length <= max;

    /// <summary>
    /// FluentValidation's NotEmpty on a string: not null and not string.IsNullOrWhiteSpace, i.e.
    /// at least one char for which char.IsWhiteSpace is false (Unicode white space, not just ASCII).
    /// </summary>
    private static bool IsNotEmpty([NotNullWhen(true)] string? s) => !string.IsNullOrWhiteSpace(s);

    /// <summary>
    /// <see cref="RxcuiPattern"/> without a Regex: null passes (Matches skips null); otherwise 1–12
    /// ASCII digits ([0-9] is exactly '0'..'9', not Unicode digits) and nothing after them.
    /// </summary>
    private static bool IsRxcui(string? s)
    {
        if (s is null)
        {
            return true;
        }

        var length = s.Length;
        if (length is < 1 or > 12)
        {
            return false;
        }

        for (var i = 0; i < length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The three system rules together: MaximumLength(200) and Uri.TryCreate(Absolute), both
    /// skipped for null; and NotEmpty when the code is not blank and the system not null.
    /// </summary>
    private static bool IsValidSystem(string? system, string? code)
    {
        if (system is null)
        {
            return true;
        }

        if (system.Length > MaxText)
        {
            return false;
        }

        if (!string.IsNullOrWhiteSpace(code) && string.IsNullOrWhiteSpace(system))
        {
            return false;
        }

        return IsWellKnownSystem(system) || Uri.TryCreate(system, UriKind.Absolute, out _);
    }

    private static bool IsWellKnownSystem(string system)
    {
        foreach (var known in WellKnownSystems)
        {
            if (string.Equals(system, known, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
