using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;
using C = ClonusCds.Core.KnowledgeBase.Codes;
using K = ClonusCds.Core.KnowledgeBase.CautionCodes;

namespace ClonusCds.Core.Triage.Rules;

/// <summary>
/// MISSING-DATA. When a datum that would change this assessment is absent. Then name it in
/// missingData with what it decides — unknown is never treated as "no". [api-v1.md; brief §1.1]
/// </summary>
internal sealed class MissingDataRule : IManagementRule
{
    public string Id => "MISSING-DATA";
    public string Description => "Name the data whose absence limits this assessment";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        var o = s.Out;
        var c = p.Context.Clonus;
        var e = p.Context.Exam;
        var before = o.Missing.Count;

        if (!p.MedicationListKnown)
        {
            o.MissingData("medications", "No medication list: serotonergic and other drug toxicity cannot be excluded.");
        }
        else if (p.Context.MedicationListIncomplete)
        {
            o.MissingData("medications", "The medication list could not be read in full: serotonergic and other drug toxicity cannot be excluded.");
        }

        if (!p.MedicationsFullyKnown && p.Context.Vitals?.TemperatureC is null)
        {
            o.MissingData("vitals.temperatureC", "Drug exposure is not fully known; core temperature is part of excluding a toxidrome.");
        }

        if (!p.ConditionListKnown && p.ClonusPresent)
        {
            o.MissingData("conditions", "No condition list: a known upper-motor-neuron lesion, liver failure or encephalopathy cannot be taken into account.");
        }
        else if (p.Context.ConditionListIncomplete && p.ClonusPresent)
        {
            o.MissingData("conditions", "The condition list could not be read in full: a known lesion, liver failure or encephalopathy may be missing.");
        }

        if (p.AgeYears is null && p.ClonusPresent)
        {
            o.MissingData("patient.ageYears", "Age decides the infant thresholds and whether adult dosing applies.");
        }

        if (p.ClonusPresent && c?.Onset is null)
        {
            o.MissingData("clonus.onset", "Acute or chronic onset separates toxic and new causes from an established lesion.");
        }

        if (p.ClonusPresent && c?.Sustained is null && s.Primary.Etiology is not (Etiology.SerotoninToxicity or Etiology.OtherDrugToxicity))
        {
            o.MissingData("clonus.sustained", "Sustained clonus is pathological; a few unsustained beats can be normal.");
        }

        if (p.ClonusPresent && c?.Sustained != true && c?.Beats is null
            && s.Primary.Etiology is Etiology.IndeterminateNeedsEvaluation or Etiology.NormalVariant)
        {
            o.MissingData("clonus.beats", "The number of beats decides normal variant (≤ 5; ≤ 10 in infants) against pathological clonus.");
        }

        if (p.ClonusPresent && e?.OtherUmnSigns is null && s.Primary.Etiology is Etiology.IndeterminateNeedsEvaluation or Etiology.NormalVariant or Etiology.UmnLesion)
        {
            o.MissingData("exam.otherUmnSigns", "Babinski, Hoffmann, weakness or a sensory level decide between a normal variant and a lesion.");
        }

        if (s.Primary.Etiology == Etiology.NormalVariant && e?.Weakness is null)
        {
            o.MissingData("exam.weakness", "The normal-variant call assumes no weakness; it was not recorded.");
        }

        if (s.Hunter is { } hunter)
        {
            HunterGaps(s, hunter);
        }

        if (p.OnBoard(DrugRoles.Lithium) && p.Context.Labs?.LithiumMmolPerL is null)
        {
            o.MissingData("labs.lithiumMmolPerL", "Lithium toxicity causes tremor, hyperreflexia and clonus; the level decides it.");
        }

        var baclofen = o.Has(C.BaclofenFirstLine) || o.Has(C.BaclofenTrialWithStrokeCaution) || o.Has(C.SwitchTizanidineToBaclofen)
            || TizanidineCyp1a2Rule.Present(p, DrugRoles.Baclofen);
        if (baclofen && p.SevereRenalImpairment.IsUnknown)
        {
            o.MissingData("patient.egfr", "Baclofen is renally excreted: the label reduces the dose below a creatinine clearance of 80 (by about a third at 50–80, half at 30–50); avoid below 30 or on dialysis.");
        }

        if (s.Primary.Subtype == EtiologySubtype.InfantClonus)
        {
            if (c?.Beats is null)
            {
                o.MissingData("clonus.beats", "More than 10 beats in the first year predicted an abnormal outcome.");
            }

            if (e?.Tone is null)
            {
                o.MissingData("exam.tone", "High tone calls for brain MRI; low tone with weakness for CK and TSH.");
            }
        }

        if (s.Primary.Etiology == Etiology.UmnLesion && (o.Has(C.BotulinumToxinFocal) || o.Has(C.PhenolNeurolysis)) && c?.Focal is null)
        {
            o.MissingData("clonus.focal", "Botulinum toxin and phenol suit focal clonus.");
        }

        return o.Missing.Count > before;
    }

    private static void HunterGaps(TriageState s, HunterResult hunter)
    {
        var p = s.Picture;
        var o = s.Out;
        foreach (var rule in hunter.Undetermined)
        {
            if (rule is 1 or 2 or 3 && p.ClonusPresent && p.Context.Clonus?.Types is not { Count: > 0 })
            {
                o.MissingData("clonus.types", "Hunter criteria distinguish spontaneous, inducible and ocular clonus.");
            }

            if (rule is 2 or 3 && p.Agitation.IsUnknown)
            {
                o.MissingData("exam.agitation", "Hunter rules 2 and 3 need agitation or diaphoresis.");
            }

            if (rule is 2 or 3 && p.Diaphoresis.IsUnknown)
            {
                o.MissingData("exam.diaphoresis", "Hunter rules 2 and 3 need agitation or diaphoresis.");
            }

            if (rule == 4 && p.Tremor.IsUnknown)
            {
                o.MissingData("exam.tremor", "Hunter rule 4 needs tremor with hyperreflexia.");
            }

            if (rule == 4 && p.Hyperreflexia.IsUnknown)
            {
                o.MissingData("exam.reflexes", "Hunter rule 4 needs tremor with hyperreflexia.");
            }

            if (rule == 5 && p.Hypertonia.IsUnknown)
            {
                o.MissingData("exam.tone", "Hunter rule 5 needs hypertonia with temperature above 38 °C.");
            }

            if (rule == 5 && p.TemperatureAbove38.IsUnknown)
            {
                o.MissingData("vitals.temperatureC", "Hunter rule 5 and the severity grade need the core temperature.");
            }
        }

        if (hunter.Met.IsYes && hunter.Severity is null)
        {
            if (p.Hyperthermia.IsUnknown)
            {
                o.MissingData("vitals.temperatureC", "Severity (severe = above 38.5 °C or rising, with hypertonia) needs the core temperature.");
            }

            if (p.Hypertonia.IsUnknown)
            {
                o.MissingData("exam.tone", "Severity (severe = hyperthermia with hypertonia) needs the tone.");
            }
        }

        if (p.Context.Vitals?.TemperatureC is null)
        {
            o.MissingData("vitals.temperatureC", "Core temperature decides cooling, the severity grade and the 41.1 °C paralysis threshold with a serotonergic agent on board.");
        }

        for (var i = 0; i < p.Medications.Count; i++)
        {
            var m = p.Medications[i];
            if (m.Is(DrugRoles.Serotonergic) && m.Exposure == Exposure.Current && m.Entry.Change is null)
            {
                o.MissingData($"medications[{m.Index}].change", "A recent start or dose increase of a serotonergic drug is what precipitates toxicity.");
            }

            if (m.Is(DrugRoles.Serotonergic) && m.Exposure == Exposure.RecentlyStopped && m.Entry.DaysSinceChange is null)
            {
                o.MissingData($"medications[{m.Index}].daysSinceChange", "When a serotonergic drug was stopped decides whether it still counts as exposure.");
            }
        }
    }
}

/// <summary>
/// SAFETY-GUARD. Whatever the rules above added, advice that is wrong for the chosen etiology or for
/// a hazard still open is removed and the removal is traced: no antispastic (baclofen, cold, heel,
/// toxin, phenol) in a toxicity; no cyproheptadine in mild serotonin toxicity, NMS, anticholinergic
/// toxicity, malignant hyperthermia or any non-serotonin toxicity; no dantrolene/NMS therapy in
/// serotonin toxicity, and no bromocriptine-led NMS therapy while serotonin toxicity is not
/// excluded; no "do not call it serotonin syndrome" while serotonin toxicity is not excluded; no
/// baclofen started, raised or restored while baclofen toxicity is not excluded; nothing that cools
/// (cold application, external cooling) at 35.0 °C or below.
/// [brief §2 rules 2–5; §1.1 cyproheptadine decision; §5.4; NEWS2]
/// </summary>
internal sealed class SafetyGuardRule : IManagementRule
{
    private static readonly string[] AntispasticCodes =
    [
        C.BaclofenFirstLine, C.BaclofenTitrationSchedule, C.BaclofenTrialWithStrokeCaution, C.ColdApplication,
        C.HeelContactStrategy, C.BotulinumToxinFocal, C.PhenolNeurolysis, C.SwitchTizanidineToBaclofen,
    ];

    private static readonly string[] BaclofenIncreases =
    [
        C.BaclofenFirstLine, C.BaclofenTitrationSchedule, C.BaclofenTrialWithStrokeCaution, C.ReinstateBaclofen,
        C.SwitchTizanidineToBaclofen, C.IntrathecalPumpInterrogation,
    ];

    private static bool SerotoninToxicityCalled(TriageState s)
    {
        if (s.Primary.Etiology == Etiology.SerotoninToxicity)
        {
            return true;
        }

        foreach (var call in s.OpenHazards)
        {
            if (call.Etiology == Etiology.SerotoninToxicity)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>NEWS2's red band for temperature (°C).</summary>
    public const double HypothermiaC = 35.0;

    public string Id => "SAFETY-GUARD";
    public string Description => "Remove advice contraindicated for the chosen etiology";

    public bool Apply(TriageState s)
    {
        var removed = new List<string>();
        void Drop(string code)
        {
            if (s.Out.Remove(code))
            {
                removed.Add(code);
            }
        }

        if (s.PrimaryIsToxicity || s.Primary.Etiology == Etiology.Metabolic)
        {
            foreach (var code in AntispasticCodes)
            {
                Drop(code);
            }
        }

        var serotoninTreatable = s.Primary.RuleId == "ST-HUNTER";
        if (!serotoninTreatable)
        {
            Drop(C.Cyproheptadine);
        }

        if (s.Primary.Etiology == Etiology.SerotoninToxicity || s.Primary.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity)
        {
            // Dantrolene stays only while malignant hyperthermia is itself not excluded, with the conflict named.
            if (s.NotExcluded(Candidate.MalignantHyperthermia))
            {
                s.Out.Caution(C.StopTriggerAndGiveDantrolene, K.ConflictStMhDantrolene);
            }
            else
            {
                Drop(C.StopTriggerAndGiveDantrolene);
            }

            Drop(C.NmsSpecificTherapySpecialist);
        }
        else if (s.NotExcluded(Candidate.SerotoninToxicity) || s.HunterMet.IsYes)
        {
            s.Out.Caution(C.StopTriggerAndGiveDantrolene, K.ConflictStMhDantrolene);
        }

        // Serotonin toxicity open: bromocriptine (serotonergic) is not offered. When it is met
        // (Hunter) or called, nothing may tell the clinician not to call it that; a possibly masked
        // or undetermined one leaves the look-alike's label standing.
        if (s.NotExcluded(Candidate.SerotoninToxicity) || s.HunterMet.IsYes)
        {
            Drop(C.NmsSpecificTherapySpecialist);
        }

        if (s.HunterMet.IsYes || SerotoninToxicityCalled(s))
        {
            Drop(C.DoNotLabelAsSerotoninSyndrome);
        }

        if (s.NotExcluded(Candidate.BaclofenToxicity))
        {
            foreach (var code in BaclofenIncreases)
            {
                Drop(code);
            }
        }

        // Hypothermia (35.0 °C or below, NEWS2's red band): nothing that cools, whatever the cause.
        if (s.Picture.Context.Vitals?.TemperatureC <= HypothermiaC)
        {
            var before = removed.Count;
            Drop(C.ColdApplication);
            Drop(C.ExternalCooling);
            if (removed.Count > before)
            {
                s.Out.Because("Temperature 35.0 °C or below: cold application and external cooling are not offered.");
            }
        }

        if (removed.Count > 0)
        {
            s.Out.Trace.Note(Id, "Removed advice contraindicated for the chosen etiology or the patient's temperature", removed);
        }

        return removed.Count > 0;
    }
}
