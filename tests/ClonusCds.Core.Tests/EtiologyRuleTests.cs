using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using ClonusCds.Core.Triage;
using static ClonusCds.Core.Tests.Support.Patients;

namespace ClonusCds.Core.Tests;

/// <summary>
/// Each etiology rule (TriageEngine.EtiologyRules, in priority order): when it fires, when it must
/// not, and how it ranks against the others. Look-alikes come before serotonin toxicity and acute
/// toxicity before an old lesion (evidence brief §2 rules 1–4, §4).
/// </summary>
public sealed class EtiologyRuleTests
{
    private static void AssertCall(Assessment a, Etiology etiology, EtiologySubtype? subtype, Urgency urgency, string ruleId)
    {
        Assert.Equal(etiology, a.Etiology.Primary);
        Assert.Equal(subtype, a.Etiology.Subtype);
        Assert.Equal(urgency, a.Urgency);
        Assert.Equal("fired", a.Outcome(ruleId));
        Assert.NotEmpty(a.Etiology.Rationale);
    }

    // TOX-MH

    [Fact]
    public void Anaesthetic_trigger_with_generalised_rigor_and_rising_temperature_is_malignant_hyperthermia()
    {
        var a = Engine.Assess(MalignantHyperthermia());
        AssertCall(a, Etiology.OtherDrugToxicity, EtiologySubtype.MalignantHyperthermia, Urgency.Emergency, "TOX-MH");
    }

    [Fact]
    public void Generalised_rigor_and_fever_in_recovery_with_a_complete_list_and_no_trigger_is_not_malignant_hyperthermia()
    {
        // Theatre or recovery is a setting, not a trigger (brief §2 rule 4): the first release called
        // this malignant hyperthermia on setting alone.
        var a = Engine.Assess(MalignantHyperthermia() with { Setting = CareSetting.Pacu, Medications = [Med("escitalopram")] });
        Assert.NotEqual(EtiologySubtype.MalignantHyperthermia, a.Etiology.Subtype);
        Assert.DoesNotContain(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.MalignantHyperthermia);
        Assert.Equal("not_met", a.Outcome("TOX-MH"));
        Assert.DoesNotContain("stop_trigger_and_give_dantrolene", a.AllCodes());
    }

    [Fact]
    public void Generalised_rigor_and_fever_in_recovery_with_an_incomplete_list_keeps_malignant_hyperthermia_open_but_never_primary()
    {
        var a = Engine.Assess(MalignantHyperthermia() with { Setting = CareSetting.Pacu, Medications = [Med("escitalopram"), Med("unlisted induction agent")] });
        Assert.NotEqual(EtiologySubtype.MalignantHyperthermia, a.Etiology.Subtype);
        var mh = Assert.Single(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.MalignantHyperthermia);
        Assert.True(mh.NotExcluded);
        Assert.Equal(Urgency.Emergency, a.Urgency);
        Assert.Equal("malignant_hyperthermia", a.Item("stop_trigger_and_give_dantrolene")!.ServesDifferential);
        Assert.Equal("undetermined", a.Outcome("TOX-MH"));
    }

    [Fact]
    public void Rigidity_and_fever_on_a_ward_without_an_anaesthetic_trigger_is_not_malignant_hyperthermia()
    {
        var a = Engine.Assess(MalignantHyperthermia() with { Setting = CareSetting.InpatientWard, Medications = [Med("escitalopram")] });
        Assert.NotEqual(EtiologySubtype.MalignantHyperthermia, a.Etiology.Subtype);
        Assert.Equal("not_met", a.Outcome("TOX-MH"));
    }

    [Fact]
    public void Anaesthetic_trigger_with_rigor_but_normal_temperature_is_not_malignant_hyperthermia()
    {
        var a = Engine.Assess(MalignantHyperthermia().WithVitals(v => v with { TemperatureC = 37.2, TemperatureRising = false }));
        Assert.NotEqual(EtiologySubtype.MalignantHyperthermia, a.Etiology.Subtype);
    }

    // TOX-NMS

    [Fact]
    public void Dopamine_antagonist_with_lead_pipe_rigidity_and_bradyreflexia_is_nms()
    {
        var a = Engine.Assess(Nms());
        AssertCall(a, Etiology.OtherDrugToxicity, EtiologySubtype.NeurolepticMalignantSyndrome, Urgency.Emergency, "TOX-NMS");
        Assert.False(a.SerotoninToxicity!.HunterCriteriaMet);
    }

    [Fact]
    public void Hyperreflexia_weighs_against_nms_in_the_trace()
    {
        // Bradyreflexia speaks for NMS (+2), hyperreflexia against it (−2): BOYER2005, MSD.
        var brisk = Engine.Assess(Nms().WithExam(e => e with { Reflexes = ReflexGrade.Increased }));
        var slow = Engine.Assess(Nms());
        var weighed = Assert.Single(brisk.Trace, t => t.Rule == "WEIGH-NEUROLEPTIC-MALIGNANT-SYNDROME");
        Assert.Contains(weighed.Inputs, i => i.StartsWith("against: hyperreflexia", StringComparison.Ordinal));
        Assert.Equal(Score(slow, "WEIGH-NEUROLEPTIC-MALIGNANT-SYNDROME") - 4, Score(brisk, "WEIGH-NEUROLEPTIC-MALIGNANT-SYNDROME"));
    }

    private static int Score(Assessment a, string rule) =>
        int.Parse(a.Trace.Single(t => t.Rule == rule).Inputs.Single(i => i.StartsWith("score=", StringComparison.Ordinal))["score=".Length..], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Lead_pipe_rigidity_without_a_dopamine_antagonist_is_not_nms()
    {
        var a = Engine.Assess(Nms() with { Medications = [Med("sertraline", "36437")] });
        Assert.NotEqual(EtiologySubtype.NeurolepticMalignantSyndrome, a.Etiology.Subtype);
        Assert.Equal("not_met", a.Outcome("TOX-NMS"));
    }

    [Fact]
    public void Metoclopramide_counts_as_the_dopamine_antagonist_for_nms()
    {
        var a = Engine.Assess(Nms() with { Medications = [New("metoclopramide", 2), Med("escitalopram")] });
        Assert.Equal(EtiologySubtype.NeurolepticMalignantSyndrome, a.Etiology.Subtype);
    }

    [Fact]
    public void Lead_pipe_rigidity_with_met_hunter_criteria_keeps_both_syndromes_open_and_safe_for_both()
    {
        // Clonus = serotonin, rigidity = NMS (brief §2): spontaneous clonus meets Hunter rule 1 while
        // a recently raised haloperidol, lead-pipe rigidity and bradyreflexia point to NMS. Neither
        // is excluded, so the answer says so and stays safe for both (brief §5.4).
        var a = Engine.Assess(Nms() with { Clonus = Clonus(ClonusType.Spontaneous) });
        Assert.True(a.SerotoninToxicity!.HunterCriteriaMet);
        Assert.True(Open(a, Etiology.SerotoninToxicity, null));
        Assert.True(Open(a, Etiology.OtherDrugToxicity, EtiologySubtype.NeurolepticMalignantSyndrome));
        var codes = a.AllCodes();
        Assert.Contains("serotonin_toxicity_nms_overlap", codes);
        Assert.Contains("discontinue_serotonergic_agents", codes);
        Assert.Contains("discontinue_dopamine_antagonist", codes);
        Assert.Contains("avoid_dopamine_antagonists", codes);
        Assert.DoesNotContain("do_not_label_as_serotonin_syndrome", codes);
        Assert.DoesNotContain("nms_specific_therapy_specialist", codes);
    }

    [Fact]
    public void A_fresh_serotonergic_start_with_clonus_and_brisk_reflexes_outweighs_an_antipsychotic_with_lead_pipe_rigidity()
    {
        var a = Engine.Assess(SerotoninToxicity().AddMedications(Increased("olanzapine", 1)).WithExam(e => e with { Rigidity = RigidityPattern.LeadPipe, Tone = ToneGrade.Increased }));
        Assert.Equal(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.True(Open(a, Etiology.OtherDrugToxicity, EtiologySubtype.NeurolepticMalignantSyndrome));
        Assert.Contains("serotonin_toxicity_nms_overlap", a.AllCodes());
        Assert.Equal("primary", a.Trace.Single(t => t.Rule == "WEIGH-SEROTONIN-TOXICITY").Outcome);
        Assert.Equal("not_excluded", a.Trace.Single(t => t.Rule == "WEIGH-NEUROLEPTIC-MALIGNANT-SYNDROME").Outcome);
    }

    private static bool Open(Assessment a, Etiology etiology, EtiologySubtype? subtype) =>
        (a.Etiology.Primary == etiology && a.Etiology.Subtype == subtype)
        || a.Etiology.Differentials.Any(d => d.Etiology == etiology && d.Subtype == subtype && d.NotExcluded);

    // TOX-ACH

    [Fact]
    public void Hot_dry_skin_dry_mucosa_and_absent_bowel_sounds_after_an_anticholinergic_is_anticholinergic_toxicity()
    {
        var a = Engine.Assess(Anticholinergic());
        AssertCall(a, Etiology.OtherDrugToxicity, EtiologySubtype.AnticholinergicToxicity, Urgency.Emergency, "TOX-ACH");
    }

    [Fact]
    public void The_full_anticholinergic_triad_with_mydriasis_needs_no_listed_anticholinergic()
    {
        var a = Engine.Assess(Anticholinergic() with { Medications = [Med("sertraline", "36437")] });
        Assert.Equal(EtiologySubtype.AnticholinergicToxicity, a.Etiology.Subtype);
    }

    [Fact]
    public void Sweating_rules_out_the_anticholinergic_toxidrome()
    {
        var a = Engine.Assess(Anticholinergic().WithExam(e => e with { Diaphoresis = true }));
        Assert.NotEqual(EtiologySubtype.AnticholinergicToxicity, a.Etiology.Subtype);
    }

    [Fact]
    public void A_single_anticholinergic_feature_is_not_anticholinergic_toxicity()
    {
        var a = Engine.Assess(Anticholinergic().WithExam(e => e with { Mucosa = MucosaFinding.Moist, BowelSounds = Model.BowelSounds.Normal }));
        Assert.NotEqual(EtiologySubtype.AnticholinergicToxicity, a.Etiology.Subtype);
    }

    // TOX-BACLOFEN

    [Fact]
    public void Baclofen_on_dialysis_with_decreased_consciousness_is_baclofen_toxicity()
    {
        var a = Engine.Assess(BaclofenToxicity());
        AssertCall(a, Etiology.OtherDrugToxicity, EtiologySubtype.BaclofenToxicity, Urgency.Emergency, "TOX-BACLOFEN");
    }

    [Theory]
    [InlineData(29.0, true)]
    [InlineData(30.0, false)]
    public void Baclofen_toxicity_needs_egfr_below_30_or_dialysis(double egfr, bool toxicity)
    {
        var a = Engine.Assess(BaclofenToxicity() with { Patient = new PatientInfo { AgeYears = 61, Sex = Sex.Male, OnDialysis = false, Egfr = egfr } });
        Assert.Equal(toxicity, a.Etiology.Subtype == EtiologySubtype.BaclofenToxicity);
    }

    [Fact]
    public void Baclofen_on_dialysis_without_encephalopathy_hypotonia_or_bradycardia_is_not_baclofen_toxicity()
    {
        var a = Engine.Assess(BaclofenToxicity()
            .WithExam(e => e with { Tone = ToneGrade.Increased, MentalStatus = MentalStatus.Normal })
            .WithVitals(v => v with { HeartRateBpm = 80 }));
        Assert.NotEqual(EtiologySubtype.BaclofenToxicity, a.Etiology.Subtype);
    }

    // TOX-BACLOFEN-WD

    [Fact]
    public void Fever_and_confusion_two_days_after_stopping_baclofen_is_baclofen_withdrawal()
    {
        var a = Engine.Assess(BaclofenWithdrawal());
        AssertCall(a, Etiology.OtherDrugToxicity, EtiologySubtype.BaclofenWithdrawal, Urgency.Emergency, "TOX-BACLOFEN-WD");
    }

    [Fact]
    public void Fever_three_days_after_stopping_baclofen_is_baclofen_withdrawal()
    {
        // TOX-BACLOFEN-WD header: "stopped or interrupted in the last 3 days". Baclofen has no washout in
        // drugs.json, so the 2-day default makes a day-3 stop a past stop that the rule never sees.
        // With rebound hypertonia and 39.2 °C, Hunter rule 5 then fires on the sertraline and the
        // withdrawal is called serotonin toxicity (cyproheptadine, stop serotonergic agents).
        var a = Engine.Assess(BaclofenWithdrawal(daysSinceStop: 3));
        Assert.Equal(EtiologySubtype.BaclofenWithdrawal, a.Etiology.Subtype);
        Assert.DoesNotContain("cyproheptadine", a.AllCodes());
    }

    [Fact]
    public void Rebound_rigidity_alone_two_days_after_stopping_baclofen_is_baclofen_withdrawal()
    {
        // TOX-BACLOFEN-WD header: "fever (> 38 °C or rising), altered mental status or rebound
        // rigidity/spasticity"; BACLOFEN-LABEL (Lyvispah) lists rebound spasticity and rigidity among the
        // abrupt-withdrawal features. The code requires fever or altered mental status, so the rebound
        // clause (fever || mental || rebound) is dead.
        var a = Engine.Assess(BaclofenWithdrawal()
            .WithVitals(v => v with { TemperatureC = 37.4, TemperatureRising = false })
            .WithExam(e => e with { MentalStatus = MentalStatus.Normal, Agitation = false }));
        Assert.Equal(EtiologySubtype.BaclofenWithdrawal, a.Etiology.Subtype);
    }

    [Fact]
    public void Baclofen_stopped_on_an_unknown_day_with_fever_is_baclofen_withdrawal()
    {
        Assert.Equal(EtiologySubtype.BaclofenWithdrawal, Engine.Assess(BaclofenWithdrawal(daysSinceStop: null)).Etiology.Subtype);
    }

    [Fact]
    public void Baclofen_stopped_a_week_ago_is_not_baclofen_withdrawal()
    {
        var a = Engine.Assess(BaclofenWithdrawal(daysSinceStop: 7));
        Assert.NotEqual(EtiologySubtype.BaclofenWithdrawal, a.Etiology.Subtype);
    }

    [Fact]
    public void Stopping_baclofen_without_fever_mental_change_or_rebound_rigidity_is_not_withdrawal()
    {
        var a = Engine.Assess(BaclofenWithdrawal()
            .WithVitals(v => v with { TemperatureC = 37.0, TemperatureRising = false })
            .WithExam(e => e with { MentalStatus = MentalStatus.Normal, Agitation = false, Tone = ToneGrade.Normal, Rigidity = RigidityPattern.None }));
        Assert.NotEqual(EtiologySubtype.BaclofenWithdrawal, a.Etiology.Subtype);
    }

    // TOX-LITHIUM

    [Fact]
    public void Lithium_2_8_with_tremor_and_hyperreflexia_is_lithium_toxicity_not_serotonin_toxicity()
    {
        var a = Engine.Assess(LithiumToxicity(2.8));
        AssertCall(a, Etiology.OtherDrugToxicity, EtiologySubtype.LithiumToxicity, Urgency.Emergency, "TOX-LITHIUM");
        Assert.Equal([4], a.SerotoninToxicity!.HunterRulesFired);
        Assert.Contains(a.Etiology.Differentials, d => d.Etiology == Etiology.SerotoninToxicity);
    }

    [Theory]
    [InlineData(1.2, false)]
    [InlineData(1.3, true)]
    public void Lithium_toxicity_needs_a_level_above_1_2(double level, bool toxicity)
    {
        var a = Engine.Assess(LithiumToxicity(level));
        Assert.Equal(toxicity, a.Etiology.Subtype == EtiologySubtype.LithiumToxicity);
    }

    [Theory]
    [InlineData(2.5, Urgency.Urgent)]
    [InlineData(2.6, Urgency.Emergency)]
    public void Lithium_toxicity_is_an_emergency_above_2_5(double level, Urgency urgency)
    {
        // Hunter rule 4 would make it an emergency on its own: remove tremor so the level decides.
        var a = Engine.Assess(LithiumToxicity(level).WithExam(e => e with { Tremor = false }));
        Assert.Equal(EtiologySubtype.LithiumToxicity, a.Etiology.Subtype);
        Assert.Equal(urgency, a.Urgency);
    }

    [Fact]
    public void Lithium_toxicity_with_confusion_is_an_emergency_at_any_raised_level()
    {
        var a = Engine.Assess(LithiumToxicity(1.8).WithExam(e => e with { Tremor = false, MentalStatus = MentalStatus.Confused }));
        Assert.Equal(Urgency.Emergency, a.Urgency);
    }

    [Fact]
    public void Lithium_as_the_only_serotonergic_agent_with_no_level_waits_for_the_level_before_serotonin_toxicity()
    {
        // Tremor + hyperreflexia fire Hunter rule 4, but lithium itself causes them (brief §2 rule 1).
        var a = Engine.Assess(LithiumToxicity(null) with { Medications = [Med("lithium carbonate", "42351")] });
        // Hunter rule 4 is met: serotonin toxicity stays open (never primary while the level is
        // unknown) with its safety actions and its urgency, so the answer is an emergency.
        AssertCall(a, Etiology.IndeterminateNeedsEvaluation, EtiologySubtype.LithiumToxicity, Urgency.Emergency, "TOX-LITHIUM");
        Assert.Contains(a.Etiology.Differentials, d => d.Etiology == Etiology.SerotoninToxicity && d.NotExcluded);
        var codes = a.AllCodes();
        Assert.Contains("hold_lithium_check_level", codes);
        Assert.Contains("check_levels_before_attributing_to_st", codes);
        Assert.DoesNotContain("cyproheptadine", codes);
        Assert.Contains(a.MissingData, m => m.Field == "labs.lithiumMmolPerL");
    }

    [Fact]
    public void Lithium_with_no_level_but_another_serotonergic_agent_stays_a_hunter_call()
    {
        var a = Engine.Assess(LithiumToxicity(null));
        Assert.Equal(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.Contains("check_levels_before_attributing_to_st", a.AllCodes());
        Assert.Contains(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.LithiumToxicity);
    }

    [Fact]
    public void Lithium_alone_with_a_therapeutic_level_lets_hunter_decide()
    {
        var a = Engine.Assess(LithiumToxicity(0.8) with { Medications = [Med("lithium carbonate", "42351")] });
        Assert.Equal(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.NotEqual(EtiologySubtype.LithiumToxicity, a.Etiology.Subtype);
    }

    [Fact]
    public void A_lithium_level_without_lithium_on_board_is_not_lithium_toxicity()
    {
        var a = Engine.Assess(LithiumToxicity(2.8) with { Medications = [Med("sertraline", "36437")] });
        Assert.NotEqual(EtiologySubtype.LithiumToxicity, a.Etiology.Subtype);
    }

    // ST-HUNTER

    [Fact]
    public void Serotonergic_agent_with_hunter_criteria_met_is_serotonin_toxicity()
    {
        var a = Engine.Assess(SerotoninToxicity());
        AssertCall(a, Etiology.SerotoninToxicity, null, Urgency.Emergency, "ST-HUNTER");
    }

    [Fact]
    public void Hunter_features_without_a_serotonergic_agent_are_not_serotonin_toxicity()
    {
        var a = Engine.Assess(SerotoninToxicity() with { Medications = [] });
        Assert.NotEqual(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.Equal("not_met", a.Outcome("ST-HUNTER"));
    }

    // ST-HUNTER met only through a recorded lesion's chronic findings, on unchanged drugs

    // Multiple sclerosis with chronic spastic clonus, sertraline unchanged for two years, now febrile
    // and hypotensive: hypertonia + 39.4 °C + inducible clonus meets Hunter rule 5, but the lesion
    // explains the clonus and tone and nothing serotonergic changed (brief §2; AAP-T7).
    private static PatientContext ChronicLesionFebrileOnStableSsri() => (KnownUmn() with
    {
        Vitals = new Vitals { TemperatureC = 39.4, HeartRateBpm = 128, SystolicBp = 86, RespiratoryRate = 26, Spo2Percent = 92 },
        Medications = [Med("sertraline", "36437", days: 700)],
    }).WithExam(e => e with { MentalStatus = MentalStatus.Confused });

    [Fact]
    public void Hunter_met_only_by_a_chronic_lesion_on_unchanged_drugs_keeps_serotonin_toxicity_open_not_primary()
    {
        var a = Engine.Assess(ChronicLesionFebrileOnStableSsri());
        Assert.Equal([5], a.SerotoninToxicity!.HunterRulesFired);
        Assert.NotEqual(Etiology.SerotoninToxicity, a.Etiology.Primary);
        var st = Assert.Single(a.Etiology.Differentials, d => d.Etiology == Etiology.SerotoninToxicity);
        Assert.True(st.NotExcluded);
        Assert.Equal("undetermined", a.Outcome("ST-HUNTER"));
        // Still an emergency, the safety actions of an open serotonin toxicity stay, infection is open.
        Assert.Equal(Urgency.Emergency, a.Urgency);
        Assert.Contains(a.Recommendations.FirstLine, i => i.Code == "discontinue_serotonergic_agents");
        Assert.Contains(a.Pitfalls, i => i.Code == "avoid_physical_restraints");
        Assert.Contains(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.CnsInfectionOrSepsis && d.NotExcluded);
        // Not treated as decided: no cyproheptadine (it lowers the blood pressure) on a hypotensive patient.
        Assert.DoesNotContain(a.Recommendations.FirstLine, i => i.Code == "cyproheptadine");
    }

    public static TheoryData<string, Func<PatientContext, PatientContext>> ChronicLesionButSerotoninToxicityDecided => new()
    {
        { "a serotonergic drug started yesterday", c => c.AddMedications(New("tramadol")) },
        { "the change of the serotonergic drug not recorded", c => c with { Medications = [Med("sertraline", "36437", change: null, days: null)] } },
        { "the dose increased three days ago", c => c with { Medications = [Increased("sertraline")] } },
        { "the clonus acute on chronic", c => c.WithClonus(k => k with { Onset = ClonusOnset.AcuteOnChronic }) },
        { "the clonus onset not recorded", c => c.WithClonus(k => k with { Onset = null }) },
        { "no recorded lesion", c => c with { Conditions = [] } },
        { "the medication list incomplete", c => c with { MedicationListIncomplete = true } },
        { "ocular clonus with diaphoresis (rule 3)", c => c.WithClonus(k => k with { Types = [ClonusType.Inducible, ClonusType.Ocular] }).WithExam(e => e with { Diaphoresis = true }) },
    };

    [Theory]
    [MemberData(nameof(ChronicLesionButSerotoninToxicityDecided))]
    public void Serotonin_toxicity_stays_primary_when_anything_else_is_new_unknown_or_unexplained(string situation, Func<PatientContext, PatientContext> change)
    {
        var a = Engine.Assess(change(ChronicLesionFebrileOnStableSsri()));
        Assert.True(a.Etiology.Primary == Etiology.SerotoninToxicity, $"{situation}: primary {a.Etiology.Primary}");
        Assert.Equal("fired", a.Outcome("ST-HUNTER"));
    }

    // ST-MASKED

    [Fact]
    public void Rigid_hyperthermic_patient_on_serotonergic_drugs_without_clonus_is_possible_masked_toxicity()
    {
        var a = Engine.Assess(MaskedSerotoninToxicity());
        AssertCall(a, Etiology.IndeterminateNeedsEvaluation, EtiologySubtype.PossibleMaskedSerotoninToxicity, Urgency.Emergency, "ST-MASKED");
        Assert.False(a.SerotoninToxicity!.HunterCriteriaMet);
    }

    [Fact]
    public void Rigidity_without_hyperthermia_is_not_masked_toxicity()
    {
        var a = Engine.Assess(MaskedSerotoninToxicity().WithVitals(v => v with { TemperatureC = 38.5 }));
        Assert.NotEqual(EtiologySubtype.PossibleMaskedSerotoninToxicity, a.Etiology.Subtype);
    }

    [Fact]
    public void Rising_temperature_with_rigidity_is_possible_masked_toxicity()
    {
        var a = Engine.Assess(MaskedSerotoninToxicity().WithVitals(v => v with { TemperatureC = 37.9, TemperatureRising = true }));
        Assert.Equal(EtiologySubtype.PossibleMaskedSerotoninToxicity, a.Etiology.Subtype);
    }

    [Fact]
    public void Rigid_hyperthermic_patient_without_serotonergic_drugs_is_not_masked_toxicity()
    {
        var a = Engine.Assess(MaskedSerotoninToxicity() with { Medications = [] });
        Assert.NotEqual(EtiologySubtype.PossibleMaskedSerotoninToxicity, a.Etiology.Subtype);
    }

    // ST-MILD

    [Fact]
    public void Features_below_hunter_after_a_recent_dose_increase_are_mild_serotonin_toxicity()
    {
        var a = Engine.Assess(MildSerotoninToxicity());
        AssertCall(a, Etiology.SerotoninToxicity, null, Urgency.Urgent, "ST-MILD");
        Assert.Equal(Severity.Mild, a.SerotoninToxicity!.Severity);
        Assert.False(a.SerotoninToxicity.HunterCriteriaMet);
    }

    [Fact]
    public void Features_below_hunter_on_a_long_unchanged_drug_are_not_mild_serotonin_toxicity()
    {
        var a = Engine.Assess(MildSerotoninToxicity() with { Medications = [Med("sertraline", "36437")] });
        Assert.NotEqual(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.Equal("not_met", a.Outcome("ST-MILD"));
    }

    [Fact]
    public void A_dose_increase_without_serotonergic_features_is_not_mild_serotonin_toxicity()
    {
        var a = Engine.Assess(HunterNegative() with { Medications = [Increased("sertraline", 3)] });
        Assert.NotEqual(Etiology.SerotoninToxicity, a.Etiology.Primary);
    }

    [Fact]
    public void Chronic_clonus_from_a_known_lesion_is_not_mild_serotonin_toxicity_after_a_dose_change()
    {
        var a = Engine.Assess(MildSerotoninToxicity()
            .WithClonus(c => c with { Onset = ClonusOnset.Chronic })
            .AddConditions(Condition(ConditionCategory.MultipleSclerosis)));
        Assert.Equal(Etiology.UmnLesion, a.Etiology.Primary);
    }

    // ST-UNDETERMINED

    [Fact]
    public void Serotonergic_agent_with_hunter_features_unknown_is_indeterminate()
    {
        var a = Engine.Assess(HunterUndetermined());
        AssertCall(a, Etiology.IndeterminateNeedsEvaluation, null, Urgency.Urgent, "ST-UNDETERMINED");
    }

    [Fact]
    public void Undetermined_hunter_with_hyperthermia_is_an_emergency()
    {
        var a = Engine.Assess(HunterUndetermined().WithVitals(v => v with { TemperatureC = 39.0 }));
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
        Assert.Equal(Urgency.Emergency, a.Urgency);
    }

    [Fact]
    public void Chronic_clonus_on_unchanged_serotonergic_drugs_is_not_held_as_undetermined_toxicity()
    {
        var a = Engine.Assess(HunterUndetermined() with
        {
            Clonus = new ClonusFinding { Present = true, Onset = ClonusOnset.Chronic },
            Medications = [Med("sertraline", "36437")],
        });
        Assert.NotEqual("fired", a.Outcome("ST-UNDETERMINED"));
    }

    // MIMIC-STARTLE

    [Fact]
    public void Startle_induced_clonic_attacks_in_an_encephalopathic_child_are_a_seizure_mimic()
    {
        var a = Engine.Assess(SeizureMimic());
        AssertCall(a, Etiology.SeizureMimic, null, Urgency.Urgent, "MIMIC-STARTLE");
    }

    [Fact]
    public void Startle_induced_attacks_in_an_adult_with_encephalopathy_are_a_seizure_mimic()
    {
        var a = Engine.Assess(SeizureMimic().WithPatient(p => p with { AgeYears = 30 }));
        Assert.Equal(Etiology.SeizureMimic, a.Etiology.Primary);
    }

    [Fact]
    public void Startle_induced_attacks_in_an_adult_without_encephalopathy_are_not_a_seizure_mimic()
    {
        var a = Engine.Assess(SeizureMimic().WithPatient(p => p with { AgeYears = 30 }).WithExam(e => e with { DevelopmentalConcern = false })
            with { Conditions = [] });
        Assert.NotEqual(Etiology.SeizureMimic, a.Etiology.Primary);
    }

    [Fact]
    public void Epileptiform_eeg_turns_startle_attacks_away_from_the_seizure_mimic_pathway()
    {
        var a = Engine.Assess(SeizureMimic() with { Eeg = new EegFinding { Performed = true, Type = EegType.Video, Result = EegResult.Epileptiform } });
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
        Assert.Equal(EtiologySubtype.EpilepticSeizures, a.Etiology.Subtype);
    }

    // MET-HEPATIC

    [Fact]
    public void Clonus_with_recorded_hepatic_encephalopathy_is_metabolic()
    {
        var a = Engine.Assess(HepaticEncephalopathy());
        AssertCall(a, Etiology.Metabolic, EtiologySubtype.HepaticEncephalopathy, Urgency.Urgent, "MET-HEPATIC");
    }

    [Fact]
    public void Hepatic_encephalopathy_in_coma_is_an_emergency()
    {
        var a = Engine.Assess(HepaticEncephalopathy().WithExam(e => e with { MentalStatus = MentalStatus.Coma }));
        Assert.Equal(Urgency.Emergency, a.Urgency);
    }

    [Fact]
    public void Asterixis_with_jaundice_is_metabolic_without_a_recorded_liver_condition()
    {
        var a = Engine.Assess(HepaticEncephalopathy() with { Conditions = [] });
        Assert.Equal(EtiologySubtype.HepaticEncephalopathy, a.Etiology.Subtype);
    }

    [Theory]
    [InlineData(50.0, false)]
    [InlineData(51.0, true)]
    public void Asterixis_with_ammonia_above_50_is_metabolic(double ammonia, bool metabolic)
    {
        var a = Engine.Assess(HepaticEncephalopathy().WithExam(e => e with { Skin = SkinFinding.Normal })
            with { Conditions = [], Labs = new LabResults { AmmoniaUmolPerL = ammonia } });
        Assert.Equal(metabolic, a.Etiology.Primary == Etiology.Metabolic);
    }

    [Fact]
    public void Liver_failure_without_clonus_is_not_metabolic_clonus()
    {
        var a = Engine.Assess(HepaticEncephalopathy() with { Clonus = NoClonus() });
        Assert.NotEqual(Etiology.Metabolic, a.Etiology.Primary);
    }

    // INF-THRESHOLDS

    [Theory]
    [InlineData(10, Etiology.NormalVariant, Urgency.Routine)]
    [InlineData(11, Etiology.IndeterminateNeedsEvaluation, Urgency.Urgent)]
    public void Infant_clonus_above_10_beats_is_abnormal(int beats, Etiology etiology, Urgency urgency)
    {
        var a = Engine.Assess(Infant(0.5, beats));
        Assert.Equal(etiology, a.Etiology.Primary);
        Assert.Equal(EtiologySubtype.InfantClonus, a.Etiology.Subtype);
        Assert.Equal(urgency, a.Urgency);
        // The trace outcome is "abnormal": fired above the thresholds, not_met within them.
        Assert.Equal(beats > 10 ? "fired" : "not_met", a.Outcome("INF-THRESHOLDS"));
    }

    [Theory]
    [InlineData(0.66, Etiology.NormalVariant)]
    [InlineData(0.67, Etiology.IndeterminateNeedsEvaluation)]
    public void Infant_clonus_persisting_at_8_months_is_abnormal(double ageYears, Etiology etiology)
    {
        var a = Engine.Assess(Infant(ageYears, 3));
        Assert.Equal(etiology, a.Etiology.Primary);
        Assert.Equal(EtiologySubtype.InfantClonus, a.Etiology.Subtype);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(10)]
    public void Up_to_10_unsustained_beats_before_8_months_is_a_normal_variant(int beats)
    {
        var a = Engine.Assess(Infant(0.25, beats));
        Assert.Equal(Etiology.NormalVariant, a.Etiology.Primary);
        Assert.Equal(EtiologySubtype.InfantClonus, a.Etiology.Subtype);
        Assert.Equal(Urgency.Routine, a.Urgency);
    }

    [Fact]
    public void Sustained_infant_clonus_is_abnormal_whatever_the_beat_count()
    {
        var a = Engine.Assess(Infant(0.25, 4).WithClonus(c => c with { Sustained = true }));
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
    }

    [Fact]
    public void Infant_clonus_with_high_tone_points_to_a_umn_differential()
    {
        var a = Engine.Assess(Infant(0.5, 4).WithExam(e => e with { Tone = ToneGrade.Increased }));
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
        Assert.Contains(a.Etiology.Differentials, d => d.Etiology == Etiology.UmnLesion);
    }

    [Fact]
    public void Infant_clonus_without_a_beat_count_cannot_be_called_normal()
    {
        var a = Engine.Assess(Infant(0.5, null));
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
        Assert.Equal("undetermined", a.Outcome("INF-THRESHOLDS"));
        Assert.Contains("clonus.beats", a.MissingFields());
    }

    [Fact]
    public void A_toddler_under_two_is_graded_on_the_first_year_thresholds_and_never_simply_reassured()
    {
        var a = Engine.Assess(Infant(1.0, 4));
        Assert.Equal("fired", a.Outcome("INF-THRESHOLDS"));
        Assert.Equal(EtiologySubtype.InfantClonus, a.Etiology.Subtype);
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
        Assert.DoesNotContain("reassurance_with_reexamination", a.AllCodes());
    }

    [Fact]
    public void A_toddler_with_cerebral_palsy_follows_the_umn_pathway()
    {
        var a = Engine.Assess(Infant(1.5, 4).AddConditions(Condition(ConditionCategory.CerebralPalsy)));
        Assert.Equal("not_met", a.Outcome("INF-THRESHOLDS"));
        Assert.Equal(Etiology.UmnLesion, a.Etiology.Primary);
    }

    [Fact]
    public void A_two_year_old_is_not_graded_on_infant_thresholds()
    {
        var a = Engine.Assess(Infant(2.0, 4));
        Assert.Equal("not_met", a.Outcome("INF-THRESHOLDS"));
        Assert.NotEqual(EtiologySubtype.InfantClonus, a.Etiology.Subtype);
    }

    // NV-UNSUSTAINED

    [Theory]
    [InlineData(5, Etiology.NormalVariant)]
    [InlineData(6, Etiology.IndeterminateNeedsEvaluation)]
    public void Normal_variant_allows_at_most_5_unsustained_beats(int beats, Etiology etiology)
    {
        var a = Engine.Assess(FewBeats(beats));
        Assert.Equal(etiology, a.Etiology.Primary);
        Assert.Equal(Urgency.Routine, a.Urgency);
        Assert.Equal(etiology == Etiology.NormalVariant ? "fired" : "not_met", a.Outcome("NV-UNSUSTAINED"));
    }

    [Fact]
    public void An_unknown_medication_list_blocks_the_normal_variant_call()
    {
        var a = Engine.Assess(FewBeats(3) with { Medications = null });
        Assert.NotEqual(Etiology.NormalVariant, a.Etiology.Primary);
        Assert.Contains("medications", a.MissingFields());
    }

    [Fact]
    public void An_unrecognised_medication_blocks_the_normal_variant_call()
    {
        var a = Engine.Assess(FewBeats(3) with { Medications = [Med("zorbloxin")] });
        Assert.NotEqual(Etiology.NormalVariant, a.Etiology.Primary);
    }

    [Fact]
    public void Unilateral_clonus_is_not_a_normal_variant()
    {
        var a = Engine.Assess(FewBeats(3).WithClonus(c => c with { Laterality = Laterality.Unilateral }));
        Assert.NotEqual(Etiology.NormalVariant, a.Etiology.Primary);
    }

    [Fact]
    public void Few_beats_with_other_umn_signs_are_not_a_normal_variant()
    {
        var a = Engine.Assess(FewBeats(3).WithExam(e => e with { OtherUmnSigns = true }));
        Assert.NotEqual(Etiology.NormalVariant, a.Etiology.Primary);
    }

    [Fact]
    public void Few_beats_with_other_umn_signs_unknown_are_not_a_normal_variant()
    {
        var a = Engine.Assess(FewBeats(3).WithExam(e => e with { OtherUmnSigns = null }));
        Assert.NotEqual(Etiology.NormalVariant, a.Etiology.Primary);
        Assert.Contains("exam.otherUmnSigns", a.MissingFields());
    }

    [Fact]
    public void Few_beats_after_a_recent_serotonergic_start_are_not_a_normal_variant()
    {
        var a = Engine.Assess(FewBeats(3) with { Medications = [New("sertraline", 2)] });
        Assert.NotEqual(Etiology.NormalVariant, a.Etiology.Primary);
    }

    // UMN-KNOWN

    [Fact]
    public void Chronic_clonus_with_a_recorded_umn_lesion_is_umn_clonus()
    {
        var a = Engine.Assess(KnownUmn());
        AssertCall(a, Etiology.UmnLesion, null, Urgency.Routine, "UMN-KNOWN");
    }

    [Theory]
    [InlineData(ClonusOnset.Acute)]
    [InlineData(ClonusOnset.Subacute)]
    [InlineData(ClonusOnset.AcuteOnChronic)]
    public void New_clonus_in_a_known_lesion_is_urgent(ClonusOnset onset)
    {
        var a = Engine.Assess(KnownUmn(onset: onset));
        Assert.Equal(Etiology.UmnLesion, a.Etiology.Primary);
        Assert.Equal(Urgency.Urgent, a.Urgency);
    }

    [Fact]
    public void Acute_clonus_in_a_known_lesion_with_medications_unknown_is_not_pinned_on_the_lesion()
    {
        var a = Engine.Assess(KnownUmn(onset: ClonusOnset.Acute) with { Medications = null });
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
        Assert.Equal("not_met", a.Outcome("UMN-KNOWN"));
    }

    [Fact]
    public void Chronic_clonus_in_a_known_lesion_with_medications_unknown_is_still_umn_clonus()
    {
        var a = Engine.Assess(KnownUmn() with { Medications = null });
        Assert.Equal(Etiology.UmnLesion, a.Etiology.Primary);
    }

    [Fact]
    public void A_known_lesion_without_clonus_is_not_umn_clonus()
    {
        var a = Engine.Assess(KnownUmn() with { Clonus = NoClonus() });
        Assert.NotEqual(Etiology.UmnLesion, a.Etiology.Primary);
    }

    // UMN-NEW

    [Fact]
    public void Sustained_clonus_with_umn_signs_and_no_known_lesion_is_a_new_umn_lesion()
    {
        var a = Engine.Assess(NewUmnSigns());
        AssertCall(a, Etiology.UmnLesion, EtiologySubtype.NewUndiagnosedUmnLesion, Urgency.Urgent, "UMN-NEW");
    }

    [Fact]
    public void New_sustained_clonus_with_medications_unknown_is_not_called_a_new_lesion()
    {
        var a = Engine.Assess(NewUmnSigns() with { Medications = null });
        Assert.NotEqual(EtiologySubtype.NewUndiagnosedUmnLesion, a.Etiology.Subtype);
    }

    [Fact]
    public void Unsustained_clonus_without_umn_signs_is_not_a_new_umn_lesion()
    {
        var a = Engine.Assess(NewUmnSigns().WithClonus(c => c with { Sustained = false, Beats = 8 }).WithExam(e => e with { OtherUmnSigns = false }));
        Assert.NotEqual(EtiologySubtype.NewUndiagnosedUmnLesion, a.Etiology.Subtype);
    }

    // Fallback

    [Fact]
    public void Clonus_outside_every_rule_with_exposure_known_is_indeterminate_and_routine()
    {
        var a = Engine.Assess(FewBeats(6));
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
        Assert.Null(a.Etiology.Subtype);
        Assert.Equal(Urgency.Routine, a.Urgency);
    }

    [Fact]
    public void Clonus_outside_every_rule_with_exposure_unknown_is_indeterminate_and_urgent()
    {
        var a = Engine.Assess(FewBeats(6) with { Medications = null });
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
        Assert.Equal(Urgency.Urgent, a.Urgency);
    }

    [Fact]
    public void No_clonus_and_no_toxidrome_is_indeterminate_and_routine()
    {
        var a = Engine.Assess(FewBeats() with { Clonus = NoClonus() });
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
        Assert.Equal(Urgency.Routine, a.Urgency);
    }

    [Fact]
    public void The_fallback_call_is_recorded_in_the_trace()
    {
        // api-v1.md: trace[] holds "the rules that fired, in order, with their inputs: enough for a
        // clinician to check the reasoning". When no etiology rule fires, the fallback (INDET-FALLBACK /
        // INDET-NO-CLONUS in TriageEngine.Fallback) decides the etiology and urgency, so it must be traced.
        var a = Engine.Assess(FewBeats(6));
        Assert.Contains(a.Trace, t => t.Rule.StartsWith("INDET-", StringComparison.Ordinal) && t.Rule != "INDET-MGMT");
    }

    // Priority: look-alikes before serotonin toxicity, acute toxicity before an old lesion.

    public static TheoryData<string> LookAlikes() => ["nms", "malignant_hyperthermia", "anticholinergic", "baclofen_toxicity", "baclofen_withdrawal", "lithium_toxicity"];

    private static (PatientContext Context, EtiologySubtype Subtype) LookAlike(string name) => name switch
    {
        "nms" => (Nms(), EtiologySubtype.NeurolepticMalignantSyndrome),
        "malignant_hyperthermia" => (MalignantHyperthermia(), EtiologySubtype.MalignantHyperthermia),
        "anticholinergic" => (Anticholinergic(), EtiologySubtype.AnticholinergicToxicity),
        "baclofen_toxicity" => (BaclofenToxicity(), EtiologySubtype.BaclofenToxicity),
        "baclofen_withdrawal" => (BaclofenWithdrawal(), EtiologySubtype.BaclofenWithdrawal),
        _ => (LithiumToxicity(), EtiologySubtype.LithiumToxicity),
    };

    [Theory]
    [MemberData(nameof(LookAlikes))]
    public void Each_look_alike_wins_over_serotonin_toxicity_with_sertraline_on_the_list(string name)
    {
        var (context, subtype) = LookAlike(name);
        var sertraline = context.Medications!.Any(m => m.Name == "sertraline") ? context : context.AddMedications(Med("sertraline", "36437"));
        var a = Engine.Assess(sertraline);
        Assert.Equal(Etiology.OtherDrugToxicity, a.Etiology.Primary);
        Assert.Equal(subtype, a.Etiology.Subtype);
        Assert.Contains(a.SerotoninToxicity!.SerotonergicAgents, s => s.Name == "sertraline");
        Assert.DoesNotContain("cyproheptadine", a.AllCodes());
        // Stopping serotonergic drugs is never the look-alike's own advice; it appears only as the
        // safety action of a serotonin toxicity that is not excluded (Hunter met), marked as such.
        if (a.Item("discontinue_serotonergic_agents") is { } stop)
        {
            Assert.NotNull(stop.ServesDifferential);
            Assert.True(a.SerotoninToxicity.HunterCriteriaMet != false);
        }

        if (a.SerotoninToxicity.HunterCriteriaMet == true)
        {
            Assert.Contains(a.Etiology.Differentials, d => d.Etiology == Etiology.SerotoninToxicity && d.NotExcluded);
            Assert.DoesNotContain("do_not_label_as_serotonin_syndrome", a.AllCodes());
        }
    }

    [Fact]
    public void Malignant_hyperthermia_wins_even_when_hunter_rule_5_is_met()
    {
        var a = Engine.Assess(MalignantHyperthermia() with { Clonus = Clonus(ClonusType.Inducible) });
        Assert.True(a.SerotoninToxicity!.HunterCriteriaMet);
        Assert.Equal(EtiologySubtype.MalignantHyperthermia, a.Etiology.Subtype);
    }

    [Fact]
    public void Acute_toxidrome_with_an_old_stroke_is_serotonin_toxicity_not_the_lesion()
    {
        var a = Engine.Assess(SerotoninToxicity().AddConditions(Condition(ConditionCategory.Stroke)));
        Assert.Equal(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.True(a.HasPitfall("do_not_attribute_acute_clonus_to_old_lesion"));
        Assert.Contains(a.Etiology.Differentials, d => d.Etiology == Etiology.UmnLesion);
        Assert.DoesNotContain("baclofen_trial_with_stroke_caution", a.AllCodes());
    }

    [Fact]
    public void Later_matching_rules_become_differentials()
    {
        // Masked toxicity (rigid, hyperthermic, serotonergic) also fits after NMS wins.
        var a = Engine.Assess(Nms());
        Assert.Contains(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity);
    }

    [Fact]
    public void Etiology_rules_are_traced_in_priority_order()
    {
        string[] order =
        [
            "TOX-MH", "TOX-NMS", "TOX-PHS", "TOX-ACH", "TOX-BACLOFEN", "TOX-BACLOFEN-WD", "TOX-LITHIUM", "ST-HUNTER", "ST-MASKED",
            "ST-MILD", "ST-UNDETERMINED", "MIMIC-STARTLE", "MET-HEPATIC", "INF-THRESHOLDS", "NV-UNSUSTAINED", "UMN-KNOWN", "UMN-NEW",
        ];
        var a = Engine.Assess(SerotoninToxicity());
        var traced = a.Trace.Select(t => t.Rule).Where(order.Contains).ToList();
        Assert.Equal(order, traced);
    }

    [Fact]
    public void Rule_ids_are_stable_and_unique()
    {
        var ids = TriageEngine.EtiologyRules.Select(r => r.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal("TOX-MH", ids[0]);
        Assert.Equal("UMN-NEW", ids[^1]);
    }

    [Fact]
    public void Trace_records_the_inputs_each_rule_read()
    {
        var a = Engine.Assess(LithiumToxicity(2.8));
        var entry = Assert.Single(a.Trace, t => t.Rule == "TOX-LITHIUM");
        Assert.Contains(entry.Inputs, i => i.Contains("2.8", StringComparison.Ordinal));
    }
}
