using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClonusCds.Api.Assessments;
using ClonusCds.Api.OpenApi;
using ClonusCds.Api.Tests.Fuzz;
using ClonusCds.Core;
using ClonusCds.Core.Model;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;

namespace ClonusCds.Api.Tests.Validation;

/// <summary>
/// <see cref="PatientContextValidator.IsCertainlyValid"/> (the filter's allocation-free fast path)
/// must agree exactly with FluentValidation's <c>Validate(x).IsValid</c> on the same rules, in
/// both directions: a fast "valid" for an invalid context would let it reach the engine, and a fast
/// "invalid" for a valid one would silently lose the speed-up. Break one mirrored rule and the
/// property below fails within a few hundred cases.
/// </summary>
public sealed partial class PatientContextValidatorEquivalenceTests(ITestOutputHelper output)
{
    /// <summary>Generated contexts per run; <c>CLONUS_VALIDATION_CASES</c> overrides.</summary>
    public const int DefaultCases = 4000;

    public const string CasesVariable = "CLONUS_VALIDATION_CASES";

    private static readonly PatientContextValidator Validator = new();

    /// <summary>For failure reports: NaN and infinities written as "NaN", "Infinity".</summary>
    private static readonly JsonSerializerOptions DescribeOptions = new(ClonusJson.Options)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    // ------------------------------------------------------------------ the property

    [Fact]
    public void Fast_check_agrees_with_FluentValidation_on_generated_contexts()
    {
        var cases = int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : DefaultCases;
        var (rnd, size, seedText) = Seed();
        var maxTest = size is null ? cases : 1;
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(maxTest)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(rnd, size is { } s ? FSharpOption<int>.Some(s) : FSharpOption<int>.None)));

        var valid = 0;
        var invalid = 0;
        var soleFailures = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var property = Prop.ForAll(Arb.From(PatientContextGen.Context), context =>
        {
            var expected = Validator.Validate(context);
            var fast = Validator.IsCertainlyValid(context);
            if (fast != expected.IsValid)
            {
                throw new InvalidOperationException(
                    $"IsCertainlyValid = {fast} but FluentValidation IsValid = {expected.IsValid}" +
                    (expected.IsValid ? "" : $" ({string.Join("; ", expected.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}"))})") +
                    $"{Environment.NewLine}context: {Describe(context)}");
            }

            if (expected.IsValid)
            {
                valid++;
            }
            else
            {
                invalid++;
                // A context that breaks one rule alone is where a wrong mirror of that rule shows.
                var rules = expected.Errors.Select(e => RuleKey(e.PropertyName, e.ErrorCode)).Distinct().ToList();
                if (rules.Count == 1)
                {
                    soleFailures[rules[0]] = soleFailures.GetValueOrDefault(rules[0]) + 1;
                }
            }
        });

        var clock = Stopwatch.StartNew();
        try
        {
            FsCheck.Check.One(config, property);
        }
        catch (Exception ex)
        {
            var replay = $"{FuzzHarness.SeedVariable}={seedText} {CasesVariable}={cases} dotnet test tests/ClonusCds.Api.Tests --filter \"FullyQualifiedName~{nameof(PatientContextValidatorEquivalenceTests)}\"";
            throw new FuzzPropertyException(
                $"The fast validity check disagrees with FluentValidation (seed {seedText}, {maxTest} case(s)). Replay the run with:{Environment.NewLine}  {replay}{Environment.NewLine}" +
                $"or the failing case alone with {FuzzHarness.SeedVariable}=<the three numbers FsCheck gives after \"Replay directly at failing step with\">.{Environment.NewLine}{Environment.NewLine}{ex.Message}", ex);
        }

        output.WriteLine($"{maxTest} contexts (seed {seedText}) in {clock.Elapsed.TotalSeconds:0.0} s: {valid} valid, {invalid} invalid");
        output.WriteLine($"contexts that break exactly one rule, by rule ({soleFailures.Count} rules):");
        foreach (var (rule, count) in soleFailures)
        {
            output.WriteLine($"  {count,5}  {rule}");
        }

        if (size is null && maxTest >= DefaultCases)
        {
            // Both answers must be common, or the property checks only one direction.
            Assert.True(valid >= maxTest / 5, $"only {valid} of {maxTest} generated contexts were valid");
            Assert.True(invalid >= maxTest / 5, $"only {invalid} of {maxTest} generated contexts were invalid");
            // Every rule must be the only one broken in some contexts: that is where a mirror that is
            // too lenient shows. All 42 but "system NotEmpty when there is a code", which never fails
            // alone: a blank system always fails Uri.TryCreate(Absolute) too.
            Assert.True(soleFailures.Count == Rules.Count - 1,
                $"{soleFailures.Count} rules broken alone, want {Rules.Count - 1}: {string.Join(", ", soleFailures.Keys)}");
        }
    }

    /// <summary>
    /// Every UTF-16 code unit through the two string rules that do not share code with the fast
    /// path: FluentValidation's own NotEmpty idea of white space (name), and the rxcui regex after a
    /// digit ([0-9] against Unicode digits, and a trailing "\n", which <c>\z</c> refuses). The other
    /// string rules use string.IsNullOrWhiteSpace, Length or Uri.TryCreate on both sides.
    /// </summary>
    [Fact]
    public void Fast_check_agrees_with_FluentValidation_on_every_single_character()
    {
        var disagreements = new List<string>();
        var clonus = new ClonusFinding { Present = true };
        for (var code = 0; code <= char.MaxValue; code++)
        {
            var c = ((char)code).ToString();
            Compare($"name U+{code:X4}", new PatientContext { Clonus = clonus, Medications = [new MedicationEntry { Name = c }] });
            Compare($"rxcui \"1\" + U+{code:X4}", new PatientContext { Clonus = clonus, Medications = [new MedicationEntry { Name = "x", Rxcui = "1" + c }] });
        }

        Assert.True(disagreements.Count == 0, string.Join(Environment.NewLine, disagreements.Take(20)));

        void Compare(string what, PatientContext context)
        {
            var fast = Validator.IsCertainlyValid(context);
            var expected = Validator.Validate(context).IsValid;
            if (fast != expected)
            {
                disagreements.Add($"{what}: fast {fast}, FluentValidation {expected}");
            }
        }
    }

    // ------------------------------------------------------------------ one example per rule

    // Declared before Valid: static initialisers run in textual order.
    private static MedicationEntry Medication { get; } = new() { Name = "sertraline", Rxcui = "36437", DaysSinceChange = 10, Dose = "100 mg daily" };

    private static ConditionEntry Condition { get; } = new()
    {
        Category = ConditionCategory.MultipleSclerosis, Code = "G35", System = "http://hl7.org/fhir/sid/icd-10-cm", Display = "Multiple sclerosis",
    };

    private static TreatmentTrial Treatment { get; } = new() { Treatment = "baclofen_first_line" };

    /// <summary>A context every rule accepts, with every object and list present.</summary>
    private static PatientContext Valid { get; } = new()
    {
        Patient = new PatientInfo { AgeYears = 40, Pregnant = true, GestationalAgeWeeks = 20, Egfr = 90 },
        Clonus = new ClonusFinding { Present = true, Beats = 5, DurationHours = 6, Sites = [ClonusSite.Ankle], Types = [ClonusType.Inducible] },
        Vitals = new Vitals { TemperatureC = 37, HeartRateBpm = 80, SystolicBp = 120, DiastolicBp = 80, RespiratoryRate = 16, Spo2Percent = 98 },
        Labs = new LabResults
        {
            CreatineKinaseUPerL = 100, LithiumMmolPerL = 0.8, AmmoniaUmolPerL = 30, SodiumMmolPerL = 140,
            BicarbonateMmolPerL = 24, CreatinineMgPerDl = 1, Inr = 1,
        },
        Medications = [Medication],
        Conditions = [Condition],
        TreatmentHistory = [Treatment],
    };

    private static PatientContext WithPatient(Func<PatientInfo, PatientInfo> change) => Valid with { Patient = change(Valid.Patient!) };

    private static PatientContext WithClonus(Func<ClonusFinding, ClonusFinding> change) => Valid with { Clonus = change(Valid.Clonus!) };

    private static PatientContext WithVitals(Func<Vitals, Vitals> change) => Valid with { Vitals = change(Valid.Vitals!) };

    private static PatientContext WithLabs(Func<LabResults, LabResults> change) => Valid with { Labs = change(Valid.Labs!) };

    private static PatientContext WithMedication(Func<MedicationEntry, MedicationEntry> change) => Valid with { Medications = [change(Medication)] };

    private static PatientContext WithCondition(Func<ConditionEntry, ConditionEntry> change) => Valid with { Conditions = [change(Condition)] };

    private static PatientContext WithTreatment(Func<TreatmentTrial, TreatmentTrial> change) => Valid with { TreatmentHistory = [change(Treatment)] };

    private static List<T> Repeat<T>(T item, int count) => Enumerable.Repeat(item, count).ToList();

    /// <summary>
    /// Per rule: the last values that pass (the bounds themselves) and the first that fail (one
    /// past the bound: ±1 for integers, the next double by <see cref="Math.BitIncrement"/>, one
    /// more character or item).
    /// </summary>
    private static readonly Dictionary<string, (PatientContext[] LastValid, PatientContext[] FirstInvalid)> Rules = new()
    {
        ["clonus NotNull"] = ([Valid], [Valid with { Clonus = null }]),
        ["clonus.present NotNull"] = ([WithClonus(c => c with { Present = false })], [WithClonus(c => c with { Present = null })]),
        ["clonus.beats 0–1000"] = (
            [WithClonus(c => c with { Beats = 0 }), WithClonus(c => c with { Beats = 1000 }), WithClonus(c => c with { Beats = null })],
            [WithClonus(c => c with { Beats = -1 }), WithClonus(c => c with { Beats = 1001 })]),
        ["clonus.durationHours 0–1e6"] = (
            [WithClonus(c => c with { DurationHours = 0 }), WithClonus(c => c with { DurationHours = -0.0 }), WithClonus(c => c with { DurationHours = 1_000_000 })],
            [WithClonus(c => c with { DurationHours = -double.Epsilon }), WithClonus(c => c with { DurationHours = Math.BitIncrement(1_000_000.0) }), WithClonus(c => c with { DurationHours = double.NaN })]),
        ["clonus.sites ≤ 16"] = ([WithClonus(c => c with { Sites = Repeat(ClonusSite.Ankle, 16) })], [WithClonus(c => c with { Sites = Repeat(ClonusSite.Ankle, 17) })]),
        ["clonus.types ≤ 16"] = ([WithClonus(c => c with { Types = Repeat(ClonusType.Ocular, 16) })], [WithClonus(c => c with { Types = Repeat(ClonusType.Ocular, 17) })]),
        ["patient.ageYears 0–120"] = (
            [WithPatient(p => p with { AgeYears = 0 }), WithPatient(p => p with { AgeYears = 120 })],
            [WithPatient(p => p with { AgeYears = -double.Epsilon }), WithPatient(p => p with { AgeYears = Math.BitIncrement(120.0) }), WithPatient(p => p with { AgeYears = double.NaN })]),
        ["patient.gestationalAgeWeeks 1–45"] = (
            [WithPatient(p => p with { GestationalAgeWeeks = 1 }), WithPatient(p => p with { GestationalAgeWeeks = 45, Pregnant = null })],
            [WithPatient(p => p with { GestationalAgeWeeks = 0 }), WithPatient(p => p with { GestationalAgeWeeks = 46 })]),
        ["patient.gestationalAgeWeeks Null when pregnant is false"] = (
            [WithPatient(p => p with { Pregnant = false, GestationalAgeWeeks = null })],
            [WithPatient(p => p with { Pregnant = false, GestationalAgeWeeks = 20 })]),
        ["patient.egfr 0–200"] = (
            [WithPatient(p => p with { Egfr = 0 }), WithPatient(p => p with { Egfr = 200 })],
            [WithPatient(p => p with { Egfr = -double.Epsilon }), WithPatient(p => p with { Egfr = Math.BitIncrement(200.0) })]),
        ["vitals.temperatureC 25–45"] = (
            [WithVitals(v => v with { TemperatureC = 25 }), WithVitals(v => v with { TemperatureC = 45 })],
            [WithVitals(v => v with { TemperatureC = Math.BitDecrement(25.0) }), WithVitals(v => v with { TemperatureC = Math.BitIncrement(45.0) }), WithVitals(v => v with { TemperatureC = double.NaN })]),
        ["vitals.heartRateBpm 20–300"] = (
            [WithVitals(v => v with { HeartRateBpm = 20 }), WithVitals(v => v with { HeartRateBpm = 300 })],
            [WithVitals(v => v with { HeartRateBpm = 19 }), WithVitals(v => v with { HeartRateBpm = 301 })]),
        ["vitals.systolicBp 20–300"] = (
            [WithVitals(v => v with { SystolicBp = 20 }), WithVitals(v => v with { SystolicBp = 300 })],
            [WithVitals(v => v with { SystolicBp = 19 }), WithVitals(v => v with { SystolicBp = 301 })]),
        ["vitals.diastolicBp 20–300"] = (
            [WithVitals(v => v with { DiastolicBp = 20 }), WithVitals(v => v with { DiastolicBp = 300 })],
            [WithVitals(v => v with { DiastolicBp = 19 }), WithVitals(v => v with { DiastolicBp = 301 })]),
        ["vitals.respiratoryRate 0–80"] = (
            [WithVitals(v => v with { RespiratoryRate = 0 }), WithVitals(v => v with { RespiratoryRate = 80 })],
            [WithVitals(v => v with { RespiratoryRate = -1 }), WithVitals(v => v with { RespiratoryRate = 81 })]),
        ["vitals.spo2Percent 0–100"] = (
            [WithVitals(v => v with { Spo2Percent = 0 }), WithVitals(v => v with { Spo2Percent = 100 })],
            [WithVitals(v => v with { Spo2Percent = -double.Epsilon }), WithVitals(v => v with { Spo2Percent = Math.BitIncrement(100.0) })]),
        ["labs.creatineKinaseUPerL 0–1e7"] = (
            [WithLabs(l => l with { CreatineKinaseUPerL = 0 }), WithLabs(l => l with { CreatineKinaseUPerL = 10_000_000 })],
            [WithLabs(l => l with { CreatineKinaseUPerL = -double.Epsilon }), WithLabs(l => l with { CreatineKinaseUPerL = Math.BitIncrement(10_000_000.0) })]),
        ["labs.lithiumMmolPerL 0–100"] = (
            [WithLabs(l => l with { LithiumMmolPerL = 0 }), WithLabs(l => l with { LithiumMmolPerL = 100 })],
            [WithLabs(l => l with { LithiumMmolPerL = -double.Epsilon }), WithLabs(l => l with { LithiumMmolPerL = Math.BitIncrement(100.0) })]),
        ["labs.ammoniaUmolPerL 0–1e5"] = (
            [WithLabs(l => l with { AmmoniaUmolPerL = 0 }), WithLabs(l => l with { AmmoniaUmolPerL = 100_000 })],
            [WithLabs(l => l with { AmmoniaUmolPerL = -double.Epsilon }), WithLabs(l => l with { AmmoniaUmolPerL = Math.BitIncrement(100_000.0) })]),
        ["labs.sodiumMmolPerL 0–1000"] = (
            [WithLabs(l => l with { SodiumMmolPerL = 0 }), WithLabs(l => l with { SodiumMmolPerL = 1_000 })],
            [WithLabs(l => l with { SodiumMmolPerL = -double.Epsilon }), WithLabs(l => l with { SodiumMmolPerL = Math.BitIncrement(1_000.0) })]),
        ["labs.bicarbonateMmolPerL 0–1000"] = (
            [WithLabs(l => l with { BicarbonateMmolPerL = 0 }), WithLabs(l => l with { BicarbonateMmolPerL = 1_000 })],
            [WithLabs(l => l with { BicarbonateMmolPerL = -double.Epsilon }), WithLabs(l => l with { BicarbonateMmolPerL = Math.BitIncrement(1_000.0) })]),
        ["labs.creatinineMgPerDl 0–1000"] = (
            [WithLabs(l => l with { CreatinineMgPerDl = 0 }), WithLabs(l => l with { CreatinineMgPerDl = 1_000 })],
            [WithLabs(l => l with { CreatinineMgPerDl = -double.Epsilon }), WithLabs(l => l with { CreatinineMgPerDl = Math.BitIncrement(1_000.0) })]),
        ["labs.inr 0–100"] = (
            [WithLabs(l => l with { Inr = 0 }), WithLabs(l => l with { Inr = 100 })],
            [WithLabs(l => l with { Inr = -double.Epsilon }), WithLabs(l => l with { Inr = Math.BitIncrement(100.0) })]),
        ["medications ≤ 100"] = ([Valid with { Medications = Repeat(Medication, 100) }], [Valid with { Medications = Repeat(Medication, 101) }]),
        ["medications items NotNull"] = ([Valid with { Medications = [] }], [Valid with { Medications = [Medication, null!] }]),
        ["medications[].name NotEmpty"] = (
            [WithMedication(m => m with { Name = "x" }), WithMedication(m => m with { Name = "\u200B" })],
            [WithMedication(m => m with { Name = null }), WithMedication(m => m with { Name = "" }), WithMedication(m => m with { Name = " \t\u00A0\u2028" })]),
        ["medications[].name ≤ 200"] = (
            [WithMedication(m => m with { Name = new string('a', 200) }), WithMedication(m => m with { Name = string.Concat(Enumerable.Repeat("😀", 100)) })],
            [WithMedication(m => m with { Name = new string('a', 201) }), WithMedication(m => m with { Name = "a" + string.Concat(Enumerable.Repeat("😀", 100)) })]),
        ["medications[].rxcui ^[0-9]{1,12}\\z"] = (
            [WithMedication(m => m with { Rxcui = null }), WithMedication(m => m with { Rxcui = "1" }), WithMedication(m => m with { Rxcui = "123456789012" })],
            [WithMedication(m => m with { Rxcui = "123\n" }), WithMedication(m => m with { Rxcui = "" }), WithMedication(m => m with { Rxcui = "1234567890123" }), WithMedication(m => m with { Rxcui = "12a" }), WithMedication(m => m with { Rxcui = "123\n\n" }), WithMedication(m => m with { Rxcui = "123\r\n" }), WithMedication(m => m with { Rxcui = "١٢٣" })]),
        ["medications[].daysSinceChange 0–36500"] = (
            [WithMedication(m => m with { DaysSinceChange = 0 }), WithMedication(m => m with { DaysSinceChange = 36_500 })],
            [WithMedication(m => m with { DaysSinceChange = -double.Epsilon }), WithMedication(m => m with { DaysSinceChange = Math.BitIncrement(36_500.0) })]),
        ["medications[].dose ≤ 200"] = ([WithMedication(m => m with { Dose = new string('d', 200) })], [WithMedication(m => m with { Dose = new string('d', 201) })]),
        ["conditions ≤ 100"] = ([Valid with { Conditions = Repeat(Condition, 100) }], [Valid with { Conditions = Repeat(Condition, 101) }]),
        ["conditions items NotNull"] = ([Valid with { Conditions = [] }], [Valid with { Conditions = [null!] }]),
        ["conditions[] category, code or display"] = (
            [WithCondition(c => c with { Category = null, System = null, Display = null }), WithCondition(c => c with { Category = null, Code = null, System = null }), WithCondition(c => c with { Code = null, System = null, Display = null })],
            [WithCondition(c => c with { Category = null, Code = " ", System = null, Display = "\t" }), new PatientContext { Clonus = Valid.Clonus, Conditions = [new ConditionEntry { Onset = ConditionOnset.Chronic }] }]),
        ["conditions[].code ≤ 64"] = ([WithCondition(c => c with { Code = new string('C', 64) })], [WithCondition(c => c with { Code = new string('C', 65) })]),
        ["conditions[].system ≤ 200"] = (
            [WithCondition(c => c with { System = "http://example.org/" + new string('a', 181) })],
            [WithCondition(c => c with { System = "http://example.org/" + new string('a', 182) })]),
        ["conditions[].system absolute URI"] = (
            [WithCondition(c => c with { System = null }), WithCondition(c => c with { System = "http://snomed.info/sct" }), WithCondition(c => c with { System = "urn:oid:2.16.840.1.113883.6.90" })],
            [WithCondition(c => c with { System = "icd10" }), WithCondition(c => c with { System = "relative/path" }), WithCondition(c => c with { Code = null, System = "" })]),
        ["conditions[].system NotEmpty when there is a code"] = (
            [WithCondition(c => c with { Code = " ", System = null })],
            [WithCondition(c => c with { System = "" }), WithCondition(c => c with { System = " " })]),
        ["conditions[].display ≤ 200"] = ([WithCondition(c => c with { Display = new string('x', 200) })], [WithCondition(c => c with { Display = new string('x', 201) })]),
        ["treatmentHistory ≤ 50"] = ([Valid with { TreatmentHistory = Repeat(Treatment, 50) }], [Valid with { TreatmentHistory = Repeat(Treatment, 51) }]),
        ["treatmentHistory items NotNull"] = ([Valid with { TreatmentHistory = [] }], [Valid with { TreatmentHistory = [null!] }]),
        ["treatmentHistory[].treatment NotEmpty"] = (
            [WithTreatment(t => t with { Treatment = "x" })],
            [WithTreatment(t => t with { Treatment = null }), WithTreatment(t => t with { Treatment = "" }), WithTreatment(t => t with { Treatment = "\u3000" })]),
        ["treatmentHistory[].treatment ≤ 200"] = ([WithTreatment(t => t with { Treatment = new string('t', 200) })], [WithTreatment(t => t with { Treatment = new string('t', 201) })]),
    };

    public static TheoryData<string> RuleNames() => new(Rules.Keys);

    [Theory]
    [MemberData(nameof(RuleNames))]
    public void Fast_check_accepts_each_rule_s_bounds_and_rejects_its_first_invalid_value(string rule)
    {
        var (lastValid, firstInvalid) = Rules[rule];
        for (var i = 0; i < lastValid.Length; i++)
        {
            // FluentValidation first, so a wrong example is told apart from a wrong fast check.
            Assert.True(Validator.Validate(lastValid[i]).IsValid, $"{rule}: valid example {i} is not valid for FluentValidation: {Describe(lastValid[i])}");
            Assert.True(Validator.IsCertainlyValid(lastValid[i]), $"{rule}: fast check rejects valid example {i}: {Describe(lastValid[i])}");
        }

        for (var i = 0; i < firstInvalid.Length; i++)
        {
            Assert.False(Validator.Validate(firstInvalid[i]).IsValid, $"{rule}: invalid example {i} passes FluentValidation: {Describe(firstInvalid[i])}");
            Assert.False(Validator.IsCertainlyValid(firstInvalid[i]), $"{rule}: fast check accepts invalid example {i}: {Describe(firstInvalid[i])}");
        }
    }

    [Fact]
    public void Every_rule_of_the_validator_has_examples()
    {
        // One row per rule in PatientContextValidator: clonus 6, patient 4, vitals 6, labs 7,
        // medications 7, conditions 8, treatments 4. A new rule needs a row (and a mirror).
        Assert.Equal(42, Rules.Count);
    }

    [Fact]
    public void Null_is_never_certainly_valid() => Assert.False(Validator.IsCertainlyValid(null!));

    // ------------------------------------------------------------------ real bodies

    [Fact]
    public void Every_worked_example_is_certainly_valid()
    {
        Assert.Equal(7, WorkedExamples.All.Count);
        foreach (var (name, example) in WorkedExamples.All)
        {
            var context = example.Value.Deserialize<PatientContext>(ClonusJson.Options)!;
            Assert.True(Validator.Validate(context).IsValid, $"{name} is not valid");
            Assert.True(Validator.IsCertainlyValid(context), $"{name}: the fast check does not recognise a valid example");
        }
    }

    /// <summary>tests/ClonusCds.Core.Tests/Cases/*.json, copied to CoreCases/ by the test project file.</summary>
    [Fact]
    public void Every_clinical_case_request_is_certainly_valid()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "CoreCases"), "*.json");
        Assert.NotEmpty(files);
        var count = 0;
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var c in doc.RootElement.EnumerateArray())
            {
                var id = c.GetProperty("id").GetString();
                var context = c.GetProperty("request").Deserialize<PatientContext>(ClonusJson.Options)!;
                Assert.True(Validator.Validate(context).IsValid, $"{Path.GetFileName(file)} {id} is not valid");
                Assert.True(Validator.IsCertainlyValid(context), $"{Path.GetFileName(file)} {id}: the fast check does not recognise a valid case");
                count++;
            }
        }

        output.WriteLine($"{count} clinical cases from {files.Length} files");
        Assert.True(count >= 30, $"only {count} cases");
    }

    /// <summary>The fast path answers these systems by ordinal comparison instead of Uri.TryCreate; it must be the same answer.</summary>
    [Fact]
    public void Every_well_known_system_is_an_absolute_uri()
    {
        foreach (var system in PatientContextValidator.WellKnownSystemUris)
        {
            Assert.True(Uri.TryCreate(system, UriKind.Absolute, out _), system);
            var context = Valid with { Conditions = [Condition with { System = system }] };
            Assert.True(Validator.Validate(context).IsValid, system);
            Assert.True(Validator.IsCertainlyValid(context), system);
        }
    }

    [Fact]
    public void Fast_check_does_not_allocate_for_the_worked_examples()
    {
        var contexts = WorkedExamples.All.Select(e => e.Example.Value.Deserialize<PatientContext>(ClonusJson.Options)!).ToArray();
        foreach (var context in contexts)
        {
            Assert.True(Validator.IsCertainlyValid(context)); // warm up (tiering, statics)
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var all = true;
        for (var round = 0; round < 100; round++)
        {
            foreach (var context in contexts)
            {
                all &= Validator.IsCertainlyValid(context);
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(all);
        Assert.Equal(0, allocated);
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>"Medications[12].Name" + "NotEmptyValidator" → "Medications[].Name NotEmptyValidator".</summary>
    private static string RuleKey(string propertyName, string errorCode) =>
        IndexPattern().Replace(propertyName, "[]") + " " + errorCode;

    [System.Text.RegularExpressions.GeneratedRegex(@"\[\d+\]")]
    private static partial System.Text.RegularExpressions.Regex IndexPattern();

    private static string Describe(PatientContext context) => JsonSerializer.Serialize(context, DescribeOptions);

    /// <summary>Same conventions as <see cref="FuzzHarness"/>: CLONUS_FUZZ_SEED = seed,gamma[,size].</summary>
    private static (Rnd Rnd, int? Size, string Text) Seed()
    {
        var text = Environment.GetEnvironmentVariable(FuzzHarness.SeedVariable)?.Trim().Trim('(', ')');
        if (string.IsNullOrEmpty(text))
        {
            var fresh = new Rnd((ulong)Random.Shared.NextInt64());
            return (fresh, null, $"{fresh.Seed},{fresh.Gamma}");
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var seed = ulong.Parse(parts[0], CultureInfo.InvariantCulture);
        var rnd = parts.Length >= 2 ? new Rnd(seed, ulong.Parse(parts[1], CultureInfo.InvariantCulture)) : new Rnd(seed);
        int? size = parts.Length >= 3 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : null;
        return (rnd, size, $"{rnd.Seed},{rnd.Gamma}" + (size is null ? "" : $",{size}"));
    }
}
