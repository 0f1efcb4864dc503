using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ClonusCds.Api.Assessments;
using ClonusCds.Api.OpenApi;
using ClonusCds.Core;
using ClonusCds.Core.Model;

namespace ClonusCds.Benchmarks;

/// <summary>
/// Request validation for POST /api/v1/assessments on the seven worked examples
/// (src/ClonusCds.Api/OpenApi/Examples, all valid): FluentValidation's <c>Validate</c> and
/// <c>ValidateAsync</c> (what <c>ValidationFilter</c> ran for every request before the fast path)
/// against the hand-written <see cref="PatientContextValidator.IsCertainlyValid"/> that now lets
/// valid requests skip FluentValidation. Each benchmark validates all seven contexts; with
/// OperationsPerInvoke = 7 the figures are per context.
/// </summary>
/// <remarks>
/// More warm-up and a longer minimum iteration than the default job: in a trial run the pilot
/// stage, timing FluentValidation before it was fully tiered up, chose 20 ms iterations
/// (BenchmarkDotNet warns below 100 ms) and the first measured ones were still falling.
/// </remarks>
[WarmupCount(10)]
[MinIterationTime(250)]
public class ValidationBenchmarks
{
    private const int Examples = 7;

    private PatientContextValidator _validator = null!;
    private PatientContext[] _contexts = null!;

    /// <summary>The deserialized examples (for the smoke mode).</summary>
    internal IReadOnlyList<PatientContext> Contexts => _contexts;

    /// <summary>Builds the validator (its rules are compiled once, as the singleton in Program.cs is) and deserializes the examples.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _validator = new PatientContextValidator();
        _contexts = WorkedExamples.All
            .Select(e => e.Example.Value.Deserialize<PatientContext>(ClonusJson.Options)
                ?? throw new InvalidOperationException($"example {e.Name} deserialized to null"))
            .ToArray();
        if (_contexts.Length != Examples)
        {
            throw new InvalidOperationException($"expected {Examples} worked examples, found {_contexts.Length}");
        }
    }

    /// <summary>FluentValidation, synchronously.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Examples)]
    public int FluentValidate()
    {
        var valid = 0;
        foreach (var context in _contexts)
        {
            valid += _validator.Validate(context).IsValid ? 1 : 0;
        }

        return valid;
    }

    /// <summary>FluentValidation as the filter called it (ValidateAsync; completes synchronously, there are no async rules).</summary>
    [Benchmark(OperationsPerInvoke = Examples)]
    public int FluentValidateAsync()
    {
        var valid = 0;
        foreach (var context in _contexts)
        {
            valid += _validator.ValidateAsync(context).GetAwaiter().GetResult().IsValid ? 1 : 0;
        }

        return valid;
    }

    /// <summary>The fast path.</summary>
    [Benchmark(OperationsPerInvoke = Examples)]
    public int IsCertainlyValid()
    {
        var valid = 0;
        foreach (var context in _contexts)
        {
            valid += _validator.IsCertainlyValid(context) ? 1 : 0;
        }

        return valid;
    }
}
