using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using static ClonusCds.Core.Tests.Support.Patients;

namespace ClonusCds.Core.Tests;

/// <summary>
/// OBS-PREECLAMPSIA: in pregnancy (from 20 weeks, or gestation unrecorded), clonus or brisk reflexes
/// with a blood pressure of 140/90 or more is pre-eclampsia until excluded; 160/110 or more is an
/// emergency; an unrecorded blood pressure is named, never read as normal. [NICE-NG133; ACOG-PB222]
/// </summary>
public sealed class PreeclampsiaRuleTests
{
    // 31 weeks, new bilateral sustained ankle clonus, brisk reflexes, no drugs or conditions.
    private static PatientContext Pregnant(int? systolic, int? diastolic, int? weeks = 31, bool? pregnant = true) => new()
    {
        Patient = new PatientInfo { AgeYears = 29, Sex = Sex.Female, Pregnant = pregnant, GestationalAgeWeeks = pregnant == true ? weeks : null },
        Setting = CareSetting.EmergencyDepartment,
        Clonus = Clonus(ClonusType.Inducible) with { Onset = ClonusOnset.Acute, Laterality = Laterality.Bilateral },
        Vitals = new Vitals { TemperatureC = 36.9, HeartRateBpm = 94, SystolicBp = systolic, DiastolicBp = diastolic, RespiratoryRate = 18, Spo2Percent = 98 },
        Exam = new Examination { Reflexes = ReflexGrade.Increased, MentalStatus = MentalStatus.Normal, OtherUmnSigns = false },
        Medications = [],
        Conditions = [],
    };

    [Theory]
    [InlineData(172, 114)]
    [InlineData(160, 95)]
    [InlineData(150, 110)]
    [InlineData(165, null)]
    public void Severe_range_blood_pressure_is_an_obstetric_emergency(int systolic, int? diastolic)
    {
        var a = Engine.Assess(Pregnant(systolic, diastolic));
        Assert.Equal(Urgency.Emergency, a.Urgency);
        var item = a.Item("urgent_obstetric_assessment");
        Assert.NotNull(item);
        Assert.Equal(RecommendationTier.FirstLine, a.TierOf("urgent_obstetric_assessment"));
        Assert.Equal("OBS-PREECLAMPSIA", item!.FiredBy);
        Assert.True(a.HasPitfall("preeclampsia_not_excluded"));
        Assert.Equal("fired", a.Outcome("OBS-PREECLAMPSIA"));
    }

    [Fact]
    public void Bilateral_signs_with_a_raised_pressure_are_not_called_a_new_structural_lesion()
    {
        // Systemic until shown otherwise (UMN-NEW), as with fever and confusion.
        var a = Engine.Assess(Pregnant(168, 112));
        Assert.NotEqual(EtiologySubtype.NewUndiagnosedUmnLesion, a.Etiology.Subtype);
        Assert.Equal("not_met", a.Outcome("UMN-NEW"));
        Assert.Equal(Etiology.IndeterminateNeedsEvaluation, a.Etiology.Primary);
    }

    [Fact]
    public void Focal_signs_stay_a_new_lesion_to_image_with_the_obstetric_assessment_beside_it()
    {
        // A stroke or venous thrombosis in pregnancy is focal: both stay in view.
        var context = Pregnant(168, 112).WithClonus(k => k with { Laterality = Laterality.Unilateral, Focal = true })
            .WithExam(e => e with { Weakness = true, OtherUmnSigns = true });
        var a = Engine.Assess(context);
        Assert.Equal(EtiologySubtype.NewUndiagnosedUmnLesion, a.Etiology.Subtype);
        Assert.Equal(RecommendationTier.FirstLine, a.TierOf("urgent_obstetric_assessment"));
        Assert.Equal(Urgency.Emergency, a.Urgency);
    }

    [Fact]
    public void Raised_but_not_severe_blood_pressure_is_at_least_urgent_with_the_assessment()
    {
        var a = Engine.Assess(Pregnant(146, 94));
        Assert.True(a.Urgency >= Urgency.Urgent);
        Assert.Equal(RecommendationTier.FirstLine, a.TierOf("urgent_obstetric_assessment"));
        Assert.True(a.HasPitfall("preeclampsia_not_excluded"));
        Assert.Contains(a.Etiology.Rationale, r => r.Contains("146/94", StringComparison.Ordinal));
    }

    [Fact]
    public void Brisk_reflexes_without_clonus_count_too()
    {
        var context = Pregnant(168, 100) with { Clonus = new ClonusFinding { Present = false } };
        var a = Engine.Assess(context);
        Assert.Equal(Urgency.Emergency, a.Urgency);
        Assert.True(a.HasPitfall("preeclampsia_not_excluded"));
    }

    [Theory]
    [InlineData(false, 31, 172, 114)] // not pregnant
    [InlineData(null, 31, 172, 114)] // pregnancy not recorded: not this rule's call (missing data elsewhere)
    [InlineData(true, 14, 172, 114)] // before 20 weeks
    [InlineData(true, 31, 124, 78)] // normal blood pressure
    [InlineData(true, 31, 138, 88)] // just below 140/90
    public void The_rule_stays_silent_outside_its_conditions(bool? pregnant, int weeks, int systolic, int diastolic)
    {
        var a = Engine.Assess(Pregnant(systolic, diastolic, weeks, pregnant));
        Assert.Null(a.Item("urgent_obstetric_assessment"));
        Assert.False(a.HasPitfall("preeclampsia_not_excluded"));
    }

    [Fact]
    public void An_unrecorded_blood_pressure_is_named_as_missing_not_read_as_normal()
    {
        var a = Engine.Assess(Pregnant(null, null));
        Assert.Contains(a.MissingData, m => m.Field == "vitals.systolicBp" && m.Reason.Contains("pre-eclampsia", StringComparison.Ordinal));
        Assert.Contains(a.MissingData, m => m.Field == "vitals.diastolicBp");
        Assert.Null(a.Item("urgent_obstetric_assessment"));
    }

    [Fact]
    public void Gestation_not_recorded_is_not_read_as_early_pregnancy()
    {
        var a = Engine.Assess(Pregnant(170, 112, weeks: null));
        Assert.Equal(Urgency.Emergency, a.Urgency);
        Assert.True(a.HasPitfall("preeclampsia_not_excluded"));
    }
}
