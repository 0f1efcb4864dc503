using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClonusCds.Api.CdsHooks;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>The fixture loader's date placeholders, and the fixtures themselves: well-formed, realistic, internally consistent.</summary>
public sealed class FixtureLoaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 10, 15, 30, TimeSpan.FromHours(2));

    /// <summary>The stable recommendation and pitfall codes of shared/contract/codes.md: fixtures may expect only these.</summary>
    private static readonly HashSet<string> StableCodes = new(StringComparer.Ordinal)
    {
        "discontinue_serotonergic_agents", "benzodiazepine", "cyproheptadine", "external_cooling", "iv_fluids",
        "continuous_cardiac_monitoring", "icu_admission", "consider_intubation_nondepolarizing_paralysis", "monitor_complication_labs",
        "toxicology_consult", "switch_to_non_serotonergic_alternative", "review_recent_dose_change", "safety_net_return_precautions",
        "discontinue_dopamine_antagonist", "nms_specific_therapy_specialist", "stop_trigger_and_give_dantrolene", "ecg_qrs_qtc",
        "physostigmine_specialist_option", "baclofen_first_line", "baclofen_titration_schedule", "baclofen_trial_with_stroke_caution",
        "baclofen_renal_dose_reduction_or_avoid", "cold_application", "heel_contact_strategy", "physical_therapy", "botulinum_toxin_focal",
        "phenol_neurolysis", "taper_not_abrupt_stop", "stop_baclofen", "urgent_hemodialysis_consider", "nephrology_consult",
        "stop_contraindicated_combination", "switch_tizanidine_to_baclofen", "video_eeg", "myorelaxant_for_nonepileptic_clonic_attacks",
        "review_taper_ineffective_antiepileptics", "airway_apnea_monitoring", "developmental_neuromotor_evaluation",
        "pediatric_neurology_referral", "early_intervention_referral", "brain_mri_if_high_tone", "ck_if_low_tone", "tsh_if_low_tone",
        "reassurance_with_reexamination", "full_neuro_exam_other_umn_signs", "treat_hepatic_encephalopathy", "identify_treat_precipitant",
        "hold_lithium_check_level", "extracorporeal_removal_per_extrip", "stop_interacting_drugs", "obtain_medication_history_and_tox_screen",
        "complete_vitals_and_focused_exam", "reapply_hunter_after_data", "mri_spine_brain", "urgent_neurology_referral",
        "obstetric_neurology_shared_decision",
        "avoid_physical_restraints", "avoid_antipyretics", "avoid_succinylcholine", "avoid_bromocriptine_dantrolene_in_st",
        "avoid_antipsychotics_until_nms_excluded", "maoi_high_risk_combination", "linezolid_methylene_blue_are_maois",
        "fluoxetine_long_half_life", "rigidity_can_mask_clonus", "do_not_label_as_serotonin_syndrome", "serotonergic_drug_alone_not_diagnostic",
        "metoclopramide_is_dopamine_antagonist", "cyproheptadine_anticholinergic", "avoid_tizanidine_for_clonus",
        "tizanidine_cyp1a2_contraindication", "tizanidine_withdrawal_rebound", "baclofen_abrupt_withdrawal_risk", "baclofen_renal_accumulation",
        "baclofen_stroke_label_caution", "baclofen_neonatal_withdrawal", "no_antiepileptic_without_eeg", "unsustained_clonus_can_be_normal",
        "infant_clonus_thresholds", "do_not_attribute_acute_clonus_to_old_lesion", "avoid_sedatives_in_hepatic_encephalopathy",
        "treat_cause_not_clonus_in_metabolic", "check_levels_before_attributing_to_st", "new_sustained_clonus_needs_structural_workup",
        "incomplete_data_do_not_finalize",
    };

    private static readonly HashSet<string> Kinds = new(StringComparer.Ordinal) { "triage", "medication-safety", "order", ClonusCardContract.Unchecked };
    private static readonly HashSet<string> Indicators = new(StringComparer.Ordinal) { "info", "warning", "critical" };

    [Theory]
    [InlineData("${now}", "2026-11-21T08:15:30Z")]
    [InlineData("${now-2h}", "2026-11-21T06:15:30Z")]
    [InlineData("${now-40min}", "2026-11-21T07:35:30Z")]
    [InlineData("${now-3d}", "2026-11-18T08:15:30Z")]
    [InlineData("${now+1d}", "2026-11-22T08:15:30Z")]
    [InlineData("${now-2w}", "2026-11-07T08:15:30Z")]
    [InlineData("${now-20y}", "2006-11-21T08:15:30Z")]
    [InlineData("${date:now-45y}", "1981-11-21")]
    [InlineData("${date:now-183d}", "2026-05-22")]
    [InlineData("${date:now}", "2026-11-21")]
    public void Placeholder_becomes_a_utc_date_relative_to_now(string placeholder, string expected)
    {
        Assert.Equal($"\"{expected}\"", FixtureLoader.Substitute($"\"{placeholder}\"", Now));
    }

    [Fact]
    public void Every_placeholder_in_a_document_is_replaced_and_other_text_is_kept()
    {
        var text = """{"a":"${now-1h}","b":["${date:now-1y}","$5 {not a token}"],"c":"x${now}y"}""";
        Assert.Equal("""{"a":"2026-11-21T07:15:30Z","b":["2025-11-21","$5 {not a token}"],"c":"x2026-11-21T08:15:30Zy"}""", FixtureLoader.Substitute(text, Now));
    }

    [Theory]
    [InlineData("${today}")]
    [InlineData("${now-3m}")]
    [InlineData("${now-3}")]
    [InlineData("${now - 3d}")]
    [InlineData("${date:now-3x}")]
    [InlineData("${now-1d")]
    public void An_unknown_placeholder_is_an_error_not_left_for_the_service(string placeholder)
    {
        Assert.Throws<FormatException>(() => FixtureLoader.Substitute($"\"{placeholder}\"", Now));
    }

    [Fact]
    public void Birth_dates_give_the_ages_the_fixtures_describe()
    {
        var infant = FixtureLoader.Load("06-order-select-infant-startle-clonus-levetiracetam.json", Now);
        var birth = DateOnly.ParseExact((string)infant.Request["prefetch"]!["patient"]!["birthDate"]!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var months = (DateOnly.FromDateTime(Now.UtcDateTime).DayNumber - birth.DayNumber) / 30.44;
        Assert.InRange(months, 5.5, 6.5);

        var adult = FixtureLoader.Load("01-order-select-tramadol-sertraline-hunter-met.json", Now);
        Assert.Equal("1980-11-21", (string)adult.Request["prefetch"]!["patient"]!["birthDate"]!);
    }

    [Fact]
    public void Each_load_gets_a_fresh_hook_instance()
    {
        var a = FixtureLoader.Load("08-patient-view-hypertension-nothing-to-say.json");
        var b = FixtureLoader.Load("08-patient-view-hypertension-nothing-to-say.json");
        Assert.NotEqual((string)a.Request["hookInstance"]!, (string)b.Request["hookInstance"]!);
        Assert.True(Guid.TryParse((string)a.Request["hookInstance"]!, out _));
    }

    [Fact]
    public void There_are_fixtures_for_every_hook_and_both_answers()
    {
        var fixtures = FixtureLoader.Files().Select(f => FixtureLoader.Load(f)).ToList();
        Assert.True(fixtures.Count >= 20, $"only {fixtures.Count} fixtures");
        Assert.Contains(fixtures, f => f.Hook == "patient-view" && f.Expect.Cards is { Count: 0 });
        Assert.Contains(fixtures, f => f.Hook == "patient-view" && f.Expect.Cards is { Count: > 0 });
        Assert.Contains(fixtures, f => f.Hook == "order-select" && f.Expect.Cards is { Count: 0 });
        Assert.Contains(fixtures, f => f.Hook == "order-select" && f.Expect.Cards is { Count: > 0 });
        Assert.Contains(fixtures, f => f.Hook == "order-sign" && f.Expect.Cards is { Count: > 0 });
    }

    public static TheoryData<string> Fixtures() => new(FixtureLoader.Files());

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_is_a_well_formed_realistic_request(string file)
    {
        var problems = new List<string>();
        var raw = File.ReadAllText(Path.Combine(FixtureLoader.Directory, file));
        if (!Guid.TryParse((string?)JsonNode.Parse(raw)!["request"]!["hookInstance"], out _))
        {
            problems.Add("the stored hookInstance is not a UUID");
        }

        var f = FixtureLoader.Load(file, Now);
        var request = f.Request;
        var context = request["context"] as JsonObject;
        var patientId = (string?)context?["patientId"];

        // Service and hook as in discovery.
        if (CdsServiceCatalog.Find(f.Service, f.Hook) is null)
        {
            problems.Add($"service {f.Service} does not serve hook {f.Hook}");
        }

        if (string.IsNullOrEmpty((string?)context?["userId"]) || string.IsNullOrEmpty(patientId))
        {
            problems.Add("context lacks userId or patientId");
        }

        // Draft orders: the order hooks carry them, every one a draft MedicationRequest for this patient.
        var drafts = new HashSet<string>(StringComparer.Ordinal);
        if (f.Hook is "order-select" or "order-sign")
        {
            var entries = context?["draftOrders"]?["entry"] as JsonArray;
            if (entries is null || entries.Count == 0 || (string?)context!["draftOrders"]!["resourceType"] != "Bundle")
            {
                problems.Add("order hook without a draftOrders Bundle");
            }

            foreach (var resource in entries?.Select(e => e?["resource"]) ?? [])
            {
                // A Medication the drafts reference may travel as its own entry (FHIR "Resolving references in Bundles").
                if ((string?)resource?["resourceType"] == "Medication")
                {
                    continue;
                }

                drafts.Add($"{resource?["resourceType"]}/{resource?["id"]}");
                if ((string?)resource?["resourceType"] != "MedicationRequest" || (string?)resource["status"] != "draft" || (string?)resource["intent"] != "order")
                {
                    problems.Add($"draft {resource?["id"]} is not a draft MedicationRequest order");
                }

                if ((string?)resource?["subject"]?["reference"] != $"Patient/{patientId}")
                {
                    problems.Add($"draft {resource?["id"]} is not for Patient/{patientId}");
                }

                // The drug as text, or as a reference (contained, another entry, or unresolvable on purpose).
                if ((string?)resource?["medicationCodeableConcept"]?["text"] is null && (string?)resource?["medicationReference"]?["reference"] is null)
                {
                    problems.Add($"draft {resource?["id"]} has neither medication text nor a medicationReference");
                }
            }
        }

        if (f.Hook == "order-select")
        {
            var selections = (context?["selections"] as JsonArray)?.Select(s => (string)s!).ToList() ?? [];
            if (selections.Count == 0)
            {
                problems.Add("order-select without selections");
            }

            problems.AddRange(selections.Where(s => !drafts.Contains(s)).Select(s => $"selection {s} is not a draft order"));
        }

        // Prefetch: every required key present (values may be null or an OperationOutcome), resources
        // for this patient. Supplementary keys (medicationStatements, exam) may be absent, as from an
        // EHR configured against the first release's discovery.
        var prefetch = request["prefetch"] as JsonObject;
        foreach (var key in CdsServiceCatalog.Prefetch.Keys.Where(k => !CdsServiceCatalog.SupplementaryKeys.Contains(k)))
        {
            if (prefetch is null || !prefetch.ContainsKey(key))
            {
                problems.Add($"prefetch key '{key}' missing");
            }
        }

        // A fixture expecting 400 may send another patient's Patient on purpose (the service must refuse it).
        if (prefetch?["patient"] is JsonObject patient)
        {
            if ((string?)patient["resourceType"] != "Patient" || ((string?)patient["id"] != patientId && f.Expect.Status != 400) || patient["birthDate"] is null)
            {
                problems.Add("prefetch.patient is not this patient's Patient resource with a birthDate");
            }
        }

        foreach (var (key, value) in prefetch ?? new JsonObject())
        {
            if (key == "patient" || value is not JsonObject bundle || (string?)bundle["resourceType"] != "Bundle")
            {
                continue;
            }

            if ((string?)bundle["type"] != "searchset")
            {
                problems.Add($"prefetch.{key} is not a searchset");
            }

            foreach (var entry in (bundle["entry"] as JsonArray) ?? new JsonArray())
            {
                var resource = entry?["resource"];
                if (entry?["fullUrl"] is null || resource?["id"] is null || resource["meta"] is null)
                {
                    problems.Add($"prefetch.{key}: entry without fullUrl, id or meta");
                }

                // Medication (an _include'd entry) and OperationOutcome (search.mode outcome) entries have no subject.
                if ((string?)resource?["resourceType"] is not ("Medication" or "OperationOutcome")
                    && (string?)resource?["subject"]?["reference"] != $"Patient/{patientId}")
                {
                    problems.Add($"prefetch.{key}/{resource?["id"]} is not about Patient/{patientId}");
                }

                // effective[x]: a dateTime, a Period or an instant (FHIR R4 Observation.effective[x]; the
                // Timing form does not date a single finding).
                if ((string?)resource?["resourceType"] == "Observation"
                    && resource["effectiveDateTime"] is null && resource["effectivePeriod"] is null && resource["effectiveInstant"] is null)
                {
                    problems.Add($"prefetch.{key}/{resource["id"]} has no effectiveDateTime, effectivePeriod or effectiveInstant");
                }
            }
        }

        // Expectations use known kinds, indicators and codes, and delete only drafts the request carries.
        foreach (var card in f.Expect.Cards ?? [])
        {
            if (!Kinds.Contains(card.Kind))
            {
                problems.Add($"expected kind '{card.Kind}' is unknown");
            }

            problems.AddRange((card.Indicators ?? []).Where(i => !Indicators.Contains(i)).Select(i => $"expected indicator '{i}' is unknown"));
            problems.AddRange(card.CodesInclude.Concat(card.CodesIncludeAny).Concat(card.CodesExclude)
                .Where(c => !StableCodes.Contains(c)).Select(c => $"expected code '{c}' is not in codes.md"));
            if (card.Kind == "order" && (card.Deletes is null || !drafts.Contains(card.Deletes)))
            {
                problems.Add($"expected order card deletes '{card.Deletes}', which is not a draft order of the request");
            }

            if (card.Kind != "order" && card.Deletes is not null)
            {
                problems.Add("only order cards delete drafts");
            }

            if (card.Kind is "order" or ClonusCardContract.Unchecked && f.Hook == "patient-view")
            {
                problems.Add("patient-view cannot expect order cards");
            }
        }

        if (f.Expect.Cards is { Count: > 0 } cards && f.Expect.ExactCardCount is int exact && exact < cards.Count)
        {
            problems.Add("exactCardCount is smaller than the number of expected cards");
        }

        if (f.Expect.Cards is null && f.Expect.Note is null)
        {
            problems.Add("a fixture that does not assert cards must say why in expect.note");
        }

        if (f.Description.Length < 120)
        {
            problems.Add("the description should tell the clinical story and cite the sources");
        }

        // The request must survive a JSON round trip unchanged (no placeholders left, valid JSON).
        using var doc = JsonDocument.Parse(f.RequestJson);
        Assert.DoesNotContain("${", f.RequestJson, StringComparison.Ordinal);

        Assert.True(problems.Count == 0, $"{file}:\n  " + string.Join("\n  ", problems));
    }
}
