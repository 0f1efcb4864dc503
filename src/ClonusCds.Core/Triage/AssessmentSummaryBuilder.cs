using System.Text;
using ClonusCds.Core.Model;

namespace ClonusCds.Core.Triage;

/// <summary>
/// The plain-language wording of an assessment, in one place: the REST answer's <c>summary</c> and
/// the CDS Hooks triage card (its summary line and the lead line of its detail) both come from here.
/// Built from the answer's own parts, so it can never say something the answer does not.
/// </summary>
public static class AssessmentSummaryBuilder
{
    /// <summary>How many pitfalls the short text and the Markdown name before "and N more".</summary>
    public const int PitfallsInText = 4;

    // One builder per thread, reused for the text and the Markdown of every answer: the summary is
    // on the hot path, and fresh builders grew in chunks that were garbage at once.
    [ThreadStatic]
    private static StringBuilder? t_builder;

    /// <summary>The summary of an answer's parts.</summary>
    public static AssessmentSummary Build(EtiologyAssessment etiology, Urgency urgency, SerotoninToxicityAssessment? serotonin,
        RecommendationGroups groups, IReadOnlyList<RecommendationItem> pitfalls, IReadOnlyList<MissingDatum> missing)
    {
        ArgumentNullException.ThrowIfNull(etiology);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(pitfalls);
        ArgumentNullException.ThrowIfNull(missing);
        var cause = EtiologyText(etiology.Primary, etiology.Subtype, serotonin?.Severity);
        var headline = Capitalize(cause) + " — " + UrgencyWord(urgency);
        var actions = Titles(groups.FirstLine);
        var avoid = Titles(pitfalls);
        var fields = new string[missing.Count];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = missing[i].Field;
        }

        var notExcluded = new List<string>(2);
        foreach (var d in etiology.Differentials)
        {
            if (d.NotExcluded)
            {
                notExcluded.Add(DifferentialText(d));
            }
        }

        var text = (t_builder ??= new StringBuilder(2048)).Clear().Append(headline).Append('.');
        if (notExcluded.Count > 0)
        {
            text.Append(" Not excluded: ").AppendJoin("; ", notExcluded).Append('.');
        }

        if (actions.Length > 0)
        {
            text.Append(" First: ").AppendJoin("; ", actions).Append('.');
        }

        if (avoid.Length > 0)
        {
            text.Append(" Avoid: ");
            for (var i = 0; i < avoid.Length && i < PitfallsInText; i++)
            {
                text.Append(i == 0 ? "" : "; ").Append(avoid[i]);
            }

            text.Append(More(avoid.Length)).Append('.');
        }

        if (fields.Length > 0)
        {
            text.Append(" Missing: ").AppendJoin(", ", fields).Append('.');
        }

        var textString = text.ToString();
        var md = AppendLeadLine(text.Clear(), cause, urgency).Append("\n\n");
        if (notExcluded.Count > 0)
        {
            md.Append("**Not excluded:** ").AppendJoin("; ", notExcluded).Append(".\n\n");
        }

        List(md, "Do first", actions, actions.Length);
        List(md, "Avoid", avoid, PitfallsInText);
        if (fields.Length > 0)
        {
            md.Append("**Missing:** ");
            for (var i = 0; i < fields.Length; i++)
            {
                md.Append(i == 0 ? "`" : ", `").Append(fields[i]).Append('`');
            }

            md.Append('\n');
        }

        while (md.Length > 0 && md[^1] == '\n')
        {
            md.Length--;
        }

        return new AssessmentSummary
        {
            Headline = headline,
            FirstActions = actions,
            KeyPitfalls = avoid,
            Missing = fields,
            Text = textString,
            Markdown = md.ToString(),
        };
    }

    /// <summary>"**Likely cause:** … **Urgency:** …." — the first line of the summary's Markdown and of the CDS Hooks triage card.</summary>
    public static string LeadLine(string cause, Urgency urgency) => AppendLeadLine(new StringBuilder(96), cause, urgency).ToString();

    // The lead line's one wording, appended where it is needed (no intermediate string on the hot path).
    private static StringBuilder AppendLeadLine(StringBuilder sb, string cause, Urgency urgency) =>
        sb.Append("**Likely cause:** ").Append(cause).Append(". **Urgency:** ").Append(UrgencyWord(urgency)).Append('.');

    /// <summary>Plain words for the etiology call.</summary>
    public static string EtiologyText(Etiology primary, EtiologySubtype? subtype, Severity? severity) => (primary, subtype) switch
    {
        (Etiology.SerotoninToxicity, _) => "serotonin toxicity (Hunter criteria met" + (severity is { } s ? ", " + Lower(s) : "") + ")",
        (_, EtiologySubtype.NeurolepticMalignantSyndrome) => "neuroleptic malignant syndrome suspected, not serotonin toxicity",
        (_, EtiologySubtype.AnticholinergicToxicity) => "anticholinergic toxicity suspected, not serotonin toxicity",
        (_, EtiologySubtype.MalignantHyperthermia) => "malignant hyperthermia suspected",
        (_, EtiologySubtype.LithiumToxicity) => "lithium toxicity suspected",
        (_, EtiologySubtype.BaclofenToxicity) => "baclofen toxicity suspected",
        (_, EtiologySubtype.BaclofenWithdrawal) => "baclofen withdrawal suspected",
        (_, EtiologySubtype.ParkinsonismHyperpyrexiaSyndrome) => "parkinsonism-hyperpyrexia syndrome (dopaminergic withdrawal) suspected",
        (_, EtiologySubtype.PossibleMaskedSerotoninToxicity) => "possible serotonin toxicity masked by rigidity",
        (_, EtiologySubtype.InfantClonus) => "infant clonus beyond normal thresholds",
        (_, EtiologySubtype.NewUndiagnosedUmnLesion) => "new sustained clonus with UMN signs, structural cause to find",
        (_, EtiologySubtype.EpilepticSeizures) => "epileptic seizures on EEG",
        (_, EtiologySubtype.HepaticEncephalopathy) => "hepatic encephalopathy (metabolic)",
        (Etiology.OtherDrugToxicity, _) => "drug toxicity other than serotonin toxicity",
        (Etiology.UmnLesion, _) => "upper-motor-neuron lesion",
        (Etiology.SeizureMimic, _) => "startle- or position-triggered clonic attacks, a seizure mimic",
        (Etiology.Metabolic, _) => "metabolic cause",
        (Etiology.NormalVariant, _) => "likely a normal variant (few unsustained beats)",
        _ => "cause not determined from the data given",
    };

    /// <summary>emergency, urgent or routine.</summary>
    public static string UrgencyWord(Urgency urgency) => urgency switch
    {
        Urgency.Emergency => "emergency",
        Urgency.Urgent => "urgent",
        _ => "routine",
    };

    private static string DifferentialText(Differential d) => d.Subtype switch
    {
        EtiologySubtype.CnsInfectionOrSepsis => "CNS infection or sepsis",
        { } sub => Lower(sub).Replace('_', ' '),
        null => Lower(d.Etiology).Replace('_', ' '),
    };

    private static string[] Titles(IReadOnlyList<RecommendationItem> items)
    {
        var titles = new string[items.Count];
        for (var i = 0; i < titles.Length; i++)
        {
            titles[i] = items[i].Title;
        }

        return titles;
    }

    private static void List(StringBuilder md, string heading, string[] items, int max)
    {
        if (items.Length == 0)
        {
            return;
        }

        md.Append("**").Append(heading).Append(":**\n");
        for (var i = 0; i < items.Length && i < max; i++)
        {
            md.Append("- ").Append(items[i]).Append('\n');
        }

        if (items.Length > max)
        {
            md.Append("- …").Append(More(items.Length)).Append('\n');
        }

        md.Append('\n');
    }

    private static string More(int count) => count > PitfallsInText
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" and {count - PitfallsInText} more")
        : "";

    private static string Capitalize(string s) => s.Length == 0 ? s : string.Concat(s[..1].ToUpperInvariant(), s.AsSpan(1));

    private static string Lower<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
