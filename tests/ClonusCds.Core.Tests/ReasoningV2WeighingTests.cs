using System.Globalization;
using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;
using ClonusCds.Core.Triage;
using static ClonusCds.Core.Tests.Support.Patients;

namespace ClonusCds.Core.Tests;

/// <summary>
/// Reasoning v2, the weighed differential (DifferentialWeigher over the discriminator table in
/// reasoning.json): the table compiles every row, an unknown finding counts neither way, the primary
/// is the best-supported definite toxic call, ties keep rule order, the set-aside line, and WEIGH-*
/// trace entries only when a toxic call was proposed. [evidence brief §2 look-alike table, §5]
/// </summary>
public sealed class ReasoningV2WeighingTests
{
    private sealed record Weighed(string Rule, string Outcome, int Score, bool Definite, IReadOnlyList<string> Inputs);

    private static List<Weighed> WeighEntries(Assessment a) =>
        a.Trace.Where(t => t.Rule.StartsWith("WEIGH-", StringComparison.Ordinal))
            .Select(t => new Weighed(t.Rule, t.Outcome, int.Parse(t.Inputs[0]["score=".Length..], CultureInfo.InvariantCulture), t.Inputs[1] == "trigger=present", t.Inputs))
            .ToList();

    private static int ScoreOf(Assessment a, string rule) => WeighEntries(a).Single(w => w.Rule == rule).Score;

    // The table loads.

    [Fact]
    public void Every_row_names_a_known_feature_and_candidate_and_compiles()
    {
        var rows = Engine.Kb.Reasoning.Discriminators;
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            Assert.Contains(row.Feature, DiscriminatorTable.FeatureNames);
            Assert.Contains(row.Candidate, DiscriminatorTable.CandidateNames);
            Assert.InRange(row.Weight, 1, 5);
            Assert.True(row.Direction is "for" or "against", row.Direction);
        }

        foreach (var candidate in Enum.GetValues<Candidate>())
        {
            var expected = rows.Where(r => r.Candidate == DiscriminatorTable.Wire(candidate)).ToList();
            var compiled = Engine.Kb.Discriminators.RowsFor(candidate).ToArray();
            Assert.Equal(expected.Count, compiled.Length);
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Feature, DiscriminatorTable.Wire(compiled[i].Feature));
                Assert.Equal(expected[i].Direction == "against" ? -expected[i].Weight : expected[i].Weight, compiled[i].Weight);
                Assert.EndsWith($", {expected[i].Source})", compiled[i].Label, StringComparison.Ordinal); // the source travels in the trace text
            }

            Assert.Contains(compiled, r => r.Weight > 0);
        }
    }

    [Fact]
    public void Every_feature_the_weigher_evaluates_is_read_by_some_row()
    {
        var used = Engine.Kb.Reasoning.Discriminators.Select(r => r.Feature).ToHashSet();
        Assert.All(DiscriminatorTable.FeatureNames, f => Assert.Contains(f, used));
    }

    [Fact]
    public void The_wire_names_are_snake_case()
    {
        Assert.Equal("neuroleptic_malignant_syndrome", DiscriminatorTable.Wire(Candidate.NeurolepticMalignantSyndrome));
        Assert.Equal("mh_trigger_given", DiscriminatorTable.Wire(Feature.MhTriggerGiven));
        Assert.Equal("baclofen_with_severe_renal_impairment", DiscriminatorTable.Wire(Feature.BaclofenWithSevereRenalImpairment));
    }

    // Unknown counts neither way.

    private static CandidateScore Score(PatientContext c, Candidate candidate)
    {
        var picture = Picture(c);
        return new DifferentialWeigher(Engine.Kb.Discriminators, picture, HunterCriteria.Evaluate(picture)).Score(candidate);
    }

    [Fact]
    public void An_unknown_finding_neither_adds_nor_subtracts()
    {
        var dilated = Score(Anticholinergic(), Candidate.AnticholinergicToxicity);
        var normal = Score(Anticholinergic().WithExam(e => e with { Pupils = PupilFinding.Normal }), Candidate.AnticholinergicToxicity);
        var unknown = Score(Anticholinergic().WithExam(e => e with { Pupils = null }), Candidate.AnticholinergicToxicity);

        Assert.Equal(normal.Score + 1, dilated.Score);
        Assert.Equal(normal.Score, unknown.Score);
        Assert.Contains("unknown: mydriasis (+1, BOYER2005)", unknown.Unknown);
        Assert.DoesNotContain(unknown.For, f => f.StartsWith("mydriasis", StringComparison.Ordinal));
        Assert.DoesNotContain(unknown.Against, f => f.StartsWith("mydriasis", StringComparison.Ordinal));
        Assert.Contains("for: mydriasis (+1, BOYER2005)", dilated.For);
        Assert.DoesNotContain(normal.Unknown, f => f.StartsWith("mydriasis", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_finding_that_would_speak_against_does_not_subtract()
    {
        // Diaphoresis speaks against anticholinergic toxicity (−2); unknown leaves the score as "no".
        var sweating = Score(Anticholinergic().WithExam(e => e with { Diaphoresis = true, Skin = null }), Candidate.AnticholinergicToxicity);
        var dry = Score(Anticholinergic().WithExam(e => e with { Diaphoresis = false, Skin = null }), Candidate.AnticholinergicToxicity);
        var unknown = Score(Anticholinergic().WithExam(e => e with { Diaphoresis = null, Skin = null }), Candidate.AnticholinergicToxicity);
        Assert.Equal(dry.Score - 2, sweating.Score);
        Assert.Equal(dry.Score, unknown.Score);
        Assert.Contains("unknown: diaphoresis (−2, BOYER2005)", unknown.Unknown);
        Assert.Contains("against: diaphoresis (−2, BOYER2005)", sweating.Against);
    }

    [Fact]
    public void The_trace_names_unknown_findings_as_unknown()
    {
        var a = Engine.Assess(Anticholinergic().WithExam(e => e with { Pupils = null }));
        Assert.Equal(EtiologySubtype.AnticholinergicToxicity, a.Etiology.Subtype);
        var entry = a.Trace.Single(t => t.Rule == "WEIGH-ANTICHOLINERGIC-TOXICITY");
        Assert.Contains("unknown: mydriasis (+1, BOYER2005)", entry.Inputs);
        Assert.DoesNotContain("for: mydriasis (+1, BOYER2005)", entry.Inputs);
        Assert.Equal("primary", entry.Outcome);
        Assert.Equal("trigger=present", entry.Inputs[1]);
    }

    [Fact]
    public void The_score_in_the_trace_is_the_sum_of_the_findings_for_and_against()
    {
        foreach (var scenario in DefiniteScenarioNames)
        {
            foreach (var w in WeighEntries(Engine.Assess(Build(scenario))))
            {
                var sum = 0;
                foreach (var input in w.Inputs.Where(i => i.StartsWith("for: ", StringComparison.Ordinal) || i.StartsWith("against: ", StringComparison.Ordinal)))
                {
                    var open = input.LastIndexOf('(');
                    var comma = input.IndexOf(',', open);
                    var weight = input[(open + 1)..comma].Replace('−', '-');
                    sum += int.Parse(weight, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                }

                Assert.True(sum == w.Score, $"{scenario}: {w.Rule} score {w.Score} but findings sum to {sum}");
            }
        }
    }

    // The primary is the best-supported definite toxic call.

    private static readonly string[] DefiniteScenarioNames =
    [
        "nms", "nms_with_hunter_met", "st_on_haloperidol", "mh_with_hunter_met", "baclofen_toxicity_with_withdrawal", "anticholinergic",
        "baclofen_withdrawal", "lithium_with_sertraline", "malignant_hyperthermia", "serotonin_toxicity", "phs",
    ];

    public static TheoryData<string> DefiniteScenarios => new(DefiniteScenarioNames);

    private static PatientContext Build(string scenario) => scenario switch
    {
        "nms" => Nms(),
        "anticholinergic" => Anticholinergic(),
        "baclofen_withdrawal" => BaclofenWithdrawal(),
        "lithium_with_sertraline" => LithiumToxicity(),
        "malignant_hyperthermia" => MalignantHyperthermia(),
        "serotonin_toxicity" => SevereSerotoninToxicity(),
        "phs" => ReasoningV2RuleTests.Parkinsonian(Stopped("levodopa", 1)),
        _ => ReasoningV2RuleTests.Scenario(scenario),
    };

    [Theory]
    [MemberData(nameof(DefiniteScenarios))]
    public void The_primary_has_the_highest_score_among_definite_toxic_calls(string scenario)
    {
        var a = Engine.Assess(Build(scenario));
        var weighed = WeighEntries(a);
        var primary = Assert.Single(weighed, w => w.Outcome == "primary");
        Assert.True(primary.Definite, $"{primary.Rule} is primary without its trigger");
        foreach (var other in weighed.Where(w => w.Definite && w != primary))
        {
            Assert.True(primary.Score >= other.Score, $"{primary.Rule} ({primary.Score}) is primary over {other.Rule} ({other.Score})");
            // A definite call is never set aside by weight.
            Assert.Equal("not_excluded", other.Outcome);
        }

        // Each candidate is weighed once.
        Assert.Equal(weighed.Count, weighed.Select(w => w.Rule).Distinct().Count());
    }

    [Fact]
    public void A_possible_call_is_never_primary_even_when_it_outscores_the_rest()
    {
        // Succinylcholine given, raised tone with the pattern not recorded, fever: MH is possible only
        // and the only toxic call; it is weighed but the primary is the fallback.
        var a = Engine.Assess(ReasoningV2RuleTests.Scenario("mh_possible"));
        var mh = Assert.Single(WeighEntries(a));
        Assert.Equal("WEIGH-MALIGNANT-HYPERTHERMIA", mh.Rule);
        Assert.False(mh.Definite);
        Assert.Equal("trigger=not_recorded", mh.Inputs[1]);
        Assert.Equal("not_excluded", mh.Outcome);
        Assert.NotEqual(EtiologySubtype.MalignantHyperthermia, a.Etiology.Subtype);
    }

    // Ties keep rule order.

    /// <summary>In theatre after sevoflurane and a new haloperidol: generalised rigor, bradyreflexia, decreased consciousness, 39.5 °C rising.</summary>
    private static PatientContext MhBesideNms(double? durationHours) => new()
    {
        Patient = new PatientInfo { AgeYears = 50, Sex = Sex.Female, Egfr = 90 },
        Setting = CareSetting.OperatingRoom,
        Clonus = new ClonusFinding { Present = false, DurationHours = durationHours },
        Vitals = new Vitals { TemperatureC = 39.5, TemperatureRising = true, HeartRateBpm = 124 },
        Exam = new Examination
        {
            Agitation = false, Diaphoresis = true, Tremor = false, Reflexes = ReflexGrade.Decreased, Tone = ToneGrade.Increased,
            Rigidity = RigidityPattern.GeneralizedRigor, MentalStatus = MentalStatus.DecreasedConsciousness,
        },
        Medications = [New("sevoflurane", 0), New("haloperidol", 0)],
        Conditions = [],
    };

    [Fact]
    public void Equally_supported_definite_calls_keep_rule_order()
    {
        // MH: trigger +2, rigor +2 = 4. NMS: reduced reflexes +2, decreased consciousness +1, new
        // dopamine antagonist +1 = 4. TOX-MH comes before TOX-NMS.
        var a = Engine.Assess(MhBesideNms(null));
        Assert.Equal(4, ScoreOf(a, "WEIGH-MALIGNANT-HYPERTHERMIA"));
        Assert.Equal(4, ScoreOf(a, "WEIGH-NEUROLEPTIC-MALIGNANT-SYNDROME"));
        Assert.Equal(EtiologySubtype.MalignantHyperthermia, a.Etiology.Subtype);
        Assert.True(Assert.Single(a.Etiology.Differentials, d => d.Subtype == EtiologySubtype.NeurolepticMalignantSyndrome).NotExcluded);
        var ruleOrder = TriageEngine.EtiologyRules.Select(r => r.Id).ToList();
        Assert.True(ruleOrder.IndexOf("TOX-MH") < ruleOrder.IndexOf("TOX-NMS"));
    }

    [Theory]
    [InlineData(48.0, EtiologySubtype.NeurolepticMalignantSyndrome)]
    [InlineData(6.0, EtiologySubtype.MalignantHyperthermia)]
    public void Onset_breaks_the_tie_by_weight(double durationHours, EtiologySubtype expected)
    {
        // Over days: NMS +1 (5 against 4). Within hours: MH +1 and NMS −1 (5 against 3).
        var a = Engine.Assess(MhBesideNms(durationHours));
        Assert.Equal(expected, a.Etiology.Subtype);
        Assert.NotEqual(ScoreOf(a, "WEIGH-MALIGNANT-HYPERTHERMIA"), ScoreOf(a, "WEIGH-NEUROLEPTIC-MALIGNANT-SYNDROME"));
    }

    // The set-aside line.

    [Theory]
    [InlineData(MentalStatus.DecreasedConsciousness, ReflexGrade.Decreased, -5, "set_aside")]
    [InlineData(MentalStatus.DecreasedConsciousness, ReflexGrade.Normal, -3, "set_aside")]
    [InlineData(MentalStatus.Agitated, ReflexGrade.Normal, -2, "not_excluded")]
    public void An_open_call_is_set_aside_at_minus_3_or_below_beside_a_definite_primary(MentalStatus mental, ReflexGrade reflexes, int score, string outcome)
    {
        // NMS (definite) beside possibly masked serotonin toxicity on sertraline unchanged:
        // diaphoresis +1, stable regimen −3, lead-pipe −1, reduced reflexes −2, agitation +1.
        var a = Engine.Assess(Nms().WithExam(e => e with { MentalStatus = mental, Reflexes = reflexes, Agitation = null }));
        Assert.Equal(EtiologySubtype.NeurolepticMalignantSyndrome, a.Etiology.Subtype);
        var st = WeighEntries(a).Single(w => w.Rule == "WEIGH-SEROTONIN-TOXICITY");
        Assert.Equal(score, st.Score);
        Assert.Equal(outcome, st.Outcome);
        Assert.Equal("call=indeterminate", st.Inputs[1]);
        Assert.Equal(outcome == "not_excluded", a.Etiology.Differentials.Single(d => d.Subtype == EtiologySubtype.PossibleMaskedSerotoninToxicity).NotExcluded);
        Assert.Equal(-3, DifferentialWeigher.SetAsideAtOrBelow);
    }

    [Fact]
    public void Without_a_definite_primary_nothing_is_set_aside_by_weight()
    {
        // Masked serotonin toxicity is primary (indeterminate): no definite call, so nothing is set aside.
        var a = Engine.Assess(MaskedSerotoninToxicity());
        Assert.Equal(EtiologySubtype.PossibleMaskedSerotoninToxicity, a.Etiology.Subtype);
        Assert.DoesNotContain(WeighEntries(a), w => w.Outcome == "set_aside");
    }

    // WEIGH-* only when a toxic call was proposed.

    public static TheoryData<string> NonToxicCases => ["known_umn", "few_beats", "seizure_mimic", "hepatic", "infant", "new_umn_signs", "hunter_negative"];

    [Theory]
    [MemberData(nameof(NonToxicCases))]
    public void No_weigh_entries_when_no_toxic_call_was_proposed(string name)
    {
        var a = Engine.Assess(name switch
        {
            "known_umn" => KnownUmn(),
            "few_beats" => FewBeats(),
            "seizure_mimic" => SeizureMimic(),
            "hepatic" => HepaticEncephalopathy(),
            "infant" => Infant(),
            "new_umn_signs" => NewUmnSigns(),
            _ => HunterNegative(),
        });
        Assert.Empty(WeighEntries(a));
        Assert.DoesNotContain(a.Trace, t => t.Outcome is "primary" or "not_excluded" or "set_aside");
    }

    [Fact]
    public void An_undetermined_serotonin_call_is_weighed()
    {
        var a = Engine.Assess(HunterUndetermined());
        var st = Assert.Single(WeighEntries(a));
        Assert.Equal("WEIGH-SEROTONIN-TOXICITY", st.Rule);
        Assert.Equal("call=indeterminate", st.Inputs[1]);
        Assert.Equal("primary", st.Outcome);
    }

    [Theory]
    [InlineData("nms", new[] { "WEIGH-NEUROLEPTIC-MALIGNANT-SYNDROME", "WEIGH-SEROTONIN-TOXICITY" })]
    [InlineData("anticholinergic", new[] { "WEIGH-ANTICHOLINERGIC-TOXICITY" })]
    [InlineData("baclofen_toxicity_with_withdrawal", new[] { "WEIGH-BACLOFEN-TOXICITY", "WEIGH-BACLOFEN-WITHDRAWAL" })]
    [InlineData("phs", new[] { "WEIGH-PARKINSONISM-HYPERPYREXIA-SYNDROME" })]
    public void Only_the_candidates_proposed_are_weighed(string scenario, string[] expected)
    {
        var rules = WeighEntries(Engine.Assess(Build(scenario))).Select(w => w.Rule).Order().ToArray();
        Assert.Equal(expected.Order().ToArray(), rules);
    }

    [Fact]
    public void Weigh_entries_follow_the_etiology_rules_in_the_trace()
    {
        var a = Engine.Assess(Nms());
        var lastEtiology = a.Trace.ToList().FindLastIndex(t => TriageEngine.EtiologyRules.Any(r => r.Id == t.Rule));
        var firstWeigh = a.Trace.ToList().FindIndex(t => t.Rule.StartsWith("WEIGH-", StringComparison.Ordinal));
        var firstManagement = a.Trace.ToList().FindIndex(t => t.Rule == "NMS-MGMT");
        Assert.True(lastEtiology < firstWeigh && firstWeigh < firstManagement);
    }
}
