using System.Text.Json;
using ClonusCds.Api.CdsHooks;
using ClonusCds.Api.CdsHooks.Cards;
using ClonusCds.Api.CdsHooks.Fhir;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;

namespace ClonusCds.Api.Tests.CdsHooks.Mapping;

/// <summary>A clock fixed at one instant.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>FHIR R4 → patient context, one mapping rule per test (docs/cds-hooks.md, "FHIR codes mapped").</summary>
public sealed class FhirMappingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly ClinicalKnowledgeBase Kb = ClinicalKnowledgeBase.LoadEmbedded();
    private static readonly FhirPatientMapper Mapper = new(Kb, new FixedTime(Now));

    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static PrefetchData Data(string key, string json) => PrefetchData.Read(key, J(json), PrefetchOrigin.Prefetched)!;

    private static string Bundle(params string[] resources) =>
        "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[" + string.Join(",", resources.Select(r => "{\"resource\":" + r + "}")) + "]}";

    private static MappedRecord Map(string? patient = null, string? conditions = null, string? medications = null, string? observations = null,
        IReadOnlyList<Hl7.Fhir.Model.Resource>? drafts = null, IReadOnlySet<string>? selections = null) =>
        Mapper.Map(new FhirInput("p1",
            patient is null ? null : Data("patient", patient),
            conditions is null ? null : Data("conditions", conditions),
            medications is null ? null : Data("medications", medications),
            observations is null ? [] : [Data("findings", observations)],
            drafts ?? [], selections), TimeSpan.FromHours(72));

    private static string Obs(string id, string code, string system, string value, string when = "2026-11-21T10:00:00Z", string extra = "") =>
        $$"""{"resourceType":"Observation","id":"{{id}}","status":"final","subject":{"reference":"Patient/p1"},"effectiveDateTime":"{{when}}","code":{"coding":[{"system":"{{system}}","code":"{{code}}"}]}{{(value.Length > 0 ? "," + value : "")}}{{extra}}}""";

    private const string Sct = "http://snomed.info/sct";
    private const string Loinc = "http://loinc.org";
    private const string Present = "\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"52101004\"}]}";
    private const string Absent = "\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"2667000\"}]}";

    // ---------------------------------------------------------------- Patient

    [Theory]
    [InlineData("1980-11-21", 46.0)]
    [InlineData("2026-05-21", 0.5)]
    [InlineData("2026-02-21", 0.75)]
    public void Age_is_computed_from_birthDate_against_the_clock(string birthDate, double expected)
    {
        var record = Map(patient: $$"""{"resourceType":"Patient","id":"p1","birthDate":"{{birthDate}}","gender":"female"}""");
        Assert.Equal(expected, record.Context.Patient!.AgeYears!.Value, 1);
        Assert.Equal(Sex.Female, record.Context.Patient.Sex);
    }

    [Fact]
    public void A_year_only_birthDate_cannot_place_an_infant_so_age_is_unknown()
    {
        var record = Map(patient: """{"resourceType":"Patient","id":"p1","birthDate":"2026"}""");
        Assert.Null(record.Context.Patient!.AgeYears);
        Assert.Contains(record.Notes, n => n.Contains("only the year", StringComparison.Ordinal));
    }

    [Fact]
    public void A_Patient_that_is_not_the_context_patient_is_not_used()
    {
        var record = Map(patient: """{"resourceType":"Patient","id":"someone-else","birthDate":"1950-01-01","gender":"male"}""");
        Assert.Null(record.Context.Patient!.AgeYears);
        Assert.Null(record.Context.Patient.Sex);
    }

    [Fact]
    public void A_null_Patient_leaves_age_and_sex_unknown()
    {
        var record = Map(patient: "null");
        Assert.Null(record.Context.Patient!.AgeYears);
    }

    // ---------------------------------------------------------------- Conditions

    private static string Condition(string system, string code, string status = "active", string verification = "confirmed", string extra = "") =>
        $$"""{"resourceType":"Condition","id":"c-{{code}}","subject":{"reference":"Patient/p1"},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"{{status}}"}]},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"{{verification}}"}]},"code":{"coding":[{"system":"{{system}}","code":"{{code}}"}]}{{extra}}}""";

    [Theory]
    [InlineData("http://hl7.org/fhir/sid/icd-10-cm", "G35.A")]
    [InlineData("http://hl7.org/fhir/sid/icd-10-cm", "G35")]
    [InlineData("http://snomed.info/sct", "24700007")]
    public void Multiple_sclerosis_codes_place_the_condition(string system, string code)
    {
        var record = Map(conditions: Bundle(Condition(system, code)));
        var entry = Assert.Single(record.Context.Conditions!);
        Assert.Equal(ConditionCategory.MultipleSclerosis, Kb.ConditionVocabulary.Match(entry)!.Category);
    }

    [Theory]
    [InlineData("active", "refuted", 0)]
    [InlineData("active", "entered-in-error", 0)]
    [InlineData("resolved", "confirmed", 0)]
    [InlineData("active", "confirmed", 1)]
    [InlineData("recurrence", "confirmed", 1)]
    public void Clinical_and_verification_status_decide_whether_a_condition_counts(string clinical, string verification, int expected)
    {
        var record = Map(conditions: Bundle(Condition("http://hl7.org/fhir/sid/icd-10-cm", "I63.9", clinical, verification)));
        Assert.Equal(expected, record.Context.Conditions!.Count);
    }

    [Fact]
    public void An_inactive_stroke_still_counts_as_a_lesion_but_inactive_hepatic_failure_does_not()
    {
        var record = Map(conditions: Bundle(
            Condition("http://hl7.org/fhir/sid/icd-10-cm", "I69.351", "inactive"),
            Condition("http://hl7.org/fhir/sid/icd-10-cm", "K72.90", "inactive")));
        var entry = Assert.Single(record.Context.Conditions!);
        Assert.Equal("I69.351", entry.Code);
    }

    [Fact]
    public void Dialysis_status_Z99_2_sets_on_dialysis()
    {
        var record = Map(conditions: Bundle(Condition("http://hl7.org/fhir/sid/icd-10-cm", "Z99.2")));
        Assert.True(record.Context.Patient!.OnDialysis);
    }

    [Fact]
    public void A_recent_onset_makes_the_condition_acute_and_an_old_one_chronic()
    {
        var record = Map(conditions: Bundle(
            Condition("http://hl7.org/fhir/sid/icd-10-cm", "I63.9", extra: ",\"onsetDateTime\":\"2026-11-19\""),
            Condition("http://hl7.org/fhir/sid/icd-10-cm", "G35", extra: ",\"onsetDateTime\":\"2015-03-01\"")));
        Assert.Equal(ConditionOnset.Acute, record.Context.Conditions![0].Onset);
        Assert.Equal(ConditionOnset.Chronic, record.Context.Conditions[1].Onset);
    }

    [Fact]
    public void A_condition_of_another_patient_is_skipped()
    {
        var other = Condition("http://hl7.org/fhir/sid/icd-10-cm", "G35").Replace("Patient/p1", "Patient/p2", StringComparison.Ordinal);
        Assert.Empty(Map(conditions: Bundle(other)).Context.Conditions!);
    }

    // ---------------------------------------------------------------- Medications

    private static string MedRequest(string id, string rxcui, string display, string status = "active", string extra = "") =>
        $$"""{"resourceType":"MedicationRequest","id":"{{id}}","status":"{{status}}","intent":"order","subject":{"reference":"Patient/p1"},"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"{{rxcui}}","display":"{{display}}"}]}{{extra}}}""";

    [Fact]
    public void A_product_code_is_passed_on_with_its_display_so_the_ingredient_is_found()
    {
        var record = Map(medications: Bundle(MedRequest("m1", "835603", "tramadol hydrochloride 50 MG Oral Tablet")));
        var entry = Assert.Single(record.Context.Medications!);
        Assert.Equal("835603", entry.Rxcui);
        Assert.Equal(MedicationStatus.Active, entry.Status);
        var matches = new List<ClonusCds.Core.Vocabulary.DrugMatch>();
        Kb.DrugVocabulary.Match(entry.Rxcui, entry.Name, matches);
        Assert.Contains(matches, m => m.Drug.Name == "tramadol");
    }

    [Theory]
    [InlineData("active", MedicationStatus.Active)]
    [InlineData("on-hold", MedicationStatus.Active)]
    [InlineData("unknown", MedicationStatus.Active)]
    [InlineData("stopped", MedicationStatus.Stopped)]
    [InlineData("completed", MedicationStatus.Stopped)]
    public void MedicationRequest_status_maps_to_exposure(string status, MedicationStatus expected) =>
        Assert.Equal(expected, Assert.Single(Map(medications: Bundle(MedRequest("m1", "36437", "sertraline", status))).Context.Medications!).Status);

    [Fact]
    public void Entered_in_error_medications_are_dropped() =>
        Assert.Empty(Map(medications: Bundle(MedRequest("m1", "36437", "sertraline", "entered-in-error"))).Context.Medications!);

    [Theory]
    [InlineData("2026-11-19", MedicationChange.New)]
    [InlineData("2026-03-01", MedicationChange.Unchanged)]
    public void AuthoredOn_decides_a_recent_start(string authoredOn, MedicationChange expected)
    {
        var entry = Assert.Single(Map(medications: Bundle(MedRequest("m1", "36437", "sertraline", extra: $",\"authoredOn\":\"{authoredOn}\""))).Context.Medications!);
        Assert.Equal(expected, entry.Change);
    }

    [Fact]
    public void A_completed_MedicationStatement_gives_days_since_it_stopped()
    {
        const string statement = """{"resourceType":"MedicationStatement","id":"s1","status":"completed","subject":{"reference":"Patient/p1"},"medicationCodeableConcept":{"text":"baclofen 10 mg"},"effectivePeriod":{"start":"2026-01-01","end":"2026-11-19T12:00:00Z"}}""";
        var entry = Assert.Single(Map(medications: Bundle(statement)).Context.Medications!);
        Assert.Equal(MedicationStatus.Stopped, entry.Status);
        Assert.Equal(2, entry.DaysSinceChange);
    }

    [Fact]
    public void Draft_orders_are_drafts_and_only_selected_ones_are_marked_selected()
    {
        var drafts = new[] { FhirTestResources.Resource(MedRequest("d1", "835603", "tramadol 50 MG", "draft")), FhirTestResources.Resource(MedRequest("d2", "723", "amoxicillin 500 MG", "draft")) };
        var record = Map(medications: Bundle(), drafts: drafts, selections: new HashSet<string> { "MedicationRequest/d2" });
        Assert.Equal(2, record.Drafts.Count);
        Assert.All(record.Context.Medications!, m => Assert.Equal(MedicationStatus.Draft, m.Status));
        Assert.False(record.Drafts[0].Selected);
        Assert.True(record.Drafts[1].Selected);
        Assert.Equal("MedicationRequest/d1", record.Drafts[0].ResourceId);
    }

    [Fact]
    public void Intrathecal_route_is_read_from_the_dosage()
    {
        var entry = Assert.Single(Map(medications: Bundle(MedRequest("m1", "1292", "baclofen", extra: ",\"dosageInstruction\":[{\"text\":\"50 mcg/day\",\"route\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"72607000\"}]}}]"))).Context.Medications!);
        Assert.Equal(MedicationRoute.Intrathecal, entry.Route);
        Assert.Equal("50 mcg/day", entry.Dose);
    }

    [Fact]
    public void An_OperationOutcome_for_medications_leaves_exposure_unknown_not_none()
    {
        var record = Mapper.Map(new FhirInput("p1", null, null,
            Data("medications", """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"timeout"}]}"""),
            [], [], null), TimeSpan.FromHours(72));
        Assert.Null(record.Context.Medications);
        Assert.True(record.Context.MedicationListIncomplete);
    }

    // ---------------------------------------------------------------- Observations

    [Fact]
    public void Temperature_in_degF_is_converted_to_Celsius()
    {
        var record = Map(observations: Bundle(Obs("t", "8310-5", Loinc, "\"valueQuantity\":{\"value\":102.2,\"unit\":\"degF\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"[degF]\"}")));
        Assert.Equal(39.0, record.Context.Vitals!.TemperatureC!.Value, 2);
    }

    [Fact]
    public void A_temperature_absent_for_a_reason_is_unknown_and_noted_not_normal()
    {
        var record = Map(observations: Bundle(Obs("t", "8310-5", Loinc, "\"dataAbsentReason\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/data-absent-reason\",\"code\":\"not-performed\"}],\"text\":\"probe refused\"}")));
        Assert.Null(record.Context.Vitals!.TemperatureC);
        Assert.Contains(record.Notes, n => n.Contains("temperature not recorded (probe refused): unknown", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"valueQuantity\":{\"value\":312.15,\"code\":\"K\"}", 39.0)]
    [InlineData("\"valueQuantity\":{\"value\":104,\"unit\":\"°F\"}", 40.0)]
    [InlineData("\"valueQuantity\":{\"value\":38.5}", 38.5)]
    public void Temperature_units_are_converted_to_Celsius(string value, double expected) =>
        Assert.Equal(expected, Map(observations: Bundle(Obs("t", "8310-5", Loinc, value))).Context.Vitals!.TemperatureC!.Value, 2);

    [Fact]
    public void A_heart_rate_sent_as_valueInteger_is_read()
    {
        var record = Map(observations: Bundle(Obs("hr", "8867-4", Loinc, "\"valueInteger\":124")));
        Assert.Equal(124, record.Context.Vitals!.HeartRateBpm);
    }

    [Theory]
    [InlineData("\"effectivePeriod\":{\"start\":\"2026-11-21T09:00:00Z\",\"end\":\"2026-11-21T10:00:00Z\"}", "2026-11-21 10:00")]
    [InlineData("\"effectivePeriod\":{\"start\":\"2026-11-21T09:00:00Z\"}", "2026-11-21 09:00")]
    [InlineData("\"effectiveInstant\":\"2026-11-21T08:30:00.000+01:00\"", "2026-11-21 07:30")]
    [InlineData("\"issued\":\"2026-11-21T11:00:00Z\"", "2026-11-21 11:00")]
    public void Each_effective_form_dates_the_finding(string effective, string expected)
    {
        var finding = Obs("c", "36649002", Sct, Present).Replace("\"effectiveDateTime\":\"2026-11-21T10:00:00Z\"", effective, StringComparison.Ordinal);
        var record = Map(observations: Bundle(finding));
        Assert.Contains(record.Notes, n => n.StartsWith($"Observation/c ({expected} UTC)", StringComparison.Ordinal));
    }

    [Fact]
    public void Creatinine_in_mg_per_L_is_converted_to_mg_per_dL()
    {
        var record = Map(observations: Bundle(Obs("cr", "2160-0", Loinc, "\"valueQuantity\":{\"value\":12,\"system\":\"http://unitsofmeasure.org\",\"code\":\"mg/L\"}")));
        Assert.Equal(1.2, record.Context.Labs!.CreatinineMgPerDl!.Value, 2);
    }

    [Fact]
    public void Extensions_and_unknown_elements_on_a_resource_are_read_past()
    {
        var record = Map(observations: Bundle(Obs("t", "8310-5", Loinc, "\"valueQuantity\":{\"value\":39.2,\"code\":\"Cel\",\"extension\":[{\"url\":\"http://example.org/x\",\"valueString\":\"probe\"}]}",
            extra: ",\"extension\":[{\"url\":\"http://hl7.org/fhir/StructureDefinition/observation-bodyPosition\",\"valueCodeableConcept\":{\"text\":\"lying\"}}],\"vendorField\":{\"a\":1}")));
        Assert.Equal(39.2, record.Context.Vitals!.TemperatureC!.Value, 2);
    }

    [Fact]
    public void Heart_rate_and_a_blood_pressure_panel_are_read()
    {
        var bp = Obs("bp", "85354-9", Loinc, "", extra: ",\"component\":[{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8480-6\"}]},\"valueQuantity\":{\"value\":165,\"code\":\"mm[Hg]\"}},{\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8462-4\"}]},\"valueQuantity\":{\"value\":95,\"code\":\"mm[Hg]\"}}]");
        var record = Map(observations: Bundle(Obs("hr", "8867-4", Loinc, "\"valueQuantity\":{\"value\":128,\"code\":\"/min\"}"), bp));
        Assert.Equal(128, record.Context.Vitals!.HeartRateBpm);
        Assert.Equal(165, record.Context.Vitals.SystolicBp);
        Assert.Equal(95, record.Context.Vitals.DiastolicBp);
    }

    [Theory]
    [InlineData("33914-3")]
    [InlineData("62238-1")]
    [InlineData("98979-8")]
    public void Each_eGFR_code_sets_eGFR(string code) =>
        Assert.Equal(24, Map(observations: Bundle(Obs("e", code, Loinc, "\"valueQuantity\":{\"value\":24,\"code\":\"mL/min/{1.73_m2}\"}"))).Context.Patient!.Egfr);

    [Fact]
    public void An_Absent_clonus_finding_is_never_read_as_present()
    {
        var record = Map(observations: Bundle(Obs("c", "36649002", Sct, Absent, extra: ",\"note\":[{\"text\":\"sustained ankle clonus looked for, 0 beats\"}]")));
        Assert.False(record.Context.Clonus!.Present);
        Assert.Null(record.Context.Clonus.Types);
    }

    [Fact]
    public void The_kind_beats_site_and_laterality_of_clonus_are_read_from_the_texts()
    {
        var record = Map(observations: Bundle(Obs("c", "39055007", Sct, Present,
            extra: ",\"method\":{\"text\":\"inducible on dorsiflexion\"},\"bodySite\":{\"text\":\"left and right ankle\"},\"note\":[{\"text\":\"8 beats, unsustained\"}]")));
        var clonus = record.Context.Clonus!;
        Assert.True(clonus.Present);
        Assert.Equal([ClonusType.Inducible], clonus.Types!);
        Assert.Contains(ClonusSite.Ankle, clonus.Sites!);
        Assert.Equal(8, clonus.Beats);
        Assert.False(clonus.Sustained);
        Assert.Equal(Laterality.Bilateral, clonus.Laterality);
        Assert.Contains(record.Notes, n => n.Contains("from method.text", StringComparison.Ordinal));
    }

    [Fact]
    public void Startle_induced_is_not_read_as_inducible()
    {
        var record = Map(observations: Bundle(Obs("c", "36649002", Sct, Present, extra: ",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"36649002\"}],\"text\":\"Startle-induced clonic attacks\"}").Replace(
            "\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"36649002\"}]},", "", StringComparison.Ordinal)));
        Assert.Equal([ClonusType.StartleInduced], record.Context.Clonus!.Types!);
    }

    [Fact]
    public void Myoclonus_text_is_not_clonus()
    {
        const string myoclonus = """{"resourceType":"Observation","id":"m","status":"final","subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-11-21T10:00:00Z","code":{"text":"Myoclonus"},"valueString":"present"}""";
        Assert.Null(Map(observations: Bundle(myoclonus)).Context.Clonus);
    }

    [Fact]
    public void A_finding_code_with_no_value_asserts_the_finding_but_a_dataAbsentReason_leaves_it_unknown()
    {
        Assert.True(Map(observations: Bundle(Obs("a", "24199005", Sct, ""))).Context.Exam!.Agitation);
        Assert.Null(Map(observations: Bundle(Obs("a", "24199005", Sct, "\"dataAbsentReason\":{\"text\":\"not asked\"}"))).Context.Exam!.Agitation);
    }

    [Fact]
    public void The_newest_finding_decides_and_an_earlier_episode_is_not_used()
    {
        var record = Map(observations: Bundle(
            Obs("old-temp", "8310-5", Loinc, "\"valueQuantity\":{\"value\":39.5,\"code\":\"Cel\"}", when: "2026-10-01T10:00:00Z"),
            Obs("c-old", "36649002", Sct, Present, when: "2026-11-20T10:00:00Z"),
            Obs("c-new", "36649002", Sct, Absent, when: "2026-11-21T10:00:00Z")));
        Assert.False(record.Context.Clonus!.Present);
        Assert.Null(record.Context.Vitals!.TemperatureC);
        Assert.Contains(record.Notes, n => n.Contains("earlier episode", StringComparison.Ordinal));
    }

    [Fact]
    public void Observations_of_another_patient_or_entered_in_error_are_skipped()
    {
        var other = Obs("c1", "36649002", Sct, Present).Replace("Patient/p1", "Patient/p9", StringComparison.Ordinal);
        var error = Obs("c2", "36649002", Sct, Present).Replace("\"final\"", "\"entered-in-error\"", StringComparison.Ordinal);
        Assert.Null(Map(observations: Bundle(other, error)).Context.Clonus);
    }

    [Fact]
    public void Pregnancy_status_is_read_from_LOINC_82810_3()
    {
        var record = Map(observations: Bundle(Obs("p", "82810-3", Loinc, "\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"77386006\"}]}")));
        Assert.True(record.Context.Patient!.Pregnant);
    }

    [Fact]
    public void Negated_words_in_the_clonus_text_are_read_as_absent_features()
    {
        var record = Map(observations: Bundle(Obs("c", "36649002", Sct, Present, extra: ",\"note\":[{\"text\":\"no tremor, hyperreflexia at knees\"}]")));
        Assert.False(record.Context.Exam!.Tremor);
        Assert.Equal(ReflexGrade.Increased, record.Context.Exam.Reflexes);
    }

    // ---------------------------------------------------------------- prefetch values

    [Fact]
    public void A_searchset_with_a_next_link_is_incomplete_and_an_OperationOutcome_is_a_failure()
    {
        var paged = Data("medications", """{"resourceType":"Bundle","type":"searchset","link":[{"relation":"next","url":"https://ehr/fhir/MedicationRequest?page=2"}],"entry":[]}""");
        Assert.True(paged.Incomplete);
        Assert.Equal("https://ehr/fhir/MedicationRequest?page=2", paged.Next);
        Assert.True(Data("labs", """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception"}]}""").Failed);
        Assert.True(Data("patient", "null").Null);
        Assert.Null(PrefetchData.Read("patient", J("\"123\""), PrefetchOrigin.Prefetched));
    }

    [Fact]
    public void Prefetch_tokens_are_filled_from_root_level_context_values_and_escaped() =>
        Assert.Equal("Patient/a%20b", CdsHookHandler.Fill("Patient/{{context.patientId}}", J("""{"patientId":"a b","draftOrders":{}}""")));

    // ---------------------------------------------------------------- card text

    [Fact]
    public void EHR_text_cannot_inject_links_or_html_into_a_card()
    {
        var escaped = Markdown.Escape("[click](https://evil.example) <img src=x> *bold*");
        Assert.DoesNotContain("[click]", escaped, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", escaped, StringComparison.Ordinal);
        Assert.Contains("\\*bold\\*", escaped, StringComparison.Ordinal);
    }

    [Fact]
    public void Shortened_summaries_stay_under_140_characters()
    {
        var text = string.Join(' ', Enumerable.Repeat("serotonin", 40));
        Assert.True(Markdown.Shorten(text, 140).Length < 140);
        Assert.Equal("short", Markdown.Shorten("short", 140));
    }

    [Fact]
    public void The_discovery_templates_use_only_the_context_patientId_token() =>
        Assert.All(CdsServiceCatalog.Prefetch.Values, t =>
            Assert.DoesNotContain("{{", t.Replace("{{context.patientId}}", "", StringComparison.Ordinal), StringComparison.Ordinal));
}

/// <summary>The course of clonus read from its own history.</summary>
public sealed class ClonusHistoryTests
{
    private static readonly FhirPatientMapper Mapper = new(ClinicalKnowledgeBase.LoadEmbedded(), new FixedTime(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero)));

    private static string Clonus(string id, string when, bool present) =>
        "{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"" + id + "\",\"status\":\"final\",\"subject\":{\"reference\":\"Patient/p1\"},\"effectiveDateTime\":\"" + when
        + "\",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"39055007\"}]},\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\""
        + (present ? "52101004" : "2667000") + "\"}]}}}";

    private static ClonusFinding Read(params string[] entries)
    {
        var bundle = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[" + string.Join(",", entries) + "]}";
        var data = PrefetchData.Read("findings", JsonDocument.Parse(bundle).RootElement.Clone(), PrefetchOrigin.Prefetched)!;
        return Mapper.Map(new FhirInput("p1", null, null, null, [data], [], null), TimeSpan.FromHours(72)).Context.Clonus!;
    }

    [Fact]
    public void Clonus_already_present_months_ago_is_chronic() =>
        Assert.Equal(ClonusOnset.Chronic, Read(Clonus("now", "2026-11-21T09:00:00Z", true), Clonus("before", "2026-06-01T09:00:00Z", true)).Onset);

    [Fact]
    public void Clonus_absent_last_week_and_present_today_is_new() =>
        Assert.Equal(ClonusOnset.Acute, Read(Clonus("now", "2026-11-21T09:00:00Z", true), Clonus("before", "2026-11-14T09:00:00Z", false)).Onset);

    [Fact]
    public void A_single_finding_leaves_the_course_unknown() =>
        Assert.Null(Read(Clonus("now", "2026-11-21T09:00:00Z", true)).Onset);

    [Fact]
    public void Clonus_present_yesterday_says_nothing_about_chronicity() =>
        Assert.Null(Read(Clonus("now", "2026-11-21T09:00:00Z", true), Clonus("before", "2026-11-20T09:00:00Z", true)).Onset);
}
