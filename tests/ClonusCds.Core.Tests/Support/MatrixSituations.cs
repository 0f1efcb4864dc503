using System.Text.Json;
using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;

namespace ClonusCds.Core.Tests.Support;

/// <summary>
/// A named predicate over (request, assessment) that a completeness-matrix row can require in its
/// <c>when</c>. <see cref="Definition"/> is the exact rule in words: docs/knowledge-base.md
/// ("Completeness matrix") repeats it for the clinical reviewer, so the two must be changed together.
/// </summary>
internal sealed record Situation(string Name, string Definition, Func<PatientContext, Assessment, bool> Holds);

/// <summary>
/// Every situation the completeness matrix (Cases/completeness-matrix.json) may name, implemented
/// once. "Recorded" means the field is present in the request: an absent field is "not known",
/// never "no" (api-v1.md), so a negative situation (afebrile, no agitation) needs the finding
/// recorded. Drug situations read only entries that are taken now (status active or absent);
/// stopped and draft entries do not count.
/// </summary>
internal static class MatrixSituations
{
    /// <summary>Tizanidine label: CYP1A2 inhibitors other than fluvoxamine/ciprofloxacin whose co-use should be avoided [TIZ-LABEL].</summary>
    public static readonly string[] OtherCyp1a2Inhibitors =
        ["famotidine", "cimetidine", "amiodarone", "mexiletine", "propafenone", "verapamil", "acyclovir", "ticlopidine", "zileuton"];

    /// <summary>Items that start, restart or continue oral baclofen.</summary>
    public static readonly string[] BaclofenItems =
        ["baclofen_first_line", "baclofen_titration_schedule", "baclofen_trial_with_stroke_caution", "reinstate_baclofen", "switch_tizanidine_to_baclofen"];

    private const double NewbornYears = 28 / 365.25;
    private const double EightMonthsYears = 8 / 12.0;

    public static IReadOnlyDictionary<string, Situation> All { get; } = new Situation[]
    {
        new("clonus_present", "clonus.present is true.", (r, _) => r.Clonus?.Present == true),
        new("fever", "vitals.temperatureC > 38.0 °C, or vitals.temperatureRising is true.",
            (r, _) => r.Vitals?.TemperatureC > 38.0 || r.Vitals?.TemperatureRising == true),
        new("afebrile", "vitals.temperatureC is recorded and ≤ 38.0 °C, and vitals.temperatureRising is not true (false or not recorded).",
            (r, _) => r.Vitals?.TemperatureC is <= 38.0 && r.Vitals.TemperatureRising != true),
        new("hypothermic", "vitals.temperatureC is recorded and ≤ 35.0 °C (NEWS2 red band).",
            (r, _) => r.Vitals?.TemperatureC is <= 35.0),
        new("agitation", "exam.agitation is true, or exam.mentalStatus is agitated.",
            (r, _) => r.Exam?.Agitation == true || r.Exam?.MentalStatus == MentalStatus.Agitated),
        new("no_agitation", "exam.agitation is recorded false and exam.mentalStatus is neither agitated nor delirium (delirium may be agitated).",
            (r, _) => r.Exam?.Agitation == false && r.Exam.MentalStatus is not (MentalStatus.Agitated or MentalStatus.Delirium)),
        new("altered_mental_status", "exam.mentalStatus is confused, delirium, decreased_consciousness or coma (NEWS2: new confusion or reduced responsiveness).",
            (r, _) => r.Exam?.MentalStatus is MentalStatus.Confused or MentalStatus.Delirium or MentalStatus.DecreasedConsciousness or MentalStatus.Coma),
        new("reduced_consciousness", "exam.mentalStatus is decreased_consciousness or coma (a reduced level of consciousness; confusion alone is 'confusion').",
            (r, _) => r.Exam?.MentalStatus is MentalStatus.DecreasedConsciousness or MentalStatus.Coma),
        new("confusion", "exam.mentalStatus is confused or delirium.",
            (r, _) => r.Exam?.MentalStatus is MentalStatus.Confused or MentalStatus.Delirium),
        new("rigidity", "exam.rigidity is lead_pipe or generalized_rigor (spastic tone is not rigidity).",
            (r, _) => r.Exam?.Rigidity is RigidityPattern.LeadPipe or RigidityPattern.GeneralizedRigor),
        new("ck_raised", "labs.creatineKinaseUPerL > 1000 U/L.", (r, _) => r.Labs?.CreatineKinaseUPerL > 1000),
        new("aki", "a condition with category acute_kidney_injury.", (r, _) => HasCategory(r, "acute_kidney_injury")),
        new("on_dialysis", "patient.onDialysis is true.", (r, _) => r.Patient?.OnDialysis == true),
        new("kidney_impaired", "aki, or patient.onDialysis is true, or patient.egfr < 60 (EXTRIP-LI 'impaired kidney function'; the threshold is this project's reading).",
            (r, _) => HasCategory(r, "acute_kidney_injury") || r.Patient?.OnDialysis == true || r.Patient?.Egfr < 60),
        new("egfr_50_to_80", "patient.egfr is recorded and 50 ≤ eGFR ≤ 80 (mild renal impairment in the baclofen label's CrCl bands as planned for renal_impairment_mild).",
            (r, _) => r.Patient?.Egfr is >= 50 and <= 80),
        new("severe_renal_impairment", "patient.egfr < 30, or patient.onDialysis is true (baclofen avoided: BACLOFEN-CKD).",
            (r, _) => r.Patient?.Egfr < 30 || r.Patient?.OnDialysis == true),
        new("volume_loss", "a condition with category volume_depletion (vomiting, diarrhoea, dehydration), or exam.mucosa dry, or labs.sodiumMmolPerL > 145. Dry mucosa is also an anticholinergic sign: use this situation only with a lithium or other non-anticholinergic picture.",
            (r, _) => HasCategory(r, "volume_depletion") || r.Exam?.Mucosa == MucosaFinding.Dry || r.Labs?.SodiumMmolPerL > 145),
        new("pregnant", "patient.pregnant is true.", (r, _) => r.Patient?.Pregnant == true),
        new("toxic_picture", "etiology.primary is serotonin_toxicity or other_drug_toxicity.", (_, a) => Toxic(a)),
        new("toxic_emergency", "urgency is emergency and a drug toxicity is in play: etiology.primary is serotonin_toxicity or other_drug_toxicity, or the subtype is a toxic one (possible_masked_serotonin_toxicity, a drug-toxicity or withdrawal subtype), or serotonin_toxicity/other_drug_toxicity is a differential marked not excluded.",
            (_, a) => a.Urgency == Urgency.Emergency && (Toxic(a) || a.Etiology.Subtype is { } st && ToxicSubtypes.Contains(st)
                || a.Etiology.Differentials.Any(d => d.NotExcluded && d.Etiology is Etiology.SerotoninToxicity or Etiology.OtherDrugToxicity))),
        new("lithium_listed", "an active medication the knowledge base places as lithium.", (r, _) => HasRole(r, DrugRoles.Lithium)),
        new("lithium_level_over_4", "labs.lithiumMmolPerL > 4.0 (mmol/L = mEq/L).", (r, _) => r.Labs?.LithiumMmolPerL > 4.0),
        new("lithium_level_over_5", "labs.lithiumMmolPerL > 5.0.", (r, _) => r.Labs?.LithiumMmolPerL > 5.0),
        new("mh_trigger_exposure", "a medication the knowledge base places as a malignant-hyperthermia trigger (volatile anaesthetic, succinylcholine), active or stopped (an anaesthetic is usually recorded as stopped once the operation ends); draft orders do not count.",
            (r, _) => HasRole(r, DrugRoles.MhTrigger, includeStopped: true)),
        new("mh_not_excluded", "mh_trigger_exposure, or the answer keeps malignant_hyperthermia as a differential marked not excluded (e.g. an unidentified drug given in theatre).",
            (r, a) => HasRole(r, DrugRoles.MhTrigger, includeStopped: true)
                || a.Etiology.Differentials.Any(d => d.NotExcluded && d.Subtype == EtiologySubtype.MalignantHyperthermia)),
        new("baclofen_exhausted", "treatmentHistory has an entry naming baclofen (a code containing 'baclofen', the drug, or Lioresal/Ozobax/Lyvispah, as the engine reads it) with response inadequate, not_tolerated or adverse_reaction. A partial response is not exhausted: the dose can still be optimised.",
            (r, _) => BaclofenExhausted(r)),
        new("focal", "clonus.focal is true.", (r, _) => r.Clonus?.Focal == true),
        new("disabling", "clonus.disabling is true.", (r, _) => r.Clonus?.Disabling == true),
        new("unsustained_few_beats_normal_exam",
            "clonus present, clonus.sustained recorded false, clonus.beats recorded ≤ 5, laterality not unilateral, no spontaneous/ocular/startle/position-triggered type and no ocular or generalized site; exam.otherUmnSigns recorded false and exam.tone recorded normal; and none of: weakness, tremor, agitation, diaphoresis, asterixis (true), rigidity other than none, reflexes decreased/absent, mentalStatus other than normal.",
            (r, _) => UnsustainedFewBeatsNormalExam(r)),
        new("brisk_symmetric_reflexes_no_other_umn_signs",
            "exam.reflexes increased, clonus laterality not unilateral, exam.otherUmnSigns recorded false, exam.weakness not true.",
            (r, _) => r.Exam?.Reflexes == ReflexGrade.Increased && r.Clonus?.Laterality != Laterality.Unilateral && r.Exam.OtherUmnSigns == false && r.Exam.Weakness != true),
        new("brisk_symmetric_reflexes_umn_signs_unrecorded",
            "exam.reflexes increased, clonus laterality not unilateral, exam.otherUmnSigns not recorded, exam.weakness not true.",
            (r, _) => r.Exam?.Reflexes == ReflexGrade.Increased && r.Clonus?.Laterality != Laterality.Unilateral && r.Exam.OtherUmnSigns is null && r.Exam.Weakness != true),
        new("clonic_attacks_or_triggered",
            "clonus present with type startle_induced or position_triggered, or clonus.onset paroxysmal; and no EEG result epileptiform.",
            (r, _) => r.Clonus?.Present == true
                && ((r.Clonus.Types ?? []).Any(t => t is ClonusType.StartleInduced or ClonusType.PositionTriggered) || r.Clonus.Onset == ClonusOnset.Paroxysmal)
                && r.Eeg?.Result != EegResult.Epileptiform),
        new("apnoea", "exam.apneaEpisodes is true.", (r, _) => r.Exam?.ApneaEpisodes == true),
        new("video_eeg_not_done", "no EEG of type video or continuous recorded as performed, and no EEG result non_epileptic_events_captured (events already classified).",
            (r, _) => !(r.Eeg?.Performed == true && r.Eeg.Type is EegType.Video or EegType.Continuous) && r.Eeg?.Result != EegResult.NonEpilepticEventsCaptured),
        new("newborn", "patient.ageYears < 28 days (28/365.25 years).", (r, _) => r.Patient?.AgeYears < NewbornYears),
        new("infant_under_1", "patient.ageYears < 1.", (r, _) => r.Patient?.AgeYears < 1),
        new("infant_over_8_months_persisting", "clonus present and 8 months < patient.ageYears < 1 year (INFANT169: ≤ 10 beats persisting beyond 8 months predicted abnormal outcome; the cohort is first-year infants).",
            (r, _) => r.Clonus?.Present == true && r.Patient?.AgeYears is > EightMonthsYears and < 1),
        new("infant_over_10_beats", "patient.ageYears < 1 and clonus present with clonus.beats > 10 or clonus.sustained true.",
            (r, _) => r.Patient?.AgeYears < 1 && r.Clonus?.Present == true && (r.Clonus.Beats > 10 || r.Clonus.Sustained == true)),
        new("high_tone", "exam.tone is increased.", (r, _) => r.Exam?.Tone == ToneGrade.Increased),
        new("low_tone_with_weakness", "exam.tone is decreased and exam.weakness is true.", (r, _) => r.Exam?.Tone == ToneGrade.Decreased && r.Exam.Weakness == true),
        new("any_baclofen_item", "the answer holds an item that starts, restarts or continues oral baclofen: " + string.Join(", ", BaclofenItems) + ".",
            (_, a) => a.AllCodes().Any(c => BaclofenItems.Contains(c))),
        new("imaging_recommended", "the answer holds mri_spine_brain.", (_, a) => a.AllCodes().Contains("mri_spine_brain")),
        new("tizanidine_with_potent_cyp1a2_inhibitor", "active tizanidine and an active drug the knowledge base places as a CYP1A2 inhibitor (fluvoxamine, ciprofloxacin).",
            (r, _) => HasRole(r, DrugRoles.Tizanidine) && HasRole(r, DrugRoles.Cyp1a2Inhibitor)),
        new("tizanidine_with_other_cyp1a2_inhibitor", "active tizanidine and an active medication whose name contains one of: " + string.Join(", ", OtherCyp1a2Inhibitors) + " (tizanidine label: avoid; not contraindicated).",
            (r, _) => HasRole(r, DrugRoles.Tizanidine) && Active(r).Any(m => OtherCyp1a2Inhibitors.Any(n => m.Name!.Contains(n, StringComparison.OrdinalIgnoreCase)))),
        new("low_tier_serotonergic_only", "serotoninToxicity lists at least one agent taken, recently stopped or proposed (status not stopped), and every such agent has risk tier low (triptans, 5-HT3 antagonists, lithium, buspirone, trazodone…).",
            (_, a) => a.SerotoninToxicity is { } st && st.SerotonergicAgents.Any(g => g.Status != "stopped")
                && st.SerotonergicAgents.Where(g => g.Status != "stopped").All(g => g.RiskTier == "low")),
        new("hunter_not_met", "serotoninToxicity.hunterCriteriaMet is false (not null).", (_, a) => a.SerotoninToxicity?.HunterCriteriaMet == false),
        new("abrupt_stop_hazard_agent", "an active medication that is on the serotonergic list but dangerous to stop abruptly: a drug the knowledge base places as both serotonergic and antiepileptic (valproate, carbamazepine), or methadone.",
            (r, _) => Active(r).Any(m => m.Name!.Contains("methadone", StringComparison.OrdinalIgnoreCase)) || HasBothRoles(r, DrugRoles.Serotonergic, DrugRoles.Antiepileptic)),
        new("serotonergic_exposure_current", "serotoninToxicity.exposureCurrent is true (an active serotonergic agent, or one stopped within its washout).",
            (_, a) => a.SerotoninToxicity?.ExposureCurrent == true),
    }.ToDictionary(s => s.Name, StringComparer.Ordinal);

    public static string Wire<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static bool Toxic(Assessment a) => a.Etiology.Primary is Etiology.SerotoninToxicity or Etiology.OtherDrugToxicity;

    /// <summary>Compares the category's wire name, so that a category not yet in the enum (volume_depletion) still compiles.</summary>
    private static bool HasCategory(PatientContext r, string category) =>
        (r.Conditions ?? []).Any(c => c.Category is { } k && Wire(k) == category);

    private static readonly EtiologySubtype[] ToxicSubtypes =
    [
        EtiologySubtype.PossibleMaskedSerotoninToxicity, EtiologySubtype.NeurolepticMalignantSyndrome, EtiologySubtype.AnticholinergicToxicity,
        EtiologySubtype.MalignantHyperthermia, EtiologySubtype.LithiumToxicity, EtiologySubtype.BaclofenToxicity, EtiologySubtype.BaclofenWithdrawal,
        EtiologySubtype.ParkinsonismHyperpyrexiaSyndrome,
    ];

    // Being taken: status active (or absent) and not recorded as stopped by its change either.
    private static IEnumerable<MedicationEntry> Active(PatientContext r) =>
        (r.Medications ?? []).Where(m => m.Name is not null && m.Status is null or MedicationStatus.Active && m.Change != MedicationChange.Stopped);

    private static bool HasRole(PatientContext r, string role, bool includeStopped = false)
    {
        var matches = new List<DrugMatch>();
        var entries = includeStopped ? (r.Medications ?? []).Where(m => m.Name is not null && m.Status != MedicationStatus.Draft) : Active(r);
        foreach (var m in entries)
        {
            Engine.Kb.DrugVocabulary.Match(m.Rxcui, m.Name, matches);
        }

        return matches.Any(d => d.Drug.Roles.Contains(role));
    }

    private static bool HasBothRoles(PatientContext r, string role1, string role2)
    {
        var matches = new List<DrugMatch>();
        foreach (var m in Active(r))
        {
            Engine.Kb.DrugVocabulary.Match(m.Rxcui, m.Name, matches);
        }

        return matches.Any(d => d.Drug.Roles.Contains(role1) && d.Drug.Roles.Contains(role2));
    }

    private static bool BaclofenExhausted(PatientContext r) =>
        (r.TreatmentHistory ?? []).Any(t => t.Treatment is { } name
            && t.Response is TreatmentResponse.Inadequate or TreatmentResponse.NotTolerated or TreatmentResponse.AdverseReaction
            && new[] { "baclofen", "lioresal", "ozobax", "lyvispah" }.Any(b => name.Contains(b, StringComparison.OrdinalIgnoreCase)));

    private static bool UnsustainedFewBeatsNormalExam(PatientContext r)
    {
        var c = r.Clonus;
        var e = r.Exam;
        return c?.Present == true && c.Sustained == false && c.Beats is <= 5 && c.Laterality != Laterality.Unilateral
            && !(c.Types ?? []).Any(t => t is ClonusType.Spontaneous or ClonusType.Ocular or ClonusType.StartleInduced or ClonusType.PositionTriggered)
            && !(c.Sites ?? []).Any(s => s is ClonusSite.Ocular or ClonusSite.Generalized)
            && e is not null && e.OtherUmnSigns == false && e.Tone == ToneGrade.Normal
            && e.Weakness != true && e.Tremor != true && e.Agitation != true && e.Diaphoresis != true && e.Asterixis != true
            && e.Rigidity is null or RigidityPattern.None
            && e.Reflexes is not (ReflexGrade.Decreased or ReflexGrade.Absent)
            && e.MentalStatus is null or MentalStatus.Normal;
    }
}
