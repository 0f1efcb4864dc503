using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using static ClonusCds.Core.Tests.Support.Patients;

namespace ClonusCds.Core.Tests;

/// <summary>
/// TOX-ACH and a mixed toxidrome: an anticholinergic drug on board with two or more anticholinergic
/// signs beside hyperreflexia or sweating (a tricyclic overdose is both anticholinergic and
/// serotonergic) keeps anticholinergic toxicity open, so the ECG (QRS, QTc) and the cyproheptadine
/// caution follow. [brief §2 rule 3; BOYER2005]
/// </summary>
public sealed class MixedToxidromeTests
{
    // Amitriptyline dose taken today: hot dry flushed skin, dry mucosa, dilated pupils, reduced bowel
    // sounds, delirium; inducible clonus with agitation and hyperreflexia (Hunter rule 2).
    private static PatientContext TricyclicOverdose(string drug = "amitriptyline") => new()
    {
        Patient = new PatientInfo { AgeYears = 32, Sex = Sex.Female },
        Setting = CareSetting.EmergencyDepartment,
        Clonus = Clonus(ClonusType.Inducible) with { Onset = ClonusOnset.Acute },
        Vitals = new Vitals { TemperatureC = 38.3, HeartRateBpm = 135, SystolicBp = 95, RespiratoryRate = 20, Spo2Percent = 95 },
        Exam = new Examination
        {
            Skin = SkinFinding.HotDryFlushed, Mucosa = MucosaFinding.Dry, Pupils = PupilFinding.Dilated, BowelSounds = BowelSounds.Decreased,
            Reflexes = ReflexGrade.Increased, MentalStatus = MentalStatus.Delirium, Agitation = true,
        },
        Medications = [Increased(drug, days: 0)],
        Conditions = [],
    };

    [Fact]
    public void A_tricyclic_with_anticholinergic_and_serotonergic_signs_keeps_anticholinergic_toxicity_open_with_an_ecg()
    {
        var a = Engine.Assess(TricyclicOverdose());
        Assert.Equal(Etiology.SerotoninToxicity, a.Etiology.Primary);
        Assert.Equal("undetermined", a.Outcome("TOX-ACH"));
        Assert.Contains(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.AnticholinergicToxicity && d.NotExcluded);
        var ecg = a.Item("ecg_qrs_qtc");
        Assert.NotNull(ecg);
        Assert.Equal("DIFF-SAFETY", ecg!.FiredBy);
        if (a.Item("cyproheptadine") is { } cyproheptadine)
        {
            Assert.Contains(cyproheptadine.Cautions, c => c.Id == "anticholinergic_features_present");
        }
    }

    [Fact]
    public void The_same_signs_on_a_drug_without_anticholinergic_action_are_not_a_mixed_toxidrome()
    {
        var a = Engine.Assess(TricyclicOverdose("sertraline"));
        Assert.Equal("not_met", a.Outcome("TOX-ACH"));
        Assert.DoesNotContain(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.AnticholinergicToxicity);
    }

    [Fact]
    public void One_anticholinergic_sign_is_not_enough()
    {
        var a = Engine.Assess(TricyclicOverdose().WithExam(e => e with { Mucosa = MucosaFinding.Moist, BowelSounds = BowelSounds.Normal }));
        Assert.Equal("not_met", a.Outcome("TOX-ACH"));
    }
}
