using ClonusCds.Core.Triage;

namespace ClonusCds.Core.Tests;

public sealed class TraceInputTests
{
    [Fact]
    public void Measured_values_are_formatted_per_call_and_not_cached()
    {
        var first = TraceInput.Of("labs.lithiumMmolPerL", 2.8);
        var second = TraceInput.Of("labs.lithiumMmolPerL", 2.8);
        Assert.Equal("labs.lithiumMmolPerL=2.8", first);
        Assert.Equal(first, second);
        Assert.NotSame(first, second);
        Assert.Equal("labs.lithiumMmolPerL=unknown", TraceInput.Of("labs.lithiumMmolPerL", (double?)null));
    }

    [Fact]
    public void Categorical_cache_is_bounded_even_when_misused_with_request_data()
    {
        for (var i = 0; i < TraceInput.MaxCachedValues * 3; i++)
        {
            Assert.Equal($"misuse={i}", TraceInput.Of("misuse", i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // Beyond the cap, values are still right but built per call, not retained.
        var a = TraceInput.Of("misuse", "999999");
        var b = TraceInput.Of("misuse", "999999");
        Assert.Equal("misuse=999999", a);
        Assert.NotSame(a, b);
    }

    [Fact]
    public void Tri_and_bool_inputs_are_shared_strings()
    {
        Assert.Same(TraceInput.Of("hunterCriteriaMet", Tri.Unknown), TraceInput.Of("hunterCriteriaMet", Tri.Unknown));
        Assert.Equal("hunterCriteriaMet=unknown", TraceInput.Of("hunterCriteriaMet", Tri.Unknown));
        Assert.Equal("x=true", TraceInput.Of("x", true));
    }
}
