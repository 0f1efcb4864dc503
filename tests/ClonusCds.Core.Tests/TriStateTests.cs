using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using ClonusCds.Core.Triage;
using static ClonusCds.Core.Tests.Support.Patients;

namespace ClonusCds.Core.Tests;

/// <summary>
/// Kleene three-valued logic for findings (yes / no / unknown). The contract (api-v1.md) says "not
/// known" is different from false and must never be treated as "no".
/// </summary>
public sealed class TriStateTests
{
    private static Tri Parse(string value) => value switch
    {
        "yes" => Tri.Yes,
        "no" => Tri.No,
        "unknown" => Tri.Unknown,
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    [Theory]
    [InlineData("yes", "yes", "yes")]
    [InlineData("yes", "no", "no")]
    [InlineData("yes", "unknown", "unknown")]
    [InlineData("no", "yes", "no")]
    [InlineData("no", "no", "no")]
    [InlineData("no", "unknown", "no")]
    [InlineData("unknown", "yes", "unknown")]
    [InlineData("unknown", "no", "no")]
    [InlineData("unknown", "unknown", "unknown")]
    public void And_follows_the_kleene_truth_table(string a, string b, string expected)
    {
        Assert.Equal(Parse(expected), Parse(a) & Parse(b));
        Assert.Equal(Parse(expected), Tri.BitwiseAnd(Parse(a), Parse(b)));
    }

    [Theory]
    [InlineData("yes", "yes", "yes")]
    [InlineData("yes", "no", "yes")]
    [InlineData("yes", "unknown", "yes")]
    [InlineData("no", "yes", "yes")]
    [InlineData("no", "no", "no")]
    [InlineData("no", "unknown", "unknown")]
    [InlineData("unknown", "yes", "yes")]
    [InlineData("unknown", "no", "unknown")]
    [InlineData("unknown", "unknown", "unknown")]
    public void Or_follows_the_kleene_truth_table(string a, string b, string expected)
    {
        Assert.Equal(Parse(expected), Parse(a) | Parse(b));
        Assert.Equal(Parse(expected), Tri.BitwiseOr(Parse(a), Parse(b)));
    }

    [Theory]
    [InlineData("yes", "no")]
    [InlineData("no", "yes")]
    [InlineData("unknown", "unknown")]
    public void Not_follows_the_kleene_truth_table(string a, string expected)
    {
        Assert.Equal(Parse(expected), !Parse(a));
        Assert.Equal(Parse(expected), Tri.LogicalNot(Parse(a)));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    [InlineData("unknown")]
    public void Exactly_one_of_yes_no_unknown_holds(string value)
    {
        var t = Parse(value);
        Assert.Equal(1, (t.IsYes ? 1 : 0) + (t.IsNo ? 1 : 0) + (t.IsUnknown ? 1 : 0));
        Assert.Equal(value, t.ToString());
    }

    [Fact]
    public void Unknown_is_not_no()
    {
        Assert.False(Tri.Unknown.IsNo);
        Assert.NotEqual(Tri.No, Tri.Unknown);
        Assert.True(Tri.Unknown.IsPossible);
        Assert.False(Tri.No.IsPossible);
        Assert.True(Tri.Yes.IsPossible);
    }

    [Fact]
    public void Default_value_is_unknown_not_no()
    {
        Tri t = default;
        Assert.True(t.IsUnknown);
        Assert.False(t.IsNo);
    }

    [Fact]
    public void Negating_unknown_does_not_produce_yes()
    {
        Assert.False((!Tri.Unknown).IsYes);
        Assert.True((!Tri.Unknown).IsUnknown);
    }

    [Theory]
    [InlineData(true, "yes")]
    [InlineData(false, "no")]
    [InlineData(null, "unknown")]
    public void Of_maps_a_nullable_boolean_without_reading_null_as_false(bool? value, string expected)
    {
        Assert.Equal(Parse(expected), Tri.Of(value));
        Assert.Equal(value, Tri.Of(value).ToNullable());
    }

    [Fact]
    public void When_on_a_missing_value_is_unknown()
    {
        Assert.True(Tri.When<double>(null, t => t > 38).IsUnknown);
        Assert.True(Tri.When<double>(38.1, t => t > 38).IsYes);
        Assert.True(Tri.When<double>(38.0, t => t > 38).IsNo);
    }

    [Fact]
    public void Unknown_and_yes_stays_unknown_rather_than_becoming_no()
    {
        Assert.True((Tri.Unknown & Tri.Yes).IsUnknown);
        Assert.True((Tri.Yes & Tri.Unknown).IsUnknown);
    }

    [Fact]
    public void Unknown_features_in_the_picture_stay_unknown()
    {
        var p = Picture(HunterUndetermined());
        Assert.True(p.SpontaneousClonus.IsUnknown);
        Assert.True(p.InducibleClonus.IsUnknown);
        Assert.True(p.Agitation.IsUnknown);
        Assert.True(p.Diaphoresis.IsUnknown);
        Assert.True(p.Tremor.IsUnknown);
        Assert.True(p.Hyperreflexia.IsUnknown);
        Assert.True(p.Hypertonia.IsUnknown);
        Assert.True(p.TemperatureAbove38.IsUnknown);
        Assert.True(p.Hyperthermia.IsUnknown);
        Assert.True(p.SevereRenalImpairment.IsNo, "eGFR 90 is known normal renal function");
    }

    [Fact]
    public void Unknown_renal_function_is_unknown_not_normal()
    {
        var p = Picture(KnownUmn() with { Patient = new PatientInfo { AgeYears = 45 } });
        Assert.True(p.SevereRenalImpairment.IsUnknown);
        Assert.True(p.ModerateRenalImpairment.IsUnknown);
    }

    [Fact]
    public void A_missing_medication_list_is_not_an_empty_one()
    {
        var missing = Picture(FewBeats() with { Medications = null });
        var empty = Picture(FewBeats() with { Medications = [] });
        Assert.False(missing.MedicationsFullyKnown);
        Assert.True(empty.MedicationsFullyKnown);
    }

    [Fact]
    public void Unknown_hunter_features_are_not_reported_as_criteria_not_met()
    {
        var a = Engine.Assess(HunterUndetermined());
        Assert.Null(a.SerotoninToxicity!.HunterCriteriaMet);
        Assert.NotEqual(Etiology.NormalVariant, a.Etiology.Primary);
        Assert.Contains("clonus.types", a.MissingFields());
    }
}
