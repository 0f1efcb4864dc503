using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;
using C = ClonusCds.Core.KnowledgeBase.Codes;
using K = ClonusCds.Core.KnowledgeBase.CautionCodes;
using T = ClonusCds.Core.Model.RecommendationTier;

namespace ClonusCds.Core.Triage.Rules;

// Medication-safety rules: they apply whatever the etiology, including to draft (proposed) orders,
// which is where they prevent the most harm.

/// <summary>
/// SAFE-TIZ-CYP1A2. When tizanidine and fluvoxamine or ciprofloxacin are both on the list (either
/// may be a draft). Then stop the contraindicated combination: urgent. When tizanidine is listed with
/// another CYP1A2 inhibitor its label says to avoid (zileuton, other fluoroquinolones, amiodarone,
/// mexiletine, propafenone, verapamil, cimetidine, famotidine, oral contraceptives, acyclovir,
/// ticlopidine). Then a pitfall (avoid, or start tizanidine low and watch blood pressure, heart rate
/// and sedation), with no change to urgency: the label does not contraindicate these. [TIZ-LABEL]
/// </summary>
internal sealed class TizanidineCyp1a2Rule : IManagementRule
{
    public string Id => "SAFE-TIZ-CYP1A2";
    public string Description => "Tizanidine + fluvoxamine/ciprofloxacin → contraindicated combination; + another CYP1A2 inhibitor → avoid";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        if (!Present(p, DrugRoles.Tizanidine))
        {
            return false;
        }

        var contraindicated = Present(p, DrugRoles.Cyp1a2Inhibitor);
        if (contraindicated)
        {
            s.Out.Recommend(C.StopContraindicatedCombination, Id, "Tizanidine with a potent CYP1A2 inhibitor (fluvoxamine or ciprofloxacin).", T.FirstLine);
            s.Out.Pitfall(C.TizanidineCyp1a2Contraindication, Id, "Fluvoxamine raised tizanidine exposure about 33-fold.");
            s.Out.AtLeast(Urgency.Urgent);
            s.Out.Because("Tizanidine is listed with a potent CYP1A2 inhibitor, a labelled contraindication (hypotension, bradycardia, sedation).");
        }

        // The avoid list is a pitfall only: it never raises urgency on its own.
        var avoid = Present(p, DrugRoles.Cyp1a2InhibitorAvoid);
        if (avoid)
        {
            s.Out.Pitfall(C.TizanidineCyp1a2Avoid, Id, "Tizanidine is listed with a CYP1A2 inhibitor its label says to avoid.");
        }

        return contraindicated || avoid;
    }

    internal static bool Present(ClinicalPicture p, string role)
    {
        foreach (var m in p.Medications)
        {
            if (m.Is(role) && m.Exposure != Exposure.PastStop)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// SAFE-TIZ-CLONUS. When tizanidine is taken or proposed and clonus is present. Then tizanidine is
/// not recommended for clonus (no significant effect; low-quality evidence) — switch to baclofen in
/// UMN clonus, and taper rather than stop it (rebound hypertension, tachycardia). [SEED-000;
/// TIZ-COLD-2009; TIZ-LABEL]
/// </summary>
internal sealed class TizanidineForClonusRule : IManagementRule
{
    public string Id => "SAFE-TIZ-CLONUS";
    public string Description => "Tizanidine for clonus → not recommended; switch to baclofen; taper";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        var tizanidine = p.First(DrugRoles.Tizanidine, onBoardOnly: false);
        if (tizanidine is null || tizanidine.Exposure == Exposure.PastStop || !p.ClonusPresent)
        {
            return false;
        }

        s.Out.Pitfall(C.AvoidTizanidineForClonus, Id, "Tizanidine is on the list for a patient with clonus.");
        if (s.Primary.Etiology == Etiology.UmnLesion && s.Primary.Subtype != EtiologySubtype.InfantClonus
            && !p.SevereRenalImpairment.IsYes && !TreatmentHistory.Of(p.Context).Intolerable("baclofen")
            && !TreatmentHistory.Of(p.Context).Inadequate("baclofen"))
        {
            s.Out.Recommend(C.SwitchTizanidineToBaclofen, Id, "UMN clonus treated with tizanidine.");
        }

        if (tizanidine.Exposure == Exposure.Current)
        {
            s.Out.Pitfall(C.TizanidineWithdrawalRebound, Id, "Tizanidine is being taken.");
            s.Out.Recommend(C.TaperNotAbruptStop, Id, "If tizanidine is stopped or switched, taper it.");
        }

        return true;
    }
}

/// <summary>
/// SAFE-MAOI. When an MAO inhibitor (including linezolid or methylene blue) and another serotonergic
/// drug are both on the list (either may be a draft). Then flag the highest-risk combination; for
/// linezolid/methylene blue, the FDA advice. [SUN-EDELSTEIN2008; ISBISTER2007; FDA-LZD-MB]
/// </summary>
internal sealed class MaoiCombinationRule : IManagementRule
{
    public string Id => "SAFE-MAOI";
    public string Description => "MAOI + another serotonergic drug → highest-risk combination";

    public bool Apply(TriageState s)
    {
        var serotonergic = 0;
        var maois = 0;
        MedicationFact? antibioticOrDye = null;
        foreach (var m in s.Picture.Medications)
        {
            if (m.Exposure == Exposure.PastStop || !m.Is(DrugRoles.Serotonergic))
            {
                continue;
            }

            serotonergic++;
            if (m.Is(DrugRoles.Maoi))
            {
                maois++;
                if (m.Drug.SerotonergicClass is "antibiotic_maoi" or "dye_maoi")
                {
                    antibioticOrDye ??= m;
                }
            }
        }

        // At least one MAO inhibitor and at least one other serotonergic drug (which may be an MAOI too).
        if (maois == 0 || serotonergic < 2)
        {
            return false;
        }

        s.Out.Pitfall(C.MaoiHighRiskCombination, Id, "An MAO inhibitor is listed with another serotonergic drug.");
        if (antibioticOrDye is not null)
        {
            s.Out.Pitfall(C.LinezolidMethyleneBlueAreMaois, Id, $"{Capitalize(antibioticOrDye.Drug.Name)} is listed with a serotonergic drug.",
                antibioticOrDye.Drug.SerotonergicClass == "antibiotic_maoi" ? [K.LinezolidUrgentUse] : []);
        }

        s.Out.AtLeast(Urgency.Urgent);
        return true;
    }

    private static string Capitalize(string name) => string.Concat(name[..1].ToUpperInvariant(), name.AsSpan(1));
}

/// <summary>
/// SAFE-ST-DRAFT. When a serotonergic drug is proposed (draft) while another serotonergic drug is on
/// board. Then prefer a non-serotonergic alternative for the proposed drug. [SEED-001; BOYER2005]
/// </summary>
internal sealed class SerotonergicDraftOrderRule : IManagementRule
{
    public string Id => "SAFE-ST-DRAFT";
    public string Description => "Serotonergic draft order on top of an on-board serotonergic drug → non-serotonergic alternative";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        var draft = p.Draft(DrugRoles.Serotonergic);
        if (draft is null || s.Hunter is null)
        {
            return false;
        }

        s.Out.Recommend(C.SwitchToNonSerotonergicAlternative, Id, "A serotonergic drug is proposed while another is on board.", T.FirstLine);
        if (s.Primary.Etiology is Etiology.SerotoninToxicity || s.Primary.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity)
        {
            s.Out.Recommend(C.DiscontinueSerotonergicAgents, Id, "Do not add serotonergic agents during serotonin toxicity.");
        }

        return true;
    }
}

/// <summary>
/// SAFE-FLUOXETINE. When fluoxetine is on board or stopped within 5 weeks and another serotonergic
/// drug is listed, or serotonin toxicity is possible. Then its long half-life prolongs the risk
/// (5-week washout). [FDA-LZD-MB]
/// </summary>
internal sealed class FluoxetineHalfLifeRule : IManagementRule
{
    public string Id => "SAFE-FLUOXETINE";
    public string Description => "Fluoxetine (5-week washout) with serotonergic risk";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        if (!p.OnBoardNamed("fluoxetine"))
        {
            return false;
        }

        var serotonergic = 0;
        foreach (var m in p.Medications)
        {
            if (m.Is(DrugRoles.Serotonergic) && m.Exposure != Exposure.PastStop)
            {
                serotonergic++;
            }
        }

        var toxicity = s.Primary.Etiology == Etiology.SerotoninToxicity || !s.HunterMet.IsNo;
        if (serotonergic < 2 && !toxicity)
        {
            return false;
        }

        s.Out.Pitfall(C.FluoxetineLongHalfLife, Id, "Fluoxetine is on board or was stopped within 5 weeks.");
        return true;
    }
}

/// <summary>
/// SAFE-METOCLOPRAMIDE. When metoclopramide is on the list. Then it is a dopamine antagonist (NMS
/// precipitant) as well as weakly serotonergic. [BOYER2005; AAP-T7]
/// </summary>
internal sealed class MetoclopramideRule : IManagementRule
{
    public string Id => "SAFE-METOCLOPRAMIDE";
    public string Description => "Metoclopramide listed → dopamine antagonist";

    public bool Apply(TriageState s)
    {
        foreach (var m in s.Picture.Medications)
        {
            if (m.Drug.Name == "metoclopramide" && m.Exposure != Exposure.PastStop)
            {
                s.Out.Pitfall(C.MetoclopramideIsDopamineAntagonist, Id, "Metoclopramide is on the list.", K.MetoclopramideDualRole);
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// SAFE-LITHIUM. When lithium is on board and toxicity is being considered (serotonin toxicity
/// possible) without a level above range. Then hold lithium and check the level before attributing
/// the picture to serotonin toxicity. [ACCESSMED; EXTRIP-LI; brief §2 rule 1]
/// </summary>
internal sealed class LithiumLevelRule : IManagementRule
{
    public string Id => "SAFE-LITHIUM";
    public string Description => "Lithium on board with neuromuscular excitation → check the level first";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        if (!p.OnBoard(DrugRoles.Lithium) || s.Primary.Subtype == EtiologySubtype.LithiumToxicity)
        {
            return false;
        }

        var excitation = s.HunterMet.IsPossible || (s.Hunter?.MildFeatures.IsPossible ?? false);
        if (!excitation)
        {
            return false;
        }

        s.Out.Pitfall(C.CheckLevelsBeforeAttributingToSt, Id, "Lithium is on board and lithium itself causes tremor, hyperreflexia and clonus.");
        if (p.Context.Labs?.LithiumMmolPerL is null)
        {
            s.Out.Recommend(C.HoldLithiumCheckLevel, Id, "No serum lithium level given.", T.Workup);
            s.Out.Differential(Etiology.OtherDrugToxicity, EtiologySubtype.LithiumToxicity, "Lithium on board with no level: lithium toxicity is not excluded.", notExcluded: true);
        }

        return true;
    }
}

/// <summary>
/// SAFE-BACLOFEN-RENAL. When baclofen is taken or proposed with eGFR &lt; 60, dialysis or ESRD.
/// Then reduce the dose by the label's creatinine-clearance bands (about a third at 50–80, half at
/// 30–50) and avoid below 30 or on dialysis (renal accumulation, encephalopathy); nephrology when
/// severe. [BACLOFEN-LABEL; VLAVONOU2014; BACLOFEN-CKD]
/// </summary>
internal sealed class BaclofenRenalRule : IManagementRule
{
    public string Id => "SAFE-BACLOFEN-RENAL";
    public string Description => "Baclofen with renal impairment (eGFR below 80 or dialysis) → reduce or avoid";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        if (!TizanidineCyp1a2Rule.Present(p, DrugRoles.Baclofen) || s.Primary.Subtype == EtiologySubtype.BaclofenToxicity)
        {
            return false;
        }

        if (p.SevereRenalImpairment.IsYes)
        {
            s.Out.Recommend(C.BaclofenRenalDoseReductionOrAvoid, Id, "Baclofen with eGFR below 30 or dialysis.", T.FirstLine, K.RenalImpairmentSevere);
            if (p.RenalEstimated)
            {
                s.Out.Caution(C.BaclofenRenalDoseReductionOrAvoid, K.RenalFunctionEstimated);
            }

            s.Out.Pitfall(C.BaclofenRenalAccumulation, Id, "Baclofen with severe renal impairment.");
            s.Out.Recommend(C.NephrologyConsult, Id, "Baclofen with eGFR below 30 or dialysis.");
            s.Out.AtLeast(Urgency.Urgent);
            return true;
        }

        // The label's creatinine-clearance bands: about half the dose at 30–50, two thirds at 50–80.
        var (band, caution) = p.ModerateRenalImpairment.IsYes ? ("Baclofen with eGFR 30–50: about half the usual dose.", K.RenalImpairmentModerate)
            : p.MildRenalImpairment.IsYes ? ("Baclofen with eGFR 50–80: about two thirds of the usual dose.", K.RenalImpairmentMild)
            : (null, null);
        if (band is null || caution is null)
        {
            return false;
        }

        s.Out.Recommend(C.BaclofenRenalDoseReductionOrAvoid, Id, band, cautions: caution);
        if (p.RenalEstimated)
        {
            s.Out.Caution(C.BaclofenRenalDoseReductionOrAvoid, K.RenalFunctionEstimated);
        }

        s.Out.Caution(C.BaclofenFirstLine, caution);
        s.Out.Caution(C.BaclofenTitrationSchedule, caution);
        return true;
    }
}

/// <summary>
/// SAFE-BACLOFEN-TAPER. When baclofen is being taken. Then never stop it abruptly (hallucinations,
/// seizures, hyperthermia, rebound spasticity; intrathecal boxed warning) — taper, except for a
/// serious adverse reaction. [BACLOFEN-LABEL]
/// </summary>
internal sealed class BaclofenOnBoardRule : IManagementRule
{
    public string Id => "SAFE-BACLOFEN-TAPER";
    public string Description => "Baclofen being taken → taper, never stop abruptly";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        MedicationFact? baclofen = null;
        foreach (var m in p.Medications)
        {
            if (m.Is(DrugRoles.Baclofen) && m.Exposure == Exposure.Current)
            {
                baclofen = m;
            }
        }

        if (baclofen is null || s.Primary.Subtype == EtiologySubtype.BaclofenWithdrawal)
        {
            return false;
        }

        var intrathecal = baclofen.Entry.Route == MedicationRoute.Intrathecal;
        s.Out.Pitfall(C.BaclofenAbruptWithdrawalRisk, Id, "Baclofen is being taken.", intrathecal ? [K.IntrathecalBaclofenWithdrawal] : []);
        if (s.Primary.Subtype != EtiologySubtype.BaclofenToxicity)
        {
            s.Out.Recommend(C.TaperNotAbruptStop, Id, "If baclofen is reduced or stopped, taper it.");
        }

        return true;
    }
}

/// <summary>
/// SAFE-PREGNANCY. When the patient is pregnant and baclofen is taken, proposed or recommended.
/// Then decide with obstetrics and neurology: only if the benefit justifies the risk; taper and stop
/// before delivery or counsel about neonatal withdrawal. [BACLOFEN-LABEL]
/// </summary>
internal sealed class PregnancyBaclofenRule : IManagementRule
{
    public string Id => "SAFE-PREGNANCY";
    public string Description => "Pregnancy + baclofen → shared decision, neonatal withdrawal";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        var baclofen = TizanidineCyp1a2Rule.Present(p, DrugRoles.Baclofen) || s.Out.Has(C.BaclofenFirstLine)
            || s.Out.Has(C.BaclofenTrialWithStrokeCaution) || s.Out.Has(C.SwitchTizanidineToBaclofen)
            || s.Out.Has(C.ReinstateBaclofen) || s.Out.Has(C.BaclofenTitrationSchedule);
        if (!baclofen)
        {
            return false;
        }

        if (p.Context.Patient?.Pregnant == true)
        {
            s.Out.Recommend(C.ObstetricNeurologySharedDecision, Id, "Pregnant patient with baclofen taken or proposed.");
            s.Out.Pitfall(C.BaclofenNeonatalWithdrawal, Id, "Pregnant patient with baclofen taken or proposed.", K.PregnancyBaclofen);
            s.Out.Caution(C.BaclofenFirstLine, K.PregnancyBaclofen);
            s.Out.Caution(C.BaclofenTrialWithStrokeCaution, K.PregnancyBaclofen);
            return true;
        }

        if (CouldBePregnant(p))
        {
            s.Out.MissingData("patient.pregnant", "Pregnancy status decides whether baclofen needs an obstetric shared decision (neonatal withdrawal).");
        }

        return false;
    }

    /// <summary>Female (or sex unknown) of child-bearing age with pregnancy status not recorded.</summary>
    internal static bool CouldBePregnant(ClinicalPicture p) =>
        p.Context.Patient?.Pregnant is null
        && p.Context.Patient?.Sex is null or Sex.Female or Sex.Unknown
        && p.AgeYears is >= 12 and <= 55;
}

/// <summary>
/// SAFE-AED-EEG. When an antiepileptic could be considered for clonic movements — startle- or
/// position-triggered clonus (including in a known UMN lesion), paroxysmal clonic attacks, a seizure
/// mimic, or an antiepileptic proposed or just started for clonus without known epilepsy — and EEG
/// has not shown epileptiform events. Then no antiepileptic without EEG confirmation; video-EEG when
/// an antiepileptic is in play or the attacks are startle-induced. [SEED-000; SEED-001; MARI2012]
/// </summary>
internal sealed class AntiepilepticWithoutEegRule : IManagementRule
{
    public string Id => "SAFE-AED-EEG";
    public string Description => "Antiepileptic for clonic attacks without EEG confirmation";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        if (p.Context.Eeg?.Result == EegResult.Epileptiform)
        {
            return false;
        }

        // Any picture in which an antiepileptic could be reached for: startle- or position-triggered
        // clonus (also in a known UMN lesion, where a foot on the footplate is misread as seizures),
        // paroxysmal clonic attacks, a seizure mimic, or an antiepileptic proposed or just started
        // for clonus (brief §4.4).
        var triggered = p.StartleInduced.IsYes || p.PositionTriggered.IsYes || s.Primary.Etiology == Etiology.SeizureMimic
            || (p.ClonusPresent && p.Context.Clonus?.Onset == ClonusOnset.Paroxysmal);
        var aed = p.Draft(DrugRoles.Antiepileptic) ?? NewlyStarted(p);
        var aedForClonus = aed is not null && p.ClonusPresent && !p.Has(ConditionCategory.Epilepsy) && !s.PrimaryIsToxicity;
        if (!triggered && !aedForClonus)
        {
            return false;
        }

        s.Out.Pitfall(C.NoAntiepilepticWithoutEeg, Id, aed is null ? "Clonic movements that can be mistaken for seizures." : "An antiepileptic is proposed or newly started for clonic movements.");
        if (p.Context.Eeg?.Result is null && (aed is not null || s.Primary.Etiology == Etiology.SeizureMimic || p.StartleInduced.IsYes))
        {
            s.Out.Recommend(C.VideoEeg, Id, "Classify the events before any antiepileptic.");
        }

        return true;
    }

    private static MedicationFact? NewlyStarted(ClinicalPicture p)
    {
        foreach (var m in p.Medications)
        {
            if (m.Is(DrugRoles.Antiepileptic) && m.RecentlyStartedOrIncreased)
            {
                return m;
            }
        }

        return null;
    }
}

/// <summary>
/// SAFE-ST-ALONE. When serotonergic agents are on board but the Hunter criteria are not met and
/// the etiology is not serotonin toxicity. Then the drug list alone does not make the diagnosis.
/// [DUNKLEY2003; brief §2 rule 1]
/// </summary>
internal sealed class SerotonergicDrugAloneRule : IManagementRule
{
    public string Id => "SAFE-ST-ALONE";
    public string Description => "Serotonergic drug without Hunter features → not diagnostic alone";

    public bool Apply(TriageState s)
    {
        if (s.HunterMet.IsYes)
        {
            return false;
        }

        // Only weak or contested agents (triptans, 5-HT3 antagonists, lithium…), on board or
        // proposed: say so, whatever the call.
        var lowOnly = s.Picture.OnlyLowContestedSerotonergic;
        if (lowOnly)
        {
            s.Out.Pitfall(C.LowTierSerotonergicAlone, Id, "The only serotonergic agents listed are of the weak or contested tier.");
        }

        if (s.Hunter is null)
        {
            return lowOnly;
        }

        if (s.Primary.Etiology == Etiology.SerotoninToxicity || s.Primary.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity)
        {
            return lowOnly;
        }

        s.Out.Pitfall(C.SerotonergicDrugAloneNotDiagnostic, Id, "A serotonergic agent is on board but the Hunter criteria are not met.");

        if (s.PrimaryIsToxicity && s.Primary.Etiology == Etiology.OtherDrugToxicity)
        {
            s.Out.Pitfall(C.DoNotLabelAsSerotoninSyndrome, Id, "Another toxidrome explains the picture despite the serotonergic drug.");
        }

        return true;
    }
}

/// <summary>
/// SAFE-OLD-LESION. When a UMN lesion is recorded but the etiology is a drug toxicity (or possible
/// toxicity with new clonus). Then do not attribute the new clonus to the old lesion.
/// [SEED-001; DUNKLEY2003; brief §4]
/// </summary>
internal sealed class OldLesionRule : IManagementRule
{
    public string Id => "SAFE-OLD-LESION";
    public string Description => "Old UMN lesion + acute toxicity → do not attribute to the lesion";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        if (!p.HasUmnCondition)
        {
            return false;
        }

        var possibleToxicity = s.PrimaryIsToxicity || s.Primary.RuleId == "ST-UNDETERMINED";
        if (!possibleToxicity)
        {
            return false;
        }

        s.Out.Pitfall(C.DoNotAttributeAcuteClonusToOldLesion, Id, "A toxidrome, not the recorded lesion, explains this clonus.");
        s.Out.Differential(Etiology.UmnLesion, null, "The recorded UMN lesion may contribute, but it does not explain an acute toxidrome.");
        return true;
    }
}
