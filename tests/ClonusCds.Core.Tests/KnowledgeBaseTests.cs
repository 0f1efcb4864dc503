using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;
using ClonusCds.Core.Tests.Support;

namespace ClonusCds.Core.Tests;

/// <summary>
/// Integrity of the embedded clinical content: it loads, every contract code exists, every citation
/// resolves, nothing is empty, the source conflicts are visible, and invalid content is refused with
/// the problem named.
/// </summary>
public sealed partial class KnowledgeBaseTests
{
    // Copied from shared/contract/codes.md ("Recommendations" and "Pitfalls"); ../shared is not available in CI.
    private static readonly string[] ContractRecommendations =
    [
        "discontinue_serotonergic_agents", "benzodiazepine", "cyproheptadine", "external_cooling", "iv_fluids", "continuous_cardiac_monitoring",
        "icu_admission", "consider_intubation_nondepolarizing_paralysis", "monitor_complication_labs", "toxicology_consult",
        "switch_to_non_serotonergic_alternative", "review_recent_dose_change", "safety_net_return_precautions", "discontinue_dopamine_antagonist",
        "nms_specific_therapy_specialist", "stop_trigger_and_give_dantrolene", "ecg_qrs_qtc", "physostigmine_specialist_option",
        "baclofen_first_line", "baclofen_titration_schedule", "baclofen_trial_with_stroke_caution", "baclofen_renal_dose_reduction_or_avoid",
        "cold_application", "heel_contact_strategy", "physical_therapy", "botulinum_toxin_focal", "phenol_neurolysis", "taper_not_abrupt_stop",
        "stop_baclofen", "urgent_hemodialysis_consider", "nephrology_consult", "stop_contraindicated_combination", "switch_tizanidine_to_baclofen",
        "video_eeg", "myorelaxant_for_nonepileptic_clonic_attacks", "review_taper_ineffective_antiepileptics", "airway_apnea_monitoring",
        "developmental_neuromotor_evaluation", "pediatric_neurology_referral", "early_intervention_referral", "brain_mri_if_high_tone",
        "ck_if_low_tone", "tsh_if_low_tone", "reassurance_with_reexamination", "full_neuro_exam_other_umn_signs", "treat_hepatic_encephalopathy",
        "identify_treat_precipitant", "hold_lithium_check_level", "extracorporeal_removal_per_extrip", "stop_interacting_drugs",
        "obtain_medication_history_and_tox_screen", "complete_vitals_and_focused_exam", "reapply_hunter_after_data", "mri_spine_brain",
        "urgent_neurology_referral", "obstetric_neurology_shared_decision",
    ];

    private static readonly string[] ContractPitfalls =
    [
        "avoid_physical_restraints", "avoid_antipyretics", "avoid_succinylcholine", "avoid_bromocriptine_dantrolene_in_st",
        "avoid_antipsychotics_until_nms_excluded", "maoi_high_risk_combination", "linezolid_methylene_blue_are_maois", "fluoxetine_long_half_life",
        "rigidity_can_mask_clonus", "do_not_label_as_serotonin_syndrome", "serotonergic_drug_alone_not_diagnostic",
        "metoclopramide_is_dopamine_antagonist", "cyproheptadine_anticholinergic", "avoid_tizanidine_for_clonus", "tizanidine_cyp1a2_contraindication",
        "tizanidine_withdrawal_rebound", "baclofen_abrupt_withdrawal_risk", "baclofen_renal_accumulation", "baclofen_stroke_label_caution",
        "baclofen_neonatal_withdrawal", "no_antiepileptic_without_eeg", "unsustained_clonus_can_be_normal", "infant_clonus_thresholds",
        "do_not_attribute_acute_clonus_to_old_lesion", "avoid_sedatives_in_hepatic_encephalopathy", "treat_cause_not_clonus_in_metabolic",
        "check_levels_before_attributing_to_st", "new_sustained_clonus_needs_structural_workup", "incomplete_data_do_not_finalize",
    ];

    public static TheoryData<string> ContractCodes() => [.. ContractRecommendations.Concat(ContractPitfalls)];

    private static ClinicalKnowledgeBase Kb => Engine.Kb;

    [GeneratedRegex(@"^\d{4}\.\d{1,2}\.\d+$")]
    private static partial Regex Version();

    // Source-id shaped tokens: SEED-000, AAP-T7, BACLOFEN-LABEL, DUNKLEY2003, TIZ-COLD-2009.
    [GeneratedRegex(@"\b(?:[A-Z][A-Z]+(?:-[A-Z0-9]+)+|[A-Z][A-Z-]*[A-Z]\d{4})\b")]
    private static partial Regex SourceIdShape();

    [GeneratedRegex(@"contraindicat\w*", RegexOptions.IgnoreCase)]
    private static partial Regex Contraindicated();

    // Loading and version.

    [Fact]
    public void Embedded_knowledge_base_loads_with_content()
    {
        Assert.NotEmpty(Kb.Recommendations);
        Assert.NotEmpty(Kb.Cautions);
        Assert.NotEmpty(Kb.Sources);
        Assert.NotEmpty(Kb.Drugs);
        Assert.NotEmpty(Kb.Conditions);
        Assert.Equal(Kb.Recommendations.Count, Kb.RecommendationsByCode.Count);
    }

    [Fact]
    public void Version_matches_year_month_number()
    {
        Assert.Matches(Version(), Kb.Manifest.Version);
        var year = int.Parse(Kb.Manifest.Version.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
        var month = int.Parse(Kb.Manifest.Version.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(year, 2024, 2100);
        Assert.InRange(month, 1, 12);
    }

    [Fact]
    public void Assessments_carry_the_knowledge_base_version_and_disclaimer()
    {
        var a = Engine.Assess(Patients.KnownUmn());
        Assert.Equal(Kb.Manifest.Version, a.KnowledgeBaseVersion);
        Assert.False(string.IsNullOrWhiteSpace(a.Disclaimer));
        Assert.Equal(Kb.Manifest.Disclaimer, a.Disclaimer);
    }

    [Fact]
    public void Assessment_ids_are_unique_time_ordered_uuids()
    {
        // Version 7 (RFC 9562): the audit trail's key index grows at its end. Ids made in later
        // milliseconds sort after earlier ones; all are distinct.
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.AddRange(Enumerable.Range(0, 50).Select(_ => Engine.Assess(Patients.KnownUmn()).AssessmentId));
            Thread.Sleep(3);
        }

        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var first = ids[..50].Select(id => id.ToString()).Max(StringComparer.Ordinal);
        var last = ids[^50..].Select(id => id.ToString()).Min(StringComparer.Ordinal);
        Assert.True(string.CompareOrdinal(first, last) < 0, $"{first} should sort before {last}");
    }

    // Contract codes.

    [Fact]
    public void Contract_code_list_is_complete()
    {
        Assert.Equal(56, ContractRecommendations.Length);
        Assert.Equal(29, ContractPitfalls.Length);
        Assert.Equal(85, ContractRecommendations.Concat(ContractPitfalls).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(ContractCodes))]
    public void Every_contract_code_is_a_rule_code_and_in_the_knowledge_base(string code)
    {
        Assert.Contains(code, Codes.All);
        Assert.True(Kb.RecommendationsByCode.TryGetValue(code, out var entry), $"{code} missing from recommendations.json");
        Assert.Equal(ContractPitfalls.Contains(code), entry.IsPitfall);
        Assert.Equal(ContractPitfalls.Contains(code), Codes.Pitfalls.Contains(code));
    }

    [Fact]
    public void Every_rule_code_is_in_the_knowledge_base()
    {
        foreach (var code in Codes.All)
        {
            Assert.True(Kb.RecommendationsByCode.ContainsKey(code), code);
        }

        foreach (var id in CautionCodes.All)
        {
            Assert.True(Kb.CautionsById.ContainsKey(id), id);
        }
    }

    [Fact]
    public void Recommendations_have_a_tier_and_pitfalls_do_not()
    {
        Assert.All(Kb.Recommendations, r => Assert.Equal(r.IsPitfall, r.Tier is null));
    }

    // Citations and text.

    [Fact]
    public void Every_citation_resolves_to_the_bibliography()
    {
        var cited = Kb.Recommendations.SelectMany(r => r.Citations.Select(c => (Where: r.Code, Id: c)))
            .Concat(Kb.Cautions.SelectMany(c => c.Citations.Select(id => (Where: c.Id, Id: id))))
            .Concat(Kb.Drugs.SelectMany(d => d.Citations.Select(id => (Where: d.Name, Id: id))))
            .Concat(Kb.Conditions.SelectMany(c => c.Citations.Select(id => (Where: c.Category.ToString(), Id: id))))
            .ToList();
        Assert.NotEmpty(cited);
        Assert.All(cited, c => Assert.True(Kb.SourcesById.ContainsKey(c.Id), $"{c.Where} cites unknown source {c.Id}"));
    }

    [Fact]
    public void Every_entry_cites_at_least_one_source()
    {
        Assert.All(Kb.Recommendations, r => Assert.NotEmpty(r.Citations));
        Assert.All(Kb.Cautions, c => Assert.NotEmpty(c.Citations));
        Assert.All(Kb.Drugs, d => Assert.NotEmpty(d.Citations));
        Assert.All(Kb.Conditions, c => Assert.NotEmpty(c.Citations));
    }

    [Fact]
    public void Every_caution_attached_to_an_entry_exists()
    {
        Assert.All(Kb.Recommendations.SelectMany(r => r.Cautions), c => Assert.True(Kb.CautionsById.ContainsKey(c), c));
    }

    [Fact]
    public void No_text_is_empty()
    {
        Assert.All(Kb.Recommendations, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.Title), r.Code);
            Assert.False(string.IsNullOrWhiteSpace(r.Text), r.Code);
            Assert.False(string.IsNullOrWhiteSpace(r.Rationale), r.Code);
            Assert.True(r.Dosing is null || r.Dosing.Trim().Length > 0, r.Code);
        });
        Assert.All(Kb.Cautions, c => Assert.False(string.IsNullOrWhiteSpace(c.Text), c.Id));
        Assert.All(Kb.Sources, s =>
        {
            Assert.False(string.IsNullOrWhiteSpace(s.Title), s.Id);
            Assert.False(string.IsNullOrWhiteSpace(s.Source), s.Id);
        });
        Assert.False(string.IsNullOrWhiteSpace(Kb.Manifest.Disclaimer));
    }

    [Fact]
    public void Every_source_id_named_anywhere_in_the_content_is_in_the_bibliography()
    {
        string[] notSources = ["ICD-", "MAO-", "FY", "LOW-"];
        var problems = new List<string>();
        foreach (var file in ContentFiles)
        {
            foreach (var (path, text) in Strings(JsonNode.Parse(EmbeddedText(file))!, file))
            {
                foreach (Match m in SourceIdShape().Matches(text))
                {
                    if (!Kb.SourcesById.ContainsKey(m.Value) && !notSources.Any(p => m.Value.StartsWith(p, StringComparison.Ordinal)))
                    {
                        problems.Add($"{path}: {m.Value}");
                    }
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void An_assessment_lists_every_source_its_items_and_cautions_cite()
    {
        var a = Engine.Assess(Patients.SevereSerotoninToxicity().AddConditions(Patients.Condition(ConditionCategory.Stroke)));
        var items = a.Recommendations.FirstLine.Concat(a.Recommendations.Adjunct).Concat(a.Recommendations.Refractory)
            .Concat(a.Recommendations.Monitoring).Concat(a.Recommendations.Workup).Concat(a.Pitfalls).ToList();
        var cited = items.SelectMany(i => i.Citations.Concat(i.Cautions.SelectMany(c => c.Citations))).ToHashSet();
        var listed = a.Citations.Select(c => c.Id).ToList();
        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.Equal(cited.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        Assert.All(a.Citations, c => Assert.False(string.IsNullOrWhiteSpace(c.Title)));
    }

    // Source conflicts stay visible.

    [Theory]
    [InlineData("cyproheptadine", "conflict_cyproheptadine_threshold")]
    [InlineData("baclofen_trial_with_stroke_caution", "conflict_baclofen_stroke")]
    [InlineData("avoid_tizanidine_for_clonus", "conflict_tizanidine_evidence")]
    [InlineData("baclofen_stroke_label_caution", "conflict_baclofen_stroke")]
    public void Source_conflicts_are_carried_by_the_entries_they_concern(string code, string caution)
    {
        Assert.Contains(caution, Kb.RecommendationsByCode[code].Cautions);
        Assert.Contains(Kb.CautionsById[caution].Kind, new[] { "source_conflict", "evidence_quality" });
    }

    [Fact]
    public void Source_conflicts_reach_the_assessment()
    {
        var severe = Engine.Assess(Patients.SevereSerotoninToxicity());
        Assert.Contains(severe.Item("cyproheptadine")!.Cautions, c => c.Id == "conflict_cyproheptadine_threshold" && c.Kind == "source_conflict" && c.Text.Length > 0);
        var stroke = Engine.Assess(Patients.KnownUmn(ConditionCategory.Stroke));
        Assert.Contains(stroke.Item("baclofen_trial_with_stroke_caution")!.Cautions, c => c.Id == "conflict_baclofen_stroke");
    }

    [Fact]
    public void No_text_repeats_the_unverified_11_percent_mortality_figure()
    {
        // Evidence brief §2: SEED-001's "11% mortality" has no primary source; do not show it.
        var texts = Kb.Recommendations.SelectMany(r => new[] { r.Title, r.Text, r.Rationale, r.Dosing ?? "" })
            .Concat(Kb.Cautions.Select(c => c.Text)).Append(Kb.Manifest.Disclaimer);
        Assert.All(texts, t => Assert.DoesNotMatch(@"\b11\s*(%|per\s*cent|percent)", t));
        Assert.All(texts, t => Assert.DoesNotMatch(@"\b25\s*%\s*(require|need)", t));
    }

    [Fact]
    public void Tizanidine_is_called_contraindicated_only_with_cyp1a2_inhibitors()
    {
        // Evidence brief §4.1: encode tizanidine as "not recommended specifically to treat clonus", not
        // "contraindicated"; the only contraindication is with fluvoxamine or ciprofloxacin (TIZ-LABEL).
        string[] cyp1a2 = ["tizanidine_cyp1a2_contraindication", "stop_contraindicated_combination"];
        var entries = Kb.Recommendations.Select(r => (Id: r.Code, Text: string.Join(" ", r.Title, r.Text, r.Rationale, r.Dosing)))
            .Concat(Kb.Cautions.Select(c => (Id: c.Id, Text: c.Text)))
            .Where(e => e.Text.Contains("tizanidine", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.NotEmpty(entries);
        foreach (var (id, text) in entries)
        {
            foreach (Match m in Contraindicated().Matches(text))
            {
                var before = text[Math.Max(0, m.Index - 12)..m.Index];
                var negated = before.Contains("not ", StringComparison.OrdinalIgnoreCase);
                Assert.True(negated || cyp1a2.Contains(id), $"{id} calls tizanidine contraindicated: \"{text}\"");
            }
        }

        Assert.Contains("contraindicat", Kb.RecommendationsByCode["tizanidine_cyp1a2_contraindication"].Title, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not recommended", Kb.RecommendationsByCode["avoid_tizanidine_for_clonus"].Title, StringComparison.OrdinalIgnoreCase);
    }

    // Invalid content is refused.

    private static readonly string[] ContentFiles = EmbeddedContent.Files;

    private static readonly IReadOnlyDictionary<string, string> Embedded = EmbeddedContent.Text;

    private static string EmbeddedText(string name) => Embedded[name];

    private static ClinicalKnowledgeBase LoadWith(string file, Func<string, string> change) => EmbeddedContent.LoadWith(file, change);

    private static KnowledgeBaseValidationException Refused(string file, Func<string, string> change) =>
        Assert.Throws<KnowledgeBaseValidationException>(() => LoadWith(file, change));

    private static Func<string, string> EditArray(Action<JsonArray> edit) => json =>
    {
        var array = JsonNode.Parse(json)!.AsArray();
        edit(array);
        return array.ToJsonString();
    };

    private static JsonObject Entry(JsonArray array, string key, string value) =>
        array.Select(n => n!.AsObject()).First(o => (string?)o[key] == value);

    private static IEnumerable<(string Path, string Text)> Strings(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    if (v is not null)
                    {
                        foreach (var s in Strings(v, $"{path}.{k}"))
                        {
                            yield return s;
                        }
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is { } item)
                    {
                        foreach (var s in Strings(item, $"{path}[{i}]"))
                        {
                            yield return s;
                        }
                    }
                }

                break;
            case JsonValue v when v.TryGetValue<string>(out var text):
                yield return (path, text);
                break;
        }
    }

    [Fact]
    public void Unmodified_copies_of_the_content_load()
    {
        // Guards the refusal tests below: they must fail for the edit, not for the harness.
        var kb = LoadWith("manifest.json", s => s);
        Assert.Equal(Kb.Recommendations.Count, kb.Recommendations.Count);
        var roundTripped = LoadWith("recommendations.json", EditArray(_ => { }));
        Assert.Equal(Kb.Recommendations.Count, roundTripped.Recommendations.Count);
    }

    [Fact]
    public void An_unknown_citation_is_refused()
    {
        var ex = Refused("recommendations.json", EditArray(a => Entry(a, "code", "cyproheptadine")["citations"]!.AsArray().Add("NO-SUCH-SOURCE")));
        Assert.Contains(ex.Problems, p => p.Contains("cyproheptadine", StringComparison.Ordinal) && p.Contains("unknown source 'NO-SUCH-SOURCE'", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_citation_in_a_caution_is_refused()
    {
        var ex = Refused("cautions.json", EditArray(a => Entry(a, "id", "conflict_baclofen_stroke")["citations"]!.AsArray().Add("MADE-UP-2020")));
        Assert.Contains(ex.Problems, p => p.Contains("conflict_baclofen_stroke", StringComparison.Ordinal) && p.Contains("MADE-UP-2020", StringComparison.Ordinal));
    }

    [Fact]
    public void A_recommendation_citing_only_a_seed_is_refused()
    {
        // Issue 14, part 4: the seeds are AI-generated web summaries pending review; they may support an item
        // but never be its only evidence.
        var ex = Refused("recommendations.json", EditArray(a => Entry(a, "code", "iv_fluids")["citations"] = new JsonArray("SEED-001")));
        Assert.Contains(ex.Problems, p => p.Contains("recommendations[iv_fluids]", StringComparison.Ordinal) && p.Contains("only seed or secondary", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pitfall_citing_only_secondary_web_sources_is_refused()
    {
        var ex = Refused("recommendations.json", EditArray(a => Entry(a, "code", "avoid_long_acting_beta_blockers_in_st")["citations"] = new JsonArray("RCEM", "ACCESSMED")));
        Assert.Contains(ex.Problems, p => p.Contains("recommendations[avoid_long_acting_beta_blockers_in_st]", StringComparison.Ordinal) && p.Contains("only seed or secondary", StringComparison.Ordinal));
    }

    [Fact]
    public void A_caution_citing_only_seeds_is_refused()
    {
        var ex = Refused("cautions.json", EditArray(a => Entry(a, "id", "previously_inadequate")["citations"] = new JsonArray("SEED-000", "SEED-001")));
        Assert.Contains(ex.Problems, p => p.Contains("cautions[previously_inadequate]", StringComparison.Ordinal) && p.Contains("only seed or secondary", StringComparison.Ordinal));
    }

    [Fact]
    public void A_seed_beside_a_primary_source_is_accepted()
    {
        var kb = LoadWith("recommendations.json", EditArray(a => Entry(a, "code", "iv_fluids")["citations"] = new JsonArray("SEED-001", "BOYER2005")));
        Assert.Equal(["SEED-001", "BOYER2005"], kb.RecommendationsByCode["iv_fluids"].Citations);
    }

    [Fact]
    public void A_source_turned_secondary_takes_its_only_citers_with_it()
    {
        // The rule reads the kind from the bibliography, so re-grading a source is enough to expose the items
        // that lean on it alone.
        var ex = Refused("sources.json", EditArray(a => Entry(a, "id", "LARNER-DNS")["kind"] = "secondary"));
        Assert.Contains(ex.Problems, p => p.Contains("recommendations[unsustained_clonus_can_be_normal]", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_entry_and_caution_cites_a_primary_grade_source()
    {
        string[] primaryGrade = ["primary", "label", "guideline", "review", "textbook"];
        var kinds = Kb.Sources.ToDictionary(s => s.Id, s => s.Kind);
        Assert.All(Kb.Recommendations, r => Assert.Contains(r.Citations, c => primaryGrade.Contains(kinds[c])));
        Assert.All(Kb.Cautions, c => Assert.Contains(c.Citations, id => primaryGrade.Contains(kinds[id])));
    }

    [Theory]
    [InlineData("cyproheptadine")]
    [InlineData("baclofen_first_line")]
    [InlineData("rigidity_can_mask_clonus")]
    [InlineData("obstetric_neurology_shared_decision")]
    public void A_missing_contract_code_is_refused(string code)
    {
        var ex = Refused("recommendations.json", EditArray(a => a.Remove(Entry(a, "code", code))));
        Assert.Contains(ex.Problems, p => p.Contains($"'{code}'", StringComparison.Ordinal) && p.Contains("no knowledge-base entry", StringComparison.Ordinal));
        Assert.Contains(code, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("rationale")]
    [InlineData("title")]
    public void An_empty_text_is_refused(string field)
    {
        var ex = Refused("recommendations.json", EditArray(a => Entry(a, "code", "benzodiazepine")[field] = "  "));
        Assert.Contains(ex.Problems, p => p.Contains("recommendations[benzodiazepine]", StringComparison.Ordinal) && p.Contains(field, StringComparison.Ordinal));
    }

    [Fact]
    public void An_empty_caution_text_is_refused()
    {
        var ex = Refused("cautions.json", EditArray(a => Entry(a, "id", "pregnancy_baclofen")["text"] = ""));
        Assert.Contains(ex.Problems, p => p.Contains("cautions[pregnancy_baclofen].text is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void A_duplicate_code_is_refused()
    {
        var ex = Refused("recommendations.json", EditArray(a => a.Add(Entry(a, "code", "video_eeg").DeepClone())));
        Assert.Contains(ex.Problems, p => p.Contains("duplicate code 'video_eeg'", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_caution_is_refused()
    {
        var ex = Refused("recommendations.json", EditArray(a => Entry(a, "code", "cold_application")["cautions"]!.AsArray().Add("no_such_caution")));
        Assert.Contains(ex.Problems, p => p.Contains("cold_application", StringComparison.Ordinal) && p.Contains("unknown caution 'no_such_caution'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_rule_caution_is_refused()
    {
        var ex = Refused("cautions.json", EditArray(a => a.Remove(Entry(a, "id", "renal_function_unknown"))));
        Assert.Contains(ex.Problems, p => p.Contains("renal_function_unknown", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("recommendations.json")]
    [InlineData("manifest.json")]
    [InlineData("drugs.json")]
    public void A_malformed_json_file_is_refused(string file)
    {
        var ex = Refused(file, s => s[..(s.Length / 2)]);
        Assert.Contains(ex.Problems, p => p.StartsWith(file, StringComparison.Ordinal) && p.Contains("invalid JSON", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_property_is_refused_and_named()
    {
        var ex = Refused("recommendations.json", EditArray(a => Entry(a, "code", "iv_fluids")["teir"] = "adjunct"));
        Assert.Contains(ex.Problems, p => p.Contains("recommendations.json", StringComparison.Ordinal) && p.Contains("teir", StringComparison.Ordinal));
    }

    [Fact]
    public void A_malformed_version_is_refused()
    {
        var ex = Refused("manifest.json", s => JsonNode.Parse(s)!.AsObject().Let(o => o["version"] = "v11").ToJsonString());
        Assert.Contains(ex.Problems, p => p.Contains("manifest.version 'v11'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pitfall_with_a_tier_is_refused()
    {
        var ex = Refused("recommendations.json", EditArray(a => Entry(a, "code", "avoid_antipyretics")["tier"] = "firstLine"));
        Assert.Contains(ex.Problems, p => p.Contains("avoid_antipyretics", StringComparison.Ordinal));
    }

    [Fact]
    public void A_recommendation_turned_into_a_pitfall_is_refused()
    {
        var ex = Refused("recommendations.json", EditArray(a =>
        {
            var e = Entry(a, "code", "benzodiazepine");
            e["kind"] = "pitfall";
            e["tier"] = null;
        }));
        Assert.Contains(ex.Problems, p => p.Contains("'benzodiazepine'", StringComparison.Ordinal) && p.Contains("other kind", StringComparison.Ordinal));
    }

    [Fact]
    public void The_exception_lists_every_problem_not_only_the_first()
    {
        var ex = Refused("recommendations.json", EditArray(a =>
        {
            Entry(a, "code", "benzodiazepine")["text"] = "";
            Entry(a, "code", "iv_fluids")["citations"]!.AsArray().Add("NOPE-1999");
        }));
        Assert.True(ex.Problems.Count >= 2);
        Assert.Contains("benzodiazepine", ex.Message, StringComparison.Ordinal);
        Assert.Contains("NOPE-1999", ex.Message, StringComparison.Ordinal);
    }
}

internal static class JsonNodeExtensions
{
    public static JsonObject Let(this JsonObject o, Action<JsonObject> edit)
    {
        edit(o);
        return o;
    }
}
