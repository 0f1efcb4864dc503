using System.Text.Json.Serialization;

namespace ClonusCds.Core.Model;

// The request contract (shared/contract/api-v1.md). Every field is nullable: null or absent means
// "not known", which the engine must never read as "no".

/// <summary>The patient context a clinician or EHR sends for triage.</summary>
public sealed record PatientContext
{
    /// <summary>Demographics and renal/pregnancy status.</summary>
    public PatientInfo? Patient { get; init; }
    /// <summary>Where the patient is being seen.</summary>
    public CareSetting? Setting { get; init; }
    /// <summary>The clonus finding on this examination. Required.</summary>
    public ClonusFinding? Clonus { get; init; }
    /// <summary>Vital signs.</summary>
    public Vitals? Vitals { get; init; }
    /// <summary>Examination findings, including the Hunter features.</summary>
    public Examination? Exam { get; init; }
    /// <summary>Medication list (≤ 100). Absent = unknown exposure; [] = known to take none.</summary>
    public IReadOnlyList<MedicationEntry>? Medications { get; init; }
    /// <summary>Conditions (≤ 100). Absent = unknown history; [] = none known.</summary>
    public IReadOnlyList<ConditionEntry>? Conditions { get; init; }
    /// <summary>Laboratory results.</summary>
    public LabResults? Labs { get; init; }
    /// <summary>EEG, when performed.</summary>
    public EegFinding? Eeg { get; init; }
    /// <summary>Treatments already tried for the clonus (≤ 50).</summary>
    public IReadOnlyList<TreatmentTrial>? TreatmentHistory { get; init; }

    /// <summary>
    /// Set by adapters (CDS Hooks) when the medication list is known to be incomplete, e.g. a page
    /// of a search could not be read: drug exposure then counts as not fully known. Not part of
    /// the REST contract.
    /// </summary>
    [JsonIgnore]
    public bool MedicationListIncomplete { get; init; }

    /// <summary>Set by adapters when the condition list is known to be incomplete. Not part of the REST contract.</summary>
    [JsonIgnore]
    public bool ConditionListIncomplete { get; init; }
}

/// <summary>Patient demographics.</summary>
public sealed record PatientInfo
{
    /// <summary>Age in years, 0–120; fractional for infants (0.5 = six months).</summary>
    public double? AgeYears { get; init; }
    /// <summary>Administrative sex.</summary>
    public Sex? Sex { get; init; }
    /// <summary>Currently pregnant.</summary>
    public bool? Pregnant { get; init; }
    /// <summary>Gestational age in weeks (1–45), when pregnant.</summary>
    public int? GestationalAgeWeeks { get; init; }
    /// <summary>eGFR, mL/min/1.73 m² (0–200).</summary>
    public double? Egfr { get; init; }
    /// <summary>On dialysis.</summary>
    public bool? OnDialysis { get; init; }
}

/// <summary>The clonus finding on this examination.</summary>
public sealed record ClonusFinding
{
    /// <summary>Clonus observed on this examination. Required.</summary>
    public bool? Present { get; init; }
    /// <summary>Where clonus was elicited or seen.</summary>
    public IReadOnlyList<ClonusSite>? Sites { get; init; }
    /// <summary>Kinds of clonus seen. Hunter criteria distinguish spontaneous, inducible and ocular.</summary>
    public IReadOnlyList<ClonusType>? Types { get; init; }
    /// <summary>Persists as long as the stretch is held.</summary>
    public bool? Sustained { get; init; }
    /// <summary>Beats counted on one stretch (0–1000).</summary>
    public int? Beats { get; init; }
    /// <summary>Bilateral or unilateral.</summary>
    public Laterality? Laterality { get; init; }
    /// <summary>Acute = hours to days; chronic = weeks or longer.</summary>
    public ClonusOnset? Onset { get; init; }
    /// <summary>Hours since the current pattern began.</summary>
    public double? DurationHours { get; init; }
    /// <summary>Confined to one limb segment or muscle group.</summary>
    public bool? Focal { get; init; }
    /// <summary>Interferes with function (transfers, gait, care).</summary>
    public bool? Disabling { get; init; }
}

/// <summary>Vital signs.</summary>
public sealed record Vitals
{
    /// <summary>Core temperature, °C (25–45).</summary>
    public double? TemperatureC { get; init; }
    /// <summary>Temperature rising rapidly.</summary>
    public bool? TemperatureRising { get; init; }
    /// <summary>Heart rate, beats/min (20–300).</summary>
    public int? HeartRateBpm { get; init; }
    /// <summary>Systolic blood pressure, mmHg (20–300).</summary>
    public int? SystolicBp { get; init; }
    /// <summary>Diastolic blood pressure, mmHg (20–300).</summary>
    public int? DiastolicBp { get; init; }
    /// <summary>Respiratory rate, breaths/min (0–80).</summary>
    public int? RespiratoryRate { get; init; }
    /// <summary>Oxygen saturation, % (0–100).</summary>
    public double? Spo2Percent { get; init; }
}

/// <summary>Examination findings.</summary>
public sealed record Examination
{
    /// <summary>Agitation (Hunter feature).</summary>
    public bool? Agitation { get; init; }
    /// <summary>Diaphoresis (Hunter feature).</summary>
    public bool? Diaphoresis { get; init; }
    /// <summary>Tremor (Hunter feature).</summary>
    public bool? Tremor { get; init; }
    /// <summary>Reflexes; increased is Hunter's hyperreflexia.</summary>
    public ReflexGrade? Reflexes { get; init; }
    /// <summary>Tone; increased is Hunter's hypertonia.</summary>
    public ToneGrade? Tone { get; init; }
    /// <summary>Pattern of increased tone.</summary>
    public RigidityPattern? Rigidity { get; init; }
    /// <summary>Pupils.</summary>
    public PupilFinding? Pupils { get; init; }
    /// <summary>Skin.</summary>
    public SkinFinding? Skin { get; init; }
    /// <summary>Mucous membranes.</summary>
    public MucosaFinding? Mucosa { get; init; }
    /// <summary>Bowel sounds.</summary>
    public BowelSounds? BowelSounds { get; init; }
    /// <summary>Mental status.</summary>
    public MentalStatus? MentalStatus { get; init; }
    /// <summary>Weakness.</summary>
    public bool? Weakness { get; init; }
    /// <summary>Other upper-motor-neuron signs: Babinski, Hoffmann, spasticity, sensory level.</summary>
    public bool? OtherUmnSigns { get; init; }
    /// <summary>Asterixis.</summary>
    public bool? Asterixis { get; init; }
    /// <summary>Apnoea episodes.</summary>
    public bool? ApneaEpisodes { get; init; }
    /// <summary>Developmental concern (infants and children).</summary>
    public bool? DevelopmentalConcern { get; init; }
}

/// <summary>One medication on the list.</summary>
public sealed record MedicationEntry
{
    /// <summary>Generic or brand name. Required, ≤ 200 characters.</summary>
    public string? Name { get; init; }
    /// <summary>RxNorm code (ingredient or product), digits only.</summary>
    public string? Rxcui { get; init; }
    /// <summary>active (default), stopped or draft (a proposed order not yet taken).</summary>
    public MedicationStatus? Status { get; init; }
    /// <summary>Recent change.</summary>
    public MedicationChange? Change { get; init; }
    /// <summary>Days since that change.</summary>
    public double? DaysSinceChange { get; init; }
    /// <summary>Route.</summary>
    public MedicationRoute? Route { get; init; }
    /// <summary>Free-text dose, echoed, never parsed for logic.</summary>
    public string? Dose { get; init; }
}

/// <summary>One condition.</summary>
public sealed record ConditionEntry
{
    /// <summary>The engine's own condition category.</summary>
    public ConditionCategory? Category { get; init; }
    /// <summary>ICD-10-CM or SNOMED CT code.</summary>
    public string? Code { get; init; }
    /// <summary>Code system URI.</summary>
    public string? System { get; init; }
    /// <summary>Display text, ≤ 200 characters.</summary>
    public string? Display { get; init; }
    /// <summary>acute or chronic.</summary>
    public ConditionOnset? Onset { get; init; }
}

/// <summary>Laboratory results.</summary>
public sealed record LabResults
{
    /// <summary>Creatine kinase, U/L.</summary>
    public double? CreatineKinaseUPerL { get; init; }
    /// <summary>Serum lithium, mmol/L.</summary>
    public double? LithiumMmolPerL { get; init; }
    /// <summary>Ammonia, µmol/L.</summary>
    public double? AmmoniaUmolPerL { get; init; }
    /// <summary>Sodium, mmol/L.</summary>
    public double? SodiumMmolPerL { get; init; }
    /// <summary>Bicarbonate, mmol/L.</summary>
    public double? BicarbonateMmolPerL { get; init; }
    /// <summary>Creatinine, mg/dL.</summary>
    public double? CreatinineMgPerDl { get; init; }
    /// <summary>INR.</summary>
    public double? Inr { get; init; }
}

/// <summary>EEG findings.</summary>
public sealed record EegFinding
{
    /// <summary>EEG performed.</summary>
    public bool? Performed { get; init; }
    /// <summary>routine, video or continuous.</summary>
    public EegType? Type { get; init; }
    /// <summary>Result.</summary>
    public EegResult? Result { get; init; }
}

/// <summary>A treatment already tried for the clonus.</summary>
public sealed record TreatmentTrial
{
    /// <summary>A recommendation code (e.g. baclofen_first_line) or a drug name. Required.</summary>
    public string? Treatment { get; init; }
    /// <summary>How it went.</summary>
    public TreatmentResponse? Response { get; init; }
}

#pragma warning disable CS1591 // enum members are documented by the contract
public enum Sex { Female, Male, Other, Unknown }
public enum CareSetting { EmergencyDepartment, InpatientWard, Icu, Picu, OperatingRoom, Pacu, OutpatientClinic, PrimaryCare, PediatricClinic, Rehabilitation, Other }
public enum ClonusSite { Ankle, Patellar, Wrist, Jaw, Ocular, LowerLimbs, UpperLimbs, Generalized }
public enum ClonusType { Spontaneous, Inducible, Ocular, StartleInduced, PositionTriggered }
public enum Laterality { Bilateral, Unilateral }
public enum ClonusOnset { Acute, Subacute, Chronic, AcuteOnChronic, Paroxysmal }
public enum ReflexGrade { Increased, Normal, Decreased, Absent }
public enum ToneGrade { Increased, Normal, Decreased }
public enum RigidityPattern { None, Spastic, LeadPipe, GeneralizedRigor }
public enum PupilFinding { Normal, Dilated, Constricted }
public enum SkinFinding { Normal, Diaphoretic, HotDryFlushed, Mottled, Pale, Jaundiced }
public enum MucosaFinding { Moist, Dry }
public enum BowelSounds { Hyperactive, Normal, Decreased, Absent }
public enum MentalStatus { Normal, Agitated, Confused, Delirium, DecreasedConsciousness, Coma }
public enum MedicationStatus { Active, Stopped, Draft }
public enum MedicationChange { New, DoseIncreased, DoseDecreased, Unchanged, Stopped }
public enum MedicationRoute { Oral, Iv, Im, Inhaled, Intrathecal, Topical, Other }
public enum ConditionOnset { Acute, Chronic }
public enum EegType { Routine, Video, Continuous }
public enum EegResult { Normal, Epileptiform, NonEpilepticEventsCaptured }
public enum TreatmentResponse { Effective, Partial, Inadequate, NotTolerated, AdverseReaction }
public enum ConditionCategory
{
    Stroke, MultipleSclerosis, SpinalCordInjury, SpinalCordDisease, TraumaticBrainInjury, CerebralPalsy,
    HypoxicBrainInjury, Encephalopathy, HepaticFailure, HepaticEncephalopathy, ChronicKidneyDisease,
    AcuteKidneyInjury, Epilepsy, Prematurity, PsychiatricIllness, Other, VolumeDepletion,
}
#pragma warning restore CS1591
