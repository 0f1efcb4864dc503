using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using ClonusCds.Core.Triage;

namespace ClonusCds.Core.Tests;

/// <summary>
/// Reasoning v2, physiology floor (Physiology.Evaluate and Physiology.Band over the NEWS2 bands in
/// reasoning.json): each band edge, the aggregate thresholds, the product's extra floors, children,
/// consciousness, a rising temperature, and the parameters named as missing. [NEWS2; ETG; BMJBP;
/// evidence brief §5.1]
/// </summary>
public sealed class ReasoningV2PhysiologyTests
{
    private static PhysiologyContent Content => Engine.Kb.Reasoning.Physiology;

    private static IReadOnlyList<ScoreBand> Bands(string parameter) => Content.Parameters.Single(p => p.Parameter == parameter).Bands;

    /// <summary>An alert adult with every NEWS2 parameter recorded and scoring 0.</summary>
    private static PatientContext Normal(double? age = 45) => new()
    {
        Patient = new PatientInfo { AgeYears = age },
        Vitals = new Vitals { RespiratoryRate = 16, Spo2Percent = 98, SystolicBp = 124, HeartRateBpm = 72, TemperatureC = 37.0, TemperatureRising = false },
        Exam = new Examination { MentalStatus = MentalStatus.Normal },
    };

    private static PatientContext With(PatientContext c, Func<Vitals, Vitals> change) => c with { Vitals = change(c.Vitals!) };

    private static PhysiologyResult Evaluate(PatientContext c, bool toxic = false) => Physiology.Evaluate(Content, c, toxic);

    // Band edges (NEWS2 chart, as transcribed in reasoning.json).

    [Theory]
    [InlineData(90, 3)]
    [InlineData(91, 2)]
    [InlineData(100, 2)]
    [InlineData(101, 1)]
    [InlineData(110, 1)]
    [InlineData(111, 0)]
    [InlineData(219, 0)]
    [InlineData(220, 3)]
    public void Systolic_bp_bands(double value, int score) => Assert.Equal(score, Physiology.Band(Bands("systolicBp"), value));

    [Theory]
    [InlineData(85, 3)]
    [InlineData(91, 3)]
    [InlineData(92, 2)]
    [InlineData(93, 2)]
    [InlineData(94, 1)]
    [InlineData(95, 1)]
    [InlineData(96, 0)]
    [InlineData(100, 0)]
    public void Spo2_bands(double value, int score) => Assert.Equal(score, Physiology.Band(Bands("spo2Percent"), value));

    [Theory]
    [InlineData(8, 3)]
    [InlineData(9, 1)]
    [InlineData(11, 1)]
    [InlineData(12, 0)]
    [InlineData(20, 0)]
    [InlineData(21, 2)]
    [InlineData(24, 2)]
    [InlineData(25, 3)]
    public void Respiratory_rate_bands(double value, int score) => Assert.Equal(score, Physiology.Band(Bands("respiratoryRate"), value));

    [Theory]
    [InlineData(40, 3)]
    [InlineData(41, 1)]
    [InlineData(50, 1)]
    [InlineData(51, 0)]
    [InlineData(90, 0)]
    [InlineData(91, 1)]
    [InlineData(110, 1)]
    [InlineData(111, 2)]
    [InlineData(130, 2)]
    [InlineData(131, 3)]
    public void Heart_rate_bands(double value, int score) => Assert.Equal(score, Physiology.Band(Bands("heartRateBpm"), value));

    [Theory]
    [InlineData(34.0, 3)]
    [InlineData(35.0, 3)]
    [InlineData(35.1, 1)]
    [InlineData(36.0, 1)]
    [InlineData(36.1, 0)]
    [InlineData(38.0, 0)]
    [InlineData(38.1, 1)]
    [InlineData(39.0, 1)]
    [InlineData(39.1, 2)]
    [InlineData(41.0, 2)]
    public void Temperature_bands(double value, int score) => Assert.Equal(score, Physiology.Band(Bands("temperatureC"), value));

    [Fact]
    public void Band_refuses_null_bands() => Assert.Throws<ArgumentNullException>(() => Physiology.Band(null!, 1));

    // A red score in one parameter through Evaluate.

    [Fact]
    public void All_parameters_normal_and_alert_sets_no_floor_and_misses_nothing()
    {
        var r = Evaluate(Normal());
        Assert.Null(r.Floor);
        Assert.False(r.Emergency);
        Assert.Equal(0, r.Aggregate);
        Assert.Empty(r.Findings);
        Assert.Empty(r.Missing);
    }

    [Theory]
    [InlineData("systolicBp", 90, 91)]
    [InlineData("spo2Percent", 91, 92)]
    [InlineData("respiratoryRate", 8, 9)]
    [InlineData("respiratoryRate", 25, 24)]
    [InlineData("heartRateBpm", 131, 130)]
    [InlineData("systolicBp", 220, 219)]
    [InlineData("temperatureC", 35.0, 35.1)]
    public void A_red_score_in_one_parameter_is_an_emergency_and_the_next_value_is_not(string parameter, double red, double notRed)
    {
        var redResult = Evaluate(Set(Normal(), parameter, red));
        Assert.Equal(Urgency.Emergency, redResult.Floor);
        Assert.True(redResult.Emergency);
        Assert.Contains(redResult.Findings, f => f.Contains("red band", StringComparison.Ordinal));

        var other = Evaluate(Set(Normal(), parameter, notRed));
        Assert.NotEqual(Urgency.Emergency, other.Floor);
        Assert.False(other.Emergency);
        Assert.DoesNotContain(other.Findings, f => f.Contains("red band", StringComparison.Ordinal));
    }

    [Fact]
    public void Heart_rate_40_is_a_red_score_and_41_is_an_emergency_only_through_the_bradycardia_floor()
    {
        var at40 = Evaluate(Set(Normal(), "heartRateBpm", 40));
        Assert.Equal(3, at40.Aggregate);
        Assert.Contains(at40.Findings, f => f.Contains("red band", StringComparison.Ordinal));

        var at41 = Evaluate(Set(Normal(), "heartRateBpm", 41));
        Assert.Equal(1, at41.Aggregate);
        Assert.Equal(Urgency.Emergency, at41.Floor);
        Assert.DoesNotContain(at41.Findings, f => f.Contains("red band", StringComparison.Ordinal));
    }

    [Fact]
    public void Temperature_39_1_scores_2_and_sets_no_floor_alone()
    {
        var r = Evaluate(Set(Normal(), "temperatureC", 39.1));
        Assert.Equal(2, r.Aggregate);
        Assert.Null(r.Floor);
    }

    // Aggregates.

    [Fact]
    public void An_aggregate_of_7_without_any_red_score_is_an_emergency()
    {
        // RR 22 (2) + SpO2 93 (2) + HR 120 (2) + 38.5 °C (1) = 7.
        var r = Evaluate(With(Normal(), v => v with { RespiratoryRate = 22, Spo2Percent = 93, HeartRateBpm = 120, TemperatureC = 38.5 }));
        Assert.Equal(7, r.Aggregate);
        Assert.Equal(Urgency.Emergency, r.Floor);
        Assert.True(r.Emergency);
        Assert.Contains(r.Findings, f => f.Contains("aggregate 7", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void An_aggregate_of_5_or_6_is_urgent_not_emergency(int aggregate)
    {
        // RR 22 (2) + SpO2 93 (2) + 38.5 °C (1) = 5; HR 120 instead of the temperature adds 2 → 6.
        var r = Evaluate(aggregate == 5
            ? With(Normal(), v => v with { RespiratoryRate = 22, Spo2Percent = 93, TemperatureC = 38.5 })
            : With(Normal(), v => v with { RespiratoryRate = 22, Spo2Percent = 93, HeartRateBpm = 120 }));
        Assert.Equal(aggregate, r.Aggregate);
        Assert.Equal(Urgency.Urgent, r.Floor);
        Assert.False(r.Emergency);
        Assert.Contains(r.Findings, f => f.Contains($"aggregate {aggregate}", StringComparison.Ordinal));
    }

    [Fact]
    public void An_aggregate_of_4_sets_no_floor()
    {
        var r = Evaluate(With(Normal(), v => v with { RespiratoryRate = 22, Spo2Percent = 93 }));
        Assert.Equal(4, r.Aggregate);
        Assert.Null(r.Floor);
    }

    [Fact]
    public void The_aggregate_thresholds_in_the_content_are_7_and_5()
    {
        Assert.Equal(7, Content.AggregateEmergency);
        Assert.Equal(5, Content.AggregateUrgent);
        Assert.Equal(16, Content.News2MinimumAgeYears);
    }

    // Extra floors.

    [Theory]
    [InlineData(49, true)]
    [InlineData(50, false)]
    public void Heart_rate_below_50_is_an_emergency(int hr, bool emergency)
    {
        var r = Evaluate(Set(Normal(), "heartRateBpm", hr));
        Assert.Equal(emergency, r.Emergency);
        Assert.Equal(emergency ? Urgency.Emergency : null, r.Floor);
        Assert.Equal(1, r.Aggregate);
    }

    [Theory]
    [InlineData(39.9, false)]
    [InlineData(40.0, true)]
    [InlineData(40.3, true)]
    public void Temperature_40_or_more_is_an_emergency(double t, bool emergency)
    {
        var r = Evaluate(Set(Normal(), "temperatureC", t));
        Assert.Equal(emergency, r.Emergency);
        Assert.Equal(2, r.Aggregate);
    }

    // Children (under 16): not scored on the NEWS2 bands, but still hypoxia, hypothermia, bradycardia and consciousness.

    [Fact]
    public void An_infant_with_heart_rate_150_and_respiratory_rate_40_is_not_an_emergency()
    {
        var infant = With(Normal(0.5), v => v with { HeartRateBpm = 150, RespiratoryRate = 40 });
        var r = Evaluate(infant);
        Assert.Null(r.Floor);
        Assert.Equal(0, r.Aggregate);
        Assert.False(r.Emergency);

        // The same values in an adult are two red scores.
        Assert.True(Evaluate(infant with { Patient = new PatientInfo { AgeYears = 30 } }).Emergency);
    }

    [Fact]
    public void An_infant_through_the_engine_with_heart_rate_150_and_respiratory_rate_40_is_not_an_emergency()
    {
        var a = Engine.Assess(Patients.Infant(0.5, 4).WithVitals(v => v with
        {
            HeartRateBpm = 150, RespiratoryRate = 40, Spo2Percent = 98, SystolicBp = 85, TemperatureC = 36.9, TemperatureRising = false,
        }).WithExam(e => e with { MentalStatus = MentalStatus.Normal }));
        Assert.NotEqual(Urgency.Emergency, a.Urgency);
        Assert.DoesNotContain("immediate_review_abnormal_physiology", a.AllCodes());
    }

    [Theory]
    [InlineData(91, true)]
    [InlineData(92, false)]
    public void A_child_with_spo2_91_or_less_is_an_emergency(double spo2, bool emergency)
    {
        var r = Evaluate(Set(Normal(6), "spo2Percent", spo2));
        Assert.Equal(emergency, r.Emergency);
        Assert.Equal(0, r.Aggregate);
    }

    [Theory]
    [InlineData(35.0, true)]
    [InlineData(35.1, false)]
    public void A_child_with_temperature_35_or_less_is_an_emergency(double t, bool emergency)
    {
        Assert.Equal(emergency, Evaluate(Set(Normal(6), "temperatureC", t)).Emergency);
    }

    [Fact]
    public void A_child_with_bradycardia_below_50_is_an_emergency()
    {
        Assert.True(Evaluate(Set(Normal(10), "heartRateBpm", 45)).Emergency);
    }

    [Theory]
    [InlineData(MentalStatus.DecreasedConsciousness)]
    [InlineData(MentalStatus.Coma)]
    public void A_child_with_reduced_consciousness_is_an_emergency(MentalStatus status)
    {
        var r = Evaluate(Normal(3) with { Exam = new Examination { MentalStatus = status } });
        Assert.True(r.Emergency);
        Assert.Equal(0, r.Aggregate);
    }

    [Fact]
    public void A_child_systolic_bp_of_85_is_not_scored()
    {
        Assert.Null(Evaluate(Set(Normal(4), "systolicBp", 85)).Floor);
    }

    [Theory]
    [InlineData(15.9, false)]
    [InlineData(16.0, true)]
    public void Sixteen_is_the_first_age_scored_on_news2(double age, bool scored)
    {
        Assert.Equal(scored, Evaluate(Set(Normal(age), "heartRateBpm", 131)).Emergency);
    }

    [Fact]
    public void An_unknown_age_is_scored_as_an_adult()
    {
        Assert.True(Evaluate(Set(Normal(null), "heartRateBpm", 131)).Emergency);
        Assert.True(Evaluate(Set(Normal(), "heartRateBpm", 131) with { Patient = null }).Emergency);
    }

    // Consciousness.

    [Theory]
    [InlineData(MentalStatus.Confused)]
    [InlineData(MentalStatus.Delirium)]
    public void Confusion_is_urgent_not_an_emergency(MentalStatus status)
    {
        var r = Evaluate(Normal() with { Exam = new Examination { MentalStatus = status } });
        Assert.Equal(Urgency.Urgent, r.Floor);
        Assert.False(r.Emergency);
        Assert.Equal(3, r.Aggregate);
    }

    [Fact]
    public void Confusion_still_counts_3_toward_the_aggregate()
    {
        // 3 (confused) + RR 22 (2) + HR 120 (2) = 7.
        var r = Evaluate(With(Normal(), v => v with { RespiratoryRate = 22, HeartRateBpm = 120 }) with { Exam = new Examination { MentalStatus = MentalStatus.Confused } });
        Assert.Equal(7, r.Aggregate);
        Assert.True(r.Emergency);
    }

    [Theory]
    [InlineData(MentalStatus.DecreasedConsciousness)]
    [InlineData(MentalStatus.Coma)]
    public void Reduced_consciousness_is_an_emergency(MentalStatus status)
    {
        var r = Evaluate(Normal() with { Exam = new Examination { MentalStatus = status } });
        Assert.Equal(Urgency.Emergency, r.Floor);
        Assert.True(r.Emergency);
    }

    [Theory]
    [InlineData(MentalStatus.Normal)]
    [InlineData(MentalStatus.Agitated)]
    public void Alert_or_agitated_scores_nothing(MentalStatus status)
    {
        var r = Evaluate(Normal() with { Exam = new Examination { MentalStatus = status } });
        Assert.Null(r.Floor);
        Assert.Equal(0, r.Aggregate);
    }

    // Rising temperature.

    [Fact]
    public void A_rising_temperature_is_an_emergency_only_in_a_toxic_picture()
    {
        var rising = With(Normal(), v => v with { TemperatureRising = true });
        var toxic = Evaluate(rising, toxic: true);
        Assert.Equal(Urgency.Emergency, toxic.Floor);
        Assert.Contains(toxic.Findings, f => f.Contains("toxic picture", StringComparison.Ordinal));

        // Outside a toxic picture a rising temperature sets an urgent floor only when it is already a
        // fever (or its value is unknown); a normal temperature drifting up sets none.
        Assert.Null(Evaluate(rising, toxic: false).Floor);
        var feverRising = Evaluate(With(rising, v => v with { TemperatureC = 38.4 }), toxic: false);
        Assert.Equal(Urgency.Urgent, feverRising.Floor);
        Assert.False(feverRising.Emergency);
        Assert.Equal(Urgency.Urgent, Evaluate(With(rising, v => v with { TemperatureC = null }), toxic: false).Floor);
    }

    [Fact]
    public void A_temperature_not_rising_sets_no_floor_in_a_toxic_picture()
    {
        Assert.Null(Evaluate(Normal(), toxic: true).Floor);
    }

    // Missing parameters.

    [Fact]
    public void Missing_lists_every_unrecorded_parameter_and_mental_status()
    {
        var r = Evaluate(new PatientContext { Patient = new PatientInfo { AgeYears = 40 } });
        Assert.Equal(["respiratory rate", "SpO2", "systolic BP", "heart rate", "temperature", "mental status"], r.Missing);
        Assert.Null(r.Floor);
        Assert.Equal(0, r.Aggregate);
    }

    [Fact]
    public void Missing_names_only_the_parameters_not_given()
    {
        var r = Evaluate(new PatientContext
        {
            Vitals = new Vitals { HeartRateBpm = 80, TemperatureC = 37.0 },
            Exam = new Examination { MentalStatus = MentalStatus.Normal },
        });
        Assert.Equal(["respiratory rate", "SpO2", "systolic BP"], r.Missing);
    }

    [Fact]
    public void An_unknown_parameter_scores_nothing()
    {
        // Only SpO2 93 (2) and HR 120 (2) are given: 4, no floor; the rest are not guessed.
        var r = Evaluate(new PatientContext { Vitals = new Vitals { Spo2Percent = 93, HeartRateBpm = 120 }, Exam = new Examination { MentalStatus = MentalStatus.Normal } });
        Assert.Equal(4, r.Aggregate);
        Assert.Null(r.Floor);
    }

    private static PatientContext Set(PatientContext c, string parameter, double value) => With(c, v => parameter switch
    {
        "respiratoryRate" => v with { RespiratoryRate = (int)value },
        "spo2Percent" => v with { Spo2Percent = value },
        "systolicBp" => v with { SystolicBp = (int)value },
        "heartRateBpm" => v with { HeartRateBpm = (int)value },
        "temperatureC" => v with { TemperatureC = value },
        _ => throw new ArgumentOutOfRangeException(nameof(parameter)),
    });
}
