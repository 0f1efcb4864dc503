namespace ClonusCds.Core.KnowledgeBase;

/// <summary>Caution ids the rules attach; each must exist in cautions.json.</summary>
public static class CautionCodes
{
    /// <summary>conflict_baclofen_stroke</summary>
    public const string ConflictBaclofenStroke = "conflict_baclofen_stroke";
    /// <summary>conflict_cyproheptadine_threshold</summary>
    public const string ConflictCyproheptadineThreshold = "conflict_cyproheptadine_threshold";
    /// <summary>conflict_tizanidine_evidence</summary>
    public const string ConflictTizanidineEvidence = "conflict_tizanidine_evidence";
    /// <summary>conflict_chlorpromazine</summary>
    public const string ConflictChlorpromazine = "conflict_chlorpromazine";
    /// <summary>hunter_validated_in_overdose</summary>
    public const string HunterValidatedInOverdose = "hunter_validated_in_overdose";
    /// <summary>infant_outcome_figures_selective</summary>
    public const string InfantOutcomeFiguresSelective = "infant_outcome_figures_selective";
    /// <summary>baclofen_renal_table_not_retrieved (id kept; since 2026.12.2 its text says the label's CrCl bands are encoded)</summary>
    public const string BaclofenRenalTableNotRetrieved = "baclofen_renal_table_not_retrieved";
    /// <summary>triptan_setron_evidence_weak</summary>
    public const string TriptanSetronEvidenceWeak = "triptan_setron_evidence_weak";
    /// <summary>renal_function_unknown</summary>
    public const string RenalFunctionUnknown = "renal_function_unknown";
    /// <summary>renal_impairment_moderate</summary>
    public const string RenalImpairmentModerate = "renal_impairment_moderate";
    /// <summary>renal_impairment_severe</summary>
    public const string RenalImpairmentSevere = "renal_impairment_severe";
    /// <summary>pregnancy_baclofen</summary>
    public const string PregnancyBaclofen = "pregnancy_baclofen";
    /// <summary>pregnancy_status_unknown</summary>
    public const string PregnancyStatusUnknown = "pregnancy_status_unknown";
    /// <summary>stroke_comorbid_label_caution</summary>
    public const string StrokeComorbidLabelCaution = "stroke_comorbid_label_caution";
    /// <summary>adult_dosing_only</summary>
    public const string AdultDosingOnly = "adult_dosing_only";
    /// <summary>hepatic_encephalopathy_sedation</summary>
    public const string HepaticEncephalopathySedation = "hepatic_encephalopathy_sedation";
    /// <summary>anticholinergic_features_present</summary>
    public const string AnticholinergicFeaturesPresent = "anticholinergic_features_present";
    /// <summary>conflict_st_nms_treatments</summary>
    public const string ConflictStNmsTreatments = "conflict_st_nms_treatments";
    /// <summary>renal_function_estimated</summary>
    public const string RenalFunctionEstimated = "renal_function_estimated";
    /// <summary>conflict_st_mh_dantrolene</summary>
    public const string ConflictStMhDantrolene = "conflict_st_mh_dantrolene";
    /// <summary>previously_inadequate</summary>
    public const string PreviouslyInadequate = "previously_inadequate";
    /// <summary>stopping_for_serious_adverse_reaction</summary>
    public const string StoppingForSeriousAdverseReaction = "stopping_for_serious_adverse_reaction";
    /// <summary>intrathecal_baclofen_withdrawal</summary>
    public const string IntrathecalBaclofenWithdrawal = "intrathecal_baclofen_withdrawal";
    /// <summary>myorelaxant_after_eeg</summary>
    public const string MyorelaxantAfterEeg = "myorelaxant_after_eeg";
    /// <summary>cyproheptadine_oral_sedation</summary>
    public const string CyproheptadineOralSedation = "cyproheptadine_oral_sedation";
    /// <summary>linezolid_urgent_use</summary>
    public const string LinezolidUrgentUse = "linezolid_urgent_use";
    /// <summary>lithium_level_thresholds</summary>
    public const string LithiumLevelThresholds = "lithium_level_thresholds";
    /// <summary>metoclopramide_dual_role</summary>
    public const string MetoclopramideDualRole = "metoclopramide_dual_role";
    /// <summary>renal_impairment_mild (creatinine clearance or eGFR 50–80: baclofen dose about one third lower)</summary>
    public const string RenalImpairmentMild = "renal_impairment_mild";
    /// <summary>abrupt_stop_dangerous (a drug on board must not be stopped abruptly)</summary>
    public const string AbruptStopDangerous = "abrupt_stop_dangerous";

    /// <summary>All caution ids above.</summary>
    public static IReadOnlyList<string> All { get; } = ConstantList.Of(typeof(CautionCodes));
}
