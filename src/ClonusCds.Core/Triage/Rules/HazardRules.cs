using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;
using C = ClonusCds.Core.KnowledgeBase.Codes;
using K = ClonusCds.Core.KnowledgeBase.CautionCodes;
using T = ClonusCds.Core.Model.RecommendationTier;

namespace ClonusCds.Core.Triage.Rules;

// Rules that act on every hazard still open, not only on the primary etiology: the safety actions of
// each emergency differential not excluded, the serotonin/NMS overlap, withdrawal events, structural
// red flags beside unplaced drugs, fluids, the physiology floor and restraints.

/// <summary>
/// PHS-MGMT. When the parkinsonism-hyperpyrexia syndrome is primary. Then reinstate the dopaminergic
/// drug (by nasogastric tube or a non-oral agent when needed), cool, give fluids, monitor in intensive
/// care and follow CK; stop any dopamine antagonist and avoid new ones. [NEWMAN2009; AAP-T7; brief §5.3]
/// </summary>
internal sealed class ParkinsonismHyperpyrexiaManagement : IManagementRule
{
    public string Id => "PHS-MGMT";
    public string Description => "Parkinsonism-hyperpyrexia syndrome: reinstate dopaminergic therapy, supportive care";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Subtype != EtiologySubtype.ParkinsonismHyperpyrexiaSyndrome)
        {
            return false;
        }

        HazardSafety.Apply(s, Candidate.ParkinsonismHyperpyrexiaSyndrome, Id);
        var o = s.Out;
        o.Recommend(C.IcuAdmission, Id, "The parkinsonism-hyperpyrexia syndrome can progress to rhabdomyolysis, renal failure and death.");
        o.Recommend(C.MonitorComplicationLabs, Id, "Rigidity and fever drive CK and renal injury.");
        return true;
    }
}

/// <summary>
/// DIFF-SAFETY. When a toxic cause other than the primary stays in the differential, not excluded
/// (its trigger and hallmark are present, or it rests on data not given). Then its safety actions are
/// added, each marked with the differential it serves: keeping a dangerous alternative open means
/// acting safely for it until it is excluded. [BOYER2005; RCEM; brief §5.4]
/// </summary>
internal sealed class DifferentialSafetyRule : IManagementRule
{
    public string Id => "DIFF-SAFETY";
    public string Description => "Safety actions of every toxic differential not excluded";

    public bool Apply(TriageState s)
    {
        var fired = false;
        foreach (var call in s.OpenHazards)
        {
            if (DifferentialWeigher.Of(call) is { } candidate && candidate != DifferentialWeigher.Of(s.Primary))
            {
                s.Out.Serving = call.Subtype is { } sub ? DiscriminatorTable.Wire(sub) : DiscriminatorTable.Wire(call.Etiology);
                HazardSafety.Apply(s, candidate, Id);
                s.Out.Serving = null;
                fired = true;
            }
        }

        return fired;
    }
}

/// <summary>The safety actions that belong to each toxic cause, whether primary or a differential.</summary>
internal static class HazardSafety
{
    public static void Apply(TriageState s, Candidate candidate, string id)
    {
        var o = s.Out;
        var p = s.Picture;
        var feverPossible = p.FeverOrRising.IsPossible;
        switch (candidate)
        {
            case Candidate.SerotoninToxicity:
                o.Recommend(C.DiscontinueSerotonergicAgents, id, "Serotonin toxicity is not excluded: stop serotonergic drugs and add none.");
                if (s.Primary.Subtype != EtiologySubtype.HepaticEncephalopathy)
                {
                    // Hepatic encephalopathy as the likely cause: sedatives precipitate it, so an
                    // unconfirmed toxicity does not earn a benzodiazepine (HE-MGMT names the pitfall).
                    var hepatic = p.Has(ConditionCategory.HepaticEncephalopathy) || p.Has(ConditionCategory.HepaticFailure);
                    o.Recommend(C.Benzodiazepine, id, "Neuromuscular hyperactivity and agitation, whichever toxidrome proves responsible.",
                        cautions: hepatic ? [K.HepaticEncephalopathySedation] : []);
                }
                o.Recommend(C.ContinuousCardiacMonitoring, id, "Serotonin toxicity is not excluded and can progress within hours.");
                if (feverPossible)
                {
                    o.Recommend(C.ExternalCooling, id, "Fever (or temperature unknown) with serotonin toxicity not excluded.");
                }

                o.Pitfall(C.AvoidAntipsychoticsUntilNmsExcluded, id, "Serotonin toxicity is not excluded.");
                // Restraints: SAFE-RESTRAINTS, for agitation or a toxic emergency.
                break;
            case Candidate.NeurolepticMalignantSyndrome:
                if (p.OnBoard(DrugRoles.DopamineAntagonist))
                {
                    o.Recommend(C.DiscontinueDopamineAntagonist, id, "NMS is not excluded: stop the dopamine antagonist.");
                }

                if (feverPossible)
                {
                    o.Recommend(C.ExternalCooling, id, "Hyperthermia (or temperature unknown) with NMS not excluded.");
                }

                o.Recommend(C.IvFluids, id, "Supportive care while NMS is not excluded.", T.Adjunct);
                o.Recommend(C.ContinuousCardiacMonitoring, id, "Autonomic instability in NMS.");
                o.Recommend(C.MonitorComplicationLabs, id, "Rigidity drives rhabdomyolysis; follow CK.");
                o.Pitfall(C.AvoidDopamineAntagonists, id, "NMS is not excluded.");
                break;
            case Candidate.ParkinsonismHyperpyrexiaSyndrome:
                o.Recommend(C.ReinstateDopaminergicTherapy, id, "A dopaminergic drug was stopped or reduced.");
                if (p.OnBoard(DrugRoles.DopamineAntagonist))
                {
                    o.Recommend(C.DiscontinueDopamineAntagonist, id, "A dopamine antagonist deepens the dopamine deficit.");
                }

                if (feverPossible)
                {
                    o.Recommend(C.ExternalCooling, id, "Hyperthermia (or temperature unknown) after dopaminergic withdrawal.");
                }

                o.Recommend(C.IvFluids, id, "Dehydration and autonomic instability.", T.Adjunct);
                o.Recommend(C.ContinuousCardiacMonitoring, id, "Autonomic instability.");
                o.Pitfall(C.AvoidDopamineAntagonists, id, "Dopaminergic withdrawal.");
                break;
            case Candidate.MalignantHyperthermia:
                o.Recommend(C.StopTriggerAndGiveDantrolene, id, "Malignant hyperthermia is not excluded: stop any volatile agent or succinylcholine and have dantrolene ready.");
                o.Recommend(C.ExternalCooling, id, "Hyperthermia in theatre or recovery.");
                o.Recommend(C.ContinuousCardiacMonitoring, id, "Arrhythmia and instability in malignant hyperthermia.");
                o.Pitfall(C.AvoidSuccinylcholine, id, "Succinylcholine triggers malignant hyperthermia.");
                break;
            case Candidate.AnticholinergicToxicity:
                o.Recommend(C.EcgQrsQtc, id, "Anticholinergic toxicity is not excluded: QRS and QTc.");
                o.Recommend(C.ContinuousCardiacMonitoring, id, "Tachyarrhythmia risk.");
                o.Caution(C.Cyproheptadine, K.AnticholinergicFeaturesPresent);
                break;
            case Candidate.BaclofenWithdrawal:
                Reinstate(s, id, s.Picture.WithdrawalEvent(DrugRoles.Baclofen, ClinicalPicture.BaclofenWithdrawalWindowDays) is not null
                    ? "Baclofen was stopped, reduced or interrupted days ago and withdrawal is not excluded."
                    : "An intrathecal pump can fail with no change recorded: withdrawal is not excluded until delivery is confirmed.");
                if (feverPossible)
                {
                    o.Recommend(C.ExternalCooling, id, "Withdrawal hyperthermia (or temperature unknown).");
                }

                o.Recommend(C.ContinuousCardiacMonitoring, id, "Autonomic instability in baclofen withdrawal.");
                break;
            case Candidate.BaclofenToxicity:
                o.Recommend(C.NephrologyConsult, id, "Baclofen accumulation with eGFR below 30 or dialysis is not excluded.");
                o.Recommend(C.ContinuousCardiacMonitoring, id, "Bradycardia and hypotension occur in baclofen toxicity.");
                o.Pitfall(C.BaclofenRenalAccumulation, id, "Baclofen with severe renal impairment.");
                break;
            case Candidate.LithiumToxicity:
                o.Recommend(C.HoldLithiumCheckLevel, id, "Lithium toxicity is not excluded.", T.Workup);
                break;
        }
    }

    /// <summary>Restore baclofen; for an intrathecal interruption, the pump and catheter first.</summary>
    public static void Reinstate(TriageState s, string id, string because)
    {
        var p = s.Picture;
        var intrathecal = p.WithdrawalEvent(DrugRoles.Baclofen, ClinicalPicture.BaclofenWithdrawalWindowDays, interruptedOnly: true) is not null;
        foreach (var m in p.Medications)
        {
            intrathecal |= m.Is(DrugRoles.Baclofen) && m.Entry.Route == MedicationRoute.Intrathecal;
        }

        if (intrathecal)
        {
            s.Out.Recommend(C.IntrathecalPumpInterrogation, id, "Intrathecal delivery was interrupted or reduced: restore it first; oral baclofen is only a bridge.");
        }

        // Restoring baclofen in severe renal impairment is still the treatment of withdrawal, at a
        // reduced dose and with close monitoring: the conflict is shown, not hidden.
        string[] cautions = (intrathecal, p.SevereRenalImpairment.IsYes) switch
        {
            (true, true) => [K.IntrathecalBaclofenWithdrawal, K.RenalImpairmentSevere],
            (true, false) => [K.IntrathecalBaclofenWithdrawal],
            (false, true) => [K.RenalImpairmentSevere],
            _ => [],
        };
        s.Out.Recommend(C.ReinstateBaclofen, id, because, cautions: cautions);
    }
}

/// <summary>
/// ST-NMS-OVERLAP. When serotonin toxicity and neuroleptic malignant syndrome are both primary or
/// not excluded. Then say so (overlap pitfall) and manage safely for both: stop serotonergic and
/// dopamine-antagonist drugs, cool, benzodiazepines, fluids, intensive care and toxicology; no
/// succinylcholine, no dopamine antagonists; name the conflicting treatments (bromocriptine,
/// dantrolene, cyproheptadine). [BOYER2005; RCEM; ACCESSMED; brief §5.4]
/// </summary>
internal sealed class SerotoninNmsOverlapRule : IManagementRule
{
    public string Id => "ST-NMS-OVERLAP";
    public string Description => "Serotonin toxicity and NMS both open → safe for both, conflicts named";

    public bool Apply(TriageState s)
    {
        if (!s.NotExcluded(Candidate.SerotoninToxicity) || !s.NotExcluded(Candidate.NeurolepticMalignantSyndrome))
        {
            return false;
        }

        var o = s.Out;
        var p = s.Picture;
        o.Because("Serotonin toxicity and neuroleptic malignant syndrome both remain possible: management is kept safe for both until one is excluded.");
        o.Recommend(C.DiscontinueSerotonergicAgents, Id, "Serotonin toxicity and NMS overlap: stop every serotonergic drug.");
        if (p.OnBoard(DrugRoles.DopamineAntagonist))
        {
            o.Recommend(C.DiscontinueDopamineAntagonist, Id, "Serotonin toxicity and NMS overlap: stop every dopamine antagonist.");
        }

        o.Recommend(C.ExternalCooling, Id, "Both syndromes cause hyperthermia from muscle activity.", T.FirstLine);
        o.Recommend(C.Benzodiazepine, Id, "Safe in both syndromes for agitation and rigidity.");
        o.Recommend(C.IvFluids, Id, "Both syndromes cause dehydration and rhabdomyolysis.");
        o.Recommend(C.IcuAdmission, Id, "Two life-threatening syndromes not yet separated.");
        o.Recommend(C.ToxicologyConsult, Id, "Specialist help to separate serotonin toxicity from NMS.");
        o.Pitfall(C.SerotoninToxicityNmsOverlap, Id, "Features of both serotonin toxicity and NMS, with the drugs for both on board.", K.ConflictStNmsTreatments);
        o.Pitfall(C.AvoidSuccinylcholine, Id, "Rhabdomyolysis risk if intubation is needed.");
        o.Pitfall(C.AvoidDopamineAntagonists, Id, "NMS is not excluded.");
        o.Pitfall(C.AvoidBromocriptineDantroleneInSt, Id, "Serotonin toxicity is not excluded: bromocriptine can worsen it.");
        o.Caution(C.Cyproheptadine, K.ConflictStNmsTreatments);
        return true;
    }
}

/// <summary>
/// SAFE-BACLOFEN-WD-EVENT. When baclofen was stopped, reduced or interrupted in the last 3 days (or on
/// an unknown day), whatever the symptoms so far, unless baclofen toxicity is possible, eGFR is below
/// 30 or the patient is on dialysis (the stop may be deliberate), or baclofen caused an adverse
/// reaction or was not tolerated. Then restore it (intrathecal: the pump first) and taper any
/// intended reduction: withdrawal follows the event by hours to days. [BACLOFEN-LABEL; COFFEY2002]
/// </summary>
internal sealed class BaclofenWithdrawalEventRule : IManagementRule
{
    public string Id => "SAFE-BACLOFEN-WD-EVENT";
    public string Description => "Baclofen stopped, reduced or interrupted → restore it and taper";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        if (p.WithdrawalEvent(DrugRoles.Baclofen, ClinicalPicture.BaclofenWithdrawalWindowDays) is null
            || s.NotExcluded(Candidate.BaclofenToxicity) || p.SevereRenalImpairment.IsYes
            || TreatmentHistory.Of(p.Context).Intolerable("baclofen"))
        {
            return false;
        }

        HazardSafety.Reinstate(s, Id, "Baclofen was stopped, reduced or interrupted within the last 3 days: restore the previous dose, and taper if a reduction is intended.");
        s.Out.Pitfall(C.BaclofenAbruptWithdrawalRisk, Id, "Baclofen was stopped, reduced or interrupted recently.");
        return true;
    }
}

/// <summary>
/// UMN-RED-FLAG. When sustained clonus is unilateral or focal, with weakness or other UMN signs, no
/// UMN lesion is recorded, and the Hunter criteria are not met. Then imaging and urgent neurology,
/// whatever else stays open: an unplaced drug keeps a toxic cause in the differential but does not
/// hold back the structural work-up. [NORMAL-CLONUS; SEED-000]
/// </summary>
internal sealed class StructuralRedFlagRule : IManagementRule
{
    public string Id => "UMN-RED-FLAG";
    public string Description => "Focal or unilateral sustained clonus with UMN signs, no known lesion → imaging and urgent neurology";

    public bool Apply(TriageState s)
    {
        if (!Present(s))
        {
            return false;
        }

        var o = s.Out;
        o.Recommend(C.MriSpineBrain, Id, "Unilateral or focal sustained clonus with weakness or other UMN signs and no known lesion.", T.FirstLine);
        o.Recommend(C.UrgentNeurologyReferral, Id, "Focal UMN signs.");
        o.Recommend(C.FullNeuroExamOtherUmnSigns, Id, "Document Babinski, Hoffmann, asymmetry, weakness, sensory level and sphincters.");
        o.AtLeast(Urgency.Urgent);
        if (s.Primary.Etiology != Etiology.UmnLesion)
        {
            o.Differential(Etiology.UmnLesion, EtiologySubtype.NewUndiagnosedUmnLesion,
                "Unilateral or focal sustained clonus with other UMN signs points to a structural lesion.", notExcluded: true);
        }

        return true;
    }

    /// <summary>The red flag: focal or unilateral sustained clonus with UMN signs, no recorded lesion, Hunter not met.</summary>
    public static bool Present(TriageState s)
    {
        var p = s.Picture;
        var c = p.Context.Clonus;
        var e = p.Context.Exam;
        return p.ClonusPresent && p.Sustained.IsYes && !p.HasUmnCondition && !s.HunterMet.IsYes
            && (c?.Laterality == Laterality.Unilateral || c?.Focal == true)
            && (e?.Weakness == true || e?.OtherUmnSigns == true);
    }
}

/// <summary>
/// UNPLACED-INPUTS. When a medication or condition cannot be placed in the vocabularies. Then name it
/// in missingData with what to confirm; a drug nobody can place keeps a drug cause open (a toxicology
/// history and screen, and a not-excluded drug-toxicity differential) without blocking the rest of the
/// answer. Unknown is named, not contagious. [api-v1.md; brief §2 rule 1]
/// </summary>
internal sealed class UnplacedInputRule : IManagementRule
{
    public string Id => "UNPLACED-INPUTS";
    public string Description => "Name what the vocabulary could not place and what to confirm";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        var o = s.Out;
        var drugs = 0;
        foreach (var u in p.Unrecognized)
        {
            if (u.Kind == "medication")
            {
                drugs++;
                o.MissingData(u.Path, $"'{u.Value}' is not in the drug vocabulary: confirm whether it is serotonergic, a dopamine antagonist or dopaminergic, anticholinergic or an anaesthetic trigger. Until then a drug cause stays open.");
            }
            else
            {
                o.MissingData(u.Path, $"'{u.Value}' is not in the condition vocabulary: confirm whether it is an upper-motor-neuron lesion, liver failure, encephalopathy or kidney disease.");
            }
        }

        if (drugs > 0 && p.ClonusPresent && !s.PrimaryIsToxicity)
        {
            o.Recommend(C.ObtainMedicationHistoryAndToxScreen, Id, "A medication on the list could not be identified: confirm what it is before excluding a drug cause.", T.Workup);
            o.Differential(Etiology.OtherDrugToxicity, null, "A medication on the list could not be placed; a drug cause is not excluded until it is identified.", notExcluded: true);
        }

        return p.Unrecognized.Count > 0;
    }
}

/// <summary>
/// SAFE-FLUIDS. When CK is above 1,000 U/L (about five times the upper limit: rhabdomyolysis), or in a
/// toxic picture the creatinine is above 1.5 mg/dL or the mucosa is dry (dehydration; not when the dry
/// mucosa is the anticholinergic toxidrome itself), and the patient is not on dialysis. Then IV fluids.
/// Thresholds pending clinical sign-off. [SEED-001; BOYER2005; ACCESSMED]
/// </summary>
internal sealed class FluidsRule : IManagementRule
{
    public const double CkRhabdomyolysisUPerL = 1000;
    public const double CreatinineHighMgPerDl = 1.5;

    public string Id => "SAFE-FLUIDS";
    public string Description => "High CK, or high creatinine or dehydration in a toxic picture → IV fluids";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        if (p.Context.Patient?.OnDialysis == true)
        {
            return false;
        }

        var labs = p.Context.Labs;
        var toxic = s.PrimaryIsToxicity || s.OpenHazards.Count > 0;
        var ck = labs?.CreatineKinaseUPerL > CkRhabdomyolysisUPerL;
        var creatinine = toxic && ((labs?.CreatinineMgPerDl > CreatinineHighMgPerDl && !p.SevereRenalImpairment.IsYes) || p.Has(ConditionCategory.AcuteKidneyInjury));
        var dry = toxic && p.Context.Exam?.Mucosa == MucosaFinding.Dry && !s.NotExcluded(Candidate.AnticholinergicToxicity);
        if (!ck && !creatinine && !dry)
        {
            return false;
        }

        s.Out.Recommend(C.IvFluids, Id, ck ? "CK above 1,000 U/L: rhabdomyolysis needs fluids to protect the kidneys."
            : creatinine ? "Raised creatinine or acute kidney injury in a toxic picture: fluids for dehydration and pigment injury." : "Dry mucosa in a toxic picture: dehydration.");
        s.Out.Recommend(C.MonitorComplicationLabs, Id, "Follow CK, creatinine, potassium and acid-base.");
        return true;
    }
}

/// <summary>
/// PHYS-FLOOR. Whatever the etiology: vital signs in a NEWS2 red band, an aggregate of 7 or more, heart
/// rate below 50 or temperature of 40 °C or more (a rising temperature in a toxic picture) make the
/// answer an emergency with immediate review and continuous monitoring, and hold back routine oral
/// antispastic initiation and titration; an aggregate of 5–6 or possibly new confusion makes it at least
/// urgent. Vital signs not given are named in missingData. [NEWS2; ETG; BMJBP; brief §5.1]
/// </summary>
internal sealed class PhysiologyFloorRule : IManagementRule
{
    private static readonly string[] OralTitration =
    [
        C.BaclofenTitrationSchedule, C.BaclofenFirstLine, C.BaclofenTrialWithStrokeCaution, C.SwitchTizanidineToBaclofen,
    ];

    public string Id => "PHYS-FLOOR";
    public string Description => "Vital signs set the pace: NEWS2 red score or aggregate → emergency or urgent";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        var o = s.Out;
        var toxic = s.PrimaryIsToxicity || s.OpenHazards.Count > 0 || s.Primary.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity;
        var result = Physiology.Evaluate(p.Kb.Reasoning.Physiology, p.Context, toxic);
        NameMissing(s, result);
        if (result.Floor is not { } floor)
        {
            return false;
        }

        o.AtLeast(floor);
        foreach (var finding in result.Findings)
        {
            o.Because(finding);
        }

        if (result.Emergency)
        {
            o.Recommend(C.ImmediateReviewAbnormalPhysiology, Id, "Vital signs in the emergency range (the rationale names each one).", T.FirstLine);
            o.Recommend(C.ContinuousCardiacMonitoring, Id, "Physiologically unstable.");
            List<string>? deferred = null;
            foreach (var code in OralTitration)
            {
                if (o.Remove(code))
                {
                    (deferred ??= new(4)).Add(code);
                }
            }

            if (deferred is not null)
            {
                o.Because("Routine oral antispastic initiation and titration are held back until the vital signs are stable.");
                o.Trace.Note(Id, "Held back until the physiology is stable", deferred);
            }
        }

        return true;
    }

    private static readonly string[] ToxicRoles =
    [
        DrugRoles.Serotonergic, DrugRoles.DopamineAntagonist, DrugRoles.Dopaminergic, DrugRoles.MhTrigger, DrugRoles.Anticholinergic,
        DrugRoles.Baclofen, DrugRoles.Lithium,
    ];

    /// <summary>A drug behind one of the toxic look-alikes is on board (or was just stopped).</summary>
    private static bool ToxicDrugOnBoard(ClinicalPicture p)
    {
        foreach (var role in ToxicRoles)
        {
            if (p.OnBoard(role))
            {
                return true;
            }
        }

        return false;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<string>, string> VitalsMessages = [];

    private static void NameMissing(TriageState s, PhysiologyResult result)
    {
        var o = s.Out;
        // The labels list is cached per set of missing parameters, so is its message.
        var vitalsMissing = result.Missing.Count > (s.Picture.Context.Exam?.MentalStatus is null ? 1 : 0);
        if (vitalsMissing)
        {
            o.MissingData("vitals", VitalsMessages.GetValue(result.Missing, static labels =>
                $"Not recorded: {string.Join(", ", labels.Where(l => l != "mental status"))}. The vital signs set the pace whatever the cause (NEWS2); without them the urgency rests on the findings alone."));
        }
        else if (s.Picture.Context.Vitals?.TemperatureRising is null
            && (s.PrimaryIsToxicity || s.OpenHazards.Count > 0 || s.Picture.TemperatureAbove38.IsYes || ToxicDrugOnBoard(s.Picture)))
        {
            o.MissingData("vitals.temperatureRising", "Whether the temperature is rising sets the pace: rising fast in a toxic picture is an emergency (eTG; BMJ Best Practice).");
        }

        if (s.Picture.Context.Exam?.MentalStatus is null)
        {
            o.MissingData("exam.mentalStatus", "Level of consciousness is part of NEWS2: reduced responsiveness makes an emergency whatever the cause.");
        }
    }
}

/// <summary>
/// SAFE-RESTRAINTS. When the answer is a toxic emergency (primary or a toxic differential not
/// excluded) or the patient is agitated. Then avoid physical restraints: isometric contraction against
/// them worsens hyperthermia and lactic acidosis; control agitation with benzodiazepines.
/// [SEED-001; BOYER2005]
/// </summary>
internal sealed class RestraintRule : IManagementRule
{
    public string Id => "SAFE-RESTRAINTS";
    public string Description => "Toxic emergency or agitation → avoid physical restraints";

    public bool Apply(TriageState s)
    {
        var toxicEmergency = s.Out.Urgency == Urgency.Emergency
            && (s.PrimaryIsToxicity || s.OpenHazards.Count > 0 || s.Primary.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity);
        var agitated = s.Picture.Agitation.IsYes;
        if (!toxicEmergency && !agitated)
        {
            return false;
        }

        s.Out.Pitfall(C.AvoidPhysicalRestraints, Id, agitated ? "The patient is agitated." : "A toxic emergency.");
        return true;
    }
}

/// <summary>
/// OBS-PREECLAMPSIA. Whatever the call: a pregnant woman (from 20 weeks, or gestation not recorded)
/// with clonus or brisk reflexes and a blood pressure of 140 systolic or 90 diastolic or more. Then
/// pre-eclampsia is not excluded: obstetric assessment now (first line) and the pitfall; at least
/// urgent, an emergency in the severe range (160 systolic or 110 diastolic). A blood pressure not
/// recorded is named as missing, never read as normal. [NICE-NG133; ACOG-PB222]
/// </summary>
internal sealed class PreeclampsiaRule : IManagementRule
{
    /// <summary>Raised and severe-range thresholds (mmHg), NICE NG133 and ACOG PB 222.</summary>
    public const int RaisedSystolic = 140, RaisedDiastolic = 90, SevereSystolic = 160, SevereDiastolic = 110;

    public string Id => "OBS-PREECLAMPSIA";
    public string Description => "Pregnancy + clonus or brisk reflexes + raised blood pressure → pre-eclampsia not excluded";

    /// <summary>Pregnant (from 20 weeks, or gestation unrecorded), clonus or brisk reflexes, and either pressure raised.</summary>
    internal static bool Applies(ClinicalPicture p) => InPregnancyWithSigns(p) && Raised(p.Context.Vitals);

    private static bool InPregnancyWithSigns(ClinicalPicture p) =>
        p.Context.Patient?.Pregnant == true && p.Context.Patient.GestationalAgeWeeks is not < 20
        && (p.ClonusPresent || p.Context.Exam?.Reflexes == ReflexGrade.Increased);

    private static bool Raised(Vitals? v) => v?.SystolicBp >= RaisedSystolic || v?.DiastolicBp >= RaisedDiastolic;

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        var c = p.Context;
        if (!InPregnancyWithSigns(p))
        {
            return false;
        }

        var systolic = c.Vitals?.SystolicBp;
        var diastolic = c.Vitals?.DiastolicBp;
        if (!Raised(c.Vitals))
        {
            const string why = "In pregnancy, clonus or brisk reflexes with a raised blood pressure (140/90 or more) is pre-eclampsia until excluded.";
            if (systolic is null)
            {
                s.Out.MissingData("vitals.systolicBp", why);
            }

            if (diastolic is null)
            {
                s.Out.MissingData("vitals.diastolicBp", why);
            }

            return false;
        }

        var severe = systolic >= SevereSystolic || diastolic >= SevereDiastolic;
        var reading = $"{(systolic is { } sys ? sys.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")}/{(diastolic is { } dia ? dia.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")} mmHg";
        s.Out.Because(severe
            ? $"Pregnant with {(p.ClonusPresent ? "clonus" : "brisk reflexes")} and a blood pressure of {reading}, in the severe range: pre-eclampsia is not excluded and is an emergency."
            : $"Pregnant with {(p.ClonusPresent ? "clonus" : "brisk reflexes")} and a blood pressure of {reading}: pre-eclampsia is not excluded.");
        s.Out.Recommend(C.UrgentObstetricAssessment, Id, severe
            ? "Pregnancy, clonus or brisk reflexes, and a blood pressure in the severe range (160/110 or more)."
            : "Pregnancy, clonus or brisk reflexes, and a raised blood pressure (140/90 or more).", T.FirstLine);
        s.Out.Pitfall(C.PreeclampsiaNotExcluded, Id, "Pregnancy with a raised blood pressure.");
        s.Out.AtLeast(severe ? Urgency.Emergency : Urgency.Urgent);
        return true;
    }
}
