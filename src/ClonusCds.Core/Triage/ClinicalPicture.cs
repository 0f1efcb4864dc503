using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;

namespace ClonusCds.Core.Triage;

/// <summary>How a medication counts as exposure now.</summary>
public enum Exposure
{
    /// <summary>Being taken.</summary>
    Current,
    /// <summary>Stopped within its washout (or stopped on an unknown date): may still act.</summary>
    RecentlyStopped,
    /// <summary>Stopped longer ago than its washout.</summary>
    PastStop,
    /// <summary>A proposed order, not yet taken.</summary>
    Draft,
}

/// <summary>
/// The clinical event a medication entry records, derived once from status, change and route so
/// that rules read the event, not one field's encoding: a dose decrease and an intrathecal pump that
/// ran dry are withdrawal events just as a stop is.
/// </summary>
public enum ExposureEvent
{
    /// <summary>A proposed (draft) order: nothing has happened yet.</summary>
    Proposed,
    /// <summary>Newly started.</summary>
    Started,
    /// <summary>Dose increased.</summary>
    DoseIncreased,
    /// <summary>Dose decreased (by mouth or another non-intrathecal route).</summary>
    DoseDecreased,
    /// <summary>Stopped (status stopped or change stopped).</summary>
    Stopped,
    /// <summary>Intrathecal delivery stopped or reduced: pump failure, empty reservoir, catheter fault, programming.</summary>
    Interrupted,
    /// <summary>Taken unchanged (duration in daysSinceChange).</summary>
    Unchanged,
    /// <summary>Taken; whether anything changed is not recorded.</summary>
    Unknown,
}

/// <summary>A medication entry placed in the vocabulary.</summary>
public sealed record MedicationFact(int Index, MedicationEntry Entry, DrugEntry Drug, DrugMatchKind MatchedBy, Exposure Exposure)
{
    /// <summary>The event this entry records.</summary>
    public ExposureEvent Event { get; } = EventOf(Entry);

    /// <summary>A stop, a dose decrease or an intrathecal interruption.</summary>
    public bool IsWithdrawal => Event is ExposureEvent.Stopped or ExposureEvent.DoseDecreased or ExposureEvent.Interrupted;

    /// <summary>The event of an entry.</summary>
    public static ExposureEvent EventOf(MedicationEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Status == MedicationStatus.Draft)
        {
            return ExposureEvent.Proposed;
        }

        var stopped = entry.Status == MedicationStatus.Stopped || entry.Change == MedicationChange.Stopped;
        if ((stopped || entry.Change == MedicationChange.DoseDecreased) && entry.Route == MedicationRoute.Intrathecal)
        {
            return ExposureEvent.Interrupted;
        }

        return stopped ? ExposureEvent.Stopped : entry.Change switch
        {
            MedicationChange.New => ExposureEvent.Started,
            MedicationChange.DoseIncreased => ExposureEvent.DoseIncreased,
            MedicationChange.DoseDecreased => ExposureEvent.DoseDecreased,
            MedicationChange.Unchanged => ExposureEvent.Unchanged,
            _ => ExposureEvent.Unknown,
        };
    }

    /// <summary>Taken now, or stopped recently enough to still act.</summary>
    public bool OnBoard => Exposure is Exposure.Current or Exposure.RecentlyStopped;

    /// <summary>Has the role.</summary>
    public bool Is(string role) => Drug.Roles.Contains(role);

    /// <summary>Started or increased within the last week (or on an unknown day).</summary>
    public bool RecentlyStartedOrIncreased =>
        Exposure == Exposure.Current
        && Entry.Change is MedicationChange.New or MedicationChange.DoseIncreased
        && (Entry.DaysSinceChange is null || Entry.DaysSinceChange <= ClinicalPicture.RecentChangeDays);
}

/// <summary>
/// The normalised facts the rules read: findings as three-valued logic, medications and conditions
/// placed in the vocabularies. Built once per assessment.
/// </summary>
public sealed class ClinicalPicture
{
    /// <summary>Default days a stopped drug without its own washout still counts as on board.</summary>
    public const double DefaultWashoutDays = 2;
    /// <summary>A start or dose increase this recent counts as a "recent change".</summary>
    public const double RecentChangeDays = 7;
    /// <summary>A baclofen stop, decrease or interruption this recent (or on an unknown day) is a withdrawal event.</summary>
    public const double BaclofenWithdrawalWindowDays = 3;
    /// <summary>A dopaminergic stop or decrease this recent (or on an unknown day) is a withdrawal event (NEWMAN2009: days).</summary>
    public const double DopaminergicWithdrawalWindowDays = 7;

    private static readonly ConditionCategory[] UmnCategories =
    [
        ConditionCategory.Stroke, ConditionCategory.MultipleSclerosis, ConditionCategory.SpinalCordInjury,
        ConditionCategory.SpinalCordDisease, ConditionCategory.TraumaticBrainInjury, ConditionCategory.CerebralPalsy,
        ConditionCategory.HypoxicBrainInjury,
    ];

    private readonly ConditionCategory[] _categories;
    private readonly int _categoryCount;

    internal ClinicalPicture(PatientContext context, ClinicalKnowledgeBase kb, List<UnrecognizedInput> unrecognized)
    {
        Context = context;
        Kb = kb;
        var clonus = context.Clonus;
        var exam = context.Exam;
        var vitals = context.Vitals;

        ClonusPresent = clonus?.Present == true;
        AgeYears = context.Patient?.AgeYears;

        // Medications.
        MedicationListKnown = context.Medications is not null;
        var meds = new List<MedicationFact>(context.Medications?.Count ?? 0);
        var matches = new List<DrugMatch>(4);
        for (var i = 0; i < (context.Medications?.Count ?? 0); i++)
        {
            var entry = context.Medications![i];
            matches.Clear();
            if (kb.DrugVocabulary.Match(entry.Rxcui, entry.Name, matches) == 0)
            {
                unrecognized.Add(new UnrecognizedInput("medication", $"medications[{i}]", entry.Name ?? entry.Rxcui ?? "",
                    "not in the drug vocabulary by RxCUI or name; its effect on this assessment is unknown"));
                continue;
            }

            foreach (var match in matches)
            {
                meds.Add(new MedicationFact(i, entry, match.Drug, match.Kind, ExposureOf(entry, match.Drug)));
            }
        }

        Medications = meds;
        UnrecognizedMedications = unrecognized.Count;
        Unrecognized = unrecognized;

        // Conditions.
        ConditionListKnown = context.Conditions is not null;
        _categories = new ConditionCategory[context.Conditions?.Count ?? 0];
        for (var i = 0; i < (context.Conditions?.Count ?? 0); i++)
        {
            var condition = context.Conditions![i];
            var entry = kb.ConditionVocabulary.Match(condition);
            if (entry is null)
            {
                unrecognized.Add(new UnrecognizedInput("condition", $"conditions[{i}]", condition.Display ?? condition.Code ?? "",
                    "not placed in a condition category by category, code or display"));
                continue;
            }

            _categories[_categoryCount++] = entry.Category;
            if (condition.Onset == ConditionOnset.Acute && entry.UmnLesion)
            {
                AcuteUmnCondition = true;
            }

            if (IsSevereRenalCode(condition))
            {
                SevereRenalByCode = true;
            }

            if (CkdStage(condition) is { } stage && (CkdStageEgfr is null || stage < CkdStageEgfr))
            {
                CkdStageEgfr = stage;
            }
        }

        // Clonus types: when present and types are listed, unlisted types are absent; when the
        // list is missing they are unknown. No clonus on this examination means none of them.
        var typesKnown = clonus?.Types is { Count: > 0 };
        Tri ClonusType(ClonusType type) =>
            !ClonusPresent ? Tri.No : typesKnown ? Tri.Of(clonus!.Types!.Contains(type)) : Tri.Unknown;

        SpontaneousClonus = ClonusType(Model.ClonusType.Spontaneous);
        InducibleClonus = ClonusType(Model.ClonusType.Inducible);
        // Ocular clonus may be recorded as a type or as a site.
        OcularClonus = ClonusPresent && clonus?.Sites?.Contains(ClonusSite.Ocular) == true ? Tri.Yes : ClonusType(Model.ClonusType.Ocular);
        StartleInduced = ClonusType(Model.ClonusType.StartleInduced);
        PositionTriggered = ClonusType(Model.ClonusType.PositionTriggered);
        Sustained = ClonusPresent ? Tri.Of(clonus?.Sustained) : Tri.No;

        // Hunter features (Dunkley 2003), read from both the booleans and the graded findings.
        Agitation = exam?.Agitation == true || exam?.MentalStatus == MentalStatus.Agitated ? Tri.Yes
            : exam?.Agitation == false || exam?.MentalStatus is MentalStatus.Normal or MentalStatus.DecreasedConsciousness or MentalStatus.Coma ? Tri.No
            : Tri.Unknown;
        Diaphoresis = exam?.Diaphoresis == true || exam?.Skin == SkinFinding.Diaphoretic ? Tri.Yes
            // Only normal or hot-dry skin says "not sweating"; pallor and mottling come with sweating
            // in NMS and malignant hyperthermia (Boyer 2005), and jaundice says nothing either way.
            : exam?.Diaphoresis == false || exam?.Skin is SkinFinding.Normal or SkinFinding.HotDryFlushed ? Tri.No
            : Tri.Unknown;
        Tremor = Tri.Of(exam?.Tremor);
        Hyperreflexia = Tri.When(exam?.Reflexes, r => r == ReflexGrade.Increased);
        Hypertonia = exam?.Tone == ToneGrade.Increased || exam?.Rigidity is RigidityPattern.Spastic or RigidityPattern.LeadPipe or RigidityPattern.GeneralizedRigor ? Tri.Yes
            : exam?.Tone is not null || exam?.Rigidity == RigidityPattern.None ? Tri.No
            : Tri.Unknown;

        var temperature = vitals?.TemperatureC;
        var rising = vitals?.TemperatureRising == true;
        TemperatureAbove38 = Tri.When(temperature, t => t > 38.0);
        // A measured temperature decides unless it is also reported as rising; "rising" alone
        // (no reading) is enough for yes, never for no.
        FeverOrRising = rising ? Tri.Yes : TemperatureAbove38;
        // Severity's hyperthermia (BMJBP/Isbister): > 38.5 °C or rapidly rising.
        Hyperthermia = rising ? Tri.Yes : Tri.When(temperature, t => t > 38.5);

        // Renal function for baclofen (label bands: reduce at eGFR 30–80, avoid < 30 or on dialysis).
        // Kidney function from every source, in order: a measured eGFR; else CKD-EPI 2021 from the
        // serum creatinine (adults); else the recorded CKD stage. Dialysis or ESRD overrides all.
        var egfr = context.Patient?.Egfr;
        if (egfr is not null)
        {
            RenalSource = "egfr";
        }
        else if (context.Labs?.CreatinineMgPerDl is > 0 and var scr && AgeYears >= 18)
        {
            egfr = CkdEpi2021(scr, AgeYears!.Value, context.Patient?.Sex);
            RenalSource = "creatinine";
        }
        else if (CkdStageEgfr is { } staged)
        {
            egfr = staged;
            RenalSource = "ckd_stage";
        }

        EstimatedEgfr = egfr;
        SevereRenalImpairment = context.Patient?.OnDialysis == true || egfr < 30 || SevereRenalByCode ? Tri.Yes
            : egfr is not null ? Tri.No
            : Tri.Unknown;
        // The label's creatinine-clearance bands (US oral baclofen labels, section 2.3; VLAVONOU2014):
        // reduce the dose by about a third at 50–80, by half at 30–50, by two thirds below 30 (avoided
        // here, BACLOFEN-CKD). eGFR stands in for creatinine clearance.
        ModerateRenalImpairment = SevereRenalImpairment.IsYes ? Tri.No : Tri.When(egfr, e => e is >= 30 and < 50);
        MildRenalImpairment = SevereRenalImpairment.IsYes ? Tri.No : Tri.When(egfr, e => e is >= 50 and <= 80);

        // Fluid loss: vomiting, diarrhoea or dehydration recorded, dry mucosa, or a raised sodium.
        VolumeLoss = Has(ConditionCategory.VolumeDepletion) || exam?.Mucosa == MucosaFinding.Dry || context.Labs?.SodiumMmolPerL > HypernatraemiaMmolPerL
            ? Tri.Yes
            : exam?.Mucosa == MucosaFinding.Moist && ConditionListKnown ? Tri.No : Tri.Unknown;
    }

    /// <summary>Sodium above this (mmol/L) is hypernatraemia: water loss.</summary>
    public const double HypernatraemiaMmolPerL = 145;

    /// <summary>A newborn: the first 28 days of life.</summary>
    public const double NewbornAgeYears = 28.0 / 365.25;

    /// <summary>The first 28 days of life.</summary>
    public Tri Newborn => Tri.When(AgeYears, a => a < NewbornAgeYears);

    /// <summary>eGFR 50–80 inclusive (the label's "reduce by about one third" band; 80 itself counts, the cautious reading).</summary>
    public Tri MildRenalImpairment { get; }

    /// <summary>Vomiting, diarrhoea or dehydration recorded, dry mucosa or hypernatraemia.</summary>
    public Tri VolumeLoss { get; }

    /// <summary>
    /// A recent serotonergic change that can precipitate toxicity (yes / no / unknown): a recent start
    /// or increase of an agent of the high or moderate tier; or of a low/contested agent (triptan,
    /// 5-HT3 antagonist, lithium…) while an agent of a higher tier is on board — alone a low/contested
    /// agent is a caution, never the precipitant (brief §3).
    /// </summary>
    public Tri SerotonergicPrecipitant()
    {
        var strongerOnBoard = false;
        foreach (var m in Medications)
        {
            if (m.OnBoard && m.Is(DrugRoles.Serotonergic) && !m.Drug.LowContested)
            {
                strongerOnBoard = true;
                break;
            }
        }

        return RecentChange(DrugRoles.Serotonergic, excludeLowTier: !strongerOnBoard);
    }

    /// <summary>Every serotonergic agent on board is of the low/contested tier (and there is at least one).</summary>
    public bool OnlyLowContestedSerotonergic
    {
        get
        {
            var any = false;
            foreach (var m in Medications)
            {
                if ((m.OnBoard || m.Exposure == Exposure.Draft) && m.Is(DrugRoles.Serotonergic))
                {
                    if (!m.Drug.LowContested)
                    {
                        return false;
                    }

                    any = true;
                }
            }

            return any;
        }
    }

    /// <summary>The knowledge base in use.</summary>
    public ClinicalKnowledgeBase Kb { get; }
    /// <summary>The request as received.</summary>
    public PatientContext Context { get; }
    /// <summary>Clonus seen on this examination.</summary>
    public bool ClonusPresent { get; }
    /// <summary>Age in years, when given.</summary>
    public double? AgeYears { get; }
    /// <summary>Under one year.</summary>
    public Tri Infant => Tri.When(AgeYears, a => a < 1);
    /// <summary>Under eighteen.</summary>
    public Tri Child => Tri.When(AgeYears, a => a < 18);

    /// <summary>A medication list was sent (possibly empty).</summary>
    public bool MedicationListKnown { get; }
    /// <summary>A condition list was sent (possibly empty).</summary>
    public bool ConditionListKnown { get; }
    /// <summary>Inputs the vocabularies could not place (medications first, then conditions).</summary>
    public IReadOnlyList<UnrecognizedInput> Unrecognized { get; }
    /// <summary>How many medication entries could not be placed.</summary>
    public int UnrecognizedMedications { get; }
    /// <summary>The medication list was sent and every entry was placed: drug exposure is known.</summary>
    public bool MedicationsFullyKnown => MedicationListKnown && !Context.MedicationListIncomplete && UnrecognizedMedications == 0;
    /// <summary>Medications placed in the vocabulary (one per matched ingredient).</summary>
    public IReadOnlyList<MedicationFact> Medications { get; }
    /// <summary>A UMN condition recorded as acute.</summary>
    public bool AcuteUmnCondition { get; }
    private bool SevereRenalByCode { get; }

    /// <summary>Spontaneous clonus.</summary>
    public Tri SpontaneousClonus { get; }
    /// <summary>Inducible clonus.</summary>
    public Tri InducibleClonus { get; }
    /// <summary>Ocular clonus.</summary>
    public Tri OcularClonus { get; }
    /// <summary>Startle-induced clonic attacks.</summary>
    public Tri StartleInduced { get; }
    /// <summary>Position- or stretch-triggered clonus.</summary>
    public Tri PositionTriggered { get; }
    /// <summary>Sustained clonus.</summary>
    public Tri Sustained { get; }
    /// <summary>Agitation.</summary>
    public Tri Agitation { get; }
    /// <summary>Diaphoresis.</summary>
    public Tri Diaphoresis { get; }
    /// <summary>Tremor.</summary>
    public Tri Tremor { get; }
    /// <summary>Hyperreflexia.</summary>
    public Tri Hyperreflexia { get; }
    /// <summary>Hypertonia or rigidity.</summary>
    public Tri Hypertonia { get; }
    /// <summary>Temperature strictly above 38.0 °C (Hunter rule 5).</summary>
    public Tri TemperatureAbove38 { get; }
    /// <summary>Temperature above 38 °C or rising.</summary>
    public Tri FeverOrRising { get; }
    /// <summary>Temperature above 38.5 °C or rapidly rising (severity grading).</summary>
    public Tri Hyperthermia { get; }
    /// <summary>Altered consciousness recorded: confused, delirious, decreased consciousness or coma (not agitation alone).</summary>
    public bool AlteredConsciousness => Context.Exam?.MentalStatus is MentalStatus.Confused or MentalStatus.Delirium or MentalStatus.DecreasedConsciousness or MentalStatus.Coma;
    /// <summary>Where the kidney function came from: <c>egfr</c>, <c>creatinine</c> (CKD-EPI 2021), <c>ckd_stage</c>, or null.</summary>
    public string? RenalSource { get; }
    /// <summary>The eGFR used (measured, estimated from creatinine, or from the CKD stage), or null.</summary>
    public double? EstimatedEgfr { get; }
    /// <summary>The kidney function is estimated (creatinine or CKD stage), not a measured eGFR.</summary>
    public bool RenalEstimated => RenalSource is "creatinine" or "ckd_stage";
    private double? CkdStageEgfr { get; set; }
    /// <summary>eGFR &lt; 30, dialysis, or ESRD/dialysis codes.</summary>
    public Tri SevereRenalImpairment { get; }
    /// <summary>eGFR 30–50 (the label's "reduce by half" band).</summary>
    public Tri ModerateRenalImpairment { get; }

    /// <summary>The condition categories placed.</summary>
    public ReadOnlySpan<ConditionCategory> Categories => _categories.AsSpan(0, _categoryCount);

    /// <summary>Has the condition category.</summary>
    public bool Has(ConditionCategory category) => Categories.Contains(category);

    /// <summary>Has an upper-motor-neuron lesion category.</summary>
    public bool HasUmnCondition
    {
        get
        {
            foreach (var c in Categories)
            {
                if (UmnCategories.Contains(c))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Any medication with the role, on board (current or recently stopped).</summary>
    public bool OnBoard(string role) => First(role, onBoardOnly: true) is not null;

    /// <summary>An intrathecal baclofen pump in place now (route intrathecal, taken), whatever its last recorded change; or null.</summary>
    public MedicationFact? IntrathecalBaclofenPump()
    {
        foreach (var m in Medications)
        {
            if (m.Is(DrugRoles.Baclofen) && m.Entry.Route == MedicationRoute.Intrathecal && m.Exposure == Exposure.Current)
            {
                return m;
            }
        }

        return null;
    }

    /// <summary>First medication with the role.</summary>
    public MedicationFact? First(string role, bool onBoardOnly = true)
    {
        foreach (var m in Medications)
        {
            if (m.Is(role) && (!onBoardOnly || m.OnBoard))
            {
                return m;
            }
        }

        return null;
    }

    /// <summary>Draft (proposed) medication with the role.</summary>
    public MedicationFact? Draft(string role)
    {
        foreach (var m in Medications)
        {
            if (m.Is(role) && m.Exposure == Exposure.Draft)
            {
                return m;
            }
        }

        return null;
    }

    /// <summary>A drug of that name on board.</summary>
    public bool OnBoardNamed(string name)
    {
        foreach (var m in Medications)
        {
            if (m.OnBoard && m.Drug.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The most recent withdrawal event (stop, dose decrease, intrathecal interruption) of a drug with
    /// the role within <paramref name="windowDays"/>; an unknown day counts, as possibly today. With
    /// <paramref name="interruptedOnly"/>, only intrathecal interruptions. Null when there is none.
    /// </summary>
    public MedicationFact? WithdrawalEvent(string role, double windowDays, bool interruptedOnly = false)
    {
        MedicationFact? found = null;
        foreach (var m in Medications)
        {
            if (m.IsWithdrawal && m.Is(role) && (!interruptedOnly || m.Event == ExposureEvent.Interrupted)
                && (m.Entry.DaysSinceChange is null || m.Entry.DaysSinceChange <= windowDays)
                && (found is null || (m.Entry.DaysSinceChange ?? 0) < (found.Entry.DaysSinceChange ?? 0)))
            {
                found = m;
            }
        }

        return found;
    }

    /// <summary>
    /// A recent start or dose increase of a drug with the role (yes / no / unknown). With
    /// <paramref name="excludeLowTier"/>, serotonergic agents of the low/contested tier (triptans,
    /// 5-HT3 antagonists, metoclopramide, lithium…) do not count as the precipitating change.
    /// </summary>
    public Tri RecentChange(string role, bool excludeLowTier = false)
    {
        var result = Tri.No;
        foreach (var m in Medications)
        {
            if (!m.Is(role) || m.Exposure == Exposure.Draft || m.Exposure == Exposure.PastStop
                || (excludeLowTier && m.Drug.RiskTier == "low"))
            {
                continue;
            }

            if (m.RecentlyStartedOrIncreased)
            {
                return Tri.Yes;
            }

            if (m.Entry.Change is null && m.Exposure == Exposure.Current)
            {
                result = Tri.Unknown;
            }
        }

        return result;
    }

    private static Exposure ExposureOf(MedicationEntry entry, DrugEntry drug)
    {
        if (entry.Status == MedicationStatus.Draft)
        {
            return Exposure.Draft;
        }

        if (entry.Status == MedicationStatus.Stopped || entry.Change == MedicationChange.Stopped)
        {
            // FDA-LZD-MB: 2 weeks after MAOIs/linezolid, 5 weeks after fluoxetine. An unknown stop
            // date is not "long ago".
            var washout = drug.WashoutDays ?? DefaultWashoutDays;
            return entry.DaysSinceChange is null || entry.DaysSinceChange <= washout ? Exposure.RecentlyStopped : Exposure.PastStop;
        }

        return Exposure.Current;
    }

    /// <summary>
    /// eGFR by the race-free CKD-EPI 2021 creatinine equation (Inker 2021), mL/min/1.73 m²; when sex
    /// is not female or male, the lower of the two estimates (the cautious one for dosing).
    /// </summary>
    public static double CkdEpi2021(double creatinineMgPerDl, double ageYears, Sex? sex)
    {
        static double Of(double scr, double age, bool female)
        {
            var k = female ? 0.7 : 0.9;
            var a = female ? -0.241 : -0.302;
            var ratio = scr / k;
            return 142 * Math.Pow(Math.Min(ratio, 1), a) * Math.Pow(Math.Max(ratio, 1), -1.200) * Math.Pow(0.9938, age) * (female ? 1.012 : 1);
        }

        return sex switch
        {
            Sex.Female => Of(creatinineMgPerDl, ageYears, female: true),
            Sex.Male => Of(creatinineMgPerDl, ageYears, female: false),
            _ => Math.Min(Of(creatinineMgPerDl, ageYears, female: true), Of(creatinineMgPerDl, ageYears, female: false)),
        };
    }

    /// <summary>
    /// A conservative eGFR for a recorded CKD stage: the KDIGO G band's value that falls in the most
    /// cautious baclofen dosing band the stage overlaps (label bands 50–80, 30–50, below 30): stage 2
    /// (N18.2, 60–89) 79, stage 3a (N18.31; SNOMED 700378005, 45–59) 49, stage 3 unspecified (N18.3,
    /// N18.30; 433144002, 30–59) and 3b (N18.32; 700379002) 44, stage 4 (N18.4; 431857002) 29, stage 5
    /// (N18.5; 433146000) 14. Null for anything else.
    /// </summary>
    private static double? CkdStage(ConditionEntry condition)
    {
        if (condition.Code is null)
        {
            return null;
        }

        var code = ConditionVocabulary.NormalizeIcd(condition.Code);
        return code switch
        {
            "N184" or "431857002" => 29,
            "N185" or "433146000" => 14,
            "N1832" or "700379002" => 44,
            "N1831" or "700378005" => 49,
            "N183" or "N1830" or "433144002" => 44,
            "N182" => 79,
            _ => null,
        };
    }

    private static bool IsSevereRenalCode(ConditionEntry condition)
    {
        if (condition.Code is null)
        {
            return condition.Display is { } d && (d.Contains("dialysis", StringComparison.OrdinalIgnoreCase)
                || d.Contains("end-stage renal", StringComparison.OrdinalIgnoreCase)
                || d.Contains("end stage renal", StringComparison.OrdinalIgnoreCase));
        }

        var code = ConditionVocabulary.NormalizeIcd(condition.Code);
        // ICD-10-CM N18.5 (CKD stage 5), N18.6 (ESRD), Z99.2 (dialysis); SNOMED 46177005 (ESRD),
        // 433146000 (CKD stage 5), 105502003 (dependence on renal dialysis).
        return code is "N185" or "N186" or "Z992" or "46177005" or "433146000" or "105502003" || code.StartsWith("Z992", StringComparison.Ordinal);
    }
}
