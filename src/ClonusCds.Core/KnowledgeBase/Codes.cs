namespace ClonusCds.Core.KnowledgeBase;

/// <summary>
/// Every recommendation and pitfall code a rule can emit. The contract codes come from
/// shared/contract/codes.md and must never be renamed; the knowledge base must define each one
/// (checked at startup by <see cref="KnowledgeBaseValidator"/>).
/// </summary>
public static class Codes
{
    /// <summary>discontinue_serotonergic_agents</summary>
    public const string DiscontinueSerotonergicAgents = "discontinue_serotonergic_agents";
    /// <summary>benzodiazepine</summary>
    public const string Benzodiazepine = "benzodiazepine";
    /// <summary>cyproheptadine</summary>
    public const string Cyproheptadine = "cyproheptadine";
    /// <summary>external_cooling</summary>
    public const string ExternalCooling = "external_cooling";
    /// <summary>iv_fluids</summary>
    public const string IvFluids = "iv_fluids";
    /// <summary>continuous_cardiac_monitoring</summary>
    public const string ContinuousCardiacMonitoring = "continuous_cardiac_monitoring";
    /// <summary>icu_admission</summary>
    public const string IcuAdmission = "icu_admission";
    /// <summary>consider_intubation_nondepolarizing_paralysis</summary>
    public const string ConsiderIntubationNondepolarizingParalysis = "consider_intubation_nondepolarizing_paralysis";
    /// <summary>monitor_complication_labs</summary>
    public const string MonitorComplicationLabs = "monitor_complication_labs";
    /// <summary>toxicology_consult</summary>
    public const string ToxicologyConsult = "toxicology_consult";
    /// <summary>switch_to_non_serotonergic_alternative</summary>
    public const string SwitchToNonSerotonergicAlternative = "switch_to_non_serotonergic_alternative";
    /// <summary>review_recent_dose_change</summary>
    public const string ReviewRecentDoseChange = "review_recent_dose_change";
    /// <summary>safety_net_return_precautions</summary>
    public const string SafetyNetReturnPrecautions = "safety_net_return_precautions";
    /// <summary>discontinue_dopamine_antagonist</summary>
    public const string DiscontinueDopamineAntagonist = "discontinue_dopamine_antagonist";
    /// <summary>nms_specific_therapy_specialist</summary>
    public const string NmsSpecificTherapySpecialist = "nms_specific_therapy_specialist";
    /// <summary>stop_trigger_and_give_dantrolene</summary>
    public const string StopTriggerAndGiveDantrolene = "stop_trigger_and_give_dantrolene";
    /// <summary>ecg_qrs_qtc</summary>
    public const string EcgQrsQtc = "ecg_qrs_qtc";
    /// <summary>physostigmine_specialist_option</summary>
    public const string PhysostigmineSpecialistOption = "physostigmine_specialist_option";
    /// <summary>baclofen_first_line</summary>
    public const string BaclofenFirstLine = "baclofen_first_line";
    /// <summary>baclofen_titration_schedule</summary>
    public const string BaclofenTitrationSchedule = "baclofen_titration_schedule";
    /// <summary>baclofen_trial_with_stroke_caution</summary>
    public const string BaclofenTrialWithStrokeCaution = "baclofen_trial_with_stroke_caution";
    /// <summary>baclofen_renal_dose_reduction_or_avoid</summary>
    public const string BaclofenRenalDoseReductionOrAvoid = "baclofen_renal_dose_reduction_or_avoid";
    /// <summary>cold_application</summary>
    public const string ColdApplication = "cold_application";
    /// <summary>heel_contact_strategy</summary>
    public const string HeelContactStrategy = "heel_contact_strategy";
    /// <summary>physical_therapy</summary>
    public const string PhysicalTherapy = "physical_therapy";
    /// <summary>botulinum_toxin_focal</summary>
    public const string BotulinumToxinFocal = "botulinum_toxin_focal";
    /// <summary>phenol_neurolysis</summary>
    public const string PhenolNeurolysis = "phenol_neurolysis";
    /// <summary>taper_not_abrupt_stop</summary>
    public const string TaperNotAbruptStop = "taper_not_abrupt_stop";
    /// <summary>stop_baclofen</summary>
    public const string StopBaclofen = "stop_baclofen";
    /// <summary>urgent_hemodialysis_consider</summary>
    public const string UrgentHemodialysisConsider = "urgent_hemodialysis_consider";
    /// <summary>nephrology_consult</summary>
    public const string NephrologyConsult = "nephrology_consult";
    /// <summary>stop_contraindicated_combination</summary>
    public const string StopContraindicatedCombination = "stop_contraindicated_combination";
    /// <summary>switch_tizanidine_to_baclofen</summary>
    public const string SwitchTizanidineToBaclofen = "switch_tizanidine_to_baclofen";
    /// <summary>video_eeg</summary>
    public const string VideoEeg = "video_eeg";
    /// <summary>myorelaxant_for_nonepileptic_clonic_attacks</summary>
    public const string MyorelaxantForNonepilepticClonicAttacks = "myorelaxant_for_nonepileptic_clonic_attacks";
    /// <summary>review_taper_ineffective_antiepileptics</summary>
    public const string ReviewTaperIneffectiveAntiepileptics = "review_taper_ineffective_antiepileptics";
    /// <summary>airway_apnea_monitoring</summary>
    public const string AirwayApneaMonitoring = "airway_apnea_monitoring";
    /// <summary>developmental_neuromotor_evaluation</summary>
    public const string DevelopmentalNeuromotorEvaluation = "developmental_neuromotor_evaluation";
    /// <summary>pediatric_neurology_referral</summary>
    public const string PediatricNeurologyReferral = "pediatric_neurology_referral";
    /// <summary>early_intervention_referral</summary>
    public const string EarlyInterventionReferral = "early_intervention_referral";
    /// <summary>brain_mri_if_high_tone</summary>
    public const string BrainMriIfHighTone = "brain_mri_if_high_tone";
    /// <summary>ck_if_low_tone</summary>
    public const string CkIfLowTone = "ck_if_low_tone";
    /// <summary>tsh_if_low_tone</summary>
    public const string TshIfLowTone = "tsh_if_low_tone";
    /// <summary>reassurance_with_reexamination</summary>
    public const string ReassuranceWithReexamination = "reassurance_with_reexamination";
    /// <summary>full_neuro_exam_other_umn_signs</summary>
    public const string FullNeuroExamOtherUmnSigns = "full_neuro_exam_other_umn_signs";
    /// <summary>treat_hepatic_encephalopathy</summary>
    public const string TreatHepaticEncephalopathy = "treat_hepatic_encephalopathy";
    /// <summary>identify_treat_precipitant</summary>
    public const string IdentifyTreatPrecipitant = "identify_treat_precipitant";
    /// <summary>hold_lithium_check_level</summary>
    public const string HoldLithiumCheckLevel = "hold_lithium_check_level";
    /// <summary>extracorporeal_removal_per_extrip</summary>
    public const string ExtracorporealRemovalPerExtrip = "extracorporeal_removal_per_extrip";
    /// <summary>stop_interacting_drugs</summary>
    public const string StopInteractingDrugs = "stop_interacting_drugs";
    /// <summary>obtain_medication_history_and_tox_screen</summary>
    public const string ObtainMedicationHistoryAndToxScreen = "obtain_medication_history_and_tox_screen";
    /// <summary>complete_vitals_and_focused_exam</summary>
    public const string CompleteVitalsAndFocusedExam = "complete_vitals_and_focused_exam";
    /// <summary>reapply_hunter_after_data</summary>
    public const string ReapplyHunterAfterData = "reapply_hunter_after_data";
    /// <summary>mri_spine_brain</summary>
    public const string MriSpineBrain = "mri_spine_brain";
    /// <summary>urgent_neurology_referral</summary>
    public const string UrgentNeurologyReferral = "urgent_neurology_referral";
    /// <summary>obstetric_neurology_shared_decision</summary>
    public const string ObstetricNeurologySharedDecision = "obstetric_neurology_shared_decision";
    /// <summary>reinstate_baclofen</summary>
    public const string ReinstateBaclofen = "reinstate_baclofen";

    /// <summary>avoid_physical_restraints (pitfall)</summary>
    public const string AvoidPhysicalRestraints = "avoid_physical_restraints";
    /// <summary>avoid_antipyretics (pitfall)</summary>
    public const string AvoidAntipyretics = "avoid_antipyretics";
    /// <summary>avoid_succinylcholine (pitfall)</summary>
    public const string AvoidSuccinylcholine = "avoid_succinylcholine";
    /// <summary>avoid_bromocriptine_dantrolene_in_st (pitfall)</summary>
    public const string AvoidBromocriptineDantroleneInSt = "avoid_bromocriptine_dantrolene_in_st";
    /// <summary>avoid_antipsychotics_until_nms_excluded (pitfall)</summary>
    public const string AvoidAntipsychoticsUntilNmsExcluded = "avoid_antipsychotics_until_nms_excluded";
    /// <summary>maoi_high_risk_combination (pitfall)</summary>
    public const string MaoiHighRiskCombination = "maoi_high_risk_combination";
    /// <summary>linezolid_methylene_blue_are_maois (pitfall)</summary>
    public const string LinezolidMethyleneBlueAreMaois = "linezolid_methylene_blue_are_maois";
    /// <summary>fluoxetine_long_half_life (pitfall)</summary>
    public const string FluoxetineLongHalfLife = "fluoxetine_long_half_life";
    /// <summary>rigidity_can_mask_clonus (pitfall)</summary>
    public const string RigidityCanMaskClonus = "rigidity_can_mask_clonus";
    /// <summary>do_not_label_as_serotonin_syndrome (pitfall)</summary>
    public const string DoNotLabelAsSerotoninSyndrome = "do_not_label_as_serotonin_syndrome";
    /// <summary>serotonergic_drug_alone_not_diagnostic (pitfall)</summary>
    public const string SerotonergicDrugAloneNotDiagnostic = "serotonergic_drug_alone_not_diagnostic";
    /// <summary>metoclopramide_is_dopamine_antagonist (pitfall)</summary>
    public const string MetoclopramideIsDopamineAntagonist = "metoclopramide_is_dopamine_antagonist";
    /// <summary>cyproheptadine_anticholinergic (pitfall)</summary>
    public const string CyproheptadineAnticholinergic = "cyproheptadine_anticholinergic";
    /// <summary>avoid_tizanidine_for_clonus (pitfall)</summary>
    public const string AvoidTizanidineForClonus = "avoid_tizanidine_for_clonus";
    /// <summary>tizanidine_cyp1a2_contraindication (pitfall)</summary>
    public const string TizanidineCyp1a2Contraindication = "tizanidine_cyp1a2_contraindication";
    /// <summary>tizanidine_withdrawal_rebound (pitfall)</summary>
    public const string TizanidineWithdrawalRebound = "tizanidine_withdrawal_rebound";
    /// <summary>baclofen_abrupt_withdrawal_risk (pitfall)</summary>
    public const string BaclofenAbruptWithdrawalRisk = "baclofen_abrupt_withdrawal_risk";
    /// <summary>baclofen_renal_accumulation (pitfall)</summary>
    public const string BaclofenRenalAccumulation = "baclofen_renal_accumulation";
    /// <summary>baclofen_stroke_label_caution (pitfall)</summary>
    public const string BaclofenStrokeLabelCaution = "baclofen_stroke_label_caution";
    /// <summary>baclofen_neonatal_withdrawal (pitfall)</summary>
    public const string BaclofenNeonatalWithdrawal = "baclofen_neonatal_withdrawal";
    /// <summary>no_antiepileptic_without_eeg (pitfall)</summary>
    public const string NoAntiepilepticWithoutEeg = "no_antiepileptic_without_eeg";
    /// <summary>unsustained_clonus_can_be_normal (pitfall)</summary>
    public const string UnsustainedClonusCanBeNormal = "unsustained_clonus_can_be_normal";
    /// <summary>infant_clonus_thresholds (pitfall)</summary>
    public const string InfantClonusThresholds = "infant_clonus_thresholds";
    /// <summary>do_not_attribute_acute_clonus_to_old_lesion (pitfall)</summary>
    public const string DoNotAttributeAcuteClonusToOldLesion = "do_not_attribute_acute_clonus_to_old_lesion";
    /// <summary>avoid_sedatives_in_hepatic_encephalopathy (pitfall)</summary>
    public const string AvoidSedativesInHepaticEncephalopathy = "avoid_sedatives_in_hepatic_encephalopathy";
    /// <summary>treat_cause_not_clonus_in_metabolic (pitfall)</summary>
    public const string TreatCauseNotClonusInMetabolic = "treat_cause_not_clonus_in_metabolic";
    /// <summary>check_levels_before_attributing_to_st (pitfall)</summary>
    public const string CheckLevelsBeforeAttributingToSt = "check_levels_before_attributing_to_st";
    /// <summary>new_sustained_clonus_needs_structural_workup (pitfall)</summary>
    public const string NewSustainedClonusNeedsStructuralWorkup = "new_sustained_clonus_needs_structural_workup";
    /// <summary>incomplete_data_do_not_finalize (pitfall)</summary>
    public const string IncompleteDataDoNotFinalize = "incomplete_data_do_not_finalize";
    /// <summary>avoid_long_acting_beta_blockers_in_st (pitfall)</summary>
    public const string AvoidLongActingBetaBlockersInSt = "avoid_long_acting_beta_blockers_in_st";
    /// <summary>immediate_review_abnormal_physiology (physiology floor)</summary>
    public const string ImmediateReviewAbnormalPhysiology = "immediate_review_abnormal_physiology";
    /// <summary>intrathecal_pump_interrogation (intrathecal baclofen withdrawal)</summary>
    public const string IntrathecalPumpInterrogation = "intrathecal_pump_interrogation";
    /// <summary>reinstate_dopaminergic_therapy (parkinsonism-hyperpyrexia syndrome)</summary>
    public const string ReinstateDopaminergicTherapy = "reinstate_dopaminergic_therapy";
    /// <summary>serotonin_toxicity_nms_overlap (pitfall)</summary>
    public const string SerotoninToxicityNmsOverlap = "serotonin_toxicity_nms_overlap";
    /// <summary>avoid_dopamine_antagonists (pitfall)</summary>
    public const string AvoidDopamineAntagonists = "avoid_dopamine_antagonists";
    /// <summary>first_line_exhausted (first-line oral baclofen tried: why titration is not offered again)</summary>
    public const string FirstLineExhausted = "first_line_exhausted";
    /// <summary>intrathecal_baclofen_referral (refractory generalised spasticity and clonus)</summary>
    public const string IntrathecalBaclofenReferral = "intrathecal_baclofen_referral";
    /// <summary>neonatal_metabolic_checks (glucose, calcium, magnesium in a newborn)</summary>
    public const string NeonatalMetabolicChecks = "neonatal_metabolic_checks";
    /// <summary>infection_workup (sepsis, meningitis or encephalitis until excluded)</summary>
    public const string InfectionWorkup = "infection_workup";
    /// <summary>neonatal_drug_exposure (pitfall: poor neonatal adaptation, neonatal opioid withdrawal)</summary>
    public const string NeonatalDrugExposure = "neonatal_drug_exposure";
    /// <summary>low_tier_serotonergic_alone (pitfall: a weak or contested serotonergic agent alone)</summary>
    public const string LowTierSerotonergicAlone = "low_tier_serotonergic_alone";
    /// <summary>tizanidine_cyp1a2_avoid (pitfall: a CYP1A2 inhibitor the tizanidine label says to avoid)</summary>
    public const string TizanidineCyp1a2Avoid = "tizanidine_cyp1a2_avoid";
    /// <summary>urgent_obstetric_assessment (pregnancy with clonus or brisk reflexes and a raised blood pressure)</summary>
    public const string UrgentObstetricAssessment = "urgent_obstetric_assessment";
    /// <summary>preeclampsia_not_excluded (pitfall: clonus in pregnancy with a raised blood pressure is not a neurological or drug problem until pre-eclampsia is excluded)</summary>
    public const string PreeclampsiaNotExcluded = "preeclampsia_not_excluded";

    /// <summary>All codes above.</summary>
    public static IReadOnlyList<string> All { get; } = ConstantList.Of(typeof(Codes));

    /// <summary>Pitfall codes above.</summary>
    public static IReadOnlySet<string> Pitfalls { get; } = new HashSet<string>(StringComparer.Ordinal) { AvoidPhysicalRestraints, AvoidAntipyretics, AvoidSuccinylcholine, AvoidBromocriptineDantroleneInSt, AvoidAntipsychoticsUntilNmsExcluded, MaoiHighRiskCombination, LinezolidMethyleneBlueAreMaois, FluoxetineLongHalfLife, RigidityCanMaskClonus, DoNotLabelAsSerotoninSyndrome, SerotonergicDrugAloneNotDiagnostic, MetoclopramideIsDopamineAntagonist, CyproheptadineAnticholinergic, AvoidTizanidineForClonus, TizanidineCyp1a2Contraindication, TizanidineWithdrawalRebound, BaclofenAbruptWithdrawalRisk, BaclofenRenalAccumulation, BaclofenStrokeLabelCaution, BaclofenNeonatalWithdrawal, NoAntiepilepticWithoutEeg, UnsustainedClonusCanBeNormal, InfantClonusThresholds, DoNotAttributeAcuteClonusToOldLesion, AvoidSedativesInHepaticEncephalopathy, TreatCauseNotClonusInMetabolic, CheckLevelsBeforeAttributingToSt, NewSustainedClonusNeedsStructuralWorkup, IncompleteDataDoNotFinalize, AvoidLongActingBetaBlockersInSt, SerotoninToxicityNmsOverlap, AvoidDopamineAntagonists, NeonatalDrugExposure, LowTierSerotonergicAlone, TizanidineCyp1a2Avoid, PreeclampsiaNotExcluded };
}
