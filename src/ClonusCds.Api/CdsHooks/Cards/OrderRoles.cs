using ClonusCds.Core.Vocabulary;
using C = ClonusCds.Core.KnowledgeBase.Codes;

namespace ClonusCds.Api.CdsHooks.Cards;

/// <summary>
/// Which recommendation and pitfall codes are about a drug of each role: when the assessment with
/// a draft order carries one of these, the order card shows it even if the patient's picture
/// would carry it without the order too (an antiepileptic ordered for a seizure mimic; an
/// antipyretic ordered in serotonin toxicity).
/// </summary>
internal static class OrderRoles
{
    private static readonly Dictionary<string, string[]> ByRole = new()
    {
        [DrugRoles.Serotonergic] = [C.SwitchToNonSerotonergicAlternative, C.DiscontinueSerotonergicAgents, C.MaoiHighRiskCombination, C.LinezolidMethyleneBlueAreMaois, C.FluoxetineLongHalfLife],
        [DrugRoles.Maoi] = [C.MaoiHighRiskCombination, C.LinezolidMethyleneBlueAreMaois],
        [DrugRoles.Tizanidine] = [C.AvoidTizanidineForClonus, C.SwitchTizanidineToBaclofen, C.TizanidineCyp1a2Contraindication, C.StopContraindicatedCombination],
        [DrugRoles.Cyp1a2Inhibitor] = [C.TizanidineCyp1a2Contraindication, C.StopContraindicatedCombination],
        [DrugRoles.Antiepileptic] = [C.NoAntiepilepticWithoutEeg, C.VideoEeg],
        [DrugRoles.Baclofen] = [C.BaclofenRenalDoseReductionOrAvoid, C.BaclofenRenalAccumulation, C.ObstetricNeurologySharedDecision, C.BaclofenNeonatalWithdrawal],
        [DrugRoles.DopamineAntagonist] = [C.AvoidAntipsychoticsUntilNmsExcluded, C.DiscontinueDopamineAntagonist, C.MetoclopramideIsDopamineAntagonist],
        [DrugRoles.Antipyretic] = [C.AvoidAntipyretics],
        [DrugRoles.Benzodiazepine] = [C.AvoidSedativesInHepaticEncephalopathy],
        [DrugRoles.SerotoninAntagonist] = [C.CyproheptadineAnticholinergic],
        [DrugRoles.MhTrigger] = [C.StopTriggerAndGiveDantrolene, C.AvoidSuccinylcholine],
        [DrugRoles.Lithium] = [C.CheckLevelsBeforeAttributingToSt, C.HoldLithiumCheckLevel],
        [DrugRoles.RaisesLithiumLevel] = [C.StopInteractingDrugs],
    };

    /// <summary>The codes about a drug of that role (none for roles without order-level advice).</summary>
    public static IEnumerable<string> CodesFor(string role) => ByRole.TryGetValue(role, out var codes) ? codes : [];
}
