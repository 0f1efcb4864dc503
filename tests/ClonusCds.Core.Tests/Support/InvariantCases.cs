using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ClonusCds.Core.Model;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit.Abstractions;
using Random = System.Random;

namespace ClonusCds.Core.Tests.Support;

/// <summary>The dangerous picture a generated context was pushed toward; None leaves it as <see cref="RandomPatients"/> made it.</summary>
internal enum Bias
{
    None,
    SerotoninToxicity,
    BaclofenStopped,
    BaclofenToxicity,
    AbnormalPhysiology,
    MalignantHyperthermia,
    Nms,
    HepaticEncephalopathy,
}

/// <summary>
/// One generated case. Everything in it is drawn by FsCheck: the context is
/// <c>new RandomPatients(PatientSeed).Next()</c>, then pushed toward <see cref="Bias"/> by a
/// <see cref="Random"/> seeded with <see cref="MutationSeed"/>; <see cref="Pick"/> is a free choice a
/// property may use (which finding to null). So the four numbers rebuild the case exactly.
/// </summary>
internal sealed record InvariantCase(int PatientSeed, Bias Bias, int MutationSeed, int Pick, PatientContext Context)
{
    public override string ToString() =>
        $"patientSeed={PatientSeed}, bias={Bias}, mutationSeed={MutationSeed}, pick={Pick}";
}

/// <summary>A property's verdict on one case: what is wrong, and the answer that is wrong.</summary>
internal sealed record Violation(string Detail, Assessment? Answer);

/// <summary>How many cases met each premise, so that a property cannot pass vacuously.</summary>
internal sealed class Tally
{
    private readonly SortedDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Count(string premise) => _counts[premise] = _counts.GetValueOrDefault(premise) + 1;

    public int this[string premise] => _counts.GetValueOrDefault(premise);

    public override string ToString() => string.Join(", ", _counts.Select(c => $"{c.Key}: {c.Value}"));
}

/// <summary>A property failed; the message says how to replay it.</summary>
public sealed class InvariantViolationException : Exception
{
    public InvariantViolationException()
    {
    }

    public InvariantViolationException(string message) : base(message)
    {
    }

    public InvariantViolationException(string message, Exception inner) : base(message, inner)
    {
    }
}

/// <summary>
/// Runs a safety invariant as an FsCheck property over <see cref="InvariantCases.Generator"/>.
/// Cases per property: <c>CLONUS_PROPERTY_CASES</c> (default <see cref="DefaultCases"/>). Seed:
/// <c>CLONUS_PROPERTY_SEED</c> (default <see cref="DefaultSeed"/>, fixed so CI is reproducible);
/// <c>seed</c> or <c>seed,gamma</c> replays a whole run, <c>seed,gamma,size</c> replays the one
/// failing case FsCheck names after "Replay directly at failing step with".
/// </summary>
internal static class InvariantRun
{
    public const int DefaultCases = 2000;
    public const ulong DefaultSeed = 20261207;
    public const string CasesVariable = "CLONUS_PROPERTY_CASES";
    public const string SeedVariable = "CLONUS_PROPERTY_SEED";

    public static int Cases { get; } =
        int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultCases;

    private static readonly JsonSerializerOptions CompactContext = new(ClonusJson.Options)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>
    /// Checks <paramref name="check"/> on every generated case; then requires each premise in
    /// <paramref name="floors"/> to have been met at least that often (scaled down for shorter runs,
    /// skipped when one case is replayed).
    /// </summary>
    public static void Check(string test, ITestOutputHelper output, Func<InvariantCase, Tally, Violation?> check, params (string Premise, int Floor)[] floors)
    {
        var (rnd, size, seedText) = Seed();
        var maxTest = size is null ? Cases : 1;
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(maxTest)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(rnd, size is { } s ? FSharpOption<int>.Some(s) : FSharpOption<int>.None)));

        var tally = new Tally();
        var biases = new Tally();
        var index = -1;
        string? report = null;
        // No shrinker: the case is four numbers that rebuild a context; shrinking them means nothing.
        var property = Prop.ForAll(Arb.From(InvariantCases.Generator), c =>
        {
            index++;
            biases.Count(c.Bias.ToString());
            Violation? violation;
            try
            {
                violation = check(c, tally);
            }
            catch (Exception ex) when (ex is not InvariantViolationException)
            {
                violation = new Violation($"the engine or the check threw: {ex}", null);
            }

            if (violation is not null)
            {
                report = Report(test, seedText, maxTest, index, c, violation);
                throw new InvariantViolationException(report);
            }
        });

        var clock = Stopwatch.StartNew();
        try
        {
            FsCheck.Check.One(config, property);
        }
        catch (Exception ex) when (report is not null && ex is not InvariantViolationException)
        {
            // FsCheck's own header carries "Replay directly at failing step with (seed,gamma,size)".
            var header = string.Join(Environment.NewLine, ex.Message.Split('\n').Select(l => l.Trim())
                .Where(l => l.StartsWith("Falsifiable", StringComparison.Ordinal) || l.StartsWith("Last step", StringComparison.Ordinal) || l.StartsWith("Replay", StringComparison.Ordinal)));
            throw new InvariantViolationException(report + Environment.NewLine + "FsCheck: " + header);
        }

        output.WriteLine($"{test}: {maxTest} case(s), {SeedVariable}={seedText}, {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine($"  premises met: {tally}");
        output.WriteLine($"  biases: {biases}");
        if (size is not null)
        {
            return;
        }

        foreach (var (premise, floor) in floors)
        {
            var required = (int)Math.Ceiling((double)floor * Math.Min(maxTest, DefaultCases) / DefaultCases);
            Assert.True(tally[premise] >= required,
                $"{test} is nearly vacuous: only {tally[premise]} of {maxTest} cases met the premise \"{premise}\" (at least {required} required); " +
                $"the generator's bias no longer reaches it ({SeedVariable}={seedText}). Premises met: {tally}");
        }
    }

    private static (Rnd Rnd, int? Size, string Text) Seed()
    {
        var text = Environment.GetEnvironmentVariable(SeedVariable)?.Trim().Trim('(', ')');
        if (string.IsNullOrEmpty(text))
        {
            var fixedSeed = new Rnd(DefaultSeed);
            return (fixedSeed, null, $"{fixedSeed.Seed},{fixedSeed.Gamma}");
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var seed = ulong.Parse(parts[0], CultureInfo.InvariantCulture);
        var rnd = parts.Length >= 2 ? new Rnd(seed, ulong.Parse(parts[1], CultureInfo.InvariantCulture)) : new Rnd(seed);
        int? size = parts.Length >= 3 ? int.Parse(parts[2], CultureInfo.InvariantCulture) : null;
        return (rnd, size, $"{rnd.Seed},{rnd.Gamma}" + (size is null ? "" : $",{size}"));
    }

    private static string Report(string test, string seedText, int maxTest, int index, InvariantCase c, Violation v)
    {
        var replay = $"{SeedVariable}={seedText} {CasesVariable}={Cases} dotnet test tests/ClonusCds.Core.Tests --filter \"FullyQualifiedName~{test}\"";
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Safety invariant {test} violated at case #{index} (0-based) of {maxTest}, run seed {SeedVariable}={seedText}.")
            .AppendLine(CultureInfo.InvariantCulture, $"  case: {c}")
            .AppendLine(CultureInfo.InvariantCulture, $"  replay the run: {replay}")
            .AppendLine(CultureInfo.InvariantCulture, $"  replay this case alone: {SeedVariable}=seed,gamma,size from FsCheck's line below (\"Replay directly at failing step with (seed,gamma,size)\", or \"size of S and seed of (seed,gamma)\")")
            .AppendLine(CultureInfo.InvariantCulture, $"  violation: {v.Detail}");
        if (v.Answer is { } a)
        {
            text.AppendLine("  answer: " + Describe(a));
        }

        text.AppendLine("  context: " + JsonSerializer.Serialize(c.Context, CompactContext));
        return text.ToString();
    }

    /// <summary>The parts of an answer the invariants read, on a few lines.</summary>
    public static string Describe(Assessment a)
    {
        static string Codes(IEnumerable<RecommendationItem> items) => "[" + string.Join(", ", items.Select(i => i.Code)) + "]";
        var r = a.Recommendations;
        var st = a.SerotoninToxicity;
        return $"primary={a.Etiology.Primary} subtype={a.Etiology.Subtype?.ToString() ?? "-"} urgency={a.Urgency}" +
            $" hunterMet={(st is null ? "n/a" : st.HunterCriteriaMet?.ToString() ?? "null")}" +
            $"{Environment.NewLine}    differentials: [{string.Join(", ", a.Etiology.Differentials.Select(d => $"{d.Etiology}/{d.Subtype?.ToString() ?? "-"}"))}]" +
            $"{Environment.NewLine}    firstLine {Codes(r.FirstLine)} adjunct {Codes(r.Adjunct)} refractory {Codes(r.Refractory)}" +
            $"{Environment.NewLine}    monitoring {Codes(r.Monitoring)} workup {Codes(r.Workup)}" +
            $"{Environment.NewLine}    pitfalls {Codes(a.Pitfalls)}" +
            $"{Environment.NewLine}    missingData [{string.Join(", ", a.MissingData.Select(m => m.Field))}]";
    }
}

/// <summary>
/// The generator: a seed for <see cref="RandomPatients"/>, and for some cases a push toward one of
/// the dangerous pictures (serotonergic drug with Hunter features, baclofen stopped or reduced,
/// baclofen in renal failure, abnormal physiology, malignant hyperthermia and NMS pictures with and
/// without their trigger drugs, hepatic encephalopathy with agitation), so that every invariant's
/// premise is met often enough to test it.
/// </summary>
internal static class InvariantCases
{
    public static Gen<InvariantCase> Generator { get; } =
        from patientSeed in Gen.Choose(0, int.MaxValue - 1)
        from bias in Gen.Frequency(
            (34, Gen.Constant(Bias.None)),
            (15, Gen.Constant(Bias.SerotoninToxicity)),
            (12, Gen.Constant(Bias.BaclofenStopped)),
            (6, Gen.Constant(Bias.BaclofenToxicity)),
            (11, Gen.Constant(Bias.AbnormalPhysiology)),
            (7, Gen.Constant(Bias.MalignantHyperthermia)),
            (9, Gen.Constant(Bias.Nms)),
            (6, Gen.Constant(Bias.HepaticEncephalopathy)))
        from mutationSeed in Gen.Choose(0, int.MaxValue - 1)
        from pick in Gen.Choose(0, int.MaxValue - 1)
        select new InvariantCase(patientSeed, bias, mutationSeed, pick, Build(patientSeed, bias, mutationSeed));

    private static string[] Terms(string role) => Engine.Kb.Drugs.Where(d => d.Roles.Contains(role))
        .SelectMany(d => d.Synonyms.Prepend(d.Name).Concat(d.BrandNames)).ToArray();

    private static readonly string[] Serotonergic = Terms("serotonergic");
    private static readonly string[] MhTriggers = Terms("mh_trigger");
    private static readonly string[] DopamineAntagonists = Terms("dopamine_antagonist");
    private static readonly string[] Anticholinergics = Terms("anticholinergic");

    /// <summary>Ways an EHR writes baclofen: generic, brands, product text, and the ingredient RxCUI with non-matching text.</summary>
    private static readonly (string Name, string? Rxcui)[] BaclofenEntries =
    [
        ("baclofen", null), ("Baclofen 10 mg tablet", null), ("BACLOFEN", "1292"), ("Lioresal", null), ("Gablofen intrathecal", null),
        ("Ozobax oral solution", null), ("Lyvispah granules", null), ("Fleqsuvy", null), ("intrathecal pump (ITB)", "1292"),
    ];

    /// <summary>Dopaminergic drugs (for parkinsonism-hyperpyrexia); the vocabulary may not know them yet.</summary>
    private static readonly string[] Dopaminergic = ["levodopa", "carbidopa/levodopa", "pramipexole", "ropinirole", "amantadine", "rotigotine patch"];

    public static PatientContext Build(int patientSeed, Bias bias, int mutationSeed)
    {
        var context = new RandomPatients(patientSeed).Next();
        var r = new Random(mutationSeed);
        return bias switch
        {
            Bias.SerotoninToxicity => SerotoninToxicity(context, r),
            Bias.BaclofenStopped => BaclofenStopped(context, r),
            Bias.BaclofenToxicity => BaclofenToxicity(context, r),
            Bias.AbnormalPhysiology => AbnormalPhysiology(context, r),
            Bias.MalignantHyperthermia => MalignantHyperthermia(context, r),
            Bias.Nms => Nms(context, r),
            Bias.HepaticEncephalopathy => HepaticEncephalopathy(context, r),
            _ => context,
        };
    }

    /// <summary>A serotonergic drug started or increased recently, and the findings of one Hunter rule; sometimes severe, sometimes with a look-alike drug too.</summary>
    private static PatientContext SerotoninToxicity(PatientContext c, Random r)
    {
        c = WithMedication(c, r, new MedicationEntry
        {
            Name = One(r, Serotonergic),
            Status = One<MedicationStatus?>(r, MedicationStatus.Active, null),
            Change = One<MedicationChange?>(r, MedicationChange.New, MedicationChange.DoseIncreased, MedicationChange.Unchanged),
            DaysSinceChange = One<double?>(r, 0, 0.5, 1, 2),
            Route = MedicationRoute.Oral,
        });
        var clonus = c.Clonus! with { Present = true };
        var exam = c.Exam ?? new Examination();
        var vitals = c.Vitals ?? new Vitals();
        switch (r.Next(5))
        {
            case 0:
                clonus = clonus with { Types = [ClonusType.Spontaneous] };
                break;
            case 1:
                clonus = clonus with { Types = [ClonusType.Inducible] };
                exam = r.Next(2) == 0 ? exam with { Agitation = true } : exam with { Diaphoresis = true };
                break;
            case 2:
                clonus = clonus with { Types = [ClonusType.Ocular] };
                exam = r.Next(2) == 0 ? exam with { Agitation = true } : exam with { Diaphoresis = true };
                break;
            case 3:
                exam = exam with { Tremor = true, Reflexes = ReflexGrade.Increased };
                break;
            default:
                clonus = clonus with { Types = [r.Next(2) == 0 ? ClonusType.Inducible : ClonusType.Ocular] };
                exam = exam with { Tone = ToneGrade.Increased };
                vitals = vitals with { TemperatureC = One(r, 38.2, 38.8, 39.5) };
                break;
        }

        if (r.NextDouble() < 0.5)
        {
            // Severe: hyperthermia with hypertonia (the 41.1 °C paralysis threshold included).
            vitals = vitals with { TemperatureC = One(r, 38.7, 39.5, 40.5, 41.3, 41.8), TemperatureRising = One<bool?>(r, true, false, null) };
            exam = exam with { Tone = ToneGrade.Increased, Rigidity = One<RigidityPattern?>(r, RigidityPattern.Spastic, RigidityPattern.GeneralizedRigor, RigidityPattern.LeadPipe, null) };
        }

        if (r.NextDouble() < 0.25)
        {
            exam = exam with { Agitation = true, MentalStatus = MentalStatus.Agitated };
        }

        c = c with { Clonus = clonus, Exam = exam, Vitals = vitals };
        if (r.NextDouble() < 0.3)
        {
            // Overlap: a look-alike's drug on board as well.
            c = WithMedication(c, r, new MedicationEntry
            {
                Name = One(r, One(r, DopamineAntagonists, Anticholinergics, MhTriggers)),
                Status = MedicationStatus.Active,
                Change = MedicationChange.New,
                DaysSinceChange = One<double?>(r, 0, 1, 2),
            });
        }

        return c;
    }

    /// <summary>Baclofen stopped or reduced in the last days (or on an unknown day), often with withdrawal features, usually in a patient whose kidneys are not the reason.</summary>
    private static PatientContext BaclofenStopped(PatientContext c, Random r)
    {
        var (name, rxcui) = One(r, BaclofenEntries);
        var (status, change) = One<(MedicationStatus?, MedicationChange?)>(r,
            (MedicationStatus.Stopped, MedicationChange.Stopped), (MedicationStatus.Stopped, null), (MedicationStatus.Stopped, MedicationChange.Unchanged),
            (MedicationStatus.Active, MedicationChange.DoseDecreased), (MedicationStatus.Active, MedicationChange.Stopped),
            (null, MedicationChange.Stopped), (null, MedicationChange.DoseDecreased), (MedicationStatus.Draft, MedicationChange.Stopped));
        c = WithMedication(c, r, new MedicationEntry
        {
            Name = name,
            Rxcui = rxcui,
            Status = status,
            Change = change,
            DaysSinceChange = One<double?>(r, 0, 0.5, 1, 2, 3, null, null, 6),
            Route = One<MedicationRoute?>(r, MedicationRoute.Oral, MedicationRoute.Intrathecal, null),
        });
        if (r.NextDouble() < 0.7)
        {
            c = c with
            {
                Patient = (c.Patient ?? new PatientInfo()) with { Egfr = One<double?>(r, 45, 75, 95, null), OnDialysis = One<bool?>(r, false, null) },
                TreatmentHistory = c.TreatmentHistory?.Where(t => !(t.Treatment ?? "").Contains("baclofen", StringComparison.OrdinalIgnoreCase)).ToList(),
            };
        }

        if (r.NextDouble() < 0.6)
        {
            var exam = c.Exam ?? new Examination();
            var vitals = c.Vitals ?? new Vitals();
            switch (r.Next(3))
            {
                case 0:
                    vitals = vitals with { TemperatureC = One(r, 38.4, 39.2, 40.3), TemperatureRising = One<bool?>(r, true, null) };
                    break;
                case 1:
                    exam = exam with { MentalStatus = One(r, MentalStatus.Agitated, MentalStatus.Confused, MentalStatus.Delirium) };
                    break;
                default:
                    exam = exam with { Tone = ToneGrade.Increased, Rigidity = RigidityPattern.Spastic };
                    break;
            }

            c = c with { Exam = exam, Vitals = vitals, Clonus = c.Clonus! with { Present = true, Onset = One<ClonusOnset?>(r, ClonusOnset.Acute, ClonusOnset.AcuteOnChronic, null) } };
        }

        return c;
    }

    /// <summary>Baclofen taken with eGFR below 30 or on dialysis, with encephalopathy, hypotonia or bradycardia.</summary>
    private static PatientContext BaclofenToxicity(PatientContext c, Random r)
    {
        var (name, rxcui) = One(r, BaclofenEntries);
        c = WithMedication(c, r, new MedicationEntry
        {
            Name = name,
            Rxcui = rxcui,
            Status = One<MedicationStatus?>(r, MedicationStatus.Active, null),
            Change = One<MedicationChange?>(r, MedicationChange.New, MedicationChange.DoseIncreased, MedicationChange.Unchanged, null),
            DaysSinceChange = One<double?>(r, 1, 2, 3, 30),
            Route = MedicationRoute.Oral,
        });
        var patient = (c.Patient ?? new PatientInfo()) with
        {
            Egfr = One<double?>(r, 5, 12, 25, null),
            OnDialysis = One<bool?>(r, true, false, null),
        };
        if (patient.Egfr is null && patient.OnDialysis != true)
        {
            patient = patient with { OnDialysis = true };
        }

        var exam = c.Exam ?? new Examination();
        var vitals = c.Vitals ?? new Vitals();
        switch (r.Next(3))
        {
            case 0:
                exam = exam with { MentalStatus = One(r, MentalStatus.Confused, MentalStatus.DecreasedConsciousness, MentalStatus.Coma, MentalStatus.Delirium) };
                break;
            case 1:
                exam = exam with { Tone = ToneGrade.Decreased };
                break;
            default:
                vitals = vitals with { HeartRateBpm = One(r, 42, 48, 55) };
                break;
        }

        return c with { Patient = patient, Exam = exam, Vitals = vitals };
    }

    /// <summary>A NEWS2 red-score value: low systolic pressure or SpO2, bradycardia, reduced consciousness.</summary>
    private static PatientContext AbnormalPhysiology(PatientContext c, Random r)
    {
        var vitals = c.Vitals ?? new Vitals();
        var exam = c.Exam ?? new Examination();
        for (var n = 1 + (r.NextDouble() < 0.3 ? 1 : 0); n > 0; n--)
        {
            switch (r.Next(4))
            {
                case 0:
                    vitals = vitals with { SystolicBp = One(r, 62, 75, 84, 90) };
                    break;
                case 1:
                    vitals = vitals with { Spo2Percent = One(r, 78.0, 85, 89, 91) };
                    break;
                case 2:
                    vitals = vitals with { HeartRateBpm = One(r, 28, 36, 44, 49) };
                    break;
                default:
                    exam = exam with { MentalStatus = One(r, MentalStatus.DecreasedConsciousness, MentalStatus.Coma) };
                    break;
            }
        }

        return c with { Vitals = vitals, Exam = exam };
    }

    /// <summary>Perioperative rigidity and hyperthermia, with a trigger active, stopped or only drafted, or with none at all.</summary>
    private static PatientContext MalignantHyperthermia(PatientContext c, Random r)
    {
        if (r.NextDouble() < 0.65)
        {
            c = WithMedication(c, r, new MedicationEntry
            {
                Name = One(r, MhTriggers),
                Status = One<MedicationStatus?>(r, MedicationStatus.Active, MedicationStatus.Stopped, MedicationStatus.Draft, null),
                Change = One<MedicationChange?>(r, MedicationChange.New, MedicationChange.Stopped, null),
                DaysSinceChange = One<double?>(r, 0, 0.1, null),
                Route = One<MedicationRoute?>(r, MedicationRoute.Inhaled, MedicationRoute.Iv, null),
            });
        }

        var exam = (c.Exam ?? new Examination()) with
        {
            Rigidity = One<RigidityPattern?>(r, RigidityPattern.GeneralizedRigor, RigidityPattern.GeneralizedRigor, RigidityPattern.LeadPipe),
            Tone = ToneGrade.Increased,
        };
        var vitals = (c.Vitals ?? new Vitals()) with { TemperatureC = One(r, 38.6, 39.4, 40.8, 42.0), TemperatureRising = One<bool?>(r, true, null) };
        return c with
        {
            Setting = One<CareSetting?>(r, CareSetting.OperatingRoom, CareSetting.Pacu, CareSetting.OperatingRoom, CareSetting.Icu, null),
            Exam = exam,
            Vitals = vitals,
        };
    }

    /// <summary>Lead-pipe rigidity, slow reflexes and fever, with a dopamine antagonist (active, stopped or drafted), a dopaminergic drug stopped, or neither.</summary>
    private static PatientContext Nms(PatientContext c, Random r)
    {
        var roll = r.NextDouble();
        if (roll < 0.7)
        {
            c = WithMedication(c, r, new MedicationEntry
            {
                Name = One(r, DopamineAntagonists),
                Status = One<MedicationStatus?>(r, MedicationStatus.Active, MedicationStatus.Active, MedicationStatus.Stopped, MedicationStatus.Draft, null),
                Change = One<MedicationChange?>(r, MedicationChange.New, MedicationChange.DoseIncreased, MedicationChange.Unchanged, null),
                DaysSinceChange = One<double?>(r, 1, 2, 4, 7, null),
            });
        }
        else if (roll < 0.85)
        {
            c = WithMedication(c, r, new MedicationEntry
            {
                Name = One(r, Dopaminergic),
                Status = One<MedicationStatus?>(r, MedicationStatus.Stopped, MedicationStatus.Active),
                Change = One<MedicationChange?>(r, MedicationChange.Stopped, MedicationChange.DoseDecreased),
                DaysSinceChange = One<double?>(r, 1, 2, null),
            });
        }

        var exam = (c.Exam ?? new Examination()) with
        {
            Rigidity = One<RigidityPattern?>(r, RigidityPattern.LeadPipe, RigidityPattern.LeadPipe, RigidityPattern.GeneralizedRigor),
            Tone = ToneGrade.Increased,
            Reflexes = One<ReflexGrade?>(r, ReflexGrade.Decreased, ReflexGrade.Normal, ReflexGrade.Absent, null),
            MentalStatus = One<MentalStatus?>(r, MentalStatus.Confused, MentalStatus.DecreasedConsciousness, MentalStatus.Delirium, null),
        };
        var vitals = (c.Vitals ?? new Vitals()) with { TemperatureC = One(r, 38.4, 39.6, 40.7, 41.4) };
        return c with
        {
            Exam = exam,
            Vitals = vitals,
            Clonus = c.Clonus! with { Onset = One<ClonusOnset?>(r, ClonusOnset.Subacute, ClonusOnset.Acute, null) },
        };
    }

    /// <summary>Hepatic encephalopathy or failure with asterixis and a high ammonia, often agitated, sometimes on a serotonergic drug.</summary>
    private static PatientContext HepaticEncephalopathy(PatientContext c, Random r)
    {
        c = c with
        {
            Conditions = [.. c.Conditions ?? [], new ConditionEntry { Category = One(r, ConditionCategory.HepaticEncephalopathy, ConditionCategory.HepaticFailure), Onset = ConditionOnset.Acute }],
            Labs = (c.Labs ?? new LabResults()) with { AmmoniaUmolPerL = One<double?>(r, 95, 160, 240, null) },
            Exam = (c.Exam ?? new Examination()) with
            {
                Asterixis = One<bool?>(r, true, true, null),
                Agitation = One<bool?>(r, true, true, false, null),
                MentalStatus = One<MentalStatus?>(r, MentalStatus.Agitated, MentalStatus.Confused, MentalStatus.Delirium, null),
            },
            Clonus = c.Clonus! with { Present = true },
        };
        return r.NextDouble() < 0.4 ? SerotoninToxicity(c, r) : c;
    }

    private static PatientContext WithMedication(PatientContext c, Random r, MedicationEntry entry)
    {
        var list = (c.Medications ?? []).ToList();
        list.Insert(r.Next(list.Count + 1), entry);
        return c with { Medications = list };
    }

    private static T One<T>(Random r, params T[] values) => values[r.Next(values.Length)];
}

/// <summary>A stated finding that a property can turn into "unknown", with its contract JSON path.</summary>
internal sealed record StatedFinding(string Path, Func<PatientContext> Unknown);

/// <summary>
/// Every stated (non-null) leaf of patient, clonus (except the required <c>present</c>), vitals,
/// exam, labs and eeg, and each medication's change, daysSinceChange and route (not status, whose
/// absence the contract defines as active), each with
/// the context in which it is null.
/// </summary>
internal static class StatedFindings
{
    public static IReadOnlyList<StatedFinding> Of(PatientContext c)
    {
        var found = new List<StatedFinding>();
        Section(found, c, "patient", c.Patient, (x, v) => x with { Patient = v },
            ("ageYears", v => v.AgeYears is not null, v => v with { AgeYears = null }),
            ("sex", v => v.Sex is not null, v => v with { Sex = null }),
            ("pregnant", v => v.Pregnant is not null, v => v with { Pregnant = null }),
            ("gestationalAgeWeeks", v => v.GestationalAgeWeeks is not null, v => v with { GestationalAgeWeeks = null }),
            ("egfr", v => v.Egfr is not null && c.Labs?.CreatinineMgPerDl is null, v => v with { Egfr = null }),
            // A stated creatinine (or eGFR) answers kidney function when the dialysis flag is removed.
            ("onDialysis", v => v.OnDialysis is not null && v.Egfr is null && c.Labs?.CreatinineMgPerDl is null, v => v with { OnDialysis = null }));
        Section(found, c, "clonus", c.Clonus, (x, v) => x with { Clonus = v },
                        // A listed set of clonus types answers ocular clonus; the site only adds to an unknown one.
            ("sites", v => v.Sites is not null && v.Types is not { Count: > 0 }, v => v with { Sites = null }),
            ("types", v => v.Types is not null, v => v with { Types = null }),
            ("sustained", v => v.Sustained is not null, v => v with { Sustained = null }),
            ("beats", v => v.Beats is not null, v => v with { Beats = null }),
            ("laterality", v => v.Laterality is not null, v => v with { Laterality = null }),
            ("onset", v => v.Onset is not null, v => v with { Onset = null }),
            ("durationHours", v => v.DurationHours is not null, v => v with { DurationHours = null }),
            ("focal", v => v.Focal is not null, v => v with { Focal = null }),
            ("disabling", v => v.Disabling is not null, v => v with { Disabling = null }));
        Section(found, c, "vitals", c.Vitals, (x, v) => x with { Vitals = v },
            ("temperatureC", v => v.TemperatureC is not null, v => v with { TemperatureC = null }),
            ("temperatureRising", v => v.TemperatureRising is not null, v => v with { TemperatureRising = null }),
            ("heartRateBpm", v => v.HeartRateBpm is not null, v => v with { HeartRateBpm = null }),
            ("systolicBp", v => v.SystolicBp is not null, v => v with { SystolicBp = null }),
            ("diastolicBp", v => v.DiastolicBp is not null, v => v with { DiastolicBp = null }),
            ("respiratoryRate", v => v.RespiratoryRate is not null, v => v with { RespiratoryRate = null }),
            ("spo2Percent", v => v.Spo2Percent is not null, v => v with { Spo2Percent = null }));
        Section(found, c, "exam", c.Exam, (x, v) => x with { Exam = v },
            // A finding another stated one answers is not made unknown by nulling it: a stated mental
            // status says whether the patient is agitated, a stated skin finding whether sweating.
            ("agitation", v => v.Agitation is not null && v.MentalStatus is null, v => v with { Agitation = null }),
            ("diaphoresis", v => v.Diaphoresis is not null && v.Skin is null, v => v with { Diaphoresis = null }),
            ("tremor", v => v.Tremor is not null, v => v with { Tremor = null }),
            ("reflexes", v => v.Reflexes is not null, v => v with { Reflexes = null }),
            ("tone", v => v.Tone is not null && v.Rigidity is null, v => v with { Tone = null }),
            ("rigidity", v => v.Rigidity is not null && v.Tone is null or ToneGrade.Increased, v => v with { Rigidity = null }),
            ("pupils", v => v.Pupils is not null, v => v with { Pupils = null }),
            // A stated sweating finding answers a diaphoretic or normal skin finding too.
            ("skin", v => v.Skin is not null && !(v.Diaphoresis is not null && v.Skin is SkinFinding.Diaphoretic or SkinFinding.Normal), v => v with { Skin = null }),
            ("mucosa", v => v.Mucosa is not null, v => v with { Mucosa = null }),
            ("bowelSounds", v => v.BowelSounds is not null, v => v with { BowelSounds = null }),
            ("mentalStatus", v => v.MentalStatus is not null, v => v with { MentalStatus = null }),
            ("weakness", v => v.Weakness is not null, v => v with { Weakness = null }),
            ("otherUmnSigns", v => v.OtherUmnSigns is not null, v => v with { OtherUmnSigns = null }),
            ("asterixis", v => v.Asterixis is not null, v => v with { Asterixis = null }),
            ("apneaEpisodes", v => v.ApneaEpisodes is not null, v => v with { ApneaEpisodes = null }),
            ("developmentalConcern", v => v.DevelopmentalConcern is not null, v => v with { DevelopmentalConcern = null }));
        Section(found, c, "labs", c.Labs, (x, v) => x with { Labs = v },
            ("creatineKinaseUPerL", v => v.CreatineKinaseUPerL is not null, v => v with { CreatineKinaseUPerL = null }),
            ("lithiumMmolPerL", v => v.LithiumMmolPerL is not null, v => v with { LithiumMmolPerL = null }),
            ("ammoniaUmolPerL", v => v.AmmoniaUmolPerL is not null, v => v with { AmmoniaUmolPerL = null }),
            ("sodiumMmolPerL", v => v.SodiumMmolPerL is not null, v => v with { SodiumMmolPerL = null }),
            ("bicarbonateMmolPerL", v => v.BicarbonateMmolPerL is not null, v => v with { BicarbonateMmolPerL = null }),
            ("creatinineMgPerDl", v => v.CreatinineMgPerDl is not null, v => v with { CreatinineMgPerDl = null }),
            ("inr", v => v.Inr is not null, v => v with { Inr = null }));
        Section(found, c, "eeg", c.Eeg, (x, v) => x with { Eeg = v },
            ("performed", v => v.Performed is not null, v => v with { Performed = null }),
            ("type", v => v.Type is not null, v => v with { Type = null }),
            ("result", v => v.Result is not null, v => v with { Result = null }));
        var meds = c.Medications ?? [];
        for (var i = 0; i < meds.Count; i++)
        {
            var index = i;
            Section(found, c, $"medications[{i}]", meds[i], (x, v) => x with { Medications = [.. meds.Take(index), v, .. meds.Skip(index + 1)] },
                // Not status: the contract makes a missing status "active", so nulling "stopped"
                // states a different fact (the drug is taken), not an unknown one.
                ("change", v => v.Change is not null, v => v with { Change = null }),
                ("daysSinceChange", v => v.DaysSinceChange is not null, v => v with { DaysSinceChange = null }),
                ("route", v => v.Route is not null, v => v with { Route = null }));
        }

        return found;
    }

    /// <summary>
    /// True when a missingData field names the path or an ancestor of it ("vitals" covers
    /// "vitals.heartRateBpm", "medications" covers "medications[2].change"), or names the same finding
    /// in its other encoding: the contract records sweating as exam.diaphoresis or exam.skin,
    /// agitation as exam.agitation or exam.mentalStatus, raised tone as exam.tone or exam.rigidity,
    /// ocular clonus as a clonus type or a site, and renal function as eGFR, dialysis or creatinine.
    /// </summary>
    public static bool Covers(string field, string path) =>
        Names(field, path) || (SameFinding.TryGetValue(path, out var other) && Names(field, other));

    private static readonly Dictionary<string, string> SameFinding = new(StringComparer.Ordinal)
    {
        ["exam.skin"] = "exam.diaphoresis", ["exam.diaphoresis"] = "exam.skin",
        ["exam.mentalStatus"] = "exam.agitation", ["exam.agitation"] = "exam.mentalStatus",
        ["exam.rigidity"] = "exam.tone", ["exam.tone"] = "exam.rigidity",
        ["clonus.sites"] = "clonus.types", ["clonus.types"] = "clonus.sites",
        ["patient.onDialysis"] = "patient.egfr", ["patient.egfr"] = "patient.onDialysis",
        ["labs.creatinineMgPerDl"] = "patient.egfr",
    };

    private static bool Names(string field, string path) =>
        path == field
        || (path.Length > field.Length && path.StartsWith(field, StringComparison.Ordinal) && path[field.Length] is '.' or '[');

    private static void Section<T>(List<StatedFinding> into, PatientContext c, string prefix, T? section, Func<PatientContext, T, PatientContext> set,
        params (string Name, Func<T, bool> Stated, Func<T, T> Clear)[] fields) where T : class
    {
        if (section is null)
        {
            return;
        }

        foreach (var (name, stated, clear) in fields)
        {
            if (stated(section))
            {
                into.Add(new StatedFinding($"{prefix}.{name}", () => set(c, clear(section))));
            }
        }
    }
}
