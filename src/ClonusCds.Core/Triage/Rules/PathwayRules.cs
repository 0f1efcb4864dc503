using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;
using C = ClonusCds.Core.KnowledgeBase.Codes;
using K = ClonusCds.Core.KnowledgeBase.CautionCodes;
using T = ClonusCds.Core.Model.RecommendationTier;

namespace ClonusCds.Core.Triage.Rules;

// Management pathways: each acts only on its own etiology and adds codes from the knowledge base
// (text, dosing and citations live there). Header comments state each rule as When/Then with its
// sources; the codes' own citations are in recommendations.json.

/// <summary>
/// ST-MGMT. When serotonin toxicity meets the Hunter criteria. Then stop all serotonergic agents,
/// benzodiazepines, IV fluids, cardiac monitoring, cooling when hyperthermic, toxicology advice;
/// cyproheptadine optional when moderate and recommended when severe; ICU and non-depolarising
/// paralysis when severe; never restraints, antipyretics, bromocriptine, dantrolene,
/// antipsychotics before NMS is excluded, or long-acting propranolol. [SEED-001; BOYER2005; BMJBP;
/// ISBISTER2007; RCEM; VUMC2021; GGC]
/// </summary>
internal sealed class SerotoninToxicityManagement : IManagementRule
{
    public const double ParalysisThresholdC = 41.1;
    /// <summary>Heart rate above this is tachycardia.</summary>
    public const int TachycardiaBpm = 100;
    /// <summary>Systolic pressure above this is hypertension for the beta-blocker pitfall.</summary>
    public const int HypertensionSystolic = 140;

    public string Id => "ST-MGMT";
    public string Description => "Serotonin toxicity (Hunter met): emergency management";

    public bool Apply(TriageState s)
    {
        if (s.Primary.RuleId != "ST-HUNTER")
        {
            return false;
        }

        var o = s.Out;
        var p = s.Picture;
        var severity = s.Hunter!.Severity;
        var hepatic = p.Has(ConditionCategory.HepaticEncephalopathy) || p.Has(ConditionCategory.HepaticFailure);
        o.Because($"Severity: {(severity?.ToString().ToLowerInvariant() ?? "not decidable (temperature or tone unknown); managed as at least moderate")}.");

        o.Recommend(C.DiscontinueSerotonergicAgents, Id, "Hunter criteria met.", cautions: WeakEvidenceAgents(p)
            ? [K.HunterValidatedInOverdose, K.TriptanSetronEvidenceWeak]
            : [K.HunterValidatedInOverdose]);
        o.Recommend(C.Benzodiazepine, Id, "Agitation, tremor and neuromuscular hyperactivity of serotonin toxicity.",
            cautions: hepatic ? [K.HepaticEncephalopathySedation] : []);
        var hot = p.FeverOrRising;
        if (hot.IsYes)
        {
            o.Recommend(C.ExternalCooling, Id, "Temperature above 38 °C or rising.", T.FirstLine);
        }
        else if (hot.IsUnknown)
        {
            o.Recommend(C.ExternalCooling, Id, "Temperature not given: cool actively if above 38 °C.", T.Adjunct);
        }

        o.Recommend(C.IvFluids, Id, "Dehydration and autonomic instability are common.");
        o.Recommend(C.ContinuousCardiacMonitoring, Id, "Serotonin toxicity can progress within hours.");
        o.Recommend(C.ToxicologyConsult, Id, "Serotonin toxicity confirmed by the Hunter criteria.");

        var cyproCautions = Cautions(p.Context.Exam?.Skin == SkinFinding.HotDryFlushed || p.Context.Exam?.Mucosa == MucosaFinding.Dry ? K.AnticholinergicFeaturesPresent : null,
            p.Child.IsYes ? K.AdultDosingOnly : null);
        if (severity == Severity.Severe)
        {
            o.Recommend(C.Cyproheptadine, Id, "Severe toxicity: antiserotonergic therapy recommended.", T.FirstLine, cyproCautions);
            o.Recommend(C.IcuAdmission, Id, "Severe toxicity (hyperthermia with hypertonia).");
            var veryHot = p.Context.Vitals?.TemperatureC > ParalysisThresholdC;
            o.Recommend(C.ConsiderIntubationNondepolarizingParalysis, Id,
                veryHot ? "Temperature above 41.1 °C." : "Severe toxicity: if hyperthermia or rigidity does not respond.",
                veryHot ? T.FirstLine : T.Refractory);
            o.Recommend(C.MonitorComplicationLabs, Id, "Severe toxicity risks rhabdomyolysis, acidosis, AKI and DIC.");
            o.Pitfall(C.AvoidSuccinylcholine, Id, "Intubation may be needed; succinylcholine risks hyperkalaemia with rhabdomyolysis.");
            o.Pitfall(C.RigidityCanMaskClonus, Id, "Hypertonia is present: clonus and hyperreflexia may be masked as tone rises.");
        }
        else
        {
            o.Recommend(C.Cyproheptadine, Id,
                severity == Severity.Moderate ? "Moderate toxicity: cyproheptadine is optional." : "Severity not decidable: cyproheptadine is an option if at least moderate.",
                T.Adjunct, cyproCautions);
            o.Recommend(C.MonitorComplicationLabs, Id, "Moderate toxicity can progress; check CK, renal function and acid-base.");
            if (p.Hypertonia.IsYes)
            {
                o.Pitfall(C.RigidityCanMaskClonus, Id, "Hypertonia is present: clonus and hyperreflexia may be masked as tone rises.");
            }
        }

        if (PrecipitantIsNonPsychiatric(p))
        {
            o.Recommend(C.SwitchToNonSerotonergicAlternative, Id, "A non-psychiatric serotonergic drug (e.g. analgesic, antibiotic, antiemetic) is on the list.");
        }

        o.Pitfall(C.AvoidPhysicalRestraints, Id, "Serotonin toxicity with neuromuscular hyperactivity.");
        if (hot.IsPossible)
        {
            o.Pitfall(C.AvoidAntipyretics, Id, hot.IsYes ? "Fever in serotonin toxicity comes from muscle activity." : "Temperature not given: any fever in serotonin toxicity comes from muscle activity.");
        }
        o.Pitfall(C.AvoidBromocriptineDantroleneInSt, Id, "Serotonin toxicity, not NMS or malignant hyperthermia.");
        o.Pitfall(C.AvoidAntipsychoticsUntilNmsExcluded, Id, "Agitation in serotonin toxicity.");
        // Only where the tachycardia or hypertension that tempts a beta-blocker is present or not measured.
        var v = p.Context.Vitals;
        if (v?.HeartRateBpm is null or > TachycardiaBpm || v.SystolicBp > HypertensionSystolic)
        {
            o.Pitfall(C.AvoidLongActingBetaBlockersInSt, Id, "Tachycardia and hypertension are part of the toxidrome.");
        }

        if (p.OnBoard(DrugRoles.DopamineAntagonist))
        {
            o.Differential(Etiology.OtherDrugToxicity, EtiologySubtype.NeurolepticMalignantSyndrome,
                "A dopamine antagonist is also on board; NMS develops over days with lead-pipe rigidity and reduced reflexes.");
        }

        return true;
    }

    /// <summary>Only triptans or 5-HT3 antagonists are on board besides any other agents: weak evidence for serious toxicity.</summary>
    private static bool WeakEvidenceAgents(ClinicalPicture p)
    {
        foreach (var m in p.Medications)
        {
            if (m.OnBoard && m.Drug.SerotonergicClass is "triptan" or "setron")
            {
                return true;
            }
        }

        return false;
    }

    internal static bool PrecipitantIsNonPsychiatric(ClinicalPicture p)
    {
        foreach (var m in p.Medications)
        {
            if ((m.OnBoard || m.Exposure == Exposure.Draft) && m.Is(DrugRoles.Serotonergic)
                && m.Drug.SerotonergicClass is "opioid" or "triptan" or "setron" or "antibiotic_maoi" or "dye_maoi" or "dopamine_antagonist_antiemetic" or "muscle_relaxant")
            {
                return true;
            }
        }

        return false;
    }

    internal static string[] Cautions(params string?[] ids) => ids.OfType<string>().ToArray();
}

/// <summary>
/// ST-MILD-MGMT. When mild serotonin toxicity (features below Hunter after a recent change). Then
/// prescriber review of the recent change, observation and re-examination, explicit return
/// precautions; no cyproheptadine. [BMJBP; SEED-001]
/// </summary>
internal sealed class MildSerotoninToxicityManagement : IManagementRule
{
    public string Id => "ST-MILD-MGMT";
    public string Description => "Mild serotonin toxicity: review the change, observe, safety-net";

    public bool Apply(TriageState s)
    {
        if (s.Primary.RuleId != "ST-MILD")
        {
            return false;
        }

        var o = s.Out;
        o.Recommend(C.ReviewRecentDoseChange, Id, "Serotonergic features began after a recent start or dose increase.");
        o.Recommend(C.SafetyNetReturnPrecautions, Id, "Mild toxicity can progress; the patient must know what to return for.");
        o.Recommend(C.ReapplyHunterAfterData, Id, "Re-examine for clonus, agitation and sweating; the Hunter criteria may be met later.");
        if (SerotoninToxicityManagement.PrecipitantIsNonPsychiatric(s.Picture))
        {
            o.Recommend(C.SwitchToNonSerotonergicAlternative, Id, "A non-psychiatric serotonergic drug is on the list.");
        }

        if (s.Picture.FeverOrRising.IsPossible)
        {
            o.Pitfall(C.AvoidAntipyretics, Id, "Fever (or temperature not given) in serotonin toxicity comes from muscle activity.");
        }

        // Mild toxicity rests on soft signs: the drug list must not make the diagnosis by itself.
        o.Pitfall(C.SerotonergicDrugAloneNotDiagnostic, Id, "Mild toxicity is a judgement on soft signs after a recent change; the drug alone proves nothing.");
        return true;
    }
}

/// <summary>
/// ST-INDET-MGMT. When serotonin toxicity is possible but undecided (possibly masked by rigidity,
/// or Hunter features unknown). Then complete the vitals and toxidrome examination and re-apply
/// Hunter; when masked (rigid and hyperthermic), manage as severe until shown otherwise.
/// [DUNKLEY2003; BOYER2005; brief §1.1]
/// </summary>
internal sealed class MaskedOrUndeterminedToxicityManagement : IManagementRule
{
    public string Id => "ST-INDET-MGMT";
    public string Description => "Possible serotonin toxicity not yet decided: complete data; treat masked toxicity as severe";

    public bool Apply(TriageState s)
    {
        var masked = s.Primary.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity;
        if (!masked && s.Primary.RuleId != "ST-UNDETERMINED")
        {
            return false;
        }

        var o = s.Out;
        o.Recommend(C.CompleteVitalsAndFocusedExam, Id, "The findings that decide the Hunter criteria are incomplete.", T.FirstLine);
        o.Recommend(C.ReapplyHunterAfterData, Id, "Hunter criteria could not be decided from the data given.");
        o.Pitfall(C.IncompleteDataDoNotFinalize, Id, "Exposure, temperature or tone data are missing.");
        o.Differential(Etiology.SerotoninToxicity, null, "A serotonergic agent is on board and the Hunter criteria are not excluded.", notExcluded: true);
        if (!masked)
        {
            o.Pitfall(C.SerotonergicDrugAloneNotDiagnostic, Id, "Hunter features, not the drug list, make the diagnosis.");
            if (s.Picture.Hyperthermia.IsYes)
            {
                o.Recommend(C.ExternalCooling, Id, "Temperature above 38.5 °C or rising.", T.FirstLine);
                o.Recommend(C.ContinuousCardiacMonitoring, Id, "Hyperthermia with a serotonergic agent on board.");
                o.Pitfall(C.AvoidAntipyretics, Id, "Drug-induced hyperthermia comes from muscle activity.");
            }

            return true;
        }

        o.Recommend(C.DiscontinueSerotonergicAgents, Id, "Possible masked serotonin toxicity: do not continue or add serotonergic drugs.");
        o.Recommend(C.ExternalCooling, Id, "Rigid and hyperthermic.", T.FirstLine);
        o.Recommend(C.Benzodiazepine, Id, "Neuromuscular hyperactivity and rigidity.");
        o.Recommend(C.IcuAdmission, Id, "Hyperthermia with rigidity behaves as severe toxicity.");
        o.Recommend(C.ContinuousCardiacMonitoring, Id, "Hyperthermia with rigidity.");
        o.Recommend(C.MonitorComplicationLabs, Id, "Rigidity and hyperthermia risk rhabdomyolysis, acidosis and AKI.");
        o.Recommend(C.ToxicologyConsult, Id, "Possible masked toxicity needs specialist input.");
        o.Recommend(C.ConsiderIntubationNondepolarizingParalysis, Id, "If hyperthermia or rigidity does not respond.", T.Refractory);
        o.Pitfall(C.RigidityCanMaskClonus, Id, "Rigid and hyperthermic without clonus or hyperreflexia.");
        o.Pitfall(C.AvoidPhysicalRestraints, Id, "Isometric contraction worsens hyperthermia.");
        o.Pitfall(C.AvoidAntipyretics, Id, "Drug-induced hyperthermia comes from muscle activity.");
        o.Pitfall(C.AvoidSuccinylcholine, Id, "Intubation may be needed with rhabdomyolysis risk.");
        return true;
    }
}

/// <summary>
/// NMS-MGMT. When neuroleptic malignant syndrome. Then stop the dopamine antagonist, supportive care
/// (cooling, fluids, ICU, CK monitoring), specialist bromocriptine/amantadine/dantrolene if needed;
/// cyproheptadine is not the treatment. [RCEM; BOYER2005; ACCESSMED; brief §2 rule 2]
/// </summary>
internal sealed class NmsManagement : IManagementRule
{
    public string Id => "NMS-MGMT";
    public string Description => "Neuroleptic malignant syndrome management";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Subtype != EtiologySubtype.NeurolepticMalignantSyndrome)
        {
            return false;
        }

        var o = s.Out;
        o.Recommend(C.DiscontinueDopamineAntagonist, Id, "A dopamine antagonist is on board.");
        if (s.Picture.FeverOrRising.IsPossible)
        {
            o.Recommend(C.ExternalCooling, Id, "Hyperthermia in NMS (or temperature unknown).");
        }

        o.Recommend(C.IvFluids, Id, "Supportive care for NMS.", T.Adjunct);
        o.Recommend(C.IcuAdmission, Id, "NMS is life-threatening.");
        o.Recommend(C.ContinuousCardiacMonitoring, Id, "Autonomic instability in NMS.");
        o.Recommend(C.MonitorComplicationLabs, Id, "Rigidity drives rhabdomyolysis; follow CK.");
        o.Recommend(C.NmsSpecificTherapySpecialist, Id, "If supportive care is not enough.");
        o.Pitfall(C.AvoidDopamineAntagonists, Id, "NMS: dopamine blockade is its mechanism.");
        o.Pitfall(C.DoNotLabelAsSerotoninSyndrome, Id, "Rigidity with reduced reflexes after a dopamine antagonist is NMS.");
        return true;
    }
}

/// <summary>
/// MH-MGMT. When malignant hyperthermia. Then stop the trigger and give dantrolene per the MH
/// protocol, cool, ICU-level monitoring; never succinylcholine. [ACCESSMED; RCEM; BOYER2005]
/// </summary>
internal sealed class MalignantHyperthermiaManagement : IManagementRule
{
    public string Id => "MH-MGMT";
    public string Description => "Malignant hyperthermia management";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Subtype != EtiologySubtype.MalignantHyperthermia)
        {
            return false;
        }

        var o = s.Out;
        o.Recommend(C.StopTriggerAndGiveDantrolene, Id, "Anaesthetic trigger with rigidity and hyperthermia.");
        o.Recommend(C.ExternalCooling, Id, "Hyperthermia.");
        o.Recommend(C.ContinuousCardiacMonitoring, Id, "Malignant hyperthermia causes arrhythmia and instability.");
        o.Recommend(C.IcuAdmission, Id, "Malignant hyperthermia is life-threatening.");
        o.Recommend(C.MonitorComplicationLabs, Id, "Rhabdomyolysis, hyperkalaemia, acidosis and DIC.");
        o.Pitfall(C.DoNotLabelAsSerotoninSyndrome, Id, "Intra-/peri-operative trigger with rigor-like rigidity is malignant hyperthermia.");
        o.Pitfall(C.AvoidSuccinylcholine, Id, "Succinylcholine is itself a trigger and worsens hyperkalaemia.");
        return true;
    }
}

/// <summary>
/// ACH-MGMT. When anticholinergic toxicity. Then ECG for QRS/QTc (bicarbonate for QRS widening),
/// monitoring, toxicology advice (physostigmine only under that guidance); cyproheptadine is itself
/// anticholinergic. [RCEM; BOYER2005; AAP-T7; brief §2 rule 3]
/// </summary>
internal sealed class AnticholinergicManagement : IManagementRule
{
    public string Id => "ACH-MGMT";
    public string Description => "Anticholinergic toxicity management";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Subtype != EtiologySubtype.AnticholinergicToxicity)
        {
            return false;
        }

        var o = s.Out;
        o.Recommend(C.EcgQrsQtc, Id, "Anticholinergic (and tricyclic) toxicity can widen the QRS.", T.FirstLine);
        o.Recommend(C.ContinuousCardiacMonitoring, Id, "Tachyarrhythmia risk.");
        o.Recommend(C.ToxicologyConsult, Id, "Anticholinergic toxidrome.");
        var p = s.Picture;
        if (p.Agitation.IsYes || p.Context.Exam?.MentalStatus == MentalStatus.Delirium)
        {
            o.Recommend(C.Benzodiazepine, Id, "Agitation or delirium in anticholinergic toxicity: benzodiazepines first.", T.FirstLine,
                p.Has(ConditionCategory.HepaticEncephalopathy) ? [K.HepaticEncephalopathySedation] : []);
        }
        else if (p.Agitation.IsUnknown)
        {
            o.Recommend(C.Benzodiazepine, Id, "Agitation not recorded: benzodiazepines if agitation or seizures occur.", T.Adjunct);
        }

        o.Recommend(C.PhysostigmineSpecialistOption, Id, "Only under toxicology guidance.", T.Refractory);
        if (p.TemperatureAbove38.IsYes)
        {
            o.Recommend(C.ExternalCooling, Id, "Temperature above 38 °C.");
        }

        o.Pitfall(C.CyproheptadineAnticholinergic, Id, "Cyproheptadine would add to the anticholinergic load.");
        o.Pitfall(C.DoNotLabelAsSerotoninSyndrome, Id, "Dry skin, absent sweating and normal reflexes are not serotonin toxicity.");
        return true;
    }
}

/// <summary>
/// LI-MGMT. When lithium toxicity. Then hold lithium with serial levels, renal function and
/// electrolytes; stop drugs that raise the level; nephrology for extracorporeal removal per EXTRIP
/// (impaired kidney function with level > 4.0, decreased consciousness, seizures or dysrhythmia at
/// any level; suggested above 5.0 or with confusion). [EXTRIP-LI; ACCESSMED]
/// </summary>
internal sealed class LithiumManagement : IManagementRule
{
    /// <summary>eGFR below this counts as impaired kidney function for the EXTRIP criteria.</summary>
    public const double ImpairedKidneyEgfr = 60;

    public string Id => "LI-MGMT";
    public string Description => "Lithium toxicity management";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Subtype != EtiologySubtype.LithiumToxicity)
        {
            return false;
        }

        var o = s.Out;
        var p = s.Picture;
        var known = p.Context.Labs?.LithiumMmolPerL;
        var level = known ?? 0;
        var aki = p.Has(ConditionCategory.AcuteKidneyInjury);
        var impairedKidney = p.SevereRenalImpairment.IsYes || p.EstimatedEgfr < ImpairedKidneyEgfr || aki;
        o.Recommend(C.HoldLithiumCheckLevel, Id, known is null
            ? "No serum lithium level: hold lithium and measure it now."
            : $"Serum lithium {level.ToString(System.Globalization.CultureInfo.InvariantCulture)} mmol/L is above the therapeutic range.", T.FirstLine);
        var extrip = (impairedKidney && level > 4.0) || level > 5.0
            || p.AlteredConsciousness;
        if (extrip)
        {
            o.Recommend(C.ExtracorporealRemovalPerExtrip, Id, "EXTRIP criteria: level, kidney function or mental status.", T.FirstLine);
            o.Recommend(C.NephrologyConsult, Id, "Extracorporeal removal may be needed.");
        }
        else if (impairedKidney)
        {
            o.Recommend(C.NephrologyConsult, Id, "Impaired kidney function slows lithium clearance.");
        }

        // Vomiting, diarrhoea, dehydration or AKI: sodium and water depletion make the kidney hold
        // lithium; isotonic fluids restore its clearance (ACCESSMED; EXTRIP-LI).
        var fluidLoss = p.VolumeLoss.IsYes || aki;
        if (fluidLoss && p.Context.Patient?.OnDialysis != true)
        {
            o.Recommend(C.IvFluids, Id, aki ? "Acute kidney injury with lithium toxicity: isotonic fluids restore lithium clearance." : "Fluid loss (vomiting, diarrhoea or dehydration) with lithium toxicity: isotonic fluids restore lithium clearance.", T.FirstLine);
            o.Recommend(C.MonitorComplicationLabs, Id, "Follow creatinine, urine output, sodium and serial lithium levels while fluids are given.");
            if (!extrip)
            {
                o.Recommend(C.ExtracorporealRemovalPerExtrip, Id, "Not met now: reassess against the EXTRIP criteria as the level, kidney function and mental status change.", T.Monitoring);
            }
        }

        if (p.OnBoard(DrugRoles.RaisesLithiumLevel))
        {
            o.Recommend(C.StopInteractingDrugs, Id, "A thiazide, NSAID or ACE inhibitor on the list raises lithium levels.");
        }

        o.Recommend(C.ContinuousCardiacMonitoring, Id, "Lithium toxicity can cause dysrhythmia.");
        o.Recommend(C.ToxicologyConsult, Id, "Lithium toxicity.");
        o.Pitfall(C.CheckLevelsBeforeAttributingToSt, Id, "Lithium itself causes tremor, hyperreflexia and clonus.");
        if (s.Hunter is not null)
        {
            o.Differential(Etiology.SerotoninToxicity, null, "Serotonergic agents are also on board; re-apply Hunter once lithium is addressed.");
        }

        return true;
    }
}

/// <summary>
/// BAC-TOX-MGMT. When baclofen toxicity in renal failure. Then stop baclofen (a serious adverse
/// reaction is the label's exception to tapering), urgent nephrology for haemodialysis (commonest
/// treatment, fastest recovery), monitoring. [BACLOFEN-CKD; BACLOFEN-LABEL]
/// </summary>
internal sealed class BaclofenToxicityManagement : IManagementRule
{
    public string Id => "BAC-TOX-MGMT";
    public string Description => "Baclofen toxicity in renal failure management";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Subtype != EtiologySubtype.BaclofenToxicity)
        {
            return false;
        }

        var o = s.Out;
        o.Recommend(C.StopBaclofen, Id, "Baclofen toxicity is a serious adverse reaction.", cautions: [K.StoppingForSeriousAdverseReaction]);
        o.Recommend(C.UrgentHemodialysisConsider, Id, "Haemodialysis removes baclofen and gave the fastest recovery in reported cases.", T.FirstLine);
        o.Recommend(C.NephrologyConsult, Id, "eGFR below 30 or dialysis.");
        o.Recommend(C.ContinuousCardiacMonitoring, Id, "Bradycardia and hypotension occur in baclofen toxicity.");
        o.Pitfall(C.BaclofenRenalAccumulation, Id, "Baclofen with eGFR below 30 or dialysis.");
        return true;
    }
}

/// <summary>
/// BAC-WD-MGMT. When baclofen withdrawal. Then reinstate baclofen promptly (intrathecal: restore
/// delivery first — pump interrogation, refill, catheter imaging — with oral baclofen only as a
/// bridge), benzodiazepines, cool and monitor; it mimics serotonin toxicity and NMS.
/// [BACLOFEN-LABEL; COFFEY2002]
/// </summary>
internal sealed class BaclofenWithdrawalManagement : IManagementRule
{
    public string Id => "BAC-WD-MGMT";
    public string Description => "Baclofen withdrawal management";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Subtype != EtiologySubtype.BaclofenWithdrawal)
        {
            return false;
        }

        var o = s.Out;
        HazardSafety.Reinstate(s, Id, "Baclofen was stopped, reduced or interrupted days ago.");
        o.Recommend(C.Benzodiazepine, Id, "Benzodiazepines for agitation, spasms and seizures while baclofen is restored (intravenous in intrathecal withdrawal).");
        if (s.Picture.TemperatureAbove38.IsPossible)
        {
            o.Recommend(C.ExternalCooling, Id, "Withdrawal hyperthermia (or temperature unknown).");
        }

        o.Recommend(C.IcuAdmission, Id, "Baclofen withdrawal can progress to rhabdomyolysis and multi-organ failure.");
        o.Recommend(C.ContinuousCardiacMonitoring, Id, "Autonomic instability.");
        o.Recommend(C.MonitorComplicationLabs, Id, "Rhabdomyolysis and organ failure.");
        o.Pitfall(C.BaclofenAbruptWithdrawalRisk, Id, "This is the complication the pitfall warns of.");
        if (s.Hunter is not null)
        {
            o.Pitfall(C.DoNotLabelAsSerotoninSyndrome, Id, "Fever and rigidity after stopping baclofen are withdrawal, whatever else is on the list.");
        }

        return true;
    }
}

/// <summary>
/// MIMIC-MGMT. When a seizure mimic. Then video-EEG first; a specialist-directed myorelaxant once the
/// events are shown to be non-epileptic; apnoea monitoring; taper ineffective antiepileptics; never
/// start an antiepileptic without EEG confirmation. [SEED-000; SEED-001; MARI2012]
/// </summary>
internal sealed class SeizureMimicManagement : IManagementRule
{
    public string Id => "MIMIC-MGMT";
    public string Description => "Seizure mimic: video-EEG, myorelaxant, no antiepileptic without EEG";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Etiology != Etiology.SeizureMimic)
        {
            return false;
        }

        var o = s.Out;
        var p = s.Picture;
        var eeg = p.Context.Eeg;
        var confirmed = eeg?.Result == EegResult.NonEpilepticEventsCaptured;
        if (!confirmed)
        {
            o.Recommend(C.VideoEeg, Id, "The attacks have not yet been captured on video-EEG.", T.FirstLine);
        }

        o.Recommend(C.MyorelaxantForNonepilepticClonicAttacks, Id,
            confirmed ? "Video-EEG captured the events as non-epileptic." : "Once video-EEG shows the events are non-epileptic.",
            confirmed ? T.FirstLine : T.Adjunct);
        if (p.Context.Exam?.ApneaEpisodes != false)
        {
            o.Recommend(C.AirwayApneaMonitoring, Id, p.Context.Exam?.ApneaEpisodes == true ? "Apnoea occurs during the attacks." : "Apnoea is common in these attacks and was not recorded either way.");
        }

        if (p.OnBoard(DrugRoles.Antiepileptic))
        {
            o.Recommend(C.ReviewTaperIneffectiveAntiepileptics, Id, "An antiepileptic is already prescribed for these attacks.");
        }

        if (p.Child.IsYes)
        {
            o.Recommend(C.PediatricNeurologyReferral, Id, "Child with paroxysmal clonic attacks.");
        }

        if (p.Infant.IsYes)
        {
            o.Recommend(C.DevelopmentalNeuromotorEvaluation, Id, "Infant with encephalopathy: tone, primitive reflexes and antigravity movement.");
        }

        o.Pitfall(C.NoAntiepilepticWithoutEeg, Id, "Startle-induced clonic attacks are non-epileptic until shown otherwise.");
        return true;
    }
}

/// <summary>
/// HE-MGMT. When hepatic encephalopathy/failure. Then treat the encephalopathy (lactulose first,
/// rifaximin add-on) and its precipitant; avoid sedatives; do not treat the clonus with
/// antispastics. [AASLD-EASL-HE2014; SEED-000]
/// </summary>
internal sealed class HepaticEncephalopathyManagement : IManagementRule
{
    public string Id => "HE-MGMT";
    public string Description => "Hepatic encephalopathy: treat the cause";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Subtype != EtiologySubtype.HepaticEncephalopathy)
        {
            return false;
        }

        var o = s.Out;
        o.Recommend(C.TreatHepaticEncephalopathy, Id, "Hepatic failure or encephalopathy is the likely cause.");
        o.Recommend(C.IdentifyTreatPrecipitant, Id, "Infection, GI bleeding, electrolytes, constipation and sedatives precipitate encephalopathy.");
        o.Pitfall(C.AvoidSedativesInHepaticEncephalopathy, Id, "Hepatic encephalopathy.");
        o.Pitfall(C.TreatCauseNotClonusInMetabolic, Id, "Metabolic clonus.");
        return true;
    }
}

/// <summary>
/// INF-MGMT. When infant clonus. Then normal: reassure and re-examine against the thresholds.
/// Abnormal or undecided: full neuromotor examination, paediatric neurology, early intervention in
/// parallel; brain MRI when tone is high; CK and TSH when tone is low with weakness. No adult
/// antispastic dosing. [INFANT169; SEED-001; AAP-MOTOR2013]
/// </summary>
internal sealed class InfantManagement : IManagementRule
{
    public string Id => "INF-MGMT";
    public string Description => "Infant clonus: thresholds, neuromotor evaluation, targeted tests";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Subtype != EtiologySubtype.InfantClonus)
        {
            return false;
        }

        var o = s.Out;
        var e = s.Picture.Context.Exam;
        o.Pitfall(C.InfantClonusThresholds, Id, "Infant in the first year of life.");
        if (s.Primary.Etiology == Etiology.NormalVariant)
        {
            o.Recommend(C.ReassuranceWithReexamination, Id, "Within the first-year thresholds; re-examine as the infant grows.");
            o.Recommend(C.DevelopmentalNeuromotorEvaluation, Id, "Confirm tone, primitive reflexes and antigravity movement at follow-up.", T.Monitoring);
            return true;
        }

        o.Recommend(C.DevelopmentalNeuromotorEvaluation, Id, "Infant clonus beyond the normal thresholds, or not gradable.", T.FirstLine);
        o.Recommend(C.PediatricNeurologyReferral, Id, "Abnormal or undetermined infant clonus.");
        o.Recommend(C.EarlyInterventionReferral, Id, "Therapy services start in parallel with the work-up.");
        if (e?.Tone == ToneGrade.Increased)
        {
            o.Recommend(C.BrainMriIfHighTone, Id, "Tone is increased.");
        }

        if (e?.Tone == ToneGrade.Decreased && e.Weakness != false)
        {
            o.Recommend(C.CkIfLowTone, Id, "Tone is low with weakness (or weakness not recorded).");
            o.Recommend(C.TshIfLowTone, Id, "Tone is low with weakness (or weakness not recorded).");
        }

        return true;
    }
}

/// <summary>
/// NV-MGMT. When a normal variant (beyond infancy). Then reassure and re-examine; escalate if it
/// becomes sustained, asymmetric or new signs appear. [NORMAL-CLONUS]
/// </summary>
internal sealed class NormalVariantManagement : IManagementRule
{
    public string Id => "NV-MGMT";
    public string Description => "Normal variant: reassure, re-examine";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Etiology != Etiology.NormalVariant || s.Primary.Subtype == EtiologySubtype.InfantClonus)
        {
            return false;
        }

        var o = s.Out;
        o.Recommend(C.ReassuranceWithReexamination, Id, "Few unsustained symmetric beats with an otherwise normal examination.");
        o.Pitfall(C.UnsustainedClonusCanBeNormal, Id, "Unsustained symmetric clonus.");
        if (s.Hunter is not null)
        {
            o.Recommend(C.SafetyNetReturnPrecautions, Id, "A serotonergic drug is taken: return if agitation, sweating, fever or sustained clonus appear.");
        }

        if (s.Picture.Context.Exam?.Weakness is null)
        {
            o.Recommend(C.FullNeuroExamOtherUmnSigns, Id, "Weakness was not recorded.");
        }

        return true;
    }
}

/// <summary>
/// UMN-MGMT. When UMN-lesion clonus (beyond infancy). Then baclofen first-line with titration (adult)
/// and its cautions — a cautious trial only in stroke (label: no significant benefit, poor
/// tolerability), avoided at eGFR &lt; 30 or on dialysis; cold application, heel-contact strategy and
/// physiotherapy; botulinum toxin for focal or refractory clonus, phenol neurolysis for severe
/// treatment-resistant focal clonus; tizanidine does not help clonus. [SEED-000; SEED-001;
/// BOYRAZ2015; BACLOFEN-LABEL; BACLOFEN-CKD; TIZ-COLD-2009; IEEE-EMBC2018; AAN2016; PHENOL-TIBIAL]
/// </summary>
internal sealed class UmnManagement : IManagementRule
{
    private static readonly ConditionCategory[] BaclofenLabelled =
    [
        ConditionCategory.MultipleSclerosis, ConditionCategory.SpinalCordInjury, ConditionCategory.SpinalCordDisease,
        ConditionCategory.TraumaticBrainInjury, ConditionCategory.HypoxicBrainInjury, ConditionCategory.CerebralPalsy,
    ];

    public string Id => "UMN-MGMT";
    public string Description => "UMN clonus: baclofen with cautions, cold, heel contact, physiotherapy, focal/refractory options";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Etiology != Etiology.UmnLesion || s.Primary.Subtype == EtiologySubtype.InfantClonus)
        {
            return false;
        }

        var o = s.Out;
        var p = s.Picture;
        var history = TreatmentHistory.Of(p.Context);
        var undiagnosed = s.Primary.Subtype == EtiologySubtype.NewUndiagnosedUmnLesion;
        var strokeOnly = p.Has(ConditionCategory.Stroke) && !BaclofenLabelled.Any(p.Has);
        var child = p.Child.IsYes;
        var baclofenIntolerable = history.Intolerable("baclofen");
        var baclofenInadequate = history.Inadequate("baclofen");
        var atMaximum = BaclofenDose.AtMaximum(p);
        // Partial benefit below the maximum: optimise. Inadequate, not tolerated or at the maximum:
        // first-line oral baclofen is used up, so titration is not offered again.
        var baclofenPartial = history.Partial("baclofen") && !atMaximum;
        // An intrathecal pump already delivers baclofen: oral baclofen is not started or titrated on top.
        var onIntrathecal = p.IntrathecalBaclofenPump() is not null;

        var exhausted = baclofenIntolerable || baclofenInadequate || atMaximum || onIntrathecal;
        var botulinumFailed = history.Failed("botulinum");
        var refractory = exhausted || baclofenPartial || botulinumFailed || history.Failed("cold_application");
        var focal = Tri.Of(p.Context.Clonus?.Focal);
        var disabling = Tri.Of(p.Context.Clonus?.Disabling);
        var pregnant = p.Context.Patient?.Pregnant == true;

        // Pregnancy: non-drug measures and the obstetric/neurology decision lead; baclofen, if at all,
        // comes after them with its neonatal-withdrawal caution (BACLOFEN-LABEL).
        if (pregnant && !undiagnosed)
        {
            o.Recommend(C.ObstetricNeurologySharedDecision, Id, "Pregnant: any antispastic drug is a shared obstetric and neurology decision; non-drug measures come first.", T.FirstLine);
        }

        // Baclofen: not before a new lesion is diagnosed, not at eGFR < 30 or on dialysis, not again
        // once it is used up (not tolerated, inadequate, or already at the maximum).
        if (!undiagnosed && p.SevereRenalImpairment.IsYes && !baclofenIntolerable)
        {
            o.Recommend(C.BaclofenRenalDoseReductionOrAvoid, Id, "eGFR below 30 or dialysis: oral baclofen is avoided.", T.FirstLine,
                p.RenalEstimated ? [K.RenalImpairmentSevere, K.RenalFunctionEstimated] : [K.RenalImpairmentSevere]);
            o.Pitfall(C.BaclofenRenalAccumulation, Id, "Severe renal impairment.");
        }

        if (!undiagnosed && exhausted)
        {
            var why = onIntrathecal ? "Intrathecal baclofen is already in place: oral baclofen is not started or titrated on top, and dose changes go through the pump team."
                : baclofenIntolerable ? "Baclofen was not tolerated (for example sedation or weakness) or caused an adverse reaction: it is not offered again."
                : baclofenInadequate ? "Baclofen was tried without adequate benefit: another titration is not offered."
                : "Baclofen is already at the labelled maximum of 80 mg a day: it cannot be titrated further.";
            o.Recommend(C.FirstLineExhausted, Id, why + " Physical measures and the refractory options follow.", T.FirstLine,
                atMaximum ? [K.BaclofenAtMaximumDose] : []);
        }
        else if (!undiagnosed && !p.SevereRenalImpairment.IsYes)
        {
            var cautions = BaclofenCautions(p, strokeOnly, baclofenPartial);
            var (code, because) = strokeOnly
                ? (C.BaclofenTrialWithStrokeCaution, "Clonus after stroke: baclofen only as a cautious trial.")
                : (C.BaclofenFirstLine, baclofenPartial ? "Already tried with a partial response below the maximum: optimise the dose, or move to the refractory options." : "UMN clonus: baclofen is the first-line drug.");
            o.Recommend(code, Id, pregnant ? because + " In pregnancy only after the non-drug measures and the shared decision." : because,
                baclofenPartial || pregnant ? T.Adjunct : T.FirstLine, cautions);
            if (strokeOnly)
            {
                o.Pitfall(C.BaclofenStrokeLabelCaution, Id, "Stroke is the only UMN lesion recorded.");
            }

            if (!child)
            {
                o.Recommend(C.BaclofenTitrationSchedule, Id, "Adult titration to the lowest effective dose.", T.Adjunct, cautions);
            }

            if (p.ModerateRenalImpairment.IsYes)
            {
                o.Recommend(C.BaclofenRenalDoseReductionOrAvoid, Id, "eGFR 30–50: reduce the dose by about half.", cautions: K.RenalImpairmentModerate);
            }
            else if (p.MildRenalImpairment.IsYes)
            {
                o.Recommend(C.BaclofenRenalDoseReductionOrAvoid, Id, "eGFR 50–80: reduce the dose by about one third.", cautions: K.RenalImpairmentMild);
            }

            o.Pitfall(C.BaclofenAbruptWithdrawalRisk, Id, "Baclofen is recommended: it must never be stopped abruptly.");
        }

        // Physical measures: early weight in stroke, where baclofen is weakest, in pregnancy, and
        // whenever baclofen is not an option.
        var physical = strokeOnly || undiagnosed || exhausted || pregnant || p.SevereRenalImpairment.IsYes ? T.FirstLine : T.Adjunct;
        o.Recommend(C.ColdApplication, Id, "Cold gives immediate and prolonged clonus suppression with minimal risk.", physical);
        o.Recommend(C.HeelContactStrategy, Id, "Clonus rarely occurs while the heel keeps firm ground contact.", physical);
        o.Recommend(C.PhysicalTherapy, Id, "Stretching, motor learning and orthoses.", pregnant || exhausted ? T.FirstLine : null);

        // Refractory and focal options (treatmentHistory, or baclofen used up).
        if ((refractory && !focal.IsNo) || (focal.IsYes && (disabling.IsYes || strokeOnly)))
        {
            var because = refractory ? "Clonus persists despite earlier treatment." : "Focal disabling clonus.";
            o.Recommend(C.BotulinumToxinFocal, Id, focal.IsUnknown ? because + " If the clonus is focal." : because,
                strokeOnly && focal.IsYes && !refractory ? T.Adjunct : T.Refractory, botulinumFailed ? [K.PreviouslyInadequate] : []);
        }

        if (botulinumFailed || (exhausted && !focal.IsNo && disabling.IsPossible) || (baclofenPartial && focal.IsYes && disabling.IsYes))
        {
            o.Recommend(C.PhenolNeurolysis, Id, focal.IsYes ? "Severe focal clonus resistant to treatment." : "If the clonus is focal and severe: treatment-resistant.");
        }

        // Beyond oral baclofen: intrathecal delivery, first for generalised or bilateral spasticity,
        // and for focal clonus if the focal options fail.
        if (exhausted && !onIntrathecal)
        {
            o.Recommend(C.IntrathecalBaclofenReferral, Id, focal.IsYes
                ? "Oral baclofen is used up: if focal treatment does not control the clonus, assess for intrathecal baclofen."
                : baclofenIntolerable
                    ? "Oral baclofen was not tolerated and the clonus is not known to be focal: intrathecal delivery needs a fraction of the oral dose."
                    : "Oral baclofen is used up and the clonus is not known to be focal: assess for intrathecal baclofen.");
        }

        if (child)
        {
            o.Recommend(C.PediatricNeurologyReferral, Id, "Child with UMN clonus: specialist dosing and planning.");
        }

        if (s.Primary.Urgency >= Urgency.Urgent && !undiagnosed)
        {
            o.Recommend(C.FullNeuroExamOtherUmnSigns, Id, "New or worsening clonus: look for a new lesion.");
            o.Recommend(C.UrgentNeurologyReferral, Id, "New or worsening clonus in a known UMN lesion.");
        }

        o.Pitfall(C.AvoidTizanidineForClonus, Id, "UMN clonus: tizanidine had no significant effect on clonus.");
        return true;
    }

    private static string[] BaclofenCautions(ClinicalPicture p, bool strokeOnly, bool failed)
    {
        var list = new List<string>(4);
        if (p.SevereRenalImpairment.IsUnknown)
        {
            list.Add(K.RenalFunctionUnknown);
        }
        else if (p.ModerateRenalImpairment.IsYes)
        {
            list.Add(K.RenalImpairmentModerate);
        }
        else if (p.MildRenalImpairment.IsYes)
        {
            list.Add(K.RenalImpairmentMild);
        }

        if (p.RenalEstimated)
        {
            list.Add(K.RenalFunctionEstimated);
        }

        if (!strokeOnly && p.Has(ConditionCategory.Stroke))
        {
            list.Add(K.StrokeComorbidLabelCaution);
        }

        if (p.Context.Patient?.Pregnant == true)
        {
            list.Add(K.PregnancyBaclofen);
        }
        else if (PregnancyBaclofenRule.CouldBePregnant(p))
        {
            list.Add(K.PregnancyStatusUnknown);
        }

        if (p.Child.IsYes)
        {
            list.Add(K.AdultDosingOnly);
        }

        if (failed)
        {
            list.Add(K.PreviouslyInadequate);
        }

        return list.ToArray();
    }
}

/// <summary>
/// UMN-NEW-MGMT. When a new, undiagnosed UMN picture. Then MRI of the cervical spine and brain,
/// urgent neurology, a documented full neurological examination; structural work-up before
/// attributing it to anything else. [NORMAL-CLONUS; SEED-000]
/// </summary>
internal sealed class NewUmnLesionWorkup : IManagementRule
{
    public string Id => "UMN-NEW-MGMT";
    public string Description => "New UMN picture: structural work-up";

    public bool Apply(TriageState s)
    {
        if (s.Primary.Subtype != EtiologySubtype.NewUndiagnosedUmnLesion)
        {
            return false;
        }

        var o = s.Out;
        o.Recommend(C.MriSpineBrain, Id, "New sustained or asymmetric clonus without a known lesion.", T.FirstLine);
        o.Recommend(C.UrgentNeurologyReferral, Id, "New UMN signs.");
        o.Recommend(C.FullNeuroExamOtherUmnSigns, Id, "Document Babinski, Hoffmann, asymmetry, weakness, sensory level and sphincters.");
        o.Pitfall(C.NewSustainedClonusNeedsStructuralWorkup, Id, "No lesion or drug explains this clonus.");
        return true;
    }
}

/// <summary>
/// INDET-MGMT. When the data cannot support a conclusion (other than the serotonin and infant
/// cases above). Then collect what is missing (medication history and toxicology screen, core
/// temperature and toxidrome examination, full neurological examination) and do not finalise.
/// [SEED-001; DUNKLEY2003; NORMAL-CLONUS]
/// </summary>
internal sealed class IndeterminateManagement : IManagementRule
{
    public string Id => "INDET-MGMT";
    public string Description => "Indeterminate: collect what decides the etiology";

    public bool Apply(TriageState s)
    {
        var primary = s.Primary;
        if (primary.Etiology != Etiology.IndeterminateNeedsEvaluation
            || primary.Subtype is EtiologySubtype.PossibleMaskedSerotoninToxicity or EtiologySubtype.InfantClonus
            || primary.RuleId == "ST-UNDETERMINED")
        {
            return false;
        }

        var o = s.Out;
        var p = s.Picture;
        if (primary.Subtype == EtiologySubtype.EpilepticSeizures)
        {
            o.Recommend(C.UrgentNeurologyReferral, Id, "EEG shows epileptiform activity.", T.FirstLine);
            return true;
        }

        if (!p.ClonusPresent)
        {
            return false;
        }

        if (!p.MedicationsFullyKnown)
        {
            o.Recommend(C.ObtainMedicationHistoryAndToxScreen, Id,
                p.MedicationListKnown ? "A medication on the list could not be identified: drug toxicity cannot be excluded." : "No medication list: drug toxicity cannot be excluded.",
                T.FirstLine);
        }

        o.Recommend(C.CompleteVitalsAndFocusedExam, Id, "Temperature and toxidrome findings decide between toxic and structural causes.");
        o.Recommend(C.FullNeuroExamOtherUmnSigns, Id, "Other UMN signs decide between normal variant and a lesion.");
        if (!p.MedicationsFullyKnown || s.Hunter is not null)
        {
            o.Recommend(C.ReapplyHunterAfterData, Id, "Exposure or examination data are incomplete.");
        }

        o.Pitfall(C.IncompleteDataDoNotFinalize, Id, "The etiology cannot be finalised from these data.");
        o.Differential(Etiology.UmnLesion, null, "Sustained clonus with other UMN signs would point to a lesion.");
        if (!p.MedicationsFullyKnown || s.Hunter is not null)
        {
            o.Differential(Etiology.SerotoninToxicity, null, "Serotonergic exposure is not excluded.", notExcluded: true);
        }

        return true;
    }
}

/// <summary>Reads treatmentHistory: codes or drug names with their responses.</summary>
internal readonly struct TreatmentHistory
{
    private readonly IReadOnlyList<TreatmentTrial> _trials;

    private TreatmentHistory(IReadOnlyList<TreatmentTrial> trials) => _trials = trials;

    public static TreatmentHistory Of(PatientContext context) => new(context.TreatmentHistory ?? []);

    /// <summary>Tried with a partial or inadequate response.</summary>
    public bool Failed(string treatment) => Any(treatment, r => r is TreatmentResponse.Partial or TreatmentResponse.Inadequate);

    /// <summary>Tried with an inadequate response (no useful benefit).</summary>
    public bool Inadequate(string treatment) => Any(treatment, r => r is TreatmentResponse.Inadequate);

    /// <summary>Tried with a partial response.</summary>
    public bool Partial(string treatment) => Any(treatment, r => r is TreatmentResponse.Partial);

    /// <summary>Not tolerated or caused an adverse reaction.</summary>
    public bool Intolerable(string treatment) => Any(treatment, r => r is TreatmentResponse.NotTolerated or TreatmentResponse.AdverseReaction);

    private bool Any(string treatment, Func<TreatmentResponse, bool> test)
    {
        foreach (var t in _trials)
        {
            // The code or generic name, or a brand/product name (Lioresal, Botox, Dysport...).
            if (t.Treatment is not null && t.Response is { } r && test(r)
                && (t.Treatment.Contains(treatment, StringComparison.OrdinalIgnoreCase) || Synonym(treatment, t.Treatment)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Synonym(string treatment, string given) => treatment switch
    {
        "baclofen" => given.Contains("lioresal", StringComparison.OrdinalIgnoreCase) || given.Contains("ozobax", StringComparison.OrdinalIgnoreCase)
            || given.Contains("lyvispah", StringComparison.OrdinalIgnoreCase),
        "botulinum" => given.Contains("botox", StringComparison.OrdinalIgnoreCase) || given.Contains("dysport", StringComparison.OrdinalIgnoreCase)
            || given.Contains("xeomin", StringComparison.OrdinalIgnoreCase) || given.Contains("myobloc", StringComparison.OrdinalIgnoreCase)
            || given.Contains("botulinumtoxin", StringComparison.OrdinalIgnoreCase),
        "cold_application" => given.Contains("cold", StringComparison.OrdinalIgnoreCase) || given.Contains("cryotherapy", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };
}
