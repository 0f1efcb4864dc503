namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// An optional, cheap pre-check offered by a validator next to its FluentValidation rules.
/// <see cref="ValidationFilter{T}"/> calls it first and skips FluentValidation when it answers true.
/// </summary>
/// <remarks>
/// The contract is one-sided on purpose: true means "every rule passes", so answering true for an
/// invalid value is the one mistake that must never happen (an invalid body would reach the
/// engine). Answering false is always safe: FluentValidation then runs and alone decides, and
/// alone writes the error messages. Implementations should still answer true for every valid
/// value, or the fast path saves nothing.
/// </remarks>
/// <typeparam name="T">The validated type.</typeparam>
internal interface IFastValidity<in T>
{
    /// <summary>True only when every rule of the validator passes for <paramref name="value"/>; must not allocate on the common path.</summary>
    bool IsCertainlyValid(T value);
}
