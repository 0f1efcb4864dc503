using ClonusCds.Api.Assessments;
using ClonusCds.Core.Model;
using FsCheck;
using FsCheck.Fluent;

namespace ClonusCds.Api.Tests.Validation;

/// <summary>
/// Generators of <see cref="PatientContext"/> built in C# (not through JSON, so NaN, infinities and
/// values the reader would refuse still reach the validator), concentrated on the edges of every
/// rule in <see cref="PatientContextValidator"/>.
/// </summary>
/// <remarks>
/// Every field draws from its ordinary values (all valid, boundaries included) or from its edge
/// pool (just inside and just outside the bounds, NaN, blanks, over-long strings, null items,
/// lists over the limit…). How often it takes the edge pool is set per context by a
/// <see cref="Mode"/>: either one focused field always takes it and every other field never does
/// (a context that breaks at most one rule, where a wrong mirror of that rule shows), or every
/// field takes it with the same small chance p (mixtures of violations; p = 0 gives valid
/// contexts, which the fast path must recognise).
/// </remarks>
internal static class PatientContextGen
{
    private const int MaxText = PatientContextValidator.MaxText;

    /// <summary>The fields a single-fault context can focus on, one or more per validator rule.</summary>
    public static readonly string[] Fields =
    [
        "clonus", "clonus.present", "clonus.beats", "clonus.durationHours", "clonus.sites", "clonus.types",
        "patient.ageYears", "patient.gestationalAgeWeeks", "patient.pregnancyRule", "patient.egfr",
        "vitals.temperatureC", "vitals.heartRateBpm", "vitals.systolicBp", "vitals.diastolicBp", "vitals.respiratoryRate", "vitals.spo2Percent",
        "labs.creatineKinaseUPerL", "labs.lithiumMmolPerL", "labs.ammoniaUmolPerL", "labs.sodiumMmolPerL",
        "labs.bicarbonateMmolPerL", "labs.creatinineMgPerDl", "labs.inr",
        "medications.count", "medications.item", "medications.name", "medications.rxcui", "medications.daysSinceChange", "medications.dose",
        "conditions.count", "conditions.item", "conditions.oneOf", "conditions.code", "conditions.system", "conditions.display",
        "treatmentHistory.count", "treatmentHistory.item", "treatmentHistory.treatment",
    ];

    /// <summary>
    /// Edge chance per field, in per cent: <paramref name="P"/> for every field, or, with a
    /// <paramref name="Focus"/>, 100 for that field and 0 for the rest.
    /// </summary>
    public sealed record Mode(int P, string? Focus = null)
    {
        public int this[string field] => Focus is null ? P : Focus == field ? 100 : 0;

        /// <summary>True when the focus is inside <paramref name="parent"/>: that object or list must then be there.</summary>
        public bool Needs(string parent) => Focus is not null && Focus.StartsWith(parent + ".", StringComparison.Ordinal);
    }

    /// <summary>Half single-fault contexts, half mixtures (a quarter of all contexts valid by construction).</summary>
    public static Gen<PatientContext> Context { get; } =
        Gen.Frequency(
            (2, Gen.Elements(Fields).Select(f => new Mode(0, f))),
            (1, Gen.Constant(new Mode(0))),
            (1, Gen.Elements(1, 2, 4, 8, 30).Select(p => new Mode(p))))
        .SelectMany(Build);

    private static Gen<PatientContext> Build(Mode m) =>
        from clonus in Clonus(m)
        from patient in Maybe(m.Needs("patient"), Patient(m))
        from vitals in Maybe(m.Needs("vitals"), Vitals(m))
        from labs in Maybe(m.Needs("labs"), Labs(m))
        from medications in List(m, "medications", PatientContextValidator.MaxMedications, Medication(m))
        from conditions in List(m, "conditions", PatientContextValidator.MaxConditions, Condition(m))
        from treatments in List(m, "treatmentHistory", PatientContextValidator.MaxTreatments, Treatment(m))
        from setting in Gen.Elements<CareSetting?>(null, CareSetting.EmergencyDepartment, CareSetting.Icu)
        select new PatientContext
        {
            Clonus = clonus,
            Patient = patient,
            Vitals = vitals,
            Labs = labs,
            Medications = medications,
            Conditions = conditions,
            TreatmentHistory = treatments,
            Setting = setting,
        };

    // ------------------------------------------------------------------ building blocks

    /// <summary>Ordinary values with weight 100 − p, edge values with weight p.</summary>
    private static Gen<T> Pick<T>(int p, Gen<T> ordinary, Gen<T> edge) => p switch
    {
        <= 0 => ordinary,
        >= 100 => edge,
        _ => Gen.Frequency((100 - p, ordinary), (p, edge)),
    };

    /// <summary>An optional object: absent a quarter of the time (absent is always valid), unless the focus is inside it.</summary>
    private static Gen<T?> Maybe<T>(bool needed, Gen<T> present) where T : class =>
        needed ? present.Select(x => (T?)x) : Gen.Frequency((1, Gen.Constant<T?>(null)), (3, present.Select(x => (T?)x)));

    /// <summary>
    /// A nullable double under InclusiveBetween(from, to): ordinary values are null, the bounds,
    /// -0.0 where 0 is a bound, and uniform values inside; edge values straddle both bounds by one
    /// ulp and by 1e-9, and include NaN and the infinities.
    /// </summary>
    public static Gen<double?> Number(int p, double from, double to)
    {
        var inside = Gen.Choose(0, 1_000_000).Select(i => (double?)(from + ((to - from) * i / 1_000_000.0)));
        double?[] bounds = from == 0 ? [null, from, to, -0.0] : [null, from, to];
        var ordinary = Gen.Frequency((2, Gen.Elements(bounds)), (3, inside));
        var edge = Gen.Elements<double?>(
            Math.BitDecrement(from), Math.BitIncrement(from), Math.BitDecrement(to), Math.BitIncrement(to),
            from - 1e-9, to + 1e-9, from - 1, to + 1, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
            double.MinValue, double.MaxValue, -double.Epsilon, double.Epsilon, from, to);
        return Pick(p, ordinary, edge);
    }

    /// <summary>A nullable int under InclusiveBetween(from, to).</summary>
    public static Gen<int?> Integer(int p, int from, int to)
    {
        var ordinary = Gen.Frequency(
            (2, Gen.Elements<int?>(null, from, to)),
            (3, Gen.Choose(from, to).Select(i => (int?)i)));
        var edge = Gen.Elements<int?>(from - 1, to + 1, from, to, int.MinValue, int.MaxValue, 0, -1);
        return Pick(p, ordinary, edge);
    }

    /// <summary>Strings for NotEmpty + MaximumLength(limit) (required) or MaximumLength alone.</summary>
    public static Gen<string?> Text(int p, int limit, bool required)
    {
        // Surrogate pairs: MaximumLength counts UTF-16 code units, so limit/2 emoji are exactly at it.
        var emojiAtLimit = string.Concat(Enumerable.Repeat("😀", limit / 2));
        string?[] ordinary = required
            ? ["sertraline", "a", "Ultram", new string('a', limit), emojiAtLimit, " x ", "\u00A0a", "\u200B", "\uFEFF", "中文"]
            : [null, null, "100 mg daily", "a", "", " ", new string('b', limit), emojiAtLimit, "\t"];
        string?[] blanks =
        [
            null, "", " ", "   ", "\t", "\n", "\r\n", "\u00A0", "\u2028", "\u2029", "\u0085", "\u3000", "\u1680", "\u200B",
            "\uFEFF", new string(' ', limit), new string(' ', limit + 1), "x",
        ];
        string?[] lengths = [new string('a', limit + 1), emojiAtLimit + "a", "a" + emojiAtLimit, new string('a', limit), new string('a', limit - 1)];
        return Pick(p, Gen.Elements(ordinary), Gen.OneOf(Gen.Elements(blanks), Gen.Elements(lengths)));
    }

    /// <summary>rxcui values for Matches("^[0-9]{1,12}$"), null passing.</summary>
    public static Gen<string?> Rxcui(int p)
    {
        var ordinary = Gen.Elements<string?>(null, "36437", "1292", "1", "123456789012", "0", "000000000000");
        var digits = from n in Gen.Choose(0, 14)
                     from chars in Gen.ArrayOf(Gen.Choose('0', '9').Select(c => (char)c), n)
                     from tail in Gen.Elements("", "", "\n", "\n\n", "\r", "\r\n", " ", "a")
                     select (string?)(new string(chars) + tail);
        var fixedEdges = Gen.Elements<string?>(
            "", "123", "1234567890123", "12a", "123\n", "123\n\n", "\n", "123\r\n", "\n123", " 123", "123 ",
            "١٢٣", "１２３", "-1", "+1", "1.0", "1e3", "12\u000A", "12\u000B", "123456789012\n", "1234567890123\n");
        return Pick(p, ordinary, Gen.OneOf(digits, fixedEdges));
    }

    /// <summary>Condition systems: absolute, relative, blank, at and over the length limit.</summary>
    public static Gen<string?> System(int p)
    {
        var atLimit = "http://example.org/" + new string('a', MaxText - "http://example.org/".Length);
        var ordinary = Gen.Elements<string?>(
            null, "http://hl7.org/fhir/sid/icd-10-cm", "http://snomed.info/sct", "http://hl7.org/fhir/sid/icd-10",
            "urn:oid:2.16.840.1.113883.6.90", "https://example.org/codes", atLimit);
        var overLong = Gen.Elements<string?>(atLimit + "a", "urn:" + new string('x', MaxText - 3), atLimit);
        var edge = Gen.Elements<string?>(
            "", " ", "\t", "icd10", "relative/path", "/usr/share/x", "http://", "http:x", "mailto:a@b.org", "urn:", "a:b",
            "C:\\codes", "\\\\server\\share", "file:///x", "http://x y", " http://x", "http://x\n", "//host/path",
            atLimit + "a", "http://hl7.org/fhir/sid/icd-10-cm ", "HTTP://SNOMED.INFO/SCT", "http://snomed.info/sct\u0000",
            "http://[", ":x", "1:x", "x y:z", "http://a:b:c", "ht tp://x", "%%%");
        return Pick(p, ordinary, Gen.Frequency((2, edge), (1, overLong)));
    }

    /// <summary>Condition codes: MaximumLength(64), and blank or not for the "at least one" and system rules.</summary>
    public static Gen<string?> Code(int p)
    {
        var limit = PatientContextValidator.MaxCodeLength;
        var ordinary = Gen.Elements<string?>(null, null, "G35", "G93.40", "F33.1", new string('C', limit));
        var blank = Gen.Elements<string?>(null, "", " ", "\t", "\u00A0", "G35");
        var length = Gen.Elements<string?>(new string('C', limit + 1), new string(' ', limit + 1), new string('C', limit), string.Concat(Enumerable.Repeat("😀", limit / 2)) + "C");
        return Pick(p, ordinary, Gen.OneOf(blank, length));
    }

    /// <summary>
    /// A list whose length sits at the interesting places (null, empty, a few, the limit, one over).
    /// To keep long lists valid often, its items cycle through at most three generated ones; an
    /// item can be null (edge). The limit and limit + 1 are rarer: they are slow to validate.
    /// </summary>
    public static Gen<IReadOnlyList<T>?> List<T>(Mode m, string name, int limit, Gen<T> item) where T : class
    {
        // -1 stands for a null list. With the focus on an item field the list has items.
        var ordinary = m.Needs(name)
            ? Gen.Frequency((8, Gen.Choose(1, 3)), (1, Gen.Constant(limit)))
            : Gen.Frequency(
                (4, Gen.Constant(-1)),
                (3, Gen.Constant(0)),
                (8, Gen.Choose(1, 3)),
                (1, Gen.Elements(limit - 1, limit)));
        var counts = Pick(m[name + ".count"], ordinary, Gen.Elements(limit + 1, limit + 1, limit, 0));
        var itemOrNull = Pick(m[name + ".item"], item.Select(x => (T?)x), Gen.Constant<T?>(null));
        return from count in counts
               from distinct in Gen.ArrayOf(itemOrNull, Math.Clamp(count, 1, 3))
               select count < 0 ? null : (IReadOnlyList<T>?)Enumerable.Range(0, count).Select(i => distinct[i % distinct.Length]!).ToList();
    }

    /// <summary>A list of enum values for the Sites/Types count rules (at most 16).</summary>
    private static Gen<IReadOnlyList<TEnum>?> EnumList<TEnum>(int p) where TEnum : struct, Enum
    {
        var limit = PatientContextValidator.MaxEnumList;
        var values = Enum.GetValues<TEnum>();
        var ordinary = Gen.Elements(-1, 0, 1, 2, limit);
        var edge = Gen.Elements(limit + 1, limit, 40);
        return from count in Pick(p, ordinary, edge)
               select count < 0 ? null : (IReadOnlyList<TEnum>?)Enumerable.Range(0, count).Select(i => values[i % values.Length]).ToArray();
    }

    // ------------------------------------------------------------------ the objects

    private static Gen<ClonusFinding?> Clonus(Mode m)
    {
        var finding =
            from present in Pick(m["clonus.present"], Gen.Elements<bool?>(true, false), Gen.Constant<bool?>(null))
            from beats in Integer(m["clonus.beats"], 0, 1000)
            from duration in Number(m["clonus.durationHours"], 0, 1_000_000)
            from sites in EnumList<ClonusSite>(m["clonus.sites"])
            from types in EnumList<ClonusType>(m["clonus.types"])
            from sustained in Gen.Elements<bool?>(null, true, false)
            select (ClonusFinding?)new ClonusFinding
            {
                Present = present, Beats = beats, DurationHours = duration, Sites = sites, Types = types, Sustained = sustained,
            };
        return Pick(m["clonus"], finding, Gen.Constant<ClonusFinding?>(null));
    }

    private static Gen<PatientInfo> Patient(Mode m) =>
        from age in Number(m["patient.ageYears"], 0, 120)
        from pregnant in Gen.Elements<bool?>(null, true, false)
        from weeks in Integer(m["patient.gestationalAgeWeeks"], 1, 45)
        from egfr in Number(m["patient.egfr"], 0, 200)
        from sex in Gen.Elements<Sex?>(null, Sex.Female, Sex.Male)
        // Ordinary contexts keep the "no gestational age when not pregnant" rule; edge ones break it
        // (unless the weeks drawn are null).
        from breakPregnancyRule in Pick(m["patient.pregnancyRule"], Gen.Constant(false), Gen.Constant(true))
        select new PatientInfo
        {
            AgeYears = age,
            Pregnant = breakPregnancyRule ? false : pregnant,
            GestationalAgeWeeks = !breakPregnancyRule && pregnant == false ? null : weeks,
            Egfr = egfr,
            Sex = sex,
        };

    private static Gen<Vitals> Vitals(Mode m) =>
        from temperature in Number(m["vitals.temperatureC"], 25, 45)
        from heartRate in Integer(m["vitals.heartRateBpm"], 20, 300)
        from systolic in Integer(m["vitals.systolicBp"], 20, 300)
        from diastolic in Integer(m["vitals.diastolicBp"], 20, 300)
        from respiratory in Integer(m["vitals.respiratoryRate"], 0, 80)
        from spo2 in Number(m["vitals.spo2Percent"], 0, 100)
        select new Vitals
        {
            TemperatureC = temperature, HeartRateBpm = heartRate, SystolicBp = systolic, DiastolicBp = diastolic,
            RespiratoryRate = respiratory, Spo2Percent = spo2,
        };

    private static Gen<LabResults> Labs(Mode m) =>
        from ck in Number(m["labs.creatineKinaseUPerL"], 0, 10_000_000)
        from lithium in Number(m["labs.lithiumMmolPerL"], 0, 100)
        from ammonia in Number(m["labs.ammoniaUmolPerL"], 0, 100_000)
        from sodium in Number(m["labs.sodiumMmolPerL"], 0, 1_000)
        from bicarbonate in Number(m["labs.bicarbonateMmolPerL"], 0, 1_000)
        from creatinine in Number(m["labs.creatinineMgPerDl"], 0, 1_000)
        from inr in Number(m["labs.inr"], 0, 100)
        select new LabResults
        {
            CreatineKinaseUPerL = ck, LithiumMmolPerL = lithium, AmmoniaUmolPerL = ammonia, SodiumMmolPerL = sodium,
            BicarbonateMmolPerL = bicarbonate, CreatinineMgPerDl = creatinine, Inr = inr,
        };

    private static Gen<MedicationEntry> Medication(Mode m) =>
        from name in Text(m["medications.name"], MaxText, required: true)
        from rxcui in Rxcui(m["medications.rxcui"])
        from days in Number(m["medications.daysSinceChange"], 0, 36_500)
        from dose in Text(m["medications.dose"], MaxText, required: false)
        from status in Gen.Elements<MedicationStatus?>(null, MedicationStatus.Active, MedicationStatus.Draft)
        select new MedicationEntry { Name = name, Rxcui = rxcui, DaysSinceChange = days, Dose = dose, Status = status };

    private static Gen<ConditionEntry> Condition(Mode m)
    {
        var display = Text(m["conditions.display"], MaxText, required: false);
        return from category in Gen.Elements<ConditionCategory?>(ConditionCategory.Stroke, ConditionCategory.Other, null)
               from code in Code(m["conditions.code"])
               from system in System(m["conditions.system"])
               from text in display
               // Ordinary conditions keep "at least one of category, code or display"; edge ones
               // have none of the three (blank strings included).
               from keepOneOf in Pick(m["conditions.oneOf"], Gen.Constant(true), Gen.Constant(false))
               from blankCode in Gen.Elements<string?>(null, "", " ", "\t\n", "\u00A0")
               from blankDisplay in Gen.Elements<string?>(null, "", "  ", "\u2003")
               select keepOneOf
                   ? new ConditionEntry
                   {
                       Category = category is null && string.IsNullOrWhiteSpace(code) && string.IsNullOrWhiteSpace(text) ? ConditionCategory.Other : category,
                       Code = code,
                       System = system,
                       Display = text,
                   }
                   // A blank code also tells whether the "system NotEmpty when there is a code" rule applies.
                   : new ConditionEntry { Code = blankCode, System = system, Display = blankDisplay };
    }

    private static Gen<TreatmentTrial> Treatment(Mode m) =>
        from treatment in Text(m["treatmentHistory.treatment"], MaxText, required: true)
        from response in Gen.Elements<TreatmentResponse?>(null, TreatmentResponse.Partial)
        select new TreatmentTrial { Treatment = treatment, Response = response };
}
