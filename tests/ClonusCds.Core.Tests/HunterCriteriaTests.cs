using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using ClonusCds.Core.Triage;
using static ClonusCds.Core.Tests.Support.Patients;

namespace ClonusCds.Core.Tests;

/// <summary>
/// The Hunter Serotonin Toxicity Criteria as published (Dunkley 2003, evidence brief §1.1), rule by
/// rule, and the severity grade (BMJBP/Isbister; project working definition: severe = HSTC met,
/// temperature above 38.5 °C or rising, and hypertonia). The baseline patient has every Hunter feature
/// known absent, so each test switches on exactly the features one rule needs.
/// </summary>
public sealed class HunterCriteriaTests
{
    private static PatientContext Negative() => HunterNegative();

    private static void AssertOnly(HunterResult r, int rule)
    {
        Assert.True(r.Met.IsYes, $"expected Hunter met by rule {rule}, got {r.Met}");
        Assert.Equal([rule], r.Fired);
        Assert.Empty(r.Undetermined);
    }

    private static void AssertNotMet(HunterResult r)
    {
        Assert.True(r.Met.IsNo, $"expected Hunter not met, got {r.Met}");
        Assert.Empty(r.Fired);
        Assert.Empty(r.Undetermined);
    }

    [Fact]
    public void Baseline_patient_with_every_feature_absent_does_not_meet_hunter()
    {
        var r = Hunter(Negative());
        AssertNotMet(r);
        Assert.Null(r.Severity);
    }

    // Rule 1: spontaneous clonus.

    [Fact]
    public void Spontaneous_clonus_alone_meets_hunter_rule_1()
    {
        AssertOnly(Hunter(Negative() with { Clonus = Clonus(ClonusType.Spontaneous) }), 1);
    }

    [Fact]
    public void Clonus_listed_without_the_spontaneous_type_does_not_meet_hunter_rule_1()
    {
        var r = Hunter(Negative() with { Clonus = Clonus(ClonusType.PositionTriggered) });
        AssertNotMet(r);
    }

    [Fact]
    public void Clonus_of_unknown_type_leaves_hunter_rule_1_undetermined_not_false()
    {
        var r = Hunter(Negative() with { Clonus = new ClonusFinding { Present = true } });
        Assert.True(r.Met.IsUnknown);
        Assert.Contains(1, r.Undetermined);
        Assert.Empty(r.Fired);
    }

    // Rule 2: inducible clonus and (agitation or diaphoresis).

    [Fact]
    public void Inducible_clonus_with_agitation_meets_hunter_rule_2()
    {
        AssertOnly(Hunter(Negative().WithExam(e => e with { Agitation = true }) with { Clonus = Clonus(ClonusType.Inducible) }), 2);
    }

    [Fact]
    public void Inducible_clonus_with_diaphoresis_meets_hunter_rule_2()
    {
        AssertOnly(Hunter(Negative().WithExam(e => e with { Diaphoresis = true }) with { Clonus = Clonus(ClonusType.Inducible) }), 2);
    }

    [Fact]
    public void Inducible_clonus_without_agitation_or_diaphoresis_does_not_meet_hunter_rule_2()
    {
        AssertNotMet(Hunter(Negative() with { Clonus = Clonus(ClonusType.Inducible) }));
    }

    [Fact]
    public void Agitation_and_diaphoresis_without_inducible_clonus_do_not_meet_hunter_rule_2()
    {
        var r = Hunter(Negative().WithExam(e => e with { Agitation = true, Diaphoresis = true }) with { Clonus = Clonus(ClonusType.PositionTriggered) });
        AssertNotMet(r);
    }

    [Fact]
    public void Inducible_clonus_with_agitation_and_diaphoresis_unknown_leaves_hunter_rule_2_undetermined()
    {
        var r = Hunter(Negative().WithExam(e => e with { Agitation = null, Diaphoresis = null }) with { Clonus = Clonus(ClonusType.Inducible) });
        Assert.True(r.Met.IsUnknown);
        Assert.Equal([2], r.Undetermined);
    }

    [Fact]
    public void Inducible_clonus_with_agitation_unknown_but_diaphoresis_present_still_meets_hunter_rule_2()
    {
        var r = Hunter(Negative().WithExam(e => e with { Agitation = null, Diaphoresis = true }) with { Clonus = Clonus(ClonusType.Inducible) });
        AssertOnly(r, 2);
    }

    // Rule 3: ocular clonus and (agitation or diaphoresis).

    [Fact]
    public void Ocular_clonus_with_agitation_meets_hunter_rule_3()
    {
        AssertOnly(Hunter(Negative().WithExam(e => e with { Agitation = true }) with { Clonus = Clonus(ClonusType.Ocular) }), 3);
    }

    [Fact]
    public void Ocular_clonus_with_diaphoresis_meets_hunter_rule_3()
    {
        AssertOnly(Hunter(Negative().WithExam(e => e with { Diaphoresis = true }) with { Clonus = Clonus(ClonusType.Ocular) }), 3);
    }

    [Fact]
    public void Ocular_clonus_without_agitation_or_diaphoresis_does_not_meet_hunter_rule_3()
    {
        AssertNotMet(Hunter(Negative() with { Clonus = Clonus(ClonusType.Ocular) }));
    }

    [Fact]
    public void Ocular_clonus_with_agitation_and_diaphoresis_unknown_leaves_hunter_rule_3_undetermined()
    {
        var r = Hunter(Negative().WithExam(e => e with { Agitation = null, Diaphoresis = null }) with { Clonus = Clonus(ClonusType.Ocular) });
        Assert.True(r.Met.IsUnknown);
        Assert.Equal([3], r.Undetermined);
    }

    [Fact]
    public void Ocular_clonus_recorded_as_a_site_counts_for_hunter_rule_3()
    {
        var clonus = Clonus(ClonusType.PositionTriggered) with { Sites = [ClonusSite.Ocular] };
        AssertOnly(Hunter(Negative().WithExam(e => e with { Diaphoresis = true }) with { Clonus = clonus }), 3);
    }

    // Rule 4: tremor and hyperreflexia.

    [Fact]
    public void Tremor_with_hyperreflexia_meets_hunter_rule_4()
    {
        AssertOnly(Hunter(Negative().WithExam(e => e with { Tremor = true, Reflexes = ReflexGrade.Increased })), 4);
    }

    [Fact]
    public void Tremor_with_normal_reflexes_does_not_meet_hunter_rule_4()
    {
        AssertNotMet(Hunter(Negative().WithExam(e => e with { Tremor = true, Reflexes = ReflexGrade.Normal })));
    }

    [Fact]
    public void Hyperreflexia_without_tremor_does_not_meet_hunter_rule_4()
    {
        AssertNotMet(Hunter(Negative().WithExam(e => e with { Tremor = false, Reflexes = ReflexGrade.Increased })));
    }

    [Fact]
    public void Hyperreflexia_with_tremor_unknown_leaves_hunter_rule_4_undetermined()
    {
        var r = Hunter(Negative().WithExam(e => e with { Tremor = null, Reflexes = ReflexGrade.Increased }));
        Assert.True(r.Met.IsUnknown);
        Assert.Equal([4], r.Undetermined);
    }

    [Fact]
    public void Tremor_with_reflexes_unknown_leaves_hunter_rule_4_undetermined()
    {
        var r = Hunter(Negative().WithExam(e => e with { Tremor = true, Reflexes = null }));
        Assert.True(r.Met.IsUnknown);
        Assert.Equal([4], r.Undetermined);
    }

    // Rule 5: hypertonia and temperature above 38 °C and (ocular or inducible clonus).

    private static PatientContext Rule5(double? temperatureC, ClonusType clonus = ClonusType.Inducible) =>
        Negative().WithExam(e => e with { Tone = ToneGrade.Increased }).WithVitals(v => v with { TemperatureC = temperatureC })
            with { Clonus = Clonus(clonus) };

    [Theory]
    [InlineData(38.0, false)]
    [InlineData(38.1, true)]
    public void Hunter_rule_5_needs_a_temperature_strictly_above_38(double temperatureC, bool met)
    {
        var r = Hunter(Rule5(temperatureC));
        Assert.Equal(met, r.Met.IsYes);
        Assert.Equal(met, r.Fired.Contains(5));
        Assert.Empty(r.Undetermined);
    }

    [Fact]
    public void Hypertonia_fever_and_ocular_clonus_meet_hunter_rule_5()
    {
        AssertOnly(Hunter(Rule5(38.4, ClonusType.Ocular)), 5);
    }

    [Fact]
    public void Fever_and_inducible_clonus_with_normal_tone_do_not_meet_hunter_rule_5()
    {
        var r = Hunter(Rule5(38.4).WithExam(e => e with { Tone = ToneGrade.Normal }));
        AssertNotMet(r);
    }

    [Fact]
    public void Hypertonia_and_fever_without_ocular_or_inducible_clonus_do_not_meet_hunter_rule_5()
    {
        var r = Hunter(Rule5(38.4, ClonusType.PositionTriggered));
        AssertNotMet(r);
    }

    [Fact]
    public void Hypertonia_and_inducible_clonus_with_temperature_unknown_leave_hunter_rule_5_undetermined()
    {
        var r = Hunter(Rule5(null));
        Assert.True(r.Met.IsUnknown);
        Assert.Equal([5], r.Undetermined);
    }

    [Fact]
    public void A_rising_temperature_without_a_reading_does_not_decide_hunter_rule_5()
    {
        // Rule 5 is "temperature > 38 °C" (Dunkley 2003); "rising" is a severity feature, not a reading.
        var r = Hunter(Rule5(null).WithVitals(v => v with { TemperatureRising = true }));
        Assert.Equal([5], r.Undetermined);
        Assert.DoesNotContain(5, r.Fired);
    }

    [Fact]
    public void Fever_and_inducible_clonus_with_tone_unknown_leave_hunter_rule_5_undetermined()
    {
        var r = Hunter(Rule5(38.4).WithExam(e => e with { Tone = null, Rigidity = null }));
        Assert.True(r.Met.IsUnknown);
        Assert.Equal([5], r.Undetermined);
    }

    // Reading the features from the graded findings.

    [Fact]
    public void Agitated_mental_status_counts_as_agitation()
    {
        var r = Hunter(Negative().WithExam(e => e with { Agitation = null, MentalStatus = MentalStatus.Agitated }) with { Clonus = Clonus(ClonusType.Inducible) });
        AssertOnly(r, 2);
    }

    [Fact]
    public void Diaphoretic_skin_counts_as_diaphoresis()
    {
        var r = Hunter(Negative().WithExam(e => e with { Diaphoresis = null, Skin = SkinFinding.Diaphoretic }) with { Clonus = Clonus(ClonusType.Inducible) });
        AssertOnly(r, 2);
    }

    [Theory]
    [InlineData(RigidityPattern.Spastic)]
    [InlineData(RigidityPattern.LeadPipe)]
    [InlineData(RigidityPattern.GeneralizedRigor)]
    public void Rigidity_counts_as_hypertonia_for_hunter_rule_5(RigidityPattern rigidity)
    {
        var r = Hunter(Rule5(38.4).WithExam(e => e with { Tone = null, Rigidity = rigidity }));
        AssertOnly(r, 5);
    }

    [Theory]
    [InlineData(SkinFinding.Pale)]
    [InlineData(SkinFinding.Mottled)]
    public void Pale_or_mottled_skin_does_not_rule_out_diaphoresis(SkinFinding skin)
    {
        // Boyer & Shannon (NEJM 2005, evidence brief §2 table): NMS skin is "pallor, diaphoresis" and
        // malignant hyperthermia skin is "mottled, diaphoresis". A pale or mottled skin says nothing
        // about sweating, so with diaphoresis not recorded and agitation absent, rule 2 is
        // undetermined, not false (api-v1.md: "never treat 'not known' as 'no'").
        var r = Hunter(Negative().WithExam(e => e with { Diaphoresis = null, Skin = skin }) with { Clonus = Clonus(ClonusType.Inducible) });
        Assert.True(r.Met.IsUnknown, $"skin '{skin}' with diaphoresis not recorded was read as 'no diaphoresis' (Hunter {r.Met})");
        Assert.Contains(2, r.Undetermined);
    }

    // Each rule alone, end to end through the assessment.

    private static PatientContext RuleAlone(int rule) => rule switch
    {
        1 => Negative() with { Clonus = Clonus(ClonusType.Spontaneous) },
        2 => Negative().WithExam(e => e with { Agitation = true }) with { Clonus = Clonus(ClonusType.Inducible) },
        3 => Negative().WithExam(e => e with { Diaphoresis = true }) with { Clonus = Clonus(ClonusType.Ocular) },
        4 => Negative().WithExam(e => e with { Tremor = true, Reflexes = ReflexGrade.Increased }),
        _ => Rule5(38.3),
    };

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Each_hunter_rule_alone_makes_serotonin_toxicity(int rule)
    {
        var a = Engine.Assess(RuleAlone(rule));
        var st = a.SerotoninToxicity;
        Assert.NotNull(st);
        Assert.True(st.HunterCriteriaMet);
        Assert.Equal([rule], st.HunterRulesFired);
        Assert.Empty(st.HunterRulesUndetermined);
        Assert.Equal(Severity.Moderate, st.Severity);
        Assert.Equal(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.Equal("fired", a.Outcome($"HSTC-{rule}"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Each_hunter_rule_alone_does_not_count_without_a_serotonergic_agent(int rule)
    {
        var a = Engine.Assess(RuleAlone(rule) with { Medications = [Med("lisinopril")] });
        Assert.Null(a.SerotoninToxicity);
        Assert.NotEqual(Etiology.SerotoninToxicity, a.Etiology.Primary);
    }

    // Every true rule is reported.

    [Fact]
    public void Every_true_rule_is_reported_not_only_the_first()
    {
        var r = Hunter(SerotoninToxicity());
        Assert.Equal([2, 4], r.Fired);
    }

    [Fact]
    public void All_five_rules_are_reported_when_all_hold()
    {
        var context = SevereSerotoninToxicity() with { Clonus = Clonus(ClonusType.Spontaneous, ClonusType.Inducible, ClonusType.Ocular) };
        Assert.Equal([1, 2, 3, 4, 5], Hunter(context).Fired);
    }

    [Fact]
    public void Assessment_reports_rules_2_and_4_together()
    {
        var a = Engine.Assess(SerotoninToxicity());
        Assert.NotNull(a.SerotoninToxicity);
        Assert.True(a.SerotoninToxicity.HunterCriteriaMet);
        Assert.Equal([2, 4], a.SerotoninToxicity.HunterRulesFired);
    }

    [Fact]
    public void Each_hunter_rule_is_traced_with_its_outcome()
    {
        var a = Engine.Assess(SerotoninToxicity());
        Assert.Equal("not_met", a.Outcome("HSTC-1"));
        Assert.Equal("fired", a.Outcome("HSTC-2"));
        Assert.Equal("not_met", a.Outcome("HSTC-3"));
        Assert.Equal("fired", a.Outcome("HSTC-4"));
        Assert.Equal("not_met", a.Outcome("HSTC-5"));
        Assert.Equal("fired", a.Outcome(HunterCriteria.SeverityRuleId));
    }

    // Severity.

    [Theory]
    [InlineData(38.5, Severity.Moderate)]
    [InlineData(38.6, Severity.Severe)]
    public void Hypertonia_makes_toxicity_severe_only_above_38_5(double temperatureC, Severity expected)
    {
        var r = Hunter(SevereSerotoninToxicity(temperatureC));
        Assert.True(r.Met.IsYes);
        Assert.Equal(expected, r.Severity);
    }

    [Fact]
    public void Rising_temperature_counts_as_hyperthermia_for_severity()
    {
        var context = SevereSerotoninToxicity(37.6).WithVitals(v => v with { TemperatureRising = true });
        Assert.Equal(Severity.Severe, Hunter(context).Severity);
    }

    [Fact]
    public void Rising_temperature_alone_without_a_reading_counts_as_hyperthermia_for_severity()
    {
        var context = SevereSerotoninToxicity().WithVitals(v => v with { TemperatureC = null, TemperatureRising = true });
        Assert.Equal(Severity.Severe, Hunter(context).Severity);
    }

    [Fact]
    public void Hyperthermia_without_hypertonia_is_moderate()
    {
        var r = Hunter(SerotoninToxicity(39.5, ToneGrade.Normal));
        Assert.True(r.Met.IsYes);
        Assert.Equal(Severity.Moderate, r.Severity);
    }

    [Fact]
    public void Hypertonia_without_hyperthermia_is_moderate()
    {
        var r = Hunter(SerotoninToxicity(37.2, ToneGrade.Increased));
        Assert.Equal(Severity.Moderate, r.Severity);
    }

    [Fact]
    public void Hunter_met_with_hypertonia_and_temperature_unknown_has_no_severity_grade()
    {
        var r = Hunter(SevereSerotoninToxicity().WithVitals(v => v with { TemperatureC = null, TemperatureRising = null }));
        Assert.True(r.Met.IsYes);
        Assert.Null(r.Severity);
    }

    [Fact]
    public void Hunter_met_with_normal_temperature_and_tone_unknown_is_moderate()
    {
        var r = Hunter(SerotoninToxicity(37.0, null).WithExam(e => e with { Rigidity = null }));
        Assert.Equal(Severity.Moderate, r.Severity);
    }

    [Theory]
    [InlineData("tremor")]
    [InlineData("hyperreflexia")]
    [InlineData("inducible_clonus")]
    [InlineData("diaphoresis")]
    public void A_serotonergic_feature_below_hunter_is_mild(string feature)
    {
        var context = feature switch
        {
            "tremor" => Negative().WithExam(e => e with { Tremor = true }),
            "hyperreflexia" => Negative().WithExam(e => e with { Reflexes = ReflexGrade.Increased }),
            "inducible_clonus" => Negative() with { Clonus = Clonus(ClonusType.Inducible) },
            _ => Negative().WithExam(e => e with { Diaphoresis = true }),
        };
        var r = Hunter(context);
        Assert.True(r.Met.IsNo);
        Assert.Equal(Severity.Mild, r.Severity);
    }

    [Fact]
    public void No_serotonergic_features_give_no_severity_grade()
    {
        Assert.Null(Hunter(Negative()).Severity);
    }

    // The assessment's serotoninToxicity block.

    [Fact]
    public void Hunter_criteria_met_is_null_when_the_needed_features_are_unknown()
    {
        var a = Engine.Assess(HunterUndetermined());
        Assert.NotNull(a.SerotoninToxicity);
        Assert.Null(a.SerotoninToxicity.HunterCriteriaMet);
        Assert.Null(a.SerotoninToxicity.Severity);
        Assert.Empty(a.SerotoninToxicity.HunterRulesFired);
        Assert.NotEmpty(a.SerotoninToxicity.HunterRulesUndetermined);
    }

    [Fact]
    public void Hunter_criteria_met_is_false_when_every_feature_is_known_absent()
    {
        var a = Engine.Assess(Negative());
        Assert.NotNull(a.SerotoninToxicity);
        Assert.False(a.SerotoninToxicity.HunterCriteriaMet);
    }

    [Fact]
    public void No_serotonin_toxicity_block_without_a_serotonergic_drug()
    {
        var a = Engine.Assess(SerotoninToxicity() with { Medications = [Med("baclofen"), Med("lisinopril")] });
        Assert.Null(a.SerotoninToxicity);
        Assert.NotEqual(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.DoesNotContain(a.Trace, t => t.Rule == "HSTC-1");
    }

    [Fact]
    public void No_serotonin_toxicity_block_with_an_empty_medication_list()
    {
        Assert.Null(Engine.Assess(SerotoninToxicity() with { Medications = [] }).SerotoninToxicity);
    }

    [Fact]
    public void A_draft_only_serotonergic_drug_gives_a_block_with_hunter_not_met()
    {
        var a = Engine.Assess(SerotoninToxicity() with { Medications = [Draft("sertraline")] });
        var st = a.SerotoninToxicity;
        Assert.NotNull(st);
        Assert.False(st.HunterCriteriaMet);
        Assert.False(st.ExposureCurrent);
        Assert.Empty(st.HunterRulesFired);
        var agent = Assert.Single(st.SerotonergicAgents);
        Assert.Equal("sertraline", agent.Name);
        Assert.Equal("draft", agent.Status);
        Assert.NotEqual(Etiology.SerotoninToxicity, a.Etiology.Primary);
    }

    [Fact]
    public void Fluoxetine_stopped_20_days_ago_still_counts_as_exposure()
    {
        // FDA-LZD-MB: 5-week washout after fluoxetine.
        var a = Engine.Assess(SerotoninToxicity() with { Medications = [Stopped("fluoxetine", 20)] });
        var st = a.SerotoninToxicity;
        Assert.NotNull(st);
        Assert.True(st.ExposureCurrent);
        Assert.True(st.HunterCriteriaMet);
        Assert.Equal("recently_stopped", Assert.Single(st.SerotonergicAgents).Status);
        Assert.Equal(Etiology.SerotoninToxicity, a.Etiology.Primary);
    }

    [Fact]
    public void Sertraline_stopped_10_days_ago_no_longer_counts_as_exposure()
    {
        var a = Engine.Assess(SerotoninToxicity() with { Medications = [Stopped("sertraline", 10)] });
        // Listed (the contract shows the block whenever an agent is on the list), but not exposure.
        var st = a.SerotoninToxicity!;
        Assert.Equal("stopped", Assert.Single(st.SerotonergicAgents).Status);
        Assert.False(st.ExposureCurrent);
        Assert.False(st.HunterCriteriaMet);
        Assert.Empty(st.HunterRulesFired);
        Assert.NotEqual(Etiology.SerotoninToxicity, a.Etiology.Primary);
    }

    [Fact]
    public void Serotonergic_agents_are_listed_with_class_and_risk_tier()
    {
        var a = Engine.Assess(SerotoninToxicity() with { Medications = [Med("sertraline", "36437"), New("linezolid")] });
        var agents = a.SerotoninToxicity!.SerotonergicAgents;
        Assert.Contains(agents, x => x is { Name: "sertraline", Class: "ssri", RiskTier: "standard", MatchedBy: "rxcui", MedicationIndex: 0 });
        Assert.Contains(agents, x => x is { Name: "linezolid", Class: "antibiotic_maoi", RiskTier: "high", MatchedBy: "name", MedicationIndex: 1 });
    }
}
