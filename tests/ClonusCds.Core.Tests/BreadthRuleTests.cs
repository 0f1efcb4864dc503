using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using ClonusCds.Core.Triage;
using static ClonusCds.Core.Tests.Support.Patients;
using T = ClonusCds.Core.Model.RecommendationTier;

namespace ClonusCds.Core.Tests;

/// <summary>
/// One test group per rule added for clinical breadth (issue 14): graded serotonergic agents, the
/// gap rules found by the completeness matrix, and the pharmacist's corrections that live in rules.
/// </summary>
public sealed class BreadthRuleTests
{
    private static void AssertAbsent(Assessment a, params string[] codes)
    {
        foreach (var code in codes)
        {
            Assert.DoesNotContain(code, a.AllCodes());
        }
    }

    // Graded agents (brief §3): a low/contested agent alone is never the precipitant.

    // A fine tremor and three unsustained beats, reflexes normal: below every Hunter rule.
    private static PatientContext SoftSignsAfter(params MedicationEntry[] meds) => FewBeats(3)
        .WithExam(e => e with { Tremor = true, Reflexes = ReflexGrade.Normal }) with { Medications = meds };

    [Theory]
    [InlineData("ondansetron")]
    [InlineData("sumatriptan")]
    [InlineData("granisetron")]
    public void A_new_low_tier_agent_alone_with_soft_signs_is_not_mild_serotonin_toxicity(string drug)
    {
        var a = Engine.Assess(SoftSignsAfter(New(drug)));
        Assert.NotEqual(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.Equal("not_met", a.Outcome("ST-MILD"));
        Assert.True(a.HasPitfall("serotonergic_drug_alone_not_diagnostic"));
        Assert.True(a.HasPitfall("low_tier_serotonergic_alone"));
        Assert.Equal("low_contested", Assert.Single(a.SerotoninToxicity!.SerotonergicAgents).EvidenceTier);
    }

    [Fact]
    public void A_new_low_tier_agent_on_top_of_an_ssri_is_a_precipitant()
    {
        var a = Engine.Assess(SoftSignsAfter(Med("sertraline", days: 200, change: MedicationChange.Unchanged), New("sumatriptan")));
        Assert.Equal(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.Equal("fired", a.Outcome("ST-MILD"));
        Assert.False(a.HasPitfall("low_tier_serotonergic_alone"));
        Assert.Contains(a.SerotoninToxicity!.SerotonergicAgents, x => x.Name == "sertraline" && x.EvidenceTier == "moderate");
    }

    [Fact]
    public void A_new_ssri_with_soft_signs_is_still_mild_serotonin_toxicity_with_the_not_diagnostic_pitfall()
    {
        var a = Engine.Assess(SoftSignsAfter(Increased("sertraline")));
        Assert.Equal(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.True(a.HasPitfall("serotonergic_drug_alone_not_diagnostic"));
    }

    [Fact]
    public void Maois_are_of_the_high_evidence_tier()
    {
        var a = Engine.Assess(SoftSignsAfter(New("phenelzine")));
        Assert.Equal("high", Assert.Single(a.SerotoninToxicity!.SerotonergicAgents).EvidenceTier);
    }

    // SAFE-TOX-MONITOR

    [Fact]
    public void Lithium_toxicity_with_confusion_is_monitored()
    {
        var a = Engine.Assess(LithiumToxicity(2.2).WithExam(e => e with { MentalStatus = MentalStatus.Confused }));
        Assert.NotNull(a.TierOf("continuous_cardiac_monitoring"));
    }

    [Fact]
    public void Toxic_monitoring_is_not_added_without_a_toxic_picture()
    {
        var a = Engine.Assess(KnownUmn().WithExam(e => e with { MentalStatus = MentalStatus.Confused }));
        Assert.Null(a.Outcome("SAFE-TOX-MONITOR"));
    }

    // ACH-MGMT: benzodiazepines for agitation; physostigmine only as a specialist option.

    [Fact]
    public void Anticholinergic_agitation_gets_benzodiazepines_first_and_physostigmine_only_as_refractory()
    {
        var a = Engine.Assess(Anticholinergic());
        Assert.Equal(EtiologySubtype.AnticholinergicToxicity, a.Etiology.Subtype);
        Assert.Equal(T.FirstLine, a.TierOf("benzodiazepine"));
        Assert.Equal(T.Refractory, a.TierOf("physostigmine_specialist_option"));
        Assert.True(a.HasPitfall("avoid_physical_restraints"));
    }

    // LI-MGMT with fluid loss or AKI

    [Fact]
    public void Lithium_toxicity_with_vomiting_gets_isotonic_fluids_renal_monitoring_and_extrip_in_view()
    {
        var a = Engine.Assess(LithiumToxicity(2.2) with { Conditions = [new ConditionEntry { Display = "vomiting and diarrhoea for 3 days" }] });
        Assert.Equal(EtiologySubtype.LithiumToxicity, a.Etiology.Subtype);
        Assert.Equal(T.FirstLine, a.TierOf("iv_fluids"));
        Assert.NotNull(a.TierOf("monitor_complication_labs"));
        Assert.Equal(T.Monitoring, a.TierOf("extracorporeal_removal_per_extrip"));
        Assert.Empty(a.UnrecognizedInputs);
    }

    [Fact]
    public void Lithium_toxicity_with_aki_coded_n17_gets_fluids()
    {
        var a = Engine.Assess(LithiumToxicity(2.2) with { Conditions = [new ConditionEntry { Code = "N17.9", System = "http://hl7.org/fhir/sid/icd-10-cm" }] });
        Assert.Equal(T.FirstLine, a.TierOf("iv_fluids"));
        Assert.NotNull(a.TierOf("nephrology_consult"));
    }

    [Fact]
    public void Lithium_toxicity_without_fluid_loss_gets_no_fluids_from_the_lithium_pathway()
    {
        var a = Engine.Assess(LithiumToxicity(2.2).WithExam(e => e with { Mucosa = MucosaFinding.Moist }));
        Assert.Null(a.TierOf("iv_fluids"));
    }

    // SAFE-FLUIDS: AKI in a toxic picture

    [Fact]
    public void Acute_kidney_injury_in_serotonin_toxicity_gets_fluids_and_complication_labs()
    {
        var a = Engine.Assess(SerotoninToxicity().AddConditions(Condition(ConditionCategory.AcuteKidneyInjury, ConditionOnset.Acute)));
        Assert.NotNull(a.TierOf("iv_fluids"));
        Assert.NotNull(a.TierOf("monitor_complication_labs"));
    }

    // SAFE-UNSUSTAINED and SAFE-BRISK-REFLEXES

    [Fact]
    public void A_few_unsustained_beats_with_unknown_medicines_still_say_they_can_be_normal()
    {
        var a = Engine.Assess(FewBeats(3) with { Medications = null });
        Assert.NotEqual(Etiology.NormalVariant, a.Etiology.Primary);
        Assert.True(a.HasPitfall("unsustained_clonus_can_be_normal"));
        Assert.NotNull(a.TierOf("full_neuro_exam_other_umn_signs"));
    }

    [Theory]
    [InlineData(true, null)]
    [InlineData(false, 8)]
    [InlineData(false, null)]
    public void Sustained_many_or_uncounted_beats_are_never_called_possibly_normal(bool sustained, int? beats)
    {
        var a = Engine.Assess(FewBeats(beats).WithClonus(c => c with { Sustained = sustained }));
        Assert.False(a.HasPitfall("unsustained_clonus_can_be_normal"));
    }

    [Fact]
    public void Unilateral_clonus_is_never_called_possibly_normal()
    {
        var a = Engine.Assess(FewBeats(3).WithClonus(c => c with { Laterality = Laterality.Unilateral }));
        Assert.False(a.HasPitfall("unsustained_clonus_can_be_normal"));
    }

    [Fact]
    public void Brisk_symmetric_reflexes_without_other_umn_signs_ask_for_a_full_examination_before_imaging()
    {
        var a = Engine.Assess(FewBeats(3));
        Assert.Equal(Etiology.NormalVariant, a.Etiology.Primary);
        Assert.Equal("SAFE-BRISK-REFLEXES", a.Item("full_neuro_exam_other_umn_signs")!.FiredBy);
        AssertAbsent(a, "mri_spine_brain");
    }

    [Fact]
    public void Normal_reflexes_need_no_extra_examination_prompt()
    {
        var a = Engine.Assess(FewBeats(3).WithExam(e => e with { Reflexes = ReflexGrade.Normal }));
        Assert.Null(a.Outcome("SAFE-BRISK-REFLEXES"));
    }

    [Fact]
    public void Brisk_reflexes_in_serotonin_toxicity_are_the_toxidrome_not_a_reason_for_a_neurological_work_up()
    {
        var a = Engine.Assess(SerotoninToxicity());
        Assert.Null(a.Outcome("SAFE-BRISK-REFLEXES"));
    }

    // SAFE-AED-EEG broadened

    [Fact]
    public void A_newly_started_antiepileptic_for_clonus_without_epilepsy_needs_eeg()
    {
        var a = Engine.Assess(KnownUmn() with { Medications = [New("levetiracetam", 2)] });
        Assert.True(a.HasPitfall("no_antiepileptic_without_eeg"));
        Assert.NotNull(a.TierOf("video_eeg"));
    }

    [Fact]
    public void A_newly_started_antiepileptic_in_known_epilepsy_is_not_flagged()
    {
        var a = Engine.Assess((KnownUmn() with { Medications = [New("levetiracetam", 2)] }).AddConditions(Condition(ConditionCategory.Epilepsy)));
        Assert.False(a.HasPitfall("no_antiepileptic_without_eeg"));
    }

    [Fact]
    public void Paroxysmal_clonic_attacks_warn_against_antiepileptics_without_eeg()
    {
        var a = Engine.Assess(KnownUmn().WithClonus(c => c with { Onset = ClonusOnset.Paroxysmal }));
        Assert.True(a.HasPitfall("no_antiepileptic_without_eeg"));
    }

    // DIFF-INFECTION

    [Fact]
    public void Fever_confusion_and_rigidity_keep_infection_open_with_its_work_up()
    {
        var a = Engine.Assess(Nms().WithExam(e => e with { MentalStatus = MentalStatus.Confused }));
        Assert.Contains(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.CnsInfectionOrSepsis && d.NotExcluded);
        Assert.Equal(T.Workup, a.TierOf("infection_workup"));
    }

    [Fact]
    public void No_fever_no_infection_work_up()
    {
        var a = Engine.Assess(KnownUmn().WithExam(e => e with { MentalStatus = MentalStatus.Confused }).WithVitals(v => v with { TemperatureC = 36.9, TemperatureRising = false }));
        Assert.Null(a.TierOf("infection_workup"));
        Assert.DoesNotContain(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.CnsInfectionOrSepsis);
    }

    // INF-NEWBORN

    [Fact]
    public void A_newborn_with_clonus_gets_metabolic_checks_and_the_maternal_drug_pitfall()
    {
        var a = Engine.Assess(Infant(10 / 365.25, 6));
        Assert.NotNull(a.TierOf("neonatal_metabolic_checks"));
        Assert.True(a.HasPitfall("neonatal_drug_exposure"));
    }

    [Fact]
    public void A_six_month_old_is_not_a_newborn()
    {
        var a = Engine.Assess(Infant(0.5, 6));
        AssertAbsent(a, "neonatal_metabolic_checks", "neonatal_drug_exposure");
    }

    // SAFE-ABRUPT-STOP

    [Theory]
    [InlineData("valproate")]
    [InlineData("methadone")]
    [InlineData("rasagiline")]
    public void Stopping_serotonergic_agents_warns_against_stopping_a_dangerous_one_abruptly(string drug)
    {
        var a = Engine.Assess(SerotoninToxicity().AddMedications(Med(drug, days: 400, change: MedicationChange.Unchanged)));
        Assert.Equal(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.Contains("abrupt_stop_dangerous", a.CautionsOn("discontinue_serotonergic_agents"));
    }

    [Fact]
    public void No_abrupt_stop_caution_when_every_agent_can_simply_be_stopped()
    {
        var a = Engine.Assess(SerotoninToxicity());
        Assert.DoesNotContain("abrupt_stop_dangerous", a.CautionsOn("discontinue_serotonergic_agents"));
    }

    // Volume depletion vocabulary

    [Theory]
    [InlineData("E86.0", "http://hl7.org/fhir/sid/icd-10-cm")]
    [InlineData("R11.10", "http://hl7.org/fhir/sid/icd-10-cm")]
    [InlineData("34095006", "http://snomed.info/sct")]
    public void Volume_depletion_codes_are_placed(string code, string system)
    {
        var picture = Picture(FewBeats() with { Conditions = [new ConditionEntry { Code = code, System = system }] });
        Assert.True(picture.Has(ConditionCategory.VolumeDepletion));
        Assert.Equal(Tri.Yes, picture.VolumeLoss);
    }

    [Fact]
    public void Hypernatraemia_counts_as_fluid_loss()
    {
        Assert.Equal(Tri.Yes, Picture(FewBeats() with { Labs = new LabResults { SodiumMmolPerL = 152 } }).VolumeLoss);
    }

    // Pitfalls only where their condition holds.

    [Theory]
    [InlineData(118, 130, true)]
    [InlineData(88, 165, true)]
    [InlineData(null, null, true)]
    [InlineData(88, 124, false)]
    public void The_beta_blocker_pitfall_needs_tachycardia_hypertension_or_unmeasured_pulse(int? heartRate, int? systolic, bool expected)
    {
        var a = Engine.Assess(SerotoninToxicity().WithVitals(v => v with { HeartRateBpm = heartRate, SystolicBp = systolic }));
        Assert.Equal(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.Equal(expected, a.HasPitfall("avoid_long_acting_beta_blockers_in_st"));
    }

    // ST-HUNTER: lithium the only (contested) serotonergic agent, level above range.

    [Fact]
    public void Hunter_features_explained_by_a_raised_lithium_level_do_not_keep_serotonin_toxicity_open()
    {
        var context = LithiumToxicity(1.6) with { Medications = [Med("lithium carbonate", "42351", days: 900)] };
        var a = Engine.Assess(context);
        Assert.Equal(EtiologySubtype.LithiumToxicity, a.Etiology.Subtype);
        Assert.Equal("not_met", a.Outcome("ST-HUNTER"));
        Assert.DoesNotContain(a.Etiology.Differentials, d => d.Etiology == Etiology.SerotoninToxicity && d.NotExcluded);
        Assert.Contains(a.Etiology.Differentials, d => d.Etiology == Etiology.SerotoninToxicity);
        Assert.NotEqual(Urgency.Emergency, a.Urgency);
    }

    [Fact]
    public void Hunter_features_with_lithium_and_an_ssri_keep_serotonin_toxicity()
    {
        var a = Engine.Assess(LithiumToxicity(1.6));
        Assert.True(a.Etiology.Primary == Etiology.SerotoninToxicity
            || a.Etiology.Differentials.Any(d => d.Etiology == Etiology.SerotoninToxicity && d.NotExcluded));
    }

    // UMN-NEW and DIFF-INFECTION: fever with altered consciousness is systemic until shown otherwise.

    private static PatientContext FebrileConfusedRigidNoDrugs() => NewUmnSigns()
        .WithVitals(v => v with { TemperatureC = 39.0, TemperatureRising = true })
        .WithExam(e => e with { MentalStatus = MentalStatus.Confused, Rigidity = RigidityPattern.LeadPipe, Tone = ToneGrade.Increased })
        .WithClonus(c => c with { Laterality = Laterality.Bilateral });

    [Fact]
    public void Fever_and_confusion_with_bilateral_sustained_clonus_are_not_called_a_new_structural_lesion()
    {
        var a = Engine.Assess(FebrileConfusedRigidNoDrugs());
        Assert.Equal("not_met", a.Outcome("UMN-NEW"));
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
        Assert.Equal(Urgency.Emergency, a.Urgency);
        Assert.NotNull(a.TierOf("infection_workup"));
        Assert.NotNull(a.TierOf("complete_vitals_and_focused_exam"));
    }

    [Fact]
    public void Without_fever_the_same_picture_is_a_new_umn_lesion()
    {
        var a = Engine.Assess(FebrileConfusedRigidNoDrugs().WithVitals(v => v with { TemperatureC = 36.8, TemperatureRising = false }));
        Assert.Equal(EtiologySubtype.NewUndiagnosedUmnLesion, a.Etiology.Subtype);
        Assert.Null(a.TierOf("infection_workup"));
    }

    // SAFE-APNOEA

    [Fact]
    public void Clonus_with_apnoea_gets_apnoea_monitoring_whatever_the_call()
    {
        var a = Engine.Assess(KnownUmn().WithExam(e => e with { ApneaEpisodes = true }));
        Assert.Equal(Etiology.UmnLesion, a.Etiology.Primary);
        Assert.Equal("SAFE-APNOEA", a.Item("airway_apnea_monitoring")!.FiredBy);
    }

    [Fact]
    public void No_apnoea_no_apnoea_monitoring()
    {
        var a = Engine.Assess(KnownUmn().WithExam(e => e with { ApneaEpisodes = false }));
        Assert.Null(a.TierOf("airway_apnea_monitoring"));
    }
}
