using ClonusCds.Core.Model;

namespace ClonusCds.Api.Infrastructure;

/// <summary>
/// The wire names (snake_case) of the enums that log lines, metrics and audit records carry, built
/// once rather than per request. Indexed by the enum's numeric value, so the table stays right
/// whatever values the members get.
/// </summary>
internal static class WireNames
{
    private static readonly string[] Etiologies = Build<Etiology>();
    private static readonly string[] Urgencies = Build<Urgency>();

    public static string Of(Etiology value) => Etiologies[(int)value];

    public static string Of(Urgency value) => Urgencies[(int)value];

    private static string[] Build<TEnum>() where TEnum : struct, Enum
    {
        var values = Enum.GetValues<TEnum>();
        var names = new string[values.Max(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)) + 1];
        foreach (var v in values)
        {
            names[Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)] = System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString());
        }

        return names;
    }
}
