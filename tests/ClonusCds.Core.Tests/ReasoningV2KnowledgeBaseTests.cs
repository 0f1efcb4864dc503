using ClonusCds.Core.Tests.Support;
using System.Text.Json.Nodes;
using ClonusCds.Core.KnowledgeBase;

namespace ClonusCds.Core.Tests;

/// <summary>
/// Reasoning v2 content: reasoning.json (physiology bands and floors, discriminator table) is refused
/// when it is wrong, with a message naming the row or parameter (pattern of KnowledgeBaseTests
/// "Refused(file, change)").
/// </summary>
public sealed class ReasoningV2KnowledgeBaseTests
{
    private static ClinicalKnowledgeBase LoadWith(Action<JsonObject> edit) =>
        EmbeddedContent.LoadWith("reasoning.json", json => Edit(json, edit));

    private static string Edit(string json, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        edit(root);
        return root.ToJsonString();
    }

    /// <summary>Loads with reasoning.json edited; the load must be refused with a problem containing every fragment.</summary>
    private static void Refused(Action<JsonObject> edit, params string[] fragments)
    {
        var ex = Assert.Throws<KnowledgeBaseValidationException>(() => LoadWith(edit));
        Assert.True(ex.Problems.Any(p => fragments.All(f => p.Contains(f, StringComparison.Ordinal))),
            $"no problem names [{string.Join(" | ", fragments)}]; problems: {string.Join(" / ", ex.Problems)}");
        Assert.Contains(fragments[0], ex.Message, StringComparison.Ordinal);
    }

    private static JsonArray Discriminators(JsonObject root) => root["discriminators"]!.AsArray();

    private static JsonObject Physiology(JsonObject root) => root["physiology"]!.AsObject();

    private static JsonObject Row(JsonObject root, string feature, string candidate) =>
        Discriminators(root).Select(n => n!.AsObject()).Single(o => (string?)o["feature"] == feature && (string?)o["candidate"] == candidate);

    private static JsonObject Parameter(JsonObject root, string parameter) =>
        Physiology(root)["parameters"]!.AsArray().Select(n => n!.AsObject()).Single(o => (string?)o["parameter"] == parameter);

    private static JsonObject Floor(JsonObject root, string id) =>
        Physiology(root)["extraFloors"]!.AsArray().Select(n => n!.AsObject()).Single(o => (string?)o["id"] == id);

    [Fact]
    public void The_unedited_reasoning_content_loads()
    {
        var kb = LoadWith(_ => { });
        Assert.Equal(Support.Engine.Kb.Reasoning.Discriminators.Count, kb.Reasoning.Discriminators.Count);
        Assert.Equal(Support.Engine.Kb.Reasoning.Physiology.Parameters.Count, kb.Reasoning.Physiology.Parameters.Count);
    }

    // Discriminator rows.

    [Fact]
    public void An_unknown_feature_is_refused()
    {
        Refused(root => Row(root, "hunter_met", "serotonin_toxicity")["feature"] = "telepathy",
            "reasoning.discriminators[telepathy/serotonin_toxicity]", "unknown feature");
    }

    [Fact]
    public void An_unknown_candidate_is_refused()
    {
        Refused(root => Row(root, "lead_pipe_rigidity", "neuroleptic_malignant_syndrome")["candidate"] = "dengue",
            "reasoning.discriminators[lead_pipe_rigidity/dengue]", "unknown candidate");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    [InlineData(-2)]
    public void A_weight_outside_1_to_5_is_refused(int weight)
    {
        Refused(root => Row(root, "dopaminergic_withdrawal", "parkinsonism_hyperpyrexia_syndrome")["weight"] = weight,
            "reasoning.discriminators[dopaminergic_withdrawal/parkinsonism_hyperpyrexia_syndrome]", "weight must be 1-5");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void A_weight_of_1_or_5_is_accepted(int weight)
    {
        var kb = LoadWith(root => Row(root, "dopaminergic_withdrawal", "parkinsonism_hyperpyrexia_syndrome")["weight"] = weight);
        Assert.Equal(weight, kb.Reasoning.Discriminators.Single(d => d.Feature == "dopaminergic_withdrawal").Weight);
    }

    [Fact]
    public void A_duplicate_row_is_refused()
    {
        Refused(root => Discriminators(root).Add(Row(root, "clonus", "neuroleptic_malignant_syndrome").DeepClone()),
            "reasoning.discriminators[clonus/neuroleptic_malignant_syndrome]", "duplicate row");
    }

    [Fact]
    public void The_same_feature_for_and_against_one_candidate_is_a_duplicate_row()
    {
        Refused(root =>
        {
            var copy = Row(root, "fever", "baclofen_withdrawal").DeepClone().AsObject();
            copy["direction"] = "against";
            Discriminators(root).Add(copy);
        }, "reasoning.discriminators[fever/baclofen_withdrawal]", "duplicate row");
    }

    [Fact]
    public void An_unknown_direction_is_refused()
    {
        Refused(root => Row(root, "mydriasis", "anticholinergic_toxicity")["direction"] = "maybe",
            "reasoning.discriminators[mydriasis/anticholinergic_toxicity]", "direction must be for or against");
    }

    [Fact]
    public void An_unknown_source_on_a_row_is_refused()
    {
        Refused(root => Row(root, "lithium_above_range", "lithium_toxicity")["source"] = "NO-SUCH-2020",
            "reasoning.discriminators[lithium_above_range/lithium_toxicity]", "unknown source 'NO-SUCH-2020'");
    }

    [Fact]
    public void An_empty_note_on_a_row_is_refused()
    {
        Refused(root => Row(root, "hypotonia", "baclofen_toxicity")["note"] = " ",
            "reasoning.discriminators[hypotonia/baclofen_toxicity].note is empty");
    }

    [Fact]
    public void A_candidate_with_no_finding_for_it_is_refused()
    {
        Refused(root =>
        {
            var rows = Discriminators(root);
            foreach (var row in rows.Where(n => (string?)n!["candidate"] == "lithium_toxicity" && (string?)n["direction"] == "for").ToList())
            {
                rows.Remove(row);
            }
        }, "candidate 'lithium_toxicity' has no finding for it");
    }

    // Physiology.

    [Theory]
    [InlineData("respiratoryRate")]
    [InlineData("spo2Percent")]
    [InlineData("systolicBp")]
    [InlineData("heartRateBpm")]
    [InlineData("temperatureC")]
    public void A_missing_physiology_parameter_is_refused(string parameter)
    {
        Refused(root => Physiology(root)["parameters"]!.AsArray().Remove(Parameter(root, parameter)),
            $"parameter '{parameter}' must appear exactly once");
    }

    [Fact]
    public void A_parameter_listed_twice_is_refused()
    {
        Refused(root => Physiology(root)["parameters"]!.AsArray().Add(Parameter(root, "heartRateBpm").DeepClone()),
            "parameter 'heartRateBpm' must appear exactly once");
    }

    [Fact]
    public void An_unknown_parameter_is_refused()
    {
        Refused(root => Physiology(root)["parameters"]!.AsArray().Add(Parameter(root, "heartRateBpm").DeepClone().AsObject().Let(o => o["parameter"] = "pulsePressure")),
            "reasoning.physiology[pulsePressure]", "unknown parameter");
    }

    [Fact]
    public void Bands_that_do_not_ascend_are_refused()
    {
        // systolic ≤ 90 → 3, then ≤ 80 → 2: out of order.
        Refused(root => Parameter(root, "systolicBp")["bands"]![1]!["upTo"] = 80,
            "reasoning.physiology[systolicBp].bands[1]", "bounds must ascend");
    }

    [Fact]
    public void Bands_with_an_equal_bound_are_refused()
    {
        Refused(root => Parameter(root, "spo2Percent")["bands"]![1]!["upTo"] = 91,
            "reasoning.physiology[spo2Percent].bands[1]", "bounds must ascend");
    }

    [Fact]
    public void A_last_band_with_an_upper_bound_is_refused()
    {
        Refused(root => Parameter(root, "temperatureC")["bands"]!.AsArray().Last()!["upTo"] = 45,
            "reasoning.physiology[temperatureC]", "the last unbounded");
    }

    [Fact]
    public void A_band_score_above_3_is_refused()
    {
        Refused(root => Parameter(root, "respiratoryRate")["bands"]![0]!["score"] = 4,
            "reasoning.physiology[respiratoryRate].bands[0]", "score must be 0-3");
    }

    [Fact]
    public void A_mental_status_without_a_score_is_refused()
    {
        Refused(root => Physiology(root)["consciousness"]!.AsObject().Remove("coma"),
            "reasoning.physiology.consciousness", "'coma'");
    }

    [Fact]
    public void An_unknown_urgent_only_status_is_refused()
    {
        Refused(root => Physiology(root)["consciousnessUrgentOnly"]!.AsArray().Add("drowsy"),
            "consciousnessUrgentOnly", "unknown status 'drowsy'");
    }

    [Fact]
    public void Aggregate_thresholds_that_do_not_ascend_are_refused()
    {
        Refused(root => Physiology(root)["aggregateUrgent"] = 7, "aggregate thresholds must be positive and ascending");
    }

    [Fact]
    public void An_extra_floor_with_both_below_and_at_least_is_refused()
    {
        Refused(root => Floor(root, "bradycardia_below_50")["atLeast"] = 200,
            "reasoning.physiology.extraFloors[bradycardia_below_50]", "exactly one of below, atMost and atLeast");
    }

    [Fact]
    public void An_extra_floor_with_no_threshold_is_refused()
    {
        Refused(root => Floor(root, "temperature_40_or_more")["atLeast"] = null,
            "reasoning.physiology.extraFloors[temperature_40_or_more]", "exactly one of below, atMost and atLeast");
    }

    [Fact]
    public void An_extra_floor_on_an_unknown_parameter_is_refused()
    {
        Refused(root => Floor(root, "hypoxia_children")["parameter"] = "etco2",
            "reasoning.physiology.extraFloors[hypoxia_children]", "unknown parameter 'etco2'");
    }

    [Fact]
    public void An_extra_floor_for_an_unknown_age_group_is_refused()
    {
        Refused(root => Floor(root, "hypothermia_children")["ages"] = "elderly",
            "reasoning.physiology.extraFloors[hypothermia_children].ages");
    }

    [Fact]
    public void An_unknown_source_on_an_extra_floor_is_refused()
    {
        Refused(root => Floor(root, "temperature_40_or_more")["citations"]!.AsArray().Add("MADE-UP-2021"),
            "reasoning.physiology.extraFloors[temperature_40_or_more]", "unknown source 'MADE-UP-2021'");
    }

    [Fact]
    public void An_unknown_source_for_the_bands_is_refused()
    {
        Refused(root => Physiology(root)["citations"]!.AsArray().Add("NEWS3"),
            "reasoning.physiology", "unknown source 'NEWS3'");
    }

    [Fact]
    public void Bands_with_no_source_are_refused()
    {
        Refused(root => Physiology(root)["citations"] = new JsonArray(), "reasoning.physiology cites no source");
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var ex = Assert.Throws<KnowledgeBaseValidationException>(() => LoadWith(root =>
        {
            Row(root, "hunter_met", "serotonin_toxicity")["weight"] = 9;
            Row(root, "clonus", "serotonin_toxicity")["source"] = "NOPE";
            Floor(root, "bradycardia_below_50")["atMost"] = 45;
        }));
        Assert.Contains(ex.Problems, p => p.Contains("[hunter_met/serotonin_toxicity]: weight", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("unknown source 'NOPE'", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("extraFloors[bradycardia_below_50]", StringComparison.Ordinal));
    }
}
