using System.Text.Json;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Vocabulary;

namespace ClonusCds.Core.Triage;

// The weighed differential. Etiology rules propose calls; the toxic candidates among them (the
// emergencies that look alike) are weighed against each other with the discriminator table in
// reasoning.json (evidence brief §2 look-alike table, §5): every finding that speaks for or against
// a candidate adds or takes away its weight. A candidate needs its trigger to be proposed at all;
// the best-supported proposed candidate is primary, and the others stay in the differential.

/// <summary>The toxic look-alikes the discriminator table weighs.</summary>
public enum Candidate
{
    /// <summary>Serotonin toxicity (Hunter met, mild, masked or undetermined).</summary>
    SerotoninToxicity,
    /// <summary>Neuroleptic malignant syndrome.</summary>
    NeurolepticMalignantSyndrome,
    /// <summary>Parkinsonism-hyperpyrexia syndrome (dopaminergic withdrawal).</summary>
    ParkinsonismHyperpyrexiaSyndrome,
    /// <summary>Malignant hyperthermia.</summary>
    MalignantHyperthermia,
    /// <summary>Anticholinergic toxicity.</summary>
    AnticholinergicToxicity,
    /// <summary>Baclofen withdrawal (oral or intrathecal).</summary>
    BaclofenWithdrawal,
    /// <summary>Baclofen toxicity in renal failure.</summary>
    BaclofenToxicity,
    /// <summary>Lithium toxicity.</summary>
    LithiumToxicity,
}

/// <summary>Findings the discriminator table reads; each is yes, no or unknown for a patient.</summary>
public enum Feature
{
#pragma warning disable CS1591 // names are self-describing; reasoning.json documents each row
    Clonus, Hyperreflexia, ReducedReflexes, LeadPipeRigidity, GeneralizedRigor, Hypotonia, OnsetWithinHours, OnsetOverDays,
    Diaphoresis, HotDrySkin, DryMucosa, BowelHyperactive, BowelReduced, Mydriasis, Agitation, Fever, ReducedConsciousness,
    HunterMet, SerotonergicRecentChange, SerotonergicRegimenStable, DopamineAntagonistRecentChange, DopaminergicWithdrawal,
    BaclofenWithdrawalEvent, IntrathecalInterruption, LithiumAboveRange, BaclofenWithSevereRenalImpairment, Bradycardia,
    Hypotension, AnticholinergicDrug, MhTriggerGiven,
#pragma warning restore CS1591
}

/// <summary>The discriminator table compiled for scoring: rows per candidate, names validated at load.</summary>
public sealed class DiscriminatorTable
{
    /// <summary>Every feature name the table may use.</summary>
    public static IReadOnlyList<string> FeatureNames => FeatureNameList;
    /// <summary>Every candidate name the table may use.</summary>
    public static IReadOnlyList<string> CandidateNames => CandidateNameList;

    private static readonly List<string> FeatureNameList = Enum.GetValues<Feature>().Select(Wire).ToList();
    private static readonly List<string> CandidateNameList = Enum.GetValues<Candidate>().Select(Wire).ToList();

    private readonly Row[][] _rows;

    internal DiscriminatorTable(IReadOnlyList<DiscriminatorEntry> entries)
    {
        var byCandidate = Enum.GetValues<Candidate>().Select(_ => new List<Row>()).ToArray();
        foreach (var e in entries)
        {
            var feature = FeatureNameList.IndexOf(e.Feature);
            var candidate = CandidateNameList.IndexOf(e.Candidate);
            if (feature < 0 || candidate < 0)
            {
                continue; // refused by the validator before the table is used
            }

            var sign = e.Direction == "against" ? -1 : 1;
            var label = $"{e.Feature} ({(sign > 0 ? "+" : "−")}{e.Weight}, {e.Source})";
            byCandidate[candidate].Add(new Row((Feature)feature, sign * e.Weight,
                (sign > 0 ? "for: " : "against: ") + label, "unknown: " + label));
        }

        _rows = byCandidate.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>The rows for a candidate.</summary>
    internal ReadOnlySpan<Row> RowsFor(Candidate candidate) => _rows[(int)candidate];

    /// <summary>snake_case wire name.</summary>
    public static string Wire<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>One compiled row; the trace texts ("for: …"/"against: …" and "unknown: …") are built once.</summary>
    internal readonly record struct Row(Feature Feature, int Weight, string Label, string UnknownLabel);
}

/// <summary>
/// The candidate's weighed support: the score and, as trace texts in one array, every finding for
/// ("for: …"), against ("against: …") and unknown ("unknown: …"), in table order.
/// </summary>
public sealed record CandidateScore(Candidate Candidate, int Score, IReadOnlyList<string> Findings)
{
    /// <summary>Findings that speak for the candidate and are present.</summary>
    public IReadOnlyList<string> For => Findings.Where(f => f.StartsWith("for: ", StringComparison.Ordinal)).ToArray();
    /// <summary>Findings that speak against the candidate and are present.</summary>
    public IReadOnlyList<string> Against => Findings.Where(f => f.StartsWith("against: ", StringComparison.Ordinal)).ToArray();
    /// <summary>Findings the table reads that are not known (they count neither way).</summary>
    public IReadOnlyList<string> Unknown => Findings.Where(f => f.StartsWith("unknown: ", StringComparison.Ordinal)).ToArray();
    /// <summary>Already written to the trace.</summary>
    internal bool Traced { get; set; }
}

/// <summary>Evaluates the features once per assessment (only when a toxic candidate is proposed) and scores candidates.</summary>
public sealed class DifferentialWeigher
{
    /// <summary>
    /// A candidate resting on data not yet given (masked, undetermined, trigger not recorded) is set
    /// aside when the findings weigh this clearly against it. A candidate with its trigger and
    /// hallmark is never set aside by weight: only its trigger or hallmark being absent excludes it.
    /// </summary>
    public const int SetAsideAtOrBelow = -3;

    private readonly DiscriminatorTable _table;
    private readonly Tri[] _features = new Tri[Enum.GetValues<Feature>().Length];

    internal DifferentialWeigher(DiscriminatorTable table, ClinicalPicture p, HunterResult? hunter)
    {
        _table = table;
        var e = p.Context.Exam;
        var v = p.Context.Vitals;
        var duration = p.Context.Clonus?.DurationHours;
        var mental = e?.MentalStatus;
        // Clonus of the serotonergic kinds: any clonus when the kinds are not listed; startle- or
        // position-triggered clonus alone is not.
        Set(Feature.Clonus, !p.ClonusPresent ? Tri.No
            : p.Context.Clonus?.Types is not { Count: > 0 } ? Tri.Yes
            : p.SpontaneousClonus | p.InducibleClonus | p.OcularClonus);
        Set(Feature.Hyperreflexia, p.Hyperreflexia);
        Set(Feature.ReducedReflexes, Tri.When(e?.Reflexes, r => r is ReflexGrade.Decreased or ReflexGrade.Absent));
        Set(Feature.LeadPipeRigidity, Tri.When(e?.Rigidity, r => r == RigidityPattern.LeadPipe));
        Set(Feature.GeneralizedRigor, Tri.When(e?.Rigidity, r => r == RigidityPattern.GeneralizedRigor));
        Set(Feature.Hypotonia, Tri.When(e?.Tone, t => t == ToneGrade.Decreased));
        Set(Feature.OnsetWithinHours, Tri.When(duration, h => h < 24));
        Set(Feature.OnsetOverDays, Tri.When(duration, h => h is >= 24 and <= 24 * 14));
        Set(Feature.Diaphoresis, p.Diaphoresis);
        Set(Feature.HotDrySkin, Tri.When(e?.Skin, s => s == SkinFinding.HotDryFlushed));
        Set(Feature.DryMucosa, Tri.When(e?.Mucosa, m => m == MucosaFinding.Dry));
        Set(Feature.BowelHyperactive, Tri.When(e?.BowelSounds, b => b == BowelSounds.Hyperactive));
        Set(Feature.BowelReduced, Tri.When(e?.BowelSounds, b => b is BowelSounds.Decreased or BowelSounds.Absent));
        Set(Feature.Mydriasis, Tri.When(e?.Pupils, x => x == PupilFinding.Dilated));
        Set(Feature.Agitation, p.Agitation);
        Set(Feature.Fever, p.FeverOrRising);
        Set(Feature.ReducedConsciousness, Tri.When(mental, m => m is MentalStatus.DecreasedConsciousness or MentalStatus.Coma));
        Set(Feature.HunterMet, hunter?.Met ?? Tri.No);
        // A weak or contested agent (low tier) is not the precipitating change that speaks for
        // serotonin toxicity (brief §3 risk tiers).
        var recent = p.SerotonergicPrecipitant();
        Set(Feature.SerotonergicRecentChange, hunter is null ? Tri.No : recent);
        Set(Feature.SerotonergicRegimenStable, hunter is null ? Tri.No : !recent);
        Set(Feature.DopamineAntagonistRecentChange, p.RecentChange(DrugRoles.DopamineAntagonist));
        Set(Feature.DopaminergicWithdrawal, Tri.Of(p.WithdrawalEvent(DrugRoles.Dopaminergic, ClinicalPicture.DopaminergicWithdrawalWindowDays) is not null));
        var baclofenEvent = p.WithdrawalEvent(DrugRoles.Baclofen, ClinicalPicture.BaclofenWithdrawalWindowDays);
        Set(Feature.BaclofenWithdrawalEvent, Tri.Of(baclofenEvent is not null));
        Set(Feature.IntrathecalInterruption, Tri.Of(p.WithdrawalEvent(DrugRoles.Baclofen, ClinicalPicture.BaclofenWithdrawalWindowDays, interruptedOnly: true) is not null));
        Set(Feature.LithiumAboveRange, Tri.When(p.Context.Labs?.LithiumMmolPerL, l => l > Rules.LithiumToxicityRule.UpperTherapeuticMmolPerL) & Tri.Of(p.OnBoard(DrugRoles.Lithium)));
        Set(Feature.BaclofenWithSevereRenalImpairment, Tri.Of(p.OnBoard(DrugRoles.Baclofen)) & p.SevereRenalImpairment);
        Set(Feature.Bradycardia, Tri.When(v?.HeartRateBpm, h => h < 60));
        Set(Feature.Hypotension, Tri.When(v?.SystolicBp, s => s <= 90));
        Set(Feature.AnticholinergicDrug, Tri.Of(p.OnBoard(DrugRoles.Anticholinergic)));
        Set(Feature.MhTriggerGiven, Tri.Of(p.OnBoard(DrugRoles.MhTrigger)));
    }

    /// <summary>A feature's value for this patient.</summary>
    public Tri this[Feature feature] => _features[(int)feature];

    /// <summary>Weighs one candidate: the sum of the weights of its findings that are present.</summary>
    public CandidateScore Score(Candidate candidate)
    {
        var rows = _table.RowsFor(candidate);
        var score = 0;
        var count = 0;
        foreach (var row in rows)
        {
            var value = _features[(int)row.Feature];
            if (value.IsYes)
            {
                score += row.Weight;
                count++;
            }
            else if (value.IsUnknown)
            {
                count++;
            }
        }

        // One exact-size array: for, then against, then unknown.
        var findings = new string[count];
        var i = 0;
        foreach (var row in rows)
        {
            if (row.Weight > 0 && _features[(int)row.Feature].IsYes)
            {
                findings[i++] = row.Label;
            }
        }

        foreach (var row in rows)
        {
            if (row.Weight < 0 && _features[(int)row.Feature].IsYes)
            {
                findings[i++] = row.Label;
            }
        }

        foreach (var row in rows)
        {
            if (_features[(int)row.Feature].IsUnknown)
            {
                findings[i++] = row.UnknownLabel;
            }
        }

        return new CandidateScore(candidate, score, findings);
    }

    /// <summary>The candidate a call belongs to; null for calls outside the toxic look-alikes.</summary>
    public static Candidate? Of(Rules.EtiologyCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        return call.Subtype switch
        {
            EtiologySubtype.NeurolepticMalignantSyndrome => Candidate.NeurolepticMalignantSyndrome,
            EtiologySubtype.ParkinsonismHyperpyrexiaSyndrome => Candidate.ParkinsonismHyperpyrexiaSyndrome,
            EtiologySubtype.MalignantHyperthermia => Candidate.MalignantHyperthermia,
            EtiologySubtype.AnticholinergicToxicity => Candidate.AnticholinergicToxicity,
            EtiologySubtype.BaclofenWithdrawal => Candidate.BaclofenWithdrawal,
            EtiologySubtype.BaclofenToxicity => Candidate.BaclofenToxicity,
            EtiologySubtype.LithiumToxicity => Candidate.LithiumToxicity,
            EtiologySubtype.PossibleMaskedSerotoninToxicity => Candidate.SerotoninToxicity,
            _ when call.Etiology == Etiology.SerotoninToxicity || call.RuleId == "ST-UNDETERMINED" => Candidate.SerotoninToxicity,
            _ => null,
        };
    }

    private void Set(Feature feature, Tri value) => _features[(int)feature] = value;
}
