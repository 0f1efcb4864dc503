using System.Globalization;
using System.Text.RegularExpressions;
using ClonusCds.Core.Model;
using R4 = Hl7.Fhir.Model;
using static ClonusCds.Api.CdsHooks.Fhir.FhirPatientMapper;

namespace ClonusCds.Api.CdsHooks.Fhir;

/// <summary>The findings read from Observations.</summary>
internal sealed record ObservationFindings(
    ClonusFinding? Clonus, Vitals? Vitals, Examination? Exam, LabResults? Labs, double? Egfr, bool? Pregnant, DateTimeOffset? At)
{
    /// <summary>The eGFR was reported only as a lower bound (<c>&gt;60</c>, <c>≥90</c>).</summary>
    public bool EgfrLowerBound { get; init; }
}

/// <summary>
/// Reads Observations: the newest value of each concept within the episode (observations older
/// than the newest vital or finding minus the episode window describe an earlier episode and are
/// not used). Clonus and Hunter findings are SNOMED CT with Present/Absent values; the kind of
/// clonus, its site, beats and whether it is sustained are read from the texts
/// (shared/reference/terminology.md), and every reading is noted for the card.
/// </summary>
internal sealed partial class ObservationReader(string patientId, DateTimeOffset now, TimeSpan window, List<string> notes)
{
    private bool _egfrLowerBound;

    private enum Kind
    {
        Temperature, HeartRate, Systolic, Diastolic, RespiratoryRate, Spo2, Egfr, Creatinine, Ck, Lithium, Pregnancy,
        Clonus, Agitation, Diaphoresis, Tremor, Hyperreflexia,
    }

    /// <summary>
    /// One reading: the Observation, and what holds its value — the Observation itself, or one of
    /// its components (a blood-pressure panel), each with <c>value[x]</c>, <c>dataAbsentReason</c>
    /// and <c>interpretation</c>.
    /// </summary>
    private sealed record Reading(Kind Kind, DateTimeOffset? At, R4.Observation Resource, ObservedValue Value);

    /// <summary>The value part of an Observation or of one of its components.</summary>
    internal sealed record ObservedValue(R4.DataType? Value, R4.CodeableConcept? DataAbsentReason, IReadOnlyList<R4.CodeableConcept> Interpretation, R4.CodeableConcept? Code)
    {
        public static ObservedValue Of(R4.Observation o) => new(o.Value, o.DataAbsentReason, o.Interpretation, o.Code);

        public static ObservedValue Of(R4.Observation.ComponentComponent c) => new(c.Value, c.DataAbsentReason, c.Interpretation, c.Code);
    }

    private readonly List<Reading> _readings = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private int _skipped;

    /// <summary>Resolves subject references written as fullUrls.</summary>
    public FhirReferenceResolver? Resolver { get; init; }

    public void Add(R4.Resource resource, string? source = null)
    {
        if (resource is not R4.Observation o)
        {
            return;
        }

        // The same Observation can arrive under two keys (a finding that is also an exam observation).
        if (o.Reference() is { } id && !_seen.Add(id))
        {
            return;
        }

        if (!ForPatient(o, patientId, Resolver, source) || o.StatusElement.Raw() is "entered-in-error" or "cancelled" or "registered")
        {
            _skipped++;
            return;
        }

        var at = When(o);
        if (Kinds(o.Code) is { } kind)
        {
            _readings.Add(new Reading(kind, at, o, ObservedValue.Of(o)));
        }

        // Blood-pressure panels (85354-9) carry systolic and diastolic as components.
        foreach (var component in o.Component)
        {
            if (component?.Code is not { } cc)
            {
                continue;
            }

            if (cc.HasCode(FhirResources.Loinc, LoincSystolic))
            {
                _readings.Add(new Reading(Kind.Systolic, at, o, ObservedValue.Of(component)));
            }
            else if (cc.HasCode(FhirResources.Loinc, LoincDiastolic))
            {
                _readings.Add(new Reading(Kind.Diastolic, at, o, ObservedValue.Of(component)));
            }
        }
    }

    private static Kind? Kinds(R4.CodeableConcept? code)
    {
        foreach (var (system, value, _) in code.Codings())
        {
            if (value is null)
            {
                continue;
            }

            if (string.Equals(system, FhirResources.Loinc, StringComparison.OrdinalIgnoreCase))
            {
                switch (value)
                {
                    case LoincTemperature: return Kind.Temperature;
                    case LoincHeartRate: return Kind.HeartRate;
                    case LoincSystolic: return Kind.Systolic;
                    case LoincDiastolic: return Kind.Diastolic;
                    case LoincRespiratoryRate: return Kind.RespiratoryRate;
                    case LoincSpo2 or LoincSpo2Pulse: return Kind.Spo2;
                    case LoincCk: return Kind.Ck;
                    case LoincLithium: return Kind.Lithium;
                    case LoincPregnancy or LoincPregnancyReported: return Kind.Pregnancy;
                    default:
                        if (LoincEgfr.Contains(value))
                        {
                            return Kind.Egfr;
                        }

                        if (LoincCreatinine.Contains(value))
                        {
                            return Kind.Creatinine;
                        }

                        break;
                }
            }
            else if (string.Equals(system, FhirResources.Snomed, StringComparison.OrdinalIgnoreCase))
            {
                switch (value)
                {
                    case SctClonus or SctAnkleClonus: return Kind.Clonus;
                    case SctAgitation: return Kind.Agitation;
                    case SctDiaphoresis: return Kind.Diaphoresis;
                    case SctTremor: return Kind.Tremor;
                    case SctHyperreflexia: return Kind.Hyperreflexia;
                    default: break;
                }
            }
        }

        // Local codes: a finding whose text names clonus (not myoclonus) is read as a clonus finding.
        var text = code.Words();
        return text is not null && ClonusWord().IsMatch(text) ? Kind.Clonus : null;
    }

    /// <summary>
    /// When the observation was made: <c>effectiveDateTime</c>, <c>effectiveInstant</c>, the end of
    /// <c>effectivePeriod</c> (else its start), else <c>issued</c> (when the result was released,
    /// later than the observation: no earlier than it).
    /// </summary>
    private static DateTimeOffset? When(R4.Observation o) =>
        (o.Effective switch
        {
            R4.FhirDateTime at => FhirResources.Date(at.Value),
            R4.Instant instant => FhirResources.Date(instant.Value),
            R4.Period period => FhirResources.Date(period.End) ?? FhirResources.Date(period.Start),
            _ => null,
        } ?? FhirResources.Date(o.Issued))?.Start;

    public ObservationFindings Build()
    {
        if (_skipped > 0)
        {
            notes.Add($"Observations: {_skipped} not used (another patient, or status entered-in-error, cancelled or registered).");
        }

        // The episode: anchored on the newest vital sign or finding.
        var episodeKinds = new[] { Kind.Temperature, Kind.HeartRate, Kind.Systolic, Kind.Diastolic, Kind.RespiratoryRate, Kind.Spo2, Kind.Clonus, Kind.Agitation, Kind.Diaphoresis, Kind.Tremor, Kind.Hyperreflexia, Kind.Lithium, Kind.Ck };
        var anchor = _readings.Where(r => episodeKinds.Contains(r.Kind) && r.At is not null).Select(r => r.At!.Value).DefaultIfEmpty().Max();
        var hasAnchor = _readings.Any(r => episodeKinds.Contains(r.Kind) && r.At is not null);
        var earlier = 0;

        var history = ClonusHistory();

        // Newest first; undated readings after dated ones.
        var byKind = new Dictionary<Kind, List<Reading>>();
        foreach (var r in _readings.OrderByDescending(r => r.At ?? DateTimeOffset.MinValue))
        {
            if (hasAnchor && episodeKinds.Contains(r.Kind) && r.At is { } readingAt && readingAt < anchor - window)
            {
                earlier++;
                continue;
            }

            if (!byKind.TryGetValue(r.Kind, out var list))
            {
                byKind[r.Kind] = list = [];
            }

            list.Add(r);
        }

        if (earlier > 0)
        {
            notes.Add(FormattableString.Invariant($"Observations: {earlier} older than {window.TotalHours:0} h before the newest finding describe an earlier episode and were not used."));
        }

        var temperature = Quantity(byKind, Kind.Temperature, Celsius, 25, 45, "°C");
        var vitals = new Vitals
        {
            TemperatureC = temperature,
            HeartRateBpm = Int(Quantity(byKind, Kind.HeartRate, null, 20, 300, "/min")),
            SystolicBp = Int(Quantity(byKind, Kind.Systolic, null, 20, 300, "mmHg")),
            DiastolicBp = Int(Quantity(byKind, Kind.Diastolic, null, 20, 300, "mmHg")),
            RespiratoryRate = Int(Quantity(byKind, Kind.RespiratoryRate, null, 0, 80, "/min")),
            Spo2Percent = Quantity(byKind, Kind.Spo2, null, 0, 100, "%"),
        };
        var labs = new LabResults
        {
            CreatinineMgPerDl = Quantity(byKind, Kind.Creatinine, CreatinineMgPerDl, 0, 30, "mg/dL"),
            CreatineKinaseUPerL = Quantity(byKind, Kind.Ck, null, 0, 1_000_000, "U/L"),
            LithiumMmolPerL = Quantity(byKind, Kind.Lithium, null, 0, 20, "mmol/L"),
        };
        var egfr = Quantity(byKind, Kind.Egfr, null, 0, 200, "mL/min/1.73m²");
        bool? pregnant = null;
        if (Newest(byKind, Kind.Pregnancy) is { } preg)
        {
            var value = preg.Value.Value as R4.CodeableConcept;
            pregnant = value.HasCode(FhirResources.Snomed, SctPregnant) ? true : value.HasCode(FhirResources.Snomed, SctNotPregnant) ? false : null;
            Note(preg, $"pregnancy status {(pregnant is null ? "not readable" : pregnant.Value ? "pregnant" : "not pregnant")}");
        }

        var exam = new Examination
        {
            Agitation = Presence(byKind, Kind.Agitation, "agitation"),
            Diaphoresis = Presence(byKind, Kind.Diaphoresis, "diaphoresis"),
            Tremor = Presence(byKind, Kind.Tremor, "tremor"),
            Reflexes = Presence(byKind, Kind.Hyperreflexia, "hyperreflexia") switch
            {
                true => ReflexGrade.Increased,
                _ => null,
            },
        };

        var clonus = Clonus(byKind, ref exam);
        if (clonus is { Present: true, Onset: null } && history is { } h)
        {
            clonus = clonus with { Onset = h.Onset };
            notes.Add(h.Note);
        }
        var at = hasAnchor ? anchor : (DateTimeOffset?)null;
        if (at is { } when && (now - when).TotalHours > 0)
        {
            notes.Add(FormattableString.Invariant($"Findings: newest from {when:yyyy-MM-dd HH:mm} UTC."));
        }

        return new ObservationFindings(clonus, vitals, exam, labs, egfr, pregnant, at) { EgfrLowerBound = egfr is not null && _egfrLowerBound };
    }

    // ---------------------------------------------------------------- clonus

    /// <summary>Clonus documented this long before the newest finding is chronic.</summary>
    public const double ChronicAfterDays = 28;

    /// <summary>
    /// The course of the clonus from its own history, when the texts do not say: clonus also
    /// recorded present 28 days or more before the newest finding is chronic; clonus recorded
    /// absent within the 28 days before a present finding is new (acute).
    /// </summary>
    private (ClonusOnset Onset, string Note)? ClonusHistory()
    {
        var clonus = _readings.Where(r => r.Kind == Kind.Clonus && r.At is not null).OrderByDescending(r => r.At).ToList();
        if (clonus.Count < 2 || PresenceOf(clonus[0].Value) != true)
        {
            return null;
        }

        var newest = clonus[0].At!.Value;
        foreach (var earlier in clonus.Skip(1))
        {
            var days = (newest - earlier.At!.Value).TotalDays;
            var present = PresenceOf(earlier.Value);
            if (present == false && days < ChronicAfterDays)
            {
                return (ClonusOnset.Acute, FormattableString.Invariant(
                    $"{earlier.Resource.Reference() ?? "Observation"}: clonus was recorded absent {days:0} day(s) before the newest finding, so it is new (acute onset)."));
            }

            if (present == true && days >= ChronicAfterDays)
            {
                return (ClonusOnset.Chronic, FormattableString.Invariant(
                    $"{earlier.Resource.Reference() ?? "Observation"}: clonus was already recorded present {days:0} days before the newest finding, so it is chronic."));
            }
        }

        return null;
    }

    private ClonusFinding? Clonus(Dictionary<Kind, List<Reading>> byKind, ref Examination exam)
    {
        if (!byKind.TryGetValue(Kind.Clonus, out var readings) || readings.Count == 0)
        {
            return null;
        }

        var latest = readings[0];
        var present = PresenceOf(latest.Value);
        Note(latest, $"clonus {(present is null ? "recorded without a readable value" : present.Value ? "present" : "absent")}");
        if (present != true)
        {
            return new ClonusFinding { Present = present };
        }

        var types = new HashSet<ClonusType>();
        var sites = new HashSet<ClonusSite>();
        bool? sustained = null;
        int? beats = null;
        Laterality? laterality = null;
        ClonusOnset? onset = null;
        foreach (var r in readings.Where(r => PresenceOf(r.Value) == true))
        {
            if (r.Resource.Code.HasCode(FhirResources.Snomed, SctAnkleClonus))
            {
                sites.Add(ClonusSite.Ankle);
            }

            foreach (var (where, text) in Texts(r.Resource))
            {
                var read = new List<string>();
                var lower = text.ToLowerInvariant();
                if (Has(lower, "startle"))
                {
                    types.Add(ClonusType.StartleInduced);
                    read.Add("startle-induced");
                }

                if (Has(lower, "position") || Has(lower, "postur"))
                {
                    types.Add(ClonusType.PositionTriggered);
                    read.Add("position-triggered");
                }

                if (Has(lower, "spontaneous"))
                {
                    types.Add(ClonusType.Spontaneous);
                    read.Add("spontaneous");
                }

                if (Has(lower, "ocular") || Has(lower, "opsoclon"))
                {
                    types.Add(ClonusType.Ocular);
                    read.Add("ocular");
                }

                if (Inducible().IsMatch(lower))
                {
                    types.Add(ClonusType.Inducible);
                    read.Add("inducible");
                }

                if (Unsustained().IsMatch(lower))
                {
                    sustained ??= false;
                    read.Add("unsustained");
                }
                else if (Has(lower, "sustained"))
                {
                    sustained = true;
                    read.Add("sustained");
                }

                if (FhirPatientMapper.BeatsPattern().Match(lower) is { Success: true } m
                    && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 1000)
                {
                    beats = Math.Max(beats ?? 0, n);
                    read.Add($"{n} beats");
                }

                foreach (var (word, site) in SiteWords)
                {
                    if (Has(lower, word) && sites.Add(site))
                    {
                        read.Add(word);
                    }
                }

                if (Has(lower, "bilateral") || Has(lower, "both") || (Has(lower, "left") && Has(lower, "right")))
                {
                    laterality = Laterality.Bilateral;
                    read.Add("bilateral");
                }
                else if (laterality is null && (Has(lower, "unilateral") || Has(lower, "left") || Has(lower, "right")))
                {
                    laterality = Laterality.Unilateral;
                    read.Add("unilateral");
                }

                if (Has(lower, "chronic") || Has(lower, "longstanding") || Has(lower, "long-standing"))
                {
                    onset ??= ClonusOnset.Chronic;
                    read.Add("chronic");
                }
                else if (Has(lower, "acute") || Has(lower, "sudden") || Has(lower, "new onset") || Has(lower, "new-onset"))
                {
                    onset ??= ClonusOnset.Acute;
                    read.Add("acute");
                }

                exam = ExamFromText(lower, exam, read);
                if (read.Count > 0)
                {
                    Note(r, $"read {string.Join(", ", read.Distinct())} from {where}");
                }
            }
        }

        // A count above the normal-variant range with no word on it is read as sustained? No: left unknown.
        return new ClonusFinding
        {
            Present = true,
            Types = types.Count > 0 ? [.. types] : null,
            Sites = sites.Count > 0 ? [.. sites] : null,
            Sustained = sustained,
            Beats = beats,
            Laterality = laterality,
            Onset = onset,
        };
    }

    private static readonly (string Word, ClonusSite Site)[] SiteWords =
    [
        ("ankle", ClonusSite.Ankle), ("patellar", ClonusSite.Patellar), ("knee", ClonusSite.Patellar), ("wrist", ClonusSite.Wrist),
        ("jaw", ClonusSite.Jaw), ("ocular", ClonusSite.Ocular), ("generalized", ClonusSite.Generalized), ("generalised", ClonusSite.Generalized),
    ];

    /// <summary>Hunter and UMN findings written in the clonus texts, with simple negation ("no tremor").</summary>
    private static Examination ExamFromText(string lower, Examination exam, List<string> read)
    {
        bool? Word(string pattern)
        {
            var i = lower.IndexOf(pattern, StringComparison.Ordinal);
            if (i < 0)
            {
                return null;
            }

            // Negation reaches back to the start of the clause only ("no tremor, hyperreflexia").
            var before = lower[Math.Max(0, i - 24)..i];
            var clause = before.LastIndexOfAny([',', ';', '.', ':', '\n']);
            before = clause >= 0 ? before[(clause + 1)..] : before;
            var negated = before.Contains("no ", StringComparison.Ordinal) || before.Contains("without", StringComparison.Ordinal)
                || before.Contains("absent", StringComparison.Ordinal) || before.Contains("denies", StringComparison.Ordinal)
                || before.Contains("negative", StringComparison.Ordinal);
            read.Add(negated ? "no " + pattern : pattern);
            return !negated;
        }

        var hyperreflexia = Word("hyperreflexi") ?? Word("brisk reflexes");
        var rigid = Word("rigid") ?? Word("hypertoni") ?? Word("increased tone");
        var leadPipe = Word("lead-pipe") ?? Word("lead pipe");
        var umn = Word("babinski") ?? Word("upgoing plantar") ?? Word("extensor plantar") ?? Word("hoffmann") ?? Word("spasticity");
        var tremor = Word("tremor");
        var agitation = Word("agitat");
        var diaphoresis = Word("diaphore") ?? Word("sweating");
        return exam with
        {
            Reflexes = exam.Reflexes ?? (hyperreflexia == true ? ReflexGrade.Increased : null),
            Tone = exam.Tone ?? (rigid == true || leadPipe == true ? ToneGrade.Increased : null),
            Rigidity = exam.Rigidity ?? (leadPipe == true ? RigidityPattern.LeadPipe : null),
            OtherUmnSigns = exam.OtherUmnSigns ?? umn,
            Tremor = exam.Tremor ?? tremor,
            Agitation = exam.Agitation ?? agitation,
            Diaphoresis = exam.Diaphoresis ?? diaphoresis,
        };
    }

    private static bool Has(string lower, string word) => lower.Contains(word, StringComparison.Ordinal);

    /// <summary>Every text of the finding, with where it was read.</summary>
    private static IEnumerable<(string Where, string Text)> Texts(R4.Observation o)
    {
        if (FhirResources.Text(o.Code?.Text) is { } code)
        {
            yield return ("code.text", code);
        }

        if (o.Method.Words() is { } method)
        {
            yield return ("method.text", method);
        }

        if (o.BodySite.Words() is { } site)
        {
            yield return ("bodySite.text", site);
        }

        if (o.Value is R4.FhirString { Value: var value } && FhirResources.Text(value) is { } valueString)
        {
            yield return ("valueString", valueString);
        }

        if (o.Value is R4.CodeableConcept concept && FhirResources.Text(concept.Text) is { } valueText)
        {
            yield return ("valueCodeableConcept.text", valueText);
        }

        foreach (var note in o.Note)
        {
            if (FhirResources.Text(note?.Text) is { } text)
            {
                yield return ("note.text", text);
            }
        }

        foreach (var component in o.Component)
        {
            if (component?.Value is R4.FhirString { Value: var cv } && FhirResources.Text(cv) is { } componentText)
            {
                yield return ("component.valueString", componentText);
            }
        }
    }

    // ---------------------------------------------------------------- values

    /// <summary>
    /// Present / absent / unknown: valueCodeableConcept Present (52101004) or Absent (2667000), a
    /// boolean, or words; a coded finding recorded without any value is the finding asserted
    /// (present), unless a dataAbsentReason says the value is missing.
    /// </summary>
    internal static bool? PresenceOf(ObservedValue o)
    {
        var concept = o.Value as R4.CodeableConcept;
        if (concept.HasCode(FhirResources.Snomed, SctAbsent))
        {
            return false;
        }

        if (concept.HasCode(FhirResources.Snomed, SctPresent))
        {
            return true;
        }

        if (o.Value is R4.FhirBoolean { Value: { } b })
        {
            return b;
        }

        var words = (concept.Words() ?? FhirResources.Text((o.Value as R4.FhirString)?.Value))?.Trim().ToLowerInvariant();
        if (words is not null)
        {
            if (words is "absent" or "negative" or "no" or "not present" or "not detected" or "none" || words.StartsWith("no ", StringComparison.Ordinal))
            {
                return false;
            }

            if (words is "present" or "positive" or "yes" or "detected" || words.StartsWith("present", StringComparison.Ordinal))
            {
                return true;
            }
        }

        var interpretation = o.Interpretation.SelectMany(i => i.Codings()).Select(c => c.Code).FirstOrDefault();
        if (interpretation is "NEG")
        {
            return false;
        }

        if (interpretation is "POS")
        {
            return true;
        }

        // A value absent for a reason is unknown, never "no".
        if (o.DataAbsentReason is not null || concept is not null || words is not null)
        {
            return null;
        }

        // No value at all: a SNOMED CT finding code asserts the finding, unless its text negates it.
        var codeText = FhirResources.Text(o.Code?.Text)?.ToLowerInvariant();
        return codeText is not null && (codeText.StartsWith("no ", StringComparison.Ordinal) || codeText.Contains("absent", StringComparison.Ordinal)) ? false : true;
    }

    private bool? Presence(Dictionary<Kind, List<Reading>> byKind, Kind kind, string label)
    {
        if (Newest(byKind, kind) is not { } r)
        {
            return null;
        }

        var value = PresenceOf(r.Value);
        Note(r, $"{label} {(value is null ? "recorded without a readable value" : value.Value ? "present" : "absent")}");
        return value;
    }

    private static Reading? Newest(Dictionary<Kind, List<Reading>> byKind, Kind kind) =>
        byKind.TryGetValue(kind, out var list) && list.Count > 0 ? list[0] : null;

    private double? Quantity(Dictionary<Kind, List<Reading>> byKind, Kind kind, Func<double, string?, Reading, double?>? convert, double min, double max, string unit)
    {
        if (!byKind.TryGetValue(kind, out var list))
        {
            return null;
        }

        var lab = kind is Kind.Egfr or Kind.Creatinine or Kind.Ck or Kind.Lithium;
        for (var i = 0; i < list.Count; i++)
        {
            var r = list[i];
            if (Usable(r, kind, lab, convert, min, max) is not { } found)
            {
                continue;
            }

            var (v, raw, ucum, comparator) = found;
            // Several eGFRs from one draw (race-specific pairs, creatinine and cystatin C): the lowest.
            if (kind == Kind.Egfr && r.At is { } at)
            {
                for (var j = i + 1; j < list.Count && list[j].At == at; j++)
                {
                    if (Usable(list[j], kind, lab, convert, min, max) is { } other && other.Value < v)
                    {
                        (r, (v, raw, ucum, comparator)) = (list[j], other);
                    }
                }
            }

            Note(r, FormattableString.Invariant($"{Label(kind)} {comparator}{Math.Round(v, 2)} {unit}{(Math.Abs(v - raw) > 1e-9 ? $" (from {raw} {ucum})" : "")}"));
            if (kind == Kind.Egfr)
            {
                _egfrLowerBound = comparator is ">" or ">=" or "≥";
            }

            return v;
        }

        return null;
    }

    /// <summary>
    /// The reading's value in the target unit, or null (noted) when it has no usable value. Labs
    /// also accept a comparator (<c>&gt;60</c> is read as 60, the bound) in valueQuantity or in a
    /// valueString, as labs report eGFR above the reportable range.
    /// </summary>
    private (double Value, double Raw, string? Ucum, string Comparator)? Usable(Reading r, Kind kind, bool lab, Func<double, string?, Reading, double?>? convert, double min, double max)
    {
        double raw;
        string? ucum;
        var comparator = "";
        if (r.Value.Value is R4.Quantity { Value: { } number } q && (double)number is var d && double.IsFinite(d))
        {
            raw = d;
            ucum = FhirResources.Text(q.Code) ?? FhirResources.Text(q.Unit);
            comparator = q.ComparatorElement.Raw() ?? "";
        }
        else if (r.Value.Value is R4.Integer { Value: { } integer })
        {
            // valueInteger (a heart rate sent as a count): no unit, so only the target unit's range decides.
            raw = integer;
            ucum = null;
        }
        else if (lab && r.Value.Value is R4.FhirString { Value: { } text } && LabText().Match(text) is { Success: true } m
            && double.TryParse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            raw = parsed;
            ucum = m.Groups["unit"].Success && m.Groups["unit"].Value.Length > 0 ? m.Groups["unit"].Value : null;
            comparator = m.Groups["comparator"].Value;
        }
        else if (r.Value.DataAbsentReason is { } reason)
        {
            // A value absent for a reason ("asked but unknown", "not performed") is unknown, never normal.
            Note(r, $"{Label(kind)} not recorded ({Cards.Markdown.Shorten(reason.Words() ?? reason.Codings().Select(c => c.Code).FirstOrDefault(c => c is not null) ?? "dataAbsentReason", 60)}): unknown");
            return null;
        }
        else
        {
            return null;
        }

        var value = convert is null ? raw : convert(raw, ucum, r);
        if (value is not { } v || v < min || v > max)
        {
            Note(r, FormattableString.Invariant($"{kind} value {raw} {ucum} not usable (unit or range)"));
            return null;
        }

        return (v, raw, ucum, comparator);
    }

    private static string Label(Kind kind) => kind switch
    {
        Kind.Temperature => "temperature",
        Kind.HeartRate => "heart rate",
        Kind.Systolic => "systolic BP",
        Kind.Diastolic => "diastolic BP",
        Kind.RespiratoryRate => "respiratory rate",
        Kind.Spo2 => "SpO2",
        Kind.Egfr => "eGFR",
        Kind.Creatinine => "creatinine",
        Kind.Ck => "creatine kinase",
        Kind.Lithium => "lithium",
        _ => kind.ToString(),
    };

    /// <summary>°C from UCUM Cel, [degF] or K (and their common spellings); no unit: accepted as °C only in the Celsius range.</summary>
    private static double? Celsius(double value, string? unit, Reading reading) => unit?.Trim() switch
    {
        "Cel" or "°C" or "C" or "degC" or "cel" => value,
        "[degF]" or "°F" or "F" or "degF" or "[degf]" => Math.Round((value - 32) * 5 / 9, 2),
        "K" => Math.Round(value - 273.15, 2),
        null => value is >= 25 and <= 45 ? value : null,
        _ => null,
    };

    /// <summary>
    /// mg/dL; µmol/L converted (÷ 88.42), mmol/L (× 1000 ÷ 88.42), mg/L (÷ 10). Without a unit, the code's
    /// property decides (substance-concentration codes are µmol/L, mass codes mg/dL). Any other
    /// unit is not guessed: the value is not used.
    /// </summary>
    private static double? CreatinineMgPerDl(double value, string? unit, Reading reading)
    {
        var molar = reading.Resource.Code.Codings().Any(c => c.Code is { } code && CdsServiceCatalog.CreatinineMolarLoincCodes.Contains(code)
            && string.Equals(c.System, FhirResources.Loinc, StringComparison.OrdinalIgnoreCase));
        return unit?.Trim().Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant() switch
        {
            "umol/l" or "µmol/l" or "μmol/l" or "micromol/l" => Math.Round(value / 88.42, 2),
            "mmol/l" => Math.Round(value * 1000 / 88.42, 2),
            "mg/dl" => value,
            "mg/l" => Math.Round(value / 10, 2),
            null or "" => molar ? Math.Round(value / 88.42, 2) : value,
            _ => null,
        };
    }

    private static int? Int(double? value) => value is { } v ? (int)Math.Round(v) : null;

    private void Note(Reading r, string what)
    {
        var when = r.At is { } at ? at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "undated";
        notes.Add($"{r.Resource.Reference() ?? "Observation"} ({when}): {what}.");
    }

    /// <summary>A lab value written as text: an optional comparator, a number, an optional unit (<c>&gt;60</c>, <c>&lt; 0.2 mmol/L</c>, <c>88 umol/L</c>).</summary>
    [GeneratedRegex(@"^\s*(?<comparator>[<>]=?|≥|≤)?\s*(?<value>\d{1,6}(?:\.\d{1,4})?)\s*(?<unit>[A-Za-zµμ/{}\[\]_.0-9]*)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex LabText();

    [GeneratedRegex(@"\bclonus\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ClonusWord();

    [GeneratedRegex(@"(?<!startle[- ])(?<!position[- ])(?<!positionally[- ])\b(inducible|induced|elicited|provoked|dorsiflexion|dorsiflexed|stretch|stretched)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Inducible();

    [GeneratedRegex(@"\b(unsustained|non-sustained|nonsustained|not sustained|exhaustible|transient)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Unsustained();
}
