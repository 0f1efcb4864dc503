using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;
using C = ClonusCds.Core.KnowledgeBase.Codes;
using K = ClonusCds.Core.KnowledgeBase.CautionCodes;
using T = ClonusCds.Core.Model.RecommendationTier;

namespace ClonusCds.Core.Triage.Rules;

// Rules that close the gaps the completeness matrix (tests/ClonusCds.Core.Tests/Cases/
// completeness-matrix.json) found: items a clinician expects whatever the primary etiology, each
// tied to the finding that calls for it, so that it appears only when its condition holds.

/// <summary>
/// SAFE-TOX-MONITOR. When a drug toxicity is the primary call or a toxic hazard is held open, and
/// consciousness is reduced (confusion, delirium, decreased consciousness, coma). Then continuous
/// cardiac monitoring: airway, arrhythmia and autonomic instability can change within minutes.
/// [BOYER2005; NEWS2; EXTRIP-LI]
/// </summary>
internal sealed class ToxicMonitoringRule : IManagementRule
{
    public string Id => "SAFE-TOX-MONITOR";
    public string Description => "Toxicity with reduced consciousness → continuous cardiac monitoring";

    public bool Apply(TriageState s)
    {
        var toxic = s.PrimaryIsToxicity || s.OpenHazards.Count > 0;
        if (!toxic || !s.Picture.AlteredConsciousness || s.Out.Has(C.ContinuousCardiacMonitoring))
        {
            return false;
        }

        s.Out.Recommend(C.ContinuousCardiacMonitoring, Id, "A toxic picture with reduced consciousness.");
        return true;
    }
}

/// <summary>
/// SAFE-UNSUSTAINED. When clonus is a few unsustained beats (at most 5), symmetric, without
/// spontaneous, ocular or startle-induced clonus, in an otherwise normal examination (no other UMN
/// signs, weakness or raised tone recorded), at any age, and no drug toxicity is the call. Then the
/// pitfall that such clonus can be normal. [NORMAL-CLONUS; brief §4.2]
/// </summary>
internal sealed class UnsustainedClonusRule : IManagementRule
{
    public string Id => "SAFE-UNSUSTAINED";
    public string Description => "A few unsustained symmetric beats, otherwise normal examination → can be normal";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        var c = p.Context.Clonus;
        var e = p.Context.Exam;
        if (!p.ClonusPresent || !p.Sustained.IsNo || c?.Beats is not { } beats || beats > NormalVariantRule.MaxBeats
            || c.Laterality == Laterality.Unilateral || (p.SpontaneousClonus | p.OcularClonus | p.StartleInduced).IsYes
            || e is null || e.OtherUmnSigns == true || e.Weakness == true || e.Tone == ToneGrade.Increased
            || s.PrimaryIsToxicity || s.Primary.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity)
        {
            return false;
        }

        s.Out.Pitfall(C.UnsustainedClonusCanBeNormal, Id, $"{beats} unsustained beat{(beats == 1 ? "" : "s")} with no other abnormal sign recorded.");
        return true;
    }
}

/// <summary>
/// SAFE-BRISK-REFLEXES. When reflexes are brisk and symmetric, other UMN signs are absent or not
/// recorded, and no drug toxicity is the call. Then a full neurological examination for other UMN
/// signs (Babinski, Hoffmann, weakness, sensory level, sphincters) before any imaging: brisk
/// symmetric reflexes alone can be normal. [NORMAL-CLONUS; brief §4.2]
/// </summary>
internal sealed class BriskReflexesRule : IManagementRule
{
    public string Id => "SAFE-BRISK-REFLEXES";
    public string Description => "Brisk symmetric reflexes without other UMN signs → full neurological examination first";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        var e = p.Context.Exam;
        if (e?.Reflexes != ReflexGrade.Increased || e.OtherUmnSigns == true || p.Context.Clonus?.Laterality == Laterality.Unilateral
            || s.PrimaryIsToxicity || s.Primary.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity || p.HasUmnCondition)
        {
            return false;
        }

        s.Out.Recommend(C.FullNeuroExamOtherUmnSigns, Id, e.OtherUmnSigns is null
            ? "Brisk symmetric reflexes; other UMN signs not recorded: examine for them before imaging."
            : "Brisk symmetric reflexes with no other UMN sign: can be normal; re-examine fully before imaging.");
        return true;
    }
}

/// <summary>
/// DIFF-INFECTION. When fever (above 38 °C or rising) comes with altered consciousness (confusion,
/// delirium, decreased consciousness or coma). Then sepsis and CNS infection (meningitis,
/// encephalitis) stay in the differential, not excluded, with their work-up — whatever the drug list
/// says (Sternbach's criterion B: other causes, infection among them, ruled out); an emergency.
/// [STERNBACH1991; VENKATESAN2013; TUNKEL2004]
/// </summary>
internal sealed class InfectionDifferentialRule : IManagementRule
{
    public string Id => "DIFF-INFECTION";
    public string Description => "Fever with altered consciousness → infection in the differential until excluded";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        if (!p.FeverOrRising.IsYes || !p.AlteredConsciousness)
        {
            return false;
        }

        var rigid = p.Hypertonia.IsYes;
        s.Out.Differential(Etiology.IndeterminateNeedsEvaluation, EtiologySubtype.CnsInfectionOrSepsis,
            rigid ? "Fever, altered consciousness and rigidity: sepsis, meningitis or encephalitis until excluded."
                  : "Fever with altered consciousness: sepsis, meningitis or encephalitis until excluded.", notExcluded: true);
        s.Out.Recommend(C.InfectionWorkup, Id, "Fever with altered consciousness: infection is not excluded by a drug history.");
        // Meningitis and sepsis are treated within the hour: an emergency whatever else is open.
        s.Out.AtLeast(Urgency.Emergency);
        s.Out.Because("Fever with altered consciousness: CNS infection or sepsis is not excluded, an emergency until it is.");
        return true;
    }
}

/// <summary>
/// INF-NEWBORN. When a newborn (first 28 days) has clonus or tremor/jitteriness. Then check glucose,
/// calcium and magnesium, and ask about late-pregnancy SSRI/SNRI and opioid exposure (poor neonatal
/// adaptation, neonatal opioid withdrawal) before labelling the movements. [AAP-MOTOR2013;
/// BACLOFEN-LABEL; SSRI/SNRI labels §8.1]
/// </summary>
internal sealed class NewbornRule : IManagementRule
{
    public string Id => "INF-NEWBORN";
    public string Description => "Newborn with clonus or jitteriness → metabolic checks, maternal drug exposure";

    public bool Apply(TriageState s)
    {
        var p = s.Picture;
        if (!p.Newborn.IsYes || (!p.ClonusPresent && !p.Tremor.IsYes))
        {
            return false;
        }

        s.Out.Recommend(C.NeonatalMetabolicChecks, Id, "Newborn with clonus or jitteriness: correctable metabolic causes first.", T.FirstLine);
        s.Out.Pitfall(C.NeonatalDrugExposure, Id, "Newborn: late-pregnancy antidepressant or opioid exposure gives the same signs.");
        return true;
    }
}

/// <summary>
/// SAFE-ABRUPT-STOP. When stopping serotonergic agents is advised and one of them is dangerous to
/// stop abruptly (a serotonergic antiepileptic such as valproate or carbamazepine, methadone, or an
/// MAO-B inhibitor, whose withdrawal in Parkinson's disease risks the parkinsonism-hyperpyrexia
/// syndrome). Then the advice carries a caution: taper, substitute or take specialist advice.
/// [BOYER2005; NEWMAN2009; BACLOFEN-LABEL]
/// </summary>
internal sealed class AbruptStopRule : IManagementRule
{
    public string Id => "SAFE-ABRUPT-STOP";
    public string Description => "Stop serotonergic agents, one of which must not be stopped abruptly → caution";

    public bool Apply(TriageState s)
    {
        if (!s.Out.Has(C.DiscontinueSerotonergicAgents))
        {
            return false;
        }

        foreach (var m in s.Picture.Medications)
        {
            if (m.Exposure == Exposure.Current && m.Is(DrugRoles.Serotonergic)
                && (m.Is(DrugRoles.Antiepileptic) || m.Is(DrugRoles.Dopaminergic) || m.Drug.Name == "methadone" || m.Drug.SerotonergicClass == "mao_b_inhibitor"))
            {
                s.Out.Caution(C.DiscontinueSerotonergicAgents, K.AbruptStopDangerous);
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// SAFE-APNOEA. When clonus comes with apnoeic episodes, whatever the call. Then cardiorespiratory
/// and apnoea monitoring with an airway plan: prolonged clonic attacks with apnoea can be
/// life-threatening before their nature is known. [MARI2012; SEED-001]
/// </summary>
internal sealed class ApnoeaRule : IManagementRule
{
    public string Id => "SAFE-APNOEA";
    public string Description => "Clonus with apnoea → apnoea monitoring and an airway plan";

    public bool Apply(TriageState s)
    {
        if (!s.Picture.ClonusPresent || s.Picture.Context.Exam?.ApneaEpisodes != true || s.Out.Has(C.AirwayApneaMonitoring))
        {
            return false;
        }

        s.Out.Recommend(C.AirwayApneaMonitoring, Id, "Apnoea occurs with the clonic movements.");
        return true;
    }
}
