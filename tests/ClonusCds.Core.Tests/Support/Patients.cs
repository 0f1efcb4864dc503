using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;

namespace ClonusCds.Core.Tests.Support;

/// <summary>
/// Small builders for patient contexts. Each scenario is a complete, plausible patient so that a test
/// changes one finding and watches one rule; every field a rule reads is set unless the test is about
/// that field being unknown.
/// </summary>
internal static class Patients
{
    public static MedicationEntry Med(string name, string? rxcui = null, MedicationStatus status = MedicationStatus.Active,
        MedicationChange? change = MedicationChange.Unchanged, double? days = 90, MedicationRoute? route = MedicationRoute.Oral) =>
        new() { Name = name, Rxcui = rxcui, Status = status, Change = change, DaysSinceChange = days, Route = route };

    public static MedicationEntry New(string name, double days = 1) => Med(name, change: MedicationChange.New, days: days);

    public static MedicationEntry Increased(string name, double days = 3) => Med(name, change: MedicationChange.DoseIncreased, days: days);

    public static MedicationEntry Stopped(string name, double? days) =>
        Med(name, status: MedicationStatus.Stopped, change: MedicationChange.Stopped, days: days);

    public static MedicationEntry Draft(string name) => Med(name, status: MedicationStatus.Draft, change: MedicationChange.New, days: 0);

    public static ConditionEntry Condition(ConditionCategory category, ConditionOnset onset = ConditionOnset.Chronic) =>
        new() { Category = category, Onset = onset };

    public static ClonusFinding Clonus(params ClonusType[] types) =>
        new() { Present = true, Types = types, Sites = [ClonusSite.Ankle], Sustained = true, Laterality = Laterality.Bilateral, Onset = ClonusOnset.Acute };

    public static ClonusFinding NoClonus() => new() { Present = false };

    /// <summary>Adult on long-term sertraline with a new tramadol, every Hunter feature known absent, no clonus.</summary>
    public static PatientContext HunterNegative() => new()
    {
        Patient = new PatientInfo { AgeYears = 40, Sex = Sex.Male, Egfr = 90 },
        Setting = CareSetting.EmergencyDepartment,
        Clonus = NoClonus(),
        Vitals = new Vitals { TemperatureC = 37.0, TemperatureRising = false, HeartRateBpm = 96 },
        Exam = new Examination
        {
            Agitation = false, Diaphoresis = false, Tremor = false, Reflexes = ReflexGrade.Normal, Tone = ToneGrade.Normal,
            Rigidity = RigidityPattern.None, OtherUmnSigns = false, Weakness = false,
        },
        Medications = [Med("sertraline", "36437"), New("tramadol")],
        Conditions = [],
    };

    /// <summary>Hunter rules 2 and 4 met (inducible clonus, agitation, diaphoresis, tremor, hyperreflexia), normal tone, 37.8 °C.</summary>
    public static PatientContext SerotoninToxicity(double? temperatureC = 37.8, ToneGrade? tone = ToneGrade.Normal) => HunterNegative() with
    {
        Clonus = Clonus(ClonusType.Inducible),
        Vitals = new Vitals { TemperatureC = temperatureC, TemperatureRising = false, HeartRateBpm = 118 },
        Exam = new Examination
        {
            Agitation = true, Diaphoresis = true, Tremor = true, Reflexes = ReflexGrade.Increased, Tone = tone,
            Rigidity = tone == ToneGrade.Increased ? RigidityPattern.Spastic : RigidityPattern.None, OtherUmnSigns = false, Weakness = false,
        },
    };

    /// <summary>Severe: Hunter met with hypertonia and 39.0 °C.</summary>
    public static PatientContext SevereSerotoninToxicity(double temperatureC = 39.0) => SerotoninToxicity(temperatureC, ToneGrade.Increased);

    /// <summary>Hyperreflexia and inducible clonus below Hunter, three days after a sertraline increase.</summary>
    public static PatientContext MildSerotoninToxicity() => HunterNegative() with
    {
        Clonus = Clonus(ClonusType.Inducible) with { Sustained = false, Beats = 4 },
        Exam = HunterNegative().Exam! with { Reflexes = ReflexGrade.Increased },
        Medications = [Increased("sertraline", 3)],
    };

    /// <summary>Serotonergic agents on board; clonus seen but its type, the Hunter features, tone and temperature are unknown.</summary>
    public static PatientContext HunterUndetermined() => HunterNegative() with
    {
        Clonus = new ClonusFinding { Present = true, Onset = ClonusOnset.Acute },
        Vitals = new Vitals { HeartRateBpm = 104 },
        Exam = new Examination(),
        Medications = [New("sertraline", 2)],
    };

    /// <summary>Rigid and 39.4 °C on venlafaxine and tramadol, without clonus, tremor or hyperreflexia.</summary>
    public static PatientContext MaskedSerotoninToxicity() => HunterNegative() with
    {
        Vitals = new Vitals { TemperatureC = 39.4, TemperatureRising = false, HeartRateBpm = 130 },
        Exam = HunterNegative().Exam! with { Tone = ToneGrade.Increased, Rigidity = RigidityPattern.GeneralizedRigor },
        Medications = [Med("venlafaxine"), New("tramadol")],
    };

    /// <summary>Lead-pipe rigidity, bradyreflexia, fever, no clonus, three days after a haloperidol increase, on long-term sertraline.</summary>
    public static PatientContext Nms() => HunterNegative() with
    {
        Setting = CareSetting.InpatientWard,
        Vitals = new Vitals { TemperatureC = 39.6, TemperatureRising = true, HeartRateBpm = 122 },
        Exam = new Examination
        {
            Agitation = false, Diaphoresis = true, Tremor = false, Reflexes = ReflexGrade.Decreased, Tone = ToneGrade.Increased,
            Rigidity = RigidityPattern.LeadPipe, MentalStatus = MentalStatus.DecreasedConsciousness, Skin = SkinFinding.Pale,
        },
        Medications = [Increased("haloperidol", 3), Med("sertraline", "36437")],
    };

    /// <summary>Generalised rigor and rising temperature in theatre after sevoflurane and succinylcholine, on escitalopram.</summary>
    public static PatientContext MalignantHyperthermia() => HunterNegative() with
    {
        Setting = CareSetting.OperatingRoom,
        Vitals = new Vitals { TemperatureC = 39.8, TemperatureRising = true, HeartRateBpm = 140 },
        Exam = HunterNegative().Exam! with { Tone = ToneGrade.Increased, Rigidity = RigidityPattern.GeneralizedRigor, Skin = SkinFinding.Mottled },
        Medications = [New("sevoflurane", 0), New("succinylcholine", 0), Med("escitalopram")],
    };

    /// <summary>Hot dry flushed skin, dry mucosa, absent bowel sounds, mydriasis, normal reflexes after diphenhydramine, on sertraline.</summary>
    public static PatientContext Anticholinergic() => HunterNegative() with
    {
        Vitals = new Vitals { TemperatureC = 38.4, TemperatureRising = false, HeartRateBpm = 128 },
        Exam = HunterNegative().Exam! with
        {
            Diaphoresis = null, Agitation = true, Skin = SkinFinding.HotDryFlushed, Mucosa = MucosaFinding.Dry,
            BowelSounds = Model.BowelSounds.Absent, Pupils = PupilFinding.Dilated, MentalStatus = MentalStatus.Delirium,
        },
        Medications = [New("diphenhydramine", 0.5), Med("sertraline", "36437")],
    };

    /// <summary>Baclofen on dialysis with decreased consciousness, hypotonia and bradycardia; MS; on duloxetine.</summary>
    public static PatientContext BaclofenToxicity() => HunterNegative() with
    {
        Patient = new PatientInfo { AgeYears = 61, Sex = Sex.Male, OnDialysis = true, Egfr = 8 },
        Clonus = Clonus(ClonusType.Inducible) with { Onset = ClonusOnset.Chronic },
        Vitals = new Vitals { TemperatureC = 36.6, TemperatureRising = false, HeartRateBpm = 50 },
        Exam = HunterNegative().Exam! with { Tone = ToneGrade.Decreased, MentalStatus = MentalStatus.DecreasedConsciousness },
        Medications = [Med("baclofen", "1292"), Med("duloxetine")],
        Conditions = [Condition(ConditionCategory.MultipleSclerosis), Condition(ConditionCategory.ChronicKidneyDisease)],
    };

    /// <summary>Fever, confusion and rebound rigidity two days after intrathecal baclofen stopped; chronic SCI; on sertraline.</summary>
    public static PatientContext BaclofenWithdrawal(double? daysSinceStop = 2) => HunterNegative() with
    {
        Clonus = Clonus(ClonusType.Inducible) with { Onset = ClonusOnset.AcuteOnChronic },
        Vitals = new Vitals { TemperatureC = 39.2, TemperatureRising = true, HeartRateBpm = 124 },
        Exam = HunterNegative().Exam! with
        {
            Agitation = null, MentalStatus = MentalStatus.Confused, Tone = ToneGrade.Increased, Rigidity = RigidityPattern.Spastic,
        },
        Medications = [Stopped("baclofen", daysSinceStop) with { Route = MedicationRoute.Intrathecal }, Med("sertraline", "36437")],
        Conditions = [Condition(ConditionCategory.SpinalCordInjury)],
    };

    /// <summary>Serum lithium 2.8 mmol/L with tremor and hyperreflexia (Hunter rule 4), a new thiazide and sertraline.</summary>
    public static PatientContext LithiumToxicity(double? level = 2.8) => HunterNegative() with
    {
        Clonus = Clonus(ClonusType.Inducible),
        Exam = HunterNegative().Exam! with { Tremor = true, Reflexes = ReflexGrade.Increased },
        Medications = [Med("lithium carbonate", "42351"), New("hydrochlorothiazide", 10), Med("sertraline", "36437")],
        Labs = new LabResults { LithiumMmolPerL = level },
    };

    /// <summary>Two-year-old with encephalopathy and startle-induced clonic attacks with apnoea; no medications.</summary>
    public static PatientContext SeizureMimic() => new()
    {
        Patient = new PatientInfo { AgeYears = 2, Sex = Sex.Female },
        Setting = CareSetting.PediatricClinic,
        Clonus = new ClonusFinding
        {
            Present = true, Types = [ClonusType.StartleInduced], Sites = [ClonusSite.Generalized], Sustained = true,
            Laterality = Laterality.Bilateral, Onset = ClonusOnset.Paroxysmal,
        },
        Exam = new Examination { ApneaEpisodes = true, DevelopmentalConcern = true, Tone = ToneGrade.Decreased },
        Medications = [],
        Conditions = [Condition(ConditionCategory.Encephalopathy)],
    };

    /// <summary>Cirrhosis with hepatic encephalopathy, confusion, asterixis and sustained clonus; no medications.</summary>
    public static PatientContext HepaticEncephalopathy() => new()
    {
        Patient = new PatientInfo { AgeYears = 58, Sex = Sex.Male, Egfr = 75 },
        Setting = CareSetting.InpatientWard,
        Clonus = Clonus(ClonusType.Inducible) with { Onset = ClonusOnset.Subacute },
        Vitals = new Vitals { TemperatureC = 37.1, TemperatureRising = false },
        Exam = new Examination
        {
            MentalStatus = MentalStatus.Confused, Asterixis = true, Skin = SkinFinding.Jaundiced, Reflexes = ReflexGrade.Increased,
            OtherUmnSigns = false,
        },
        Medications = [],
        Conditions = [Condition(ConditionCategory.HepaticEncephalopathy)],
    };

    /// <summary>Infant with unsustained, symmetric clonus, normal tone, no developmental concern or UMN signs; no medications.</summary>
    public static PatientContext Infant(double ageYears = 0.5, int? beats = 10) => new()
    {
        Patient = new PatientInfo { AgeYears = ageYears, Sex = Sex.Male },
        Setting = CareSetting.PediatricClinic,
        Clonus = new ClonusFinding
        {
            Present = true, Types = [ClonusType.Inducible], Sites = [ClonusSite.Ankle], Sustained = false, Beats = beats,
            Laterality = Laterality.Bilateral, Onset = ClonusOnset.Chronic,
        },
        Exam = new Examination { Tone = ToneGrade.Normal, DevelopmentalConcern = false, OtherUmnSigns = false, Weakness = false },
        Medications = [],
        Conditions = [],
    };

    /// <summary>Adult with unsustained, symmetric ankle clonus and an otherwise normal examination; no medications or conditions.</summary>
    public static PatientContext FewBeats(int? beats = 3) => new()
    {
        Patient = new PatientInfo { AgeYears = 30, Sex = Sex.Male },
        Setting = CareSetting.PrimaryCare,
        Clonus = new ClonusFinding
        {
            Present = true, Types = [ClonusType.Inducible], Sites = [ClonusSite.Ankle], Sustained = false, Beats = beats,
            Laterality = Laterality.Bilateral, Onset = ClonusOnset.Chronic,
        },
        Vitals = new Vitals { TemperatureC = 36.8 },
        Exam = new Examination
        {
            Reflexes = ReflexGrade.Increased, Tone = ToneGrade.Normal, OtherUmnSigns = false, Weakness = false, Agitation = false,
            Diaphoresis = false, Tremor = false, MentalStatus = MentalStatus.Normal,
        },
        Medications = [],
        Conditions = [],
    };

    /// <summary>Adult with a recorded UMN lesion and chronic sustained clonus; no medications; eGFR 90.</summary>
    public static PatientContext KnownUmn(ConditionCategory lesion = ConditionCategory.MultipleSclerosis, ClonusOnset onset = ClonusOnset.Chronic) => new()
    {
        Patient = new PatientInfo { AgeYears = 45, Sex = Sex.Male, Egfr = 90 },
        Setting = CareSetting.OutpatientClinic,
        Clonus = Clonus(ClonusType.Inducible) with { Onset = onset },
        Vitals = new Vitals { TemperatureC = 36.9 },
        Exam = new Examination
        {
            Reflexes = ReflexGrade.Increased, Tone = ToneGrade.Increased, Rigidity = RigidityPattern.Spastic, OtherUmnSigns = true,
            Weakness = true, Agitation = false, Diaphoresis = false, Tremor = false, MentalStatus = MentalStatus.Normal,
        },
        Medications = [],
        Conditions = [Condition(lesion)],
    };

    /// <summary>Sustained clonus with Hoffmann/Babinski signs, no recorded lesion, no medications.</summary>
    public static PatientContext NewUmnSigns() => KnownUmn(onset: ClonusOnset.Subacute) with { Conditions = [] };

    /// <summary>The Hunter result computed straight from the clinical picture.</summary>
    public static HunterResult Hunter(PatientContext context) => HunterCriteria.Evaluate(Picture(context));

    /// <summary>The normalised clinical picture, built through the engine's knowledge base.</summary>
    public static ClinicalPicture Picture(PatientContext context) => new(context, Engine.Kb, []);

    public static PatientContext WithExam(this PatientContext context, Func<Examination, Examination> change) =>
        context with { Exam = change(context.Exam ?? new Examination()) };

    public static PatientContext WithClonus(this PatientContext context, Func<ClonusFinding, ClonusFinding> change) =>
        context with { Clonus = change(context.Clonus ?? new ClonusFinding { Present = true }) };

    public static PatientContext WithVitals(this PatientContext context, Func<Vitals, Vitals> change) =>
        context with { Vitals = change(context.Vitals ?? new Vitals()) };

    public static PatientContext WithPatient(this PatientContext context, Func<PatientInfo, PatientInfo> change) =>
        context with { Patient = change(context.Patient ?? new PatientInfo()) };

    public static PatientContext AddMedications(this PatientContext context, params MedicationEntry[] medications) =>
        context with { Medications = [.. context.Medications ?? [], .. medications] };

    public static PatientContext AddConditions(this PatientContext context, params ConditionEntry[] conditions) =>
        context with { Conditions = [.. context.Conditions ?? [], .. conditions] };

    /// <summary>The tier a recommendation landed in; null when absent (pitfalls have no tier).</summary>
    public static RecommendationTier? TierOf(this Assessment a, string code)
    {
        var r = a.Recommendations;
        return r.FirstLine.Any(i => i.Code == code) ? RecommendationTier.FirstLine
            : r.Adjunct.Any(i => i.Code == code) ? RecommendationTier.Adjunct
            : r.Refractory.Any(i => i.Code == code) ? RecommendationTier.Refractory
            : r.Monitoring.Any(i => i.Code == code) ? RecommendationTier.Monitoring
            : r.Workup.Any(i => i.Code == code) ? RecommendationTier.Workup
            : null;
    }

    public static bool HasPitfall(this Assessment a, string code) => a.Pitfalls.Any(p => p.Code == code);

    public static IReadOnlyList<string> CautionsOn(this Assessment a, string code) =>
        a.Item(code)?.Cautions.Select(c => c.Id).ToList() ?? throw new InvalidOperationException($"{code} is not in the assessment");

    /// <summary>Outcome of a rule in the trace ("fired", "not_met", "undetermined", "read"), or null if absent.</summary>
    public static string? Outcome(this Assessment a, string ruleId) => a.Trace.FirstOrDefault(t => t.Rule == ruleId)?.Outcome;

    public static IReadOnlyList<string> MissingFields(this Assessment a) => a.MissingData.Select(m => m.Field).ToList();
}
