namespace ClonusCds.Core.Triage;

/// <summary>
/// Three-valued (Kleene) logic for clinical findings: yes, no, or not known. "Not known" is never
/// read as "no": <c>Unknown &amp; No</c> is No, <c>Unknown | Yes</c> is Yes, anything else with
/// Unknown stays Unknown.
/// </summary>
public readonly record struct Tri
{
    private readonly byte _value; // 0 = unknown (the default), 1 = no, 2 = yes

    private Tri(byte value) => _value = value;

    /// <summary>Known present.</summary>
    public static Tri Yes { get; } = new(2);
    /// <summary>Known absent.</summary>
    public static Tri No { get; } = new(1);
    /// <summary>Not known.</summary>
    public static Tri Unknown => default;

    /// <summary>Known present.</summary>
    public bool IsYes => _value == 2;
    /// <summary>Known absent.</summary>
    public bool IsNo => _value == 1;
    /// <summary>Not known.</summary>
    public bool IsUnknown => _value == 0;
    /// <summary>Present or possibly present.</summary>
    public bool IsPossible => _value != 1;

    /// <summary>From a nullable boolean.</summary>
    public static Tri Of(bool? value) => value switch { true => Yes, false => No, null => Unknown };

    /// <summary>From a condition on a value that may be unknown.</summary>
    public static Tri When<T>(T? value, Func<T, bool> test) where T : struct =>
        value is { } v ? Of(test(v)) : Unknown;

    /// <summary>Kleene AND.</summary>
    public static Tri operator &(Tri a, Tri b) =>
        a.IsNo || b.IsNo ? No : a.IsYes && b.IsYes ? Yes : Unknown;

    /// <summary>Kleene OR.</summary>
    public static Tri operator |(Tri a, Tri b) =>
        a.IsYes || b.IsYes ? Yes : a.IsNo && b.IsNo ? No : Unknown;

    /// <summary>Kleene NOT.</summary>
    public static Tri operator !(Tri a) => a.IsYes ? No : a.IsNo ? Yes : Unknown;

    /// <summary>Named alternative to &amp;.</summary>
    public static Tri BitwiseAnd(Tri left, Tri right) => left & right;
    /// <summary>Named alternative to |.</summary>
    public static Tri BitwiseOr(Tri left, Tri right) => left | right;
    /// <summary>Named alternative to !.</summary>
    public static Tri LogicalNot(Tri value) => !value;

    /// <summary>Nullable boolean: null when unknown.</summary>
    public bool? ToNullable() => IsUnknown ? null : IsYes;

    /// <inheritdoc/>
    public override string ToString() => IsYes ? "yes" : IsNo ? "no" : "unknown";
}
