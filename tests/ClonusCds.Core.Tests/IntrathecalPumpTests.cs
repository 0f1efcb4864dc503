using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using static ClonusCds.Core.Tests.Support.Patients;

namespace ClonusCds.Core.Tests;

/// <summary>
/// An intrathecal baclofen pump fails without any recorded change (catheter, reservoir, battery,
/// programming; COFFEY2002, brief §5.2): TOX-BACLOFEN-WD keeps withdrawal open when the pump's change
/// is unchanged or unknown and there are systemic signs or a worse clonus; UMN-MGMT never starts or
/// titrates oral baclofen on top of a pump.
/// </summary>
public sealed class IntrathecalPumpTests
{
    private static MedicationEntry Pump(MedicationChange? change, double? days = 60) =>
        Med("baclofen", "1292", change: change, days: change is null ? null : days, route: MedicationRoute.Intrathecal);

    // Spinal cord injury with a pump; the clonus is worse and he is febrile, tachycardic and agitated.
    private static PatientContext FebrileOnPump(MedicationChange? change, double? days = 60) => (KnownUmn(ConditionCategory.SpinalCordInjury, ClonusOnset.AcuteOnChronic) with
    {
        Vitals = new Vitals { TemperatureC = 38.8, HeartRateBpm = 118, SystolicBp = 100, RespiratoryRate = 20, Spo2Percent = 96 },
        Medications = [Pump(change, days)],
    }).WithExam(e => e with { MentalStatus = MentalStatus.Agitated });

    [Theory]
    [InlineData(null)]
    [InlineData(MedicationChange.Unchanged)]
    [InlineData(MedicationChange.DoseDecreased)] // reduced two months ago: outside the window, the pump can still fail today
    [InlineData(MedicationChange.DoseIncreased)]
    public void A_pump_with_no_recent_recorded_interruption_and_systemic_signs_keeps_withdrawal_open_as_an_emergency(MedicationChange? change)
    {
        var a = Engine.Assess(FebrileOnPump(change));
        Assert.Equal("undetermined", a.Outcome("TOX-BACLOFEN-WD"));
        Assert.Contains(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.BaclofenWithdrawal && d.NotExcluded);
        Assert.Equal(Urgency.Emergency, a.Urgency);
        Assert.Equal(RecommendationTier.FirstLine, a.TierOf("intrathecal_pump_interrogation"));
        Assert.NotNull(a.Item("reinstate_baclofen"));
    }

    [Fact]
    public void Baclofen_of_unrecorded_route_with_systemic_signs_names_the_route_as_missing()
    {
        // Unknown is not "oral": the route decides whether a pump can be failing (found by the
        // property invariant that an unknown finding never lowers the urgency silently).
        var context = FebrileOnPump(MedicationChange.Unchanged) with { Medications = [Med("baclofen", "1292", route: null)] };
        var a = Engine.Assess(context);
        Assert.Contains(a.MissingData, m => m.Field == "medications[0].route" && m.Reason.Contains("intrathecal", StringComparison.Ordinal));
    }

    [Fact]
    public void A_recorded_interruption_is_still_definite_withdrawal()
    {
        // The pump's rate was reduced yesterday: a recorded interruption.
        var a = Engine.Assess(FebrileOnPump(MedicationChange.DoseDecreased, days: 1));
        Assert.Equal(EtiologySubtype.BaclofenWithdrawal, a.Etiology.Subtype);
        Assert.Equal("fired", a.Outcome("TOX-BACLOFEN-WD"));
    }

    [Fact]
    public void A_stable_pump_with_a_chronic_clonus_and_normal_signs_raises_nothing()
    {
        var context = KnownUmn(ConditionCategory.SpinalCordInjury) with
        {
            Vitals = new Vitals { TemperatureC = 36.8, HeartRateBpm = 70, SystolicBp = 120, RespiratoryRate = 14, Spo2Percent = 98 },
            Medications = [Pump(MedicationChange.Unchanged)],
        };
        var a = Engine.Assess(context);
        Assert.Equal(Etiology.UmnLesion, a.Etiology.Primary);
        Assert.Equal("not_met", a.Outcome("TOX-BACLOFEN-WD"));
        Assert.DoesNotContain(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.BaclofenWithdrawal);
        Assert.Equal(Urgency.Routine, a.Urgency);
    }

    [Fact]
    public void Oral_baclofen_is_never_started_or_titrated_on_top_of_a_pump()
    {
        var context = KnownUmn(ConditionCategory.SpinalCordInjury) with { Medications = [Pump(MedicationChange.Unchanged)] };
        var a = Engine.Assess(context);
        Assert.Null(a.Item("baclofen_first_line"));
        Assert.Null(a.Item("baclofen_titration_schedule"));
        Assert.Null(a.Item("intrathecal_baclofen_referral"));
        var exhausted = a.Item("first_line_exhausted");
        Assert.NotNull(exhausted);
        Assert.Contains("Intrathecal baclofen is already in place", exhausted!.Because, StringComparison.Ordinal);
        Assert.Equal(RecommendationTier.FirstLine, a.TierOf("cold_application"));
    }

    [Fact]
    public void Oral_baclofen_stays_first_line_without_a_pump()
    {
        var a = Engine.Assess(KnownUmn(ConditionCategory.SpinalCordInjury) with { Medications = [Med("baclofen", "1292")] });
        Assert.NotNull(a.Item("baclofen_first_line"));
    }
}
