using System.Text.Json;
using ClonusCds.Core.Model;

namespace ClonusCds.Core.Tests.Support;

/// <summary>
/// Seeded random patient contexts within the contract's ranges (what the API's validator lets
/// through), drawn from the knowledge base's own vocabulary so that the rules really fire: drug
/// names, synonyms, brand names and RxCUIs, condition categories, ICD-10-CM and SNOMED codes and
/// display keywords, recommendation codes for the treatment history. Every field is absent now and
/// then, because "unknown" drives the missing-data and undetermined paths. A sprinkling of free
/// text with awkward characters reaches the response through unrecognised inputs.
/// </summary>
internal sealed class RandomPatients(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly string[] DrugNames = Engine.Kb.Drugs
        .SelectMany(d => new[] { d.Name }.Concat(d.Synonyms).Concat(d.BrandNames)).ToArray();

    private static readonly string[] Rxcuis = Engine.Kb.Drugs
        .SelectMany(d => (d.Rxcui is null ? [] : new[] { d.Rxcui }).Concat(d.ProductRxcuis)).ToArray();

    // The drugs behind the look-alikes and toxicities, drawn more often than the long tail.
    private static readonly string[] KeyDrugs = Engine.Kb.Drugs
        .Where(d => d.Roles.Any(r => r is "maoi" or "dopamine_antagonist" or "anticholinergic" or "mh_trigger" or "lithium" or "baclofen" or "tizanidine" or "cyp1a2_inhibitor"))
        .Select(d => d.Name).ToArray();

    private static readonly (string System, string Code)[] ConditionCodes = Engine.Kb.Conditions
        .SelectMany(c => c.Icd10cmPrefixes.Select(p => ("http://hl7.org/fhir/sid/icd-10-cm", p))
            .Concat(c.SnomedCodes.Select(s => ("http://snomed.info/sct", s)))).ToArray();

    private static readonly string[] Keywords = Engine.Kb.Conditions.SelectMany(c => c.Keywords).ToArray();

    private static readonly string[] TreatmentCodes = Engine.Kb.Recommendations.Where(r => !r.IsPitfall).Select(r => r.Code).ToArray();

    /// <summary>Free text that is not in any vocabulary: escaping, non-ASCII, controls, emoji, line separators.</summary>
    private static readonly string[] OddText =
    [
        "zopiclone", "Ünbekannt-mab", "<script>alert('x')</script>", "A & B \"quoted\" +1 `tick`", "tab\there\r\nnew line",
        "\u0001\u001F control", "😀 emoji 👩‍⚕️", "中文药物", "\u2028sep\u2029", "é°→≤≥µ", "back\\slash/ solidus", "\uFEFFbom",
    ];

    /// <summary>
    /// The clinical cases (Cases/*.json): narrow pictures such as the normal variant are rare in
    /// independent random fields, so some contexts start from a case with a few sections replaced.
    /// </summary>
    private static readonly PatientContext[] Templates = CaseFiles.All()
        .SelectMany(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.EnumerateArray()
            .Select(c => c.GetProperty("request").Deserialize<PatientContext>(ClonusJson.Options)!))
        .ToArray();

    /// <summary>The next context: a third are perturbed clinical cases, the rest fully random.</summary>
    public PatientContext Next()
    {
        if (_random.NextDouble() >= 1.0 / 3)
        {
            return Random();
        }

        var context = Templates[_random.Next(Templates.Length)];
        var donor = Random();
        for (var changes = _random.Next(0, 3); changes > 0; changes--)
        {
            context = _random.Next(8) switch
            {
                0 => context with { Patient = donor.Patient },
                1 => context with { Clonus = donor.Clonus },
                2 => context with { Vitals = donor.Vitals },
                3 => context with { Exam = donor.Exam },
                4 => context with { Medications = [.. context.Medications ?? [], .. donor.Medications ?? []] },
                5 => context with { Conditions = donor.Conditions },
                6 => context with { Labs = donor.Labs },
                _ => context with { Eeg = donor.Eeg, TreatmentHistory = donor.TreatmentHistory },
            };
        }

        return context;
    }

    private PatientContext Random() => new()
    {
        Patient = Maybe(0.9, () => new PatientInfo
        {
            AgeYears = Maybe(0.9, () => _random.NextDouble() < 0.7 ? Pick(0.2, 0.5, 0.9, 1.5, 2, 8, 15, 34, 61, 85) : Math.Round(_random.NextDouble() * 120, 1)),
            Sex = MaybeEnum<Sex>(0.8),
            Pregnant = MaybeBool(0.5),
            Egfr = Maybe(0.6, () => Pick(5, 12, 25, 29, 45, 75, 95, 140)),
            OnDialysis = MaybeBool(0.4),
        }),
        Setting = MaybeEnum<CareSetting>(0.8),
        Clonus = new ClonusFinding
        {
            Present = _random.NextDouble() < 0.8,
            Sites = Maybe(0.7, () => (IReadOnlyList<ClonusSite>)Several<ClonusSite>(3)),
            Types = Maybe(0.8, () => (IReadOnlyList<ClonusType>)Several<ClonusType>(3)),
            Sustained = MaybeBool(0.7),
            Beats = Maybe(0.5, () => (int)Pick(2, 4, 5, 6, 10, 11, 30)),
            Laterality = MaybeEnum<Laterality>(0.6),
            Onset = MaybeEnum<ClonusOnset>(0.8),
            DurationHours = Maybe(0.5, () => Pick(1, 6, 48, 720, 8760)),
            Focal = MaybeBool(0.3),
            Disabling = MaybeBool(0.3),
        },
        Vitals = Maybe(0.85, () => new Vitals
        {
            TemperatureC = Maybe(0.8, () => Pick(36.5, 37.2, 37.9, 38.1, 38.6, 39.2, 40.1, 41)),
            TemperatureRising = MaybeBool(0.6),
            HeartRateBpm = Maybe(0.8, () => _random.Next(40, 170)),
            SystolicBp = Maybe(0.5, () => _random.Next(80, 200)),
            DiastolicBp = Maybe(0.5, () => _random.Next(40, 120)),
            RespiratoryRate = Maybe(0.5, () => _random.Next(8, 40)),
            Spo2Percent = Maybe(0.5, () => (double)_random.Next(85, 101)),
        }),
        Exam = Maybe(0.9, () => new Examination
        {
            Agitation = MaybeBool(0.8),
            Diaphoresis = MaybeBool(0.8),
            Tremor = MaybeBool(0.8),
            Reflexes = MaybeEnum<ReflexGrade>(0.8),
            Tone = MaybeEnum<ToneGrade>(0.8),
            Rigidity = MaybeEnum<RigidityPattern>(0.7),
            Pupils = MaybeEnum<PupilFinding>(0.5),
            Skin = MaybeEnum<SkinFinding>(0.5),
            Mucosa = MaybeEnum<MucosaFinding>(0.5),
            BowelSounds = MaybeEnum<BowelSounds>(0.5),
            MentalStatus = MaybeEnum<MentalStatus>(0.7),
            Weakness = MaybeBool(0.5),
            OtherUmnSigns = MaybeBool(0.6),
            Asterixis = MaybeBool(0.3),
            ApneaEpisodes = MaybeBool(0.3),
            DevelopmentalConcern = MaybeBool(0.3),
        }),
        Medications = Maybe(0.85, () => (IReadOnlyList<MedicationEntry>)List(0, 5, Medication)),
        Conditions = Maybe(0.8, () => (IReadOnlyList<ConditionEntry>)List(0, 3, Condition)),
        Labs = Maybe(0.5, () => new LabResults
        {
            CreatineKinaseUPerL = Maybe(0.5, () => Pick(120, 900, 4800, 25000)),
            LithiumMmolPerL = Maybe(0.3, () => Pick(0.6, 1.1, 1.3, 2.8)),
            AmmoniaUmolPerL = Maybe(0.3, () => Pick(30, 90, 180)),
            SodiumMmolPerL = Maybe(0.3, () => Pick(118, 128, 140, 158)),
            BicarbonateMmolPerL = Maybe(0.2, () => Pick(12, 24)),
            CreatinineMgPerDl = Maybe(0.3, () => Pick(0.8, 1.3, 4.5)),
            Inr = Maybe(0.2, () => Pick(1.0, 2.4)),
        }),
        Eeg = Maybe(0.3, () => new EegFinding
        {
            Performed = MaybeBool(0.9),
            Type = MaybeEnum<EegType>(0.6),
            Result = MaybeEnum<EegResult>(0.7),
        }),
        TreatmentHistory = Maybe(0.3, () => (IReadOnlyList<TreatmentTrial>)List(0, 3, () => new TreatmentTrial
        {
            Treatment = _random.NextDouble() < 0.7 ? TreatmentCodes[_random.Next(TreatmentCodes.Length)] : DrugNames[_random.Next(DrugNames.Length)],
            Response = MaybeEnum<TreatmentResponse>(0.8),
        })),
    };

    private MedicationEntry Medication()
    {
        var roll = _random.NextDouble();
        var name = roll < 0.35 ? KeyDrugs[_random.Next(KeyDrugs.Length)]
            : roll < 0.9 ? DrugNames[_random.Next(DrugNames.Length)]
            : OddText[_random.Next(OddText.Length)];
        return new MedicationEntry
        {
            Name = name,
            Rxcui = _random.NextDouble() < 0.2 ? Rxcuis[_random.Next(Rxcuis.Length)] : null,
            Status = MaybeEnum<MedicationStatus>(0.8),
            Change = MaybeEnum<MedicationChange>(0.7),
            DaysSinceChange = Maybe(0.7, () => Pick(0, 0.5, 1, 2, 3, 5, 10, 20, 90, 400)),
            Route = MaybeEnum<MedicationRoute>(0.6),
            Dose = _random.NextDouble() < 0.3 ? "50 mg" : null,
        };
    }

    private ConditionEntry Condition()
    {
        var roll = _random.NextDouble();
        if (roll < 0.4)
        {
            return new ConditionEntry { Category = RandomEnum<ConditionCategory>(), Onset = MaybeEnum<ConditionOnset>(0.7) };
        }

        if (roll < 0.7)
        {
            var (system, code) = ConditionCodes[_random.Next(ConditionCodes.Length)];
            return new ConditionEntry { Code = code, System = system, Onset = MaybeEnum<ConditionOnset>(0.7) };
        }

        return new ConditionEntry
        {
            Display = roll < 0.9 ? Keywords[_random.Next(Keywords.Length)] : OddText[_random.Next(OddText.Length)],
            Onset = MaybeEnum<ConditionOnset>(0.7),
        };
    }

    private T? Maybe<T>(double probability, Func<T> value) where T : class =>
        _random.NextDouble() < probability ? value() : null;

    private T? Maybe<T>(double probability, Func<T> value, T? unused = null) where T : struct =>
        _random.NextDouble() < probability ? value() : unused;

    private bool? MaybeBool(double probability) => _random.NextDouble() < probability ? _random.Next(2) == 0 : null;

    private T? MaybeEnum<T>(double probability) where T : struct, Enum => _random.NextDouble() < probability ? RandomEnum<T>() : null;

    private T RandomEnum<T>() where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        return values[_random.Next(values.Length)];
    }

    private T[] Several<T>(int max) where T : struct, Enum =>
        Enumerable.Range(0, _random.Next(0, max + 1)).Select(_ => RandomEnum<T>()).Distinct().ToArray();

    private List<T> List<T>(int min, int max, Func<T> item) =>
        Enumerable.Range(0, _random.Next(min, max + 1)).Select(_ => item()).ToList();

    private double Pick(params double[] values) => values[_random.Next(values.Length)];
}
