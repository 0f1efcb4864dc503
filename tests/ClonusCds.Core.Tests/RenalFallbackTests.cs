using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;
using ClonusCds.Core.Tests.Support;
using static ClonusCds.Core.Tests.Support.Patients;

namespace ClonusCds.Core.Tests;

/// <summary>
/// Kidney function from every source the request can carry (issue 13, part 3, REST side): a measured
/// eGFR; else the race-free CKD-EPI 2021 creatinine equation (adults); else the recorded CKD stage.
/// Baclofen's renal rules read the result, and an estimate is marked on the advice.
/// </summary>
public sealed class RenalFallbackTests
{
    [Theory]
    // Worked by hand from the published equation (Inker 2021); the first two agree with the
    // NKF calculator's 64 and 86 mL/min/1.73 m².
    [InlineData(1.0, 60, Sex.Female, 64.5)]
    [InlineData(1.0, 60, Sex.Male, 86.2)]
    [InlineData(0.6, 40, Sex.Female, 116.3)] // below kappa: the min() term, exponent -0.241
    [InlineData(3.5, 70, Sex.Male, 18.0)] // stage 4 territory
    public void Ckd_epi_2021_matches_the_published_equation(double creatinine, double age, Sex sex, double expected) =>
        Assert.Equal(expected, ClinicalPicture.CkdEpi2021(creatinine, age, sex), 0.6);

    [Fact]
    public void Without_a_recorded_sex_the_lower_estimate_is_used()
    {
        var female = ClinicalPicture.CkdEpi2021(1.0, 60, Sex.Female);
        var male = ClinicalPicture.CkdEpi2021(1.0, 60, Sex.Male);
        Assert.Equal(Math.Min(female, male), ClinicalPicture.CkdEpi2021(1.0, 60, null));
        Assert.Equal(Math.Min(female, male), ClinicalPicture.CkdEpi2021(1.0, 60, Sex.Unknown));
    }

    private static PatientContext MsOnBaclofen(PatientInfo patient, LabResults? labs = null, params ConditionEntry[] extra) =>
        KnownUmn() with
        {
            Patient = patient,
            Medications = [Med("baclofen", "1292")],
            Labs = labs,
            Conditions = [Condition(ConditionCategory.MultipleSclerosis), .. extra],
        };

    [Fact]
    public void A_high_creatinine_without_an_egfr_avoids_baclofen_and_says_the_function_is_estimated()
    {
        var a = Engine.Assess(MsOnBaclofen(new PatientInfo { AgeYears = 70, Sex = Sex.Male }, new LabResults { CreatinineMgPerDl = 3.5 }));
        Assert.NotNull(a.TierOf("baclofen_renal_dose_reduction_or_avoid"));
        Assert.True(a.HasPitfall("baclofen_renal_accumulation"));
        Assert.Contains("renal_function_estimated", a.CautionsOn("baclofen_renal_dose_reduction_or_avoid"));
        Assert.DoesNotContain("baclofen_first_line", a.AllCodes());
        var renal = Assert.Single(a.Trace, t => t.Rule == "INPUT-RENAL");
        Assert.Contains("source=creatinine", renal.Inputs);
        Assert.DoesNotContain(a.MissingData, m => m.Field == "patient.egfr");
    }

    [Fact]
    public void A_recorded_ckd_stage_4_without_numbers_avoids_baclofen()
    {
        var stage4 = new ConditionEntry { Code = "N18.4", System = "http://hl7.org/fhir/sid/icd-10-cm", Display = "CKD stage 4" };
        var a = Engine.Assess(MsOnBaclofen(new PatientInfo { AgeYears = 55, Sex = Sex.Female }, null, stage4));
        Assert.True(a.HasPitfall("baclofen_renal_accumulation"));
        Assert.Contains("source=ckd_stage", Assert.Single(a.Trace, t => t.Rule == "INPUT-RENAL").Inputs);
    }

    [Fact]
    public void A_recorded_ckd_stage_3_means_a_reduced_dose_not_avoidance()
    {
        var stage3 = new ConditionEntry { Code = "433144002", System = "http://snomed.info/sct", Display = "CKD stage 3" };
        var a = Engine.Assess(MsOnBaclofen(new PatientInfo { AgeYears = 55, Sex = Sex.Female }, null, stage3));
        Assert.False(a.HasPitfall("baclofen_renal_accumulation"));
        Assert.Contains("renal_impairment_moderate", a.CautionsOn("baclofen_renal_dose_reduction_or_avoid"));
    }

    [Fact]
    public void A_measured_egfr_wins_over_creatinine_and_stage()
    {
        var stage4 = new ConditionEntry { Code = "N18.4", System = "http://hl7.org/fhir/sid/icd-10-cm" };
        var a = Engine.Assess(MsOnBaclofen(new PatientInfo { AgeYears = 55, Sex = Sex.Female, Egfr = 80 }, new LabResults { CreatinineMgPerDl = 3.0 }, stage4));
        Assert.False(a.HasPitfall("baclofen_renal_accumulation"));
        Assert.DoesNotContain(a.Trace, t => t.Rule == "INPUT-RENAL");
    }

    [Fact]
    public void A_child_s_creatinine_is_not_put_through_the_adult_equation()
    {
        var a = Engine.Assess(MsOnBaclofen(new PatientInfo { AgeYears = 12, Sex = Sex.Male }, new LabResults { CreatinineMgPerDl = 3.0 }));
        Assert.DoesNotContain(a.Trace, t => t.Rule == "INPUT-RENAL");
        Assert.Contains(a.MissingData, m => m.Field == "patient.egfr");
    }
}
