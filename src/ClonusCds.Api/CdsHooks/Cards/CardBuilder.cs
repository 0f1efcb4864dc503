using System.Globalization;
using System.Text;
using ClonusCds.Api.CdsHooks.Fhir;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Triage;
using C = ClonusCds.Core.KnowledgeBase.Codes;
using K = ClonusCds.Core.KnowledgeBase.CautionCodes;

namespace ClonusCds.Api.CdsHooks.Cards;

/// <summary>
/// Assessments → CDS Hooks cards. Three kinds: a triage card (patient-view, when the record shows
/// clonus or a toxidrome), medication-safety cards (patient-view, dangerous combinations already on
/// the list) and order cards (order-select/order-sign, one per risky draft order, with a suggestion
/// to delete it). Summaries stay under 140 characters; nothing is null or empty (see CardModels).
/// </summary>
internal sealed class CardBuilder(ClinicalKnowledgeBase kb)
{
    /// <summary>Code system for card topics naming an etiology.</summary>
    public const string EtiologySystem = "urn:clonuscds:etiology";
    /// <summary>Code system for card topics naming a recommendation or pitfall code.</summary>
    public const string CodeSystem = "urn:clonuscds:code";
    /// <summary>Code system of the override reasons.</summary>
    public const string OverrideSystem = "urn:clonuscds:override-reason";
    /// <summary>Extension key.</summary>
    public const string ExtensionKey = "org.clonuscds";

    /// <summary>Codes that make a card critical: contraindicated or highest-risk combinations, or adding to serotonin toxicity.</summary>
    internal static readonly string[] CriticalCodes =
    [
        C.TizanidineCyp1a2Contraindication, C.StopContraindicatedCombination, C.MaoiHighRiskCombination,
        C.LinezolidMethyleneBlueAreMaois, C.BaclofenRenalAccumulation, C.DiscontinueSerotonergicAgents,
    ];

    /// <summary>Which code speaks for an order card first (its summary and topic).</summary>
    private static readonly string[] OrderPriority =
    [
        C.TizanidineCyp1a2Contraindication, C.MaoiHighRiskCombination, C.LinezolidMethyleneBlueAreMaois, C.BaclofenRenalAccumulation,
        C.DiscontinueSerotonergicAgents, C.SwitchToNonSerotonergicAlternative, C.NoAntiepilepticWithoutEeg, C.AvoidTizanidineForClonus,
        C.BaclofenRenalDoseReductionOrAvoid, C.StopContraindicatedCombination,
    ];

    /// <summary>Standing hazards on the current list, shown as their own cards in patient-view when there is no triage card.</summary>
    internal static readonly (string Group, string[] Codes)[] HazardGroups =
    [
        ("maoi", [C.MaoiHighRiskCombination, C.LinezolidMethyleneBlueAreMaois, C.FluoxetineLongHalfLife]),
        ("tizanidine-cyp1a2", [C.TizanidineCyp1a2Contraindication, C.StopContraindicatedCombination]),
        ("baclofen-renal", [C.BaclofenRenalAccumulation, C.BaclofenRenalDoseReductionOrAvoid, C.NephrologyConsult]),
    ];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The triage card for a patient whose record shows clonus (or a toxidrome).</summary>
    public static Card Triage(Assessment a, MappedRecord record, string baseUrl)
    {
        var codes = AllCodes(a);
        // Urgency sets the colour; a contraindicated combination on the list makes it critical too.
        var hazard = codes.Any(c => c != C.DiscontinueSerotonergicAgents && CriticalCodes.Contains(c));
        var indicator = Max(Indicator(a.Urgency), hazard ? "critical" : "info");
        var primary = a.Recommendations.FirstLine.Count > 0 ? a.Recommendations.FirstLine[0].Code : codes.FirstOrDefault();
        var detail = new StringBuilder();
        detail.Append(AssessmentSummaryBuilder.LeadLine(EtiologyText(a), a.Urgency)).Append("\n\n");
        Rationale(detail, a);
        Body(detail, a);
        Footer(detail, a, record, codes);
        return new Card
        {
            Uuid = Guid.NewGuid().ToString(),
            Summary = Markdown.Shorten(TriageSummary(a), 140),
            Detail = detail.ToString(),
            Indicator = indicator,
            Source = Source(baseUrl, primary, new CdsCoding(EtiologySystem, Lower(a.Etiology.Primary), EtiologyTitle(a.Etiology.Primary))),
            OverrideReasons = TriageOverrides,
            Links = Links(a, codes),
            Extension = Extension("triage", a, codes, null),
        };
    }

    /// <summary>Medication-safety cards for standing hazards on the current list (no triage card).</summary>
    public IEnumerable<Card> MedicationSafety(Assessment a, MappedRecord record, string baseUrl)
    {
        var all = AllCodes(a);
        foreach (var (_, groupCodes) in HazardGroups)
        {
            var codes = all.Where(groupCodes.Contains).ToList();
            if (codes.Count == 0 || (codes.Count == 1 && codes[0] is C.FluoxetineLongHalfLife or C.NephrologyConsult))
            {
                continue;
            }

            var primary = groupCodes.First(codes.Contains);
            var entry = kb.RecommendationsByCode[primary];
            var detail = new StringBuilder();
            detail.Append("**On the current medication list:** ").Append(entry.Title).Append(".\n\n");
            Items(detail, a, codes);
            Footer(detail, a, record, codes);
            yield return new Card
            {
                Uuid = Guid.NewGuid().ToString(),
                Summary = Markdown.Shorten("Medication safety: " + entry.Title, 140),
                Detail = detail.ToString(),
                Indicator = codes.Any(c => CriticalCodes.Contains(c)) ? "critical" : "warning",
                Source = Source(baseUrl, primary, new CdsCoding(CodeSystem, primary, entry.Title)),
                OverrideReasons = OrderOverrides,
                Links = Links(a, codes),
                Extension = Extension("medication-safety", a, codes, null),
            };
        }
    }

    /// <summary>The card for one risky draft order.</summary>
    public Card Order(DraftOrder order, string drugName, IReadOnlyList<string> codes, Assessment a, MappedRecord record, string baseUrl, string? others)
    {
        var primary = OrderPriority.FirstOrDefault(codes.Contains) ?? codes[0];
        var entry = kb.RecommendationsByCode[primary];
        var drug = Capitalize(drugName);
        var detail = new StringBuilder();
        detail.Append("**Draft order:** ").Append(Markdown.Escape(order.Name)).Append(" (`").Append(Markdown.Escape(order.Label)).Append("`).\n\n");
        if (record.ClonusObserved && a.Etiology.Primary != Etiology.IndeterminateNeedsEvaluation)
        {
            detail.Append("**Patient:** clonus triaged as ").Append(EtiologyText(a)).Append(" (").Append(Lower(a.Urgency)).Append(").\n\n");
        }

        Items(detail, a, codes);
        Footer(detail, a, record, codes);
        return new Card
        {
            Uuid = Guid.NewGuid().ToString(),
            Summary = Markdown.Shorten(OrderSummary(primary, drug, others, entry.Title, codes, RenalBand(a)), 140),
            Detail = detail.ToString(),
            Indicator = codes.Any(c => CriticalCodes.Contains(c)) ? "critical" : "warning",
            Source = Source(baseUrl, primary, new CdsCoding(CodeSystem, primary, entry.Title)),
            Suggestions = order.ResourceId is { } id
                ? [new Suggestion($"Remove the draft {drugName} order", Guid.NewGuid().ToString(), true,
                    [new CdsAction("delete", $"Remove the draft {drugName} order ({id}).", id)])]
                : null,
            SelectionBehavior = order.ResourceId is null ? null : "at-most-one",
            OverrideReasons = OrderOverrides,
            Links = Links(a, codes),
            Extension = Extension("order", a, codes, order.ResourceId),
        };
    }

    // ---------------------------------------------------------------- summaries

    /// <summary>The renal caution on the baclofen dose item (mild, moderate or severe band), if any.</summary>
    private static string? RenalBand(Assessment a)
    {
        foreach (var group in new[] { a.Recommendations.FirstLine, a.Recommendations.Adjunct, a.Recommendations.Refractory, a.Recommendations.Monitoring, a.Recommendations.Workup })
        {
            foreach (var item in group)
            {
                if (item.Code == C.BaclofenRenalDoseReductionOrAvoid)
                {
                    return item.Cautions.Select(c => c.Id).FirstOrDefault(id => id is K.RenalImpairmentMild or K.RenalImpairmentModerate or K.RenalImpairmentSevere);
                }
            }
        }

        return null;
    }

    private static string OrderSummary(string primary, string drug, string? others, string title, IReadOnlyList<string> codes, string? renalBand) => primary switch
    {
        C.TizanidineCyp1a2Contraindication or C.StopContraindicatedCombination =>
            $"{drug} order with {others ?? "a CYP1A2 inhibitor or tizanidine"}: tizanidine + a potent CYP1A2 inhibitor is contraindicated (hypotension, bradycardia)",
        C.MaoiHighRiskCombination or C.LinezolidMethyleneBlueAreMaois =>
            $"{drug} order with {others ?? "another serotonergic drug"}: MAO inhibitor + serotonergic drug, the highest-risk combination",
        C.BaclofenRenalAccumulation =>
            $"{drug} order: eGFR below 30 or dialysis — baclofen accumulates (encephalopathy); avoid",
        C.DiscontinueSerotonergicAgents =>
            $"{drug} order: serotonergic drug while the patient meets Hunter criteria for serotonin toxicity — do not add",
        C.SwitchToNonSerotonergicAlternative =>
            $"{drug} order adds a serotonergic drug to {others ?? "another on board"}: prefer a non-serotonergic alternative",
        C.NoAntiepilepticWithoutEeg =>
            $"{drug} order for clonic attacks: confirm epileptic events on video-EEG before any antiepileptic",
        C.AvoidTizanidineForClonus => codes.Contains(C.SwitchTizanidineToBaclofen)
            ? $"{drug} order: tizanidine does not help clonus — baclofen is first-line for UMN clonus"
            : $"{drug} order: tizanidine does not help clonus",
        C.BaclofenRenalDoseReductionOrAvoid => renalBand == K.RenalImpairmentMild
            ? $"{drug} order with eGFR 50–80: about two thirds of the usual baclofen dose, titrate slowly"
            : $"{drug} order with eGFR 30–50: about half the usual baclofen dose, and monitor",
        _ => $"{drug} order: {title}",
    };

    private static string TriageSummary(Assessment a)
    {
        var urgency = a.Urgency switch
        {
            Urgency.Emergency => " — emergency",
            Urgency.Urgent => " — urgent",
            _ => "",
        };
        return "Clonus: " + EtiologyText(a) + urgency;
    }

    /// <summary>Plain words for the etiology call: the REST summary's wording (<see cref="AssessmentSummaryBuilder"/>).</summary>
    internal static string EtiologyText(Assessment a) =>
        AssessmentSummaryBuilder.EtiologyText(a.Etiology.Primary, a.Etiology.Subtype, a.SerotoninToxicity?.Severity);

    private static string EtiologyTitle(Etiology e) => e switch
    {
        Etiology.SerotoninToxicity => "Serotonin toxicity",
        Etiology.OtherDrugToxicity => "Other drug toxicity",
        Etiology.UmnLesion => "Upper-motor-neuron lesion",
        Etiology.SeizureMimic => "Seizure mimic",
        Etiology.Metabolic => "Metabolic",
        Etiology.NormalVariant => "Normal variant",
        _ => "Indeterminate: needs evaluation",
    };

    // ---------------------------------------------------------------- detail

    private static void Rationale(StringBuilder sb, Assessment a)
    {
        foreach (var line in a.Etiology.Rationale)
        {
            sb.Append("- ").Append(line).Append('\n');
        }

        if (a.SerotoninToxicity is { HunterRulesFired.Count: > 0 } st)
        {
            sb.Append("- Hunter rules met: ").Append(string.Join(", ", st.HunterRulesFired)).Append('\n');
        }

        sb.Append('\n');
    }

    private static void Body(StringBuilder sb, Assessment a)
    {
        var tiers = new (string Name, IReadOnlyList<RecommendationItem> Items)[]
        {
            ("First-line", a.Recommendations.FirstLine), ("Adjunct", a.Recommendations.Adjunct), ("Refractory", a.Recommendations.Refractory),
            ("Monitoring", a.Recommendations.Monitoring), ("Work-up", a.Recommendations.Workup), ("Avoid (pitfalls)", a.Pitfalls),
        };
        foreach (var (name, items) in tiers)
        {
            if (items.Count == 0)
            {
                continue;
            }

            sb.Append("**").Append(name).Append("**\n\n");
            foreach (var item in items)
            {
                Item(sb, item);
            }

            sb.Append('\n');
        }

        // Causes not excluded keep their safety actions in the lists above (marked "for …").
        if (a.Etiology.Differentials.Any(d => d.NotExcluded))
        {
            sb.Append("**Not excluded (its safety actions are included):** ")
                .Append(string.Join("; ", a.Etiology.Differentials.Where(d => d.NotExcluded).Select(d => d.Reason))).Append("\n\n");
        }

        if (a.Etiology.Differentials.Any(d => !d.NotExcluded))
        {
            sb.Append("**Also consider:** ").Append(string.Join("; ", a.Etiology.Differentials.Where(d => !d.NotExcluded).Select(d => d.Reason))).Append("\n\n");
        }

    }

    private static void Items(StringBuilder sb, Assessment a, IReadOnlyList<string> codes)
    {
        foreach (var item in Flatten(a).Where(i => codes.Contains(i.Code)))
        {
            Item(sb, item);
        }

        sb.Append('\n');
    }

    private static void Item(StringBuilder sb, RecommendationItem item)
    {
        sb.Append("- **").Append(item.Title).Append(".** ");
        if (item.ServesDifferential is { } serves)
        {
            sb.Append("*(for ").Append(serves.Replace('_', ' ')).Append(", not excluded)* ");
        }

        sb.Append(item.Text);
        if (item.Dosing is { } dosing)
        {
            sb.Append(" *Dosing:* ").Append(dosing);
        }

        sb.Append(" — *why here:* ").Append(item.Because)
            .Append(" (`").Append(item.Code).Append("`; sources: ").Append(string.Join(", ", item.Citations)).Append(")\n");
        foreach (var caution in item.Cautions)
        {
            sb.Append("  - ⚠ *").Append(caution.Kind.Replace('_', ' ')).Append(":* ").Append(caution.Text)
                .Append(" (sources: ").Append(string.Join(", ", caution.Citations)).Append(")\n");
        }
    }

    private static void Footer(StringBuilder sb, Assessment a, MappedRecord record, IReadOnlyList<string> codes)
    {
        if (RenalLine(a, record, codes) is { } renal)
        {
            sb.Append("**Kidney function:** ").Append(renal).Append("\n\n");
        }

        if (record.Unseen.Count > 0)
        {
            sb.Append("**Could not be seen** (not read as absent):\n\n");
            foreach (var gap in record.Unseen)
            {
                sb.Append("- ").Append(Markdown.Escape(gap)).Append('\n');
            }

            sb.Append('\n');
        }

        if (a.MissingData.Count > 0)
        {
            sb.Append("**Missing data** (unknown is not treated as \"no\"):\n\n");
            foreach (var m in a.MissingData)
            {
                sb.Append("- `").Append(m.Field).Append("`: ").Append(m.Reason).Append('\n');
            }

            sb.Append('\n');
        }

        if (a.UnrecognizedInputs.Count > 0)
        {
            sb.Append("**Not recognised:** ")
                .Append(string.Join("; ", a.UnrecognizedInputs.Take(10).Select(u => Markdown.Escape(Markdown.Shorten(u.Value, 80)))))
                .Append(" — their effect on this advice is unknown.\n\n");
        }

        sb.Append("**Read from the record:**\n\n");
        foreach (var note in record.Notes.Take(30))
        {
            sb.Append("- ").Append(Markdown.Escape(note)).Append('\n');
        }

        sb.Append('\n');
        // Sources of what this card shows (its items and their cautions).
        var ids = Flatten(a).Where(i => codes.Contains(i.Code))
            .SelectMany(i => i.Citations.Concat(i.Cautions.SelectMany(c => c.Citations))).ToHashSet();
        var cited = a.Citations.Where(c => ids.Contains(c.Id)).ToList();
        if (cited.Count > 0)
        {
            sb.Append("**Sources:** ");
            sb.AppendJoin("; ", cited.Select(c => string.Create(Inv, $"{c.Id}: {c.Title} ({c.Source}{(c.Year is { } y ? ", " + y.ToString(Inv) : "")})")));
            sb.Append("\n\n");
        }

        sb.Append('*').Append(a.Disclaimer).Append(" Knowledge base ").Append(a.KnowledgeBaseVersion).Append(".*");
    }

    /// <summary>Codes whose advice depends on kidney function.</summary>
    private static bool RenalMatters(Assessment a, IReadOnlyList<string> codes) =>
        codes.Any(c => c.Contains("baclofen", StringComparison.Ordinal) || c == C.NephrologyConsult)
        || a.MissingData.Any(m => m.Field == "patient.egfr");

    /// <summary>
    /// Where the kidney function behind this card came from, in order: dialysis; a measured eGFR;
    /// the CKD-EPI 2021 estimate from serum creatinine; the recorded CKD stage; or renal data that
    /// give no eGFR. Null when no advice on the card depends on it, or when nothing renal is recorded
    /// (then "Could not be seen" says so).
    /// </summary>
    internal static string? RenalLine(Assessment a, MappedRecord record, IReadOnlyList<string> codes)
    {
        if (!RenalMatters(a, codes))
        {
            return null;
        }

        var p = record.Context.Patient;
        var estimate = a.Trace.FirstOrDefault(t => t.Rule == "INPUT-RENAL");
        var estimated = Input(estimate, "eGFR");
        var source = Input(estimate, "source");
        var text = (p?.Egfr, source) switch
        {
            ({ } egfr, _) => string.Create(Inv, $"measured eGFR {egfr:0.#} mL/min/1.73 m² (see \"Read from the record\" for the Observation and date)"),
            (_, "creatinine") => string.Create(Inv, $"no exact eGFR on file; estimated eGFR {estimated} mL/min/1.73 m² from serum creatinine {record.Context.Labs?.CreatinineMgPerDl:0.##} mg/dL with age and sex (race-free CKD-EPI 2021)"),
            (_, "ckd_stage") => string.Create(Inv, $"no eGFR or creatinine on file; taken from the recorded CKD stage (eGFR counted as {estimated} mL/min/1.73 m², the most cautious value of the stage for baclofen dosing)"),
            _ => null,
        };
        if (p?.OnDialysis == true)
        {
            text = "on dialysis (recorded condition)" + (text is null ? "" : "; " + text);
        }

        // Nothing renal at all is said once, under "Could not be seen".
        return text ?? (record.KidneyFunctionUnseen
            ? null
            : "not established from the record (no eGFR; a CKD condition without a stage, or a serum creatinine without the adult age and sex the CKD-EPI estimate needs): unknown — check it before dosing baclofen");
    }

    /// <summary>
    /// The card for a selected draft whose check could not be completed with what was seen: its
    /// drug could not be identified, or it is baclofen and no kidney function was found, or it
    /// interacts through the medication list and part of that list could not be seen. Info only: it
    /// says what was not checked, never that the order is safe.
    /// </summary>
    public static Card Unchecked(DraftOrder order, string drugName, IReadOnlyList<string> reasons, Assessment a, MappedRecord record, string baseUrl)
    {
        var detail = new StringBuilder();
        detail.Append("**Draft order:** ").Append(Markdown.Escape(order.Name)).Append(" (`").Append(Markdown.Escape(order.Label)).Append("`).\n\n");
        detail.Append("**Not fully checked:**\n\n");
        foreach (var reason in reasons)
        {
            detail.Append("- ").Append(reason).Append('\n');
        }

        detail.Append('\n');
        Footer(detail, a, record, []);
        return new Card
        {
            Uuid = Guid.NewGuid().ToString(),
            Summary = Markdown.Shorten($"{Capitalize(drugName)} order: not fully checked — {reasons[0]}", 140),
            Detail = detail.ToString(),
            Indicator = "info",
            Source = Source(baseUrl, null, new CdsCoding(CodeSystem, UncheckedCode, "Order not fully checked: data not seen")),
            OverrideReasons = OrderOverrides,
            Extension = Extension("order-unchecked", a, [], order.ResourceId),
        };
    }

    private static string? Input(TraceEntry? entry, string name) =>
        entry?.Inputs.FirstOrDefault(i => i.StartsWith(name + "=", StringComparison.Ordinal)) is { } input ? input[(name.Length + 1)..] : null;

    /// <summary>Topic code of the "not fully checked" order card.</summary>
    public const string UncheckedCode = "order_not_fully_checked";

    // ---------------------------------------------------------------- parts

    private static CardSource Source(string baseUrl, string? code, CdsCoding topic) =>
        new("ClonusCds knowledge base", code is null ? baseUrl + "/api/v1/knowledge" : baseUrl + "/api/v1/knowledge/recommendations/" + code, topic);

    private static List<CardLink>? Links(Assessment a, IReadOnlyList<string> codes)
    {
        var ids = Flatten(a).Where(i => codes.Contains(i.Code)).SelectMany(i => i.Citations).Distinct().ToList();
        var links = a.Citations.Where(c => ids.Contains(c.Id) && c.Url is { } u && Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps)
            .Take(3)
            .Select(c => new CardLink(Markdown.Shorten(c.Title, 80), c.Url!, "absolute"))
            .ToList();
        return links.Count > 0 ? links : null;
    }

    private static Dictionary<string, ClonusCardExtension> Extension(string kind, Assessment a, IReadOnlyList<string> codes, string? order) => new()
    {
        [ExtensionKey] = new ClonusCardExtension
        {
            Kind = kind,
            Codes = codes.Count > 0 ? codes : null,
            Etiology = Lower(a.Etiology.Primary),
            Subtype = a.Etiology.Subtype is { } s ? Lower(s) : null,
            Urgency = Lower(a.Urgency),
            OrderResourceId = order,
            AssessmentId = a.AssessmentId,
            KnowledgeBaseVersion = a.KnowledgeBaseVersion,
            Rules = a.Trace.Where(t => t.Outcome == "fired").Select(t => t.Rule).Distinct().ToList() is { Count: > 0 } r ? r : null,
        },
    };

    internal static List<string> AllCodes(Assessment a) => Flatten(a).Select(i => i.Code).Distinct().ToList();

    internal static IEnumerable<RecommendationItem> Flatten(Assessment a) =>
        a.Recommendations.FirstLine.Concat(a.Recommendations.Adjunct).Concat(a.Recommendations.Refractory)
            .Concat(a.Recommendations.Monitoring).Concat(a.Recommendations.Workup).Concat(a.Pitfalls);

    private static string Indicator(Urgency u) => u switch
    {
        Urgency.Emergency => "critical",
        Urgency.Urgent => "warning",
        _ => "info",
    };

    private static string Max(string a, string b) => Rank(a) >= Rank(b) ? a : b;

    private static int Rank(string indicator) => indicator switch
    {
        "critical" => 2,
        "warning" => 1,
        _ => 0,
    };

    internal static string Lower<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    private static string Capitalize(string s) => s.Length == 0 ? s : string.Concat(s[..1].ToUpperInvariant(), s.AsSpan(1));

    private static readonly CdsCoding[] OrderOverrides =
    [
        new(OverrideSystem, "benefit-outweighs-risk", "Benefit outweighs the risk for this patient; will monitor"),
        new(OverrideSystem, "already-aware", "Already aware; a plan is in place"),
        new(OverrideSystem, "specialist-advised", "Specialist (toxicology, neurology, nephrology) advised this"),
        new(OverrideSystem, "data-incorrect", "The patient data behind this card are wrong or out of date"),
    ];

    private static readonly CdsCoding[] TriageOverrides =
    [
        new(OverrideSystem, "already-aware", "Already aware; a plan is in place"),
        new(OverrideSystem, "assessment-differs", "Clinical assessment differs from this triage"),
        new(OverrideSystem, "data-incorrect", "The patient data behind this card are wrong or out of date"),
    ];
}
