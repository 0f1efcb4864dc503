using System.Globalization;
using System.Text.RegularExpressions;
using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;

namespace ClonusCds.Core.Triage;

/// <summary>
/// Reads the oral baclofen daily total from a medication entry's dose text ("20 mg four times daily",
/// "20 mg QID", "80 mg/day", "15 mg tid", "20 mg q6h"), so that a patient already at the labelled
/// maximum of 80 mg a day is not offered titration again (BACLOFEN-LABEL). Text it cannot read gives
/// null: unknown, never "below the maximum".
/// </summary>
public static partial class BaclofenDose
{
    /// <summary>The labelled maximum oral daily dose, mg.</summary>
    public const double MaximumOralMgPerDay = 80;

    /// <summary>A current oral (or route not given) baclofen entry whose daily total reaches the maximum.</summary>
    public static bool AtMaximum(ClinicalPicture picture)
    {
        ArgumentNullException.ThrowIfNull(picture);
        foreach (var m in picture.Medications)
        {
            if (m.Is(DrugRoles.Baclofen) && m.Exposure == Exposure.Current
                && m.Entry.Route is null or MedicationRoute.Oral
                && DailyMg(m.Entry.Dose) >= MaximumOralMgPerDay)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The daily total in mg, or null when the text does not say it plainly.</summary>
    public static double? DailyMg(string? dose)
    {
        if (string.IsNullOrWhiteSpace(dose) || dose.Length > 200)
        {
            return null;
        }

        var amount = Amount().Match(dose);
        if (!amount.Success || !double.TryParse(amount.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var mg))
        {
            return null;
        }

        var rest = dose[(amount.Index + amount.Length)..];
        int? perDay = Frequency(rest);
        return perDay is { } n ? mg * n : null;
    }

    private static int? Frequency(string text)
    {
        var t = text.ToLowerInvariant();
        if (Every().Match(t) is { Success: true } every && int.TryParse(every.Groups[1].Value, CultureInfo.InvariantCulture, out var hours) && hours is > 0 and <= 24)
        {
            return 24 / hours;
        }

        if (Four().IsMatch(t))
        {
            return 4;
        }

        if (Three().IsMatch(t))
        {
            return 3;
        }

        if (Two().IsMatch(t))
        {
            return 2;
        }

        return Once().IsMatch(t) ? 1 : null;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*mg\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Amount();

    [GeneratedRegex(@"\bq\s*(\d{1,2})\s*h", RegexOptions.CultureInvariant)]
    private static partial Regex Every();

    [GeneratedRegex(@"\b(qid|qds|four times|4 times|4x|x\s*4)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Four();

    [GeneratedRegex(@"\b(tid|tds|three times|3 times|3x|x\s*3)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Three();

    [GeneratedRegex(@"\b(bid|bd|twice|two times|2 times|2x|x\s*2)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Two();

    [GeneratedRegex(@"(/\s*(day|d|24\s*h)\b|\bper day\b|\ba day\b|\bdaily\b|\bonce\b|\bod\b|\bqd\b|\bnocte\b|\bat night\b)", RegexOptions.CultureInvariant)]
    private static partial Regex Once();
}
