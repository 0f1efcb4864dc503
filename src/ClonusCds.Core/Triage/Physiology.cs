using System.Globalization;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;

namespace ClonusCds.Core.Triage;

/// <summary>What the vital signs say about pace, independent of the etiology.</summary>
/// <param name="Floor">The urgency the physiology sets (null: none).</param>
/// <param name="Aggregate">NEWS2 aggregate over the parameters given.</param>
/// <param name="Findings">Plain sentences naming each abnormal value and the band it fell in.</param>
/// <param name="Missing">Labels of the scored parameters that were not given.</param>
/// <param name="Emergency">The floor is an emergency: the patient is physiologically unstable.</param>
public sealed record PhysiologyResult(Urgency? Floor, int Aggregate, IReadOnlyList<string> Findings, IReadOnlyList<string> Missing, bool Emergency);

/// <summary>
/// The physiology floor (evidence brief §5.1): NEWS2 bands from reasoning.json score each vital
/// sign given; a red score (3) in one parameter or an aggregate of 7 or more sets an emergency, an
/// aggregate of 5–6 an urgent floor; the product's extra floors (significant bradycardia,
/// temperature ≥ 40 °C) and a rising temperature in a toxic picture (ETG; BMJBP) add to them.
/// Unknown parameters score nothing and are listed so the answer can say what to measure.
/// [NEWS2; ETG; BMJBP]
/// </summary>
public static class Physiology
{
    /// <summary>Evaluates the vital signs and mental status of a context.</summary>
    /// <param name="content">Bands and floors (knowledge base).</param>
    /// <param name="context">The request.</param>
    /// <param name="toxicPicture">A toxic cause is primary or not excluded (a rising temperature then sets an emergency).</param>
    public static PhysiologyResult Evaluate(PhysiologyContent content, PatientContext context, bool toxicPicture)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(context);
        var v = context.Vitals;
        // NEWS2 is an adult score; an unknown age is scored as an adult.
        var adult = context.Patient?.AgeYears is not { } age || age >= content.News2MinimumAgeYears;
        Urgency? floor = null;
        var aggregate = 0;
        List<string>? findings = null;
        var missingMask = 0;

        void Raise(Urgency u) => floor = floor is { } f && f >= u ? f : u;

        for (var pi = 0; pi < content.Parameters.Count; pi++)
        {
            var parameter = content.Parameters[pi];
            var value = Value(v, parameter.Parameter);
            if (value is not { } x)
            {
                missingMask |= 1 << pi;
                continue;
            }

            var score = adult ? Band(parameter.Bands, x) : 0;
            aggregate += score;
            if (score >= 3)
            {
                Raise(Urgency.Emergency);
                (findings ??= new(4)).Add(RedBandText(content, pi, x));
            }
        }

        var mental = context.Exam?.MentalStatus;
        if (mental is { } m)
        {
            var name = DiscriminatorTable.Wire(m);
            var score = content.Consciousness.TryGetValue(name, out var s) ? s : 0;
            aggregate += score;
            if (score >= 3)
            {
                var urgentOnly = content.ConsciousnessUrgentOnly.Contains(name);
                Raise(urgentOnly ? Urgency.Urgent : Urgency.Emergency);
                (findings ??= new(3)).Add(urgentOnly
                    ? $"Mental status {name.Replace('_', ' ')} scores 3 in NEWS2 when new; whether it is new is not recorded."
                    : $"Mental status {name.Replace('_', ' ')}: reduced responsiveness is a NEWS2 red score.");
            }
        }
        else
        {
            missingMask |= 1 << content.Parameters.Count;
        }

        if (!adult)
        {
            aggregate = 0; // children: reduced responsiveness and the all-age floors only
        }

        if (aggregate >= content.AggregateEmergency)
        {
            Raise(Urgency.Emergency);
            (findings ??= new(3)).Add(AggregateText(aggregate, emergency: true));
        }
        else if (aggregate >= content.AggregateUrgent)
        {
            Raise(Urgency.Urgent);
            (findings ??= new(3)).Add(AggregateText(aggregate, emergency: false));
        }

        foreach (var extra in content.ExtraFloors)
        {
            if ((extra.Ages == "all" || (extra.Ages == "adults") == adult) && Value(v, extra.Parameter) is { } x
                && ((extra.Below is { } below && x < below) || (extra.AtMost is { } most && x <= most) || (extra.AtLeast is { } least && x >= least)))
            {
                Raise(extra.Urgency);
                (findings ??= new(3)).Add(extra.Why);
            }
        }

        // Rising fast matters in a toxic picture (ETG; BMJBP); outside one, a rising temperature sets an
        // urgent floor only when it is already a fever or its value is not known.
        if (v?.TemperatureRising == true && (toxicPicture || v.TemperatureC is null or > 38.0))
        {
            Raise(toxicPicture ? Urgency.Emergency : Urgency.Urgent);
            (findings ??= new(3)).Add(toxicPicture
                ? "The temperature is rising in a toxic picture: a rapidly rising temperature marks severe drug-induced hyperthermia (eTG; BMJ Best Practice)."
                : "The temperature is rising.");
        }

        return new PhysiologyResult(floor, aggregate, findings ?? (IReadOnlyList<string>)[], MissingLabels(content, missingMask), floor == Urgency.Emergency);
    }

    // Texts that depend only on small integers and the content are built once, not per assessment.
    private static readonly string?[] AggregateTexts = new string?[2 * 32];
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PhysiologyContent, string[]?[]> MissingByMask = [];

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<PhysiologyContent, string?[][]> RedTexts = [];

    /// <summary>"Heart rate 134 /min is in the NEWS2 red band": whole values 0–300 are built once per content.</summary>
    private static string RedBandText(PhysiologyContent content, int parameter, double value)
    {
        var p = content.Parameters[parameter];
        var whole = value == Math.Floor(value) && value is >= 0 and <= 300;
        var cache = whole ? RedTexts.GetValue(content, c => new string?[c.Parameters.Count][])[parameter] ??= new string?[301] : null;
        if (cache is not null && cache[(int)value] is { } cached)
        {
            return cached;
        }

        var text = $"{Capital(p.Label)} {Format(value)} {p.Unit} is in the NEWS2 red band (score 3).";
        if (cache is not null)
        {
            cache[(int)value] = text;
        }

        return text;
    }

    private static string AggregateText(int aggregate, bool emergency)
    {
        var slot = (emergency ? 32 : 0) + aggregate;
        if ((uint)aggregate < 32 && AggregateTexts[slot] is { } cached)
        {
            return cached;
        }

        var text = $"NEWS2 aggregate {aggregate.ToString(CultureInfo.InvariantCulture)} over the parameters given ({(emergency ? "7 or more: emergency response" : "5-6: urgent response")}).";
        if ((uint)aggregate < 32)
        {
            AggregateTexts[slot] = text;
        }

        return text;
    }

    private static string[] MissingLabels(PhysiologyContent content, int mask)
    {
        if (mask == 0)
        {
            return [];
        }

        var byMask = MissingByMask.GetValue(content, c => new string[]?[1 << (c.Parameters.Count + 1)]);
        if ((uint)mask < (uint)byMask.Length && byMask[mask] is { } cached)
        {
            return cached;
        }

        var labels = new List<string>(6);
        for (var i = 0; i < content.Parameters.Count; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                labels.Add(content.Parameters[i].Label);
            }
        }

        if ((mask & (1 << content.Parameters.Count)) != 0)
        {
            labels.Add("mental status");
        }

        var array = labels.ToArray();
        if ((uint)mask < (uint)byMask.Length)
        {
            byMask[mask] = array;
        }

        return array;
    }

    /// <summary>The score of a value: the first band whose upper bound is at or above it.</summary>
    public static int Band(IReadOnlyList<ScoreBand> bands, double value)
    {
        ArgumentNullException.ThrowIfNull(bands);
        foreach (var band in bands)
        {
            if (band.UpTo is not { } up || value <= up)
            {
                return band.Score;
            }
        }

        return 0;
    }

    private static double? Value(Vitals? v, string parameter) => parameter switch
    {
        "respiratoryRate" => v?.RespiratoryRate,
        "spo2Percent" => v?.Spo2Percent,
        "systolicBp" => v?.SystolicBp,
        "heartRateBpm" => v?.HeartRateBpm,
        "temperatureC" => v?.TemperatureC,
        _ => null,
    };

    private static string Format(double x) => x.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Capital(string s) => string.Concat(s[..1].ToUpperInvariant(), s.AsSpan(1));
}
