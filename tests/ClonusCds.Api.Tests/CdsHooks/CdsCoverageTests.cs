using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClonusCds.Api.CdsHooks;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>
/// Issue 13 through the HTTP surface: references fetched from the FHIR server, supplementary keys
/// that cannot be had said on the card rather than a 412, the kidney-function source named on the
/// card, drafts that could not be checked, one id per hook with the old shared id still answering,
/// a 400 for a prefetch Patient that is not the context patient, and explicit autolaunchable.
/// </summary>
public sealed class CdsCoverageTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private const string Token = "coverage-token-1";
    private const string LinezolidFixture = "03-order-sign-linezolid-escitalopram.json";
    private const string BaclofenFixture = "07-order-sign-baclofen-dialysis.json";
    private const string HunterFixture = "01-order-select-tramadol-sertraline-hunter-met.json";

    private readonly HttpClient _client = factory.CreateClient();

    private static JsonObject Authorization() => FhirAuthorizationJson.For(Token);

    private static JsonObject Draft(CdsFixture fixture) => (JsonObject)fixture.Request["context"]!["draftOrders"]!["entry"]![0]!["resource"]!;

    private static List<JsonElement> Cards(JsonElement body) => [.. body.GetProperty("cards").EnumerateArray()];

    private static string Kind(JsonElement card) => card.GetProperty("extension").GetProperty("org.clonuscds").GetProperty("kind").GetString()!;

    private async Task<(HttpResponseMessage Response, JsonElement Body)> Post(string service, CdsFixture fixture) =>
        await _client.PostJson("/cds-services/" + service, fixture.RequestJson);

    // ---------------------------------------------------------------- references

    [Fact]
    public async Task A_draft_Medication_that_no_Bundle_holds_is_read_from_the_FHIR_server_with_the_token()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        var fixture = FixtureLoader.Load(LinezolidFixture).WithEmptySupplementaryKeys();
        var draft = Draft(fixture);
        draft.Remove("medicationCodeableConcept");
        draft["medicationReference"] = new JsonObject { ["reference"] = "Medication/lzd-600" };
        fhir.Register("Medication/lzd-600", JsonNode.Parse("""{"resourceType":"Medication","id":"lzd-600","code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"190376","display":"linezolid"}],"text":"linezolid 600 MG Oral Tablet"}}"""));
        fixture.Request["fhirServer"] = fhir.BaseUrl;
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = Assert.Single(Cards(body));
        Assert.Equal("critical", card.GetProperty("indicator").GetString());
        Assert.Contains("maoi_high_risk_combination", card.GetProperty("extension").GetProperty("org.clonuscds").GetProperty("codes").EnumerateArray().Select(c => c.GetString()));
        var read = Assert.Single(fhir.Requests);
        Assert.Equal("Medication/lzd-600", read.Key);
        Assert.Equal("Bearer " + Token, read.Authorization);
        Assert.Contains("read from the FHIR server", card.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_draft_Medication_the_server_does_not_have_gives_a_not_fully_checked_card_not_silence()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        var fixture = FixtureLoader.Load(LinezolidFixture).WithEmptySupplementaryKeys();
        var draft = Draft(fixture);
        draft.Remove("medicationCodeableConcept");
        draft["medicationReference"] = new JsonObject { ["reference"] = "Medication/unknown-1" };
        fixture.Request["fhirServer"] = fhir.BaseUrl;
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = Assert.Single(Cards(body));
        Assert.Equal("order-unchecked", Kind(card));
        Assert.Equal("info", card.GetProperty("indicator").GetString());
        Assert.Contains("could not be identified", card.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(CdsConformance.CheckResponse(body, fixture.RequestElement));
    }

    [Fact]
    public async Task A_reference_to_another_server_is_not_fetched_with_the_token()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        await using var elsewhere = await FakeFhirServer.StartAsync();
        var fixture = FixtureLoader.Load(LinezolidFixture).WithEmptySupplementaryKeys();
        var draft = Draft(fixture);
        draft.Remove("medicationCodeableConcept");
        draft["medicationReference"] = new JsonObject { ["reference"] = elsewhere.BaseUrl + "/Medication/lzd" };
        elsewhere.Register("Medication/lzd", JsonNode.Parse("""{"resourceType":"Medication","id":"lzd","code":{"text":"linezolid"}}"""));
        fixture.Request["fhirServer"] = fhir.BaseUrl;
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(elsewhere.Requests);
        Assert.Equal("order-unchecked", Kind(Assert.Single(Cards(body))));
    }

    // ---------------------------------------------------------------- supplementary keys

    [Fact]
    public async Task Without_medicationStatements_or_a_server_the_cards_say_home_medicines_were_not_seen()
    {
        var fixture = FixtureLoader.Load(LinezolidFixture);
        Assert.False(((JsonObject)fixture.Request["prefetch"]!).ContainsKey(CdsServiceCatalog.Keys.MedicationStatements));

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var detail = Assert.Single(Cards(body)).GetProperty("detail").GetString()!;
        Assert.Contains("**Could not be seen**", detail, StringComparison.Ordinal);
        Assert.Contains("MedicationStatement", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_home_MAOI_sent_only_as_a_MedicationStatement_makes_a_tramadol_order_critical()
    {
        var fixture = FixtureLoader.Load(HunterFixture);
        var prefetch = (JsonObject)fixture.Request["prefetch"]!;
        prefetch["medications"] = JsonNode.Parse("""{"resourceType":"Bundle","type":"searchset","total":0}""");
        prefetch[CdsServiceCatalog.Keys.MedicationStatements] = JsonNode.Parse($$$$"""
            {"resourceType":"Bundle","type":"searchset","total":1,"entry":[{"fullUrl":"https://ehr.example.org/fhir/MedicationStatement/ms1",
             "resource":{"resourceType":"MedicationStatement","id":"ms1","status":"active","subject":{"reference":"Patient/{{{{fixture.PatientId}}}}"},
             "informationSource":{"reference":"Patient/{{{{fixture.PatientId}}}}"},
             "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"8123","display":"phenelzine"}],"text":"Nardil 15 mg"}}}]}
            """);

        var (response, body) = await Post(CdsServiceCatalog.OrderSelectId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = Assert.Single(Cards(body), c => Kind(c) == "order");
        Assert.Equal("critical", card.GetProperty("indicator").GetString());
        Assert.Contains("maoi_high_risk_combination", card.GetProperty("extension").GetProperty("org.clonuscds").GetProperty("codes").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task A_supplementary_key_the_server_cannot_answer_is_said_on_the_card_not_a_412()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        var fixture = FixtureLoader.Load(LinezolidFixture);
        fhir.Fail("MedicationStatement", 500);
        fixture.Request["fhirServer"] = fhir.BaseUrl;
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var detail = Assert.Single(Cards(body)).GetProperty("detail").GetString()!;
        Assert.Contains("Home and reported medicines: the EHR reported an error", detail, StringComparison.Ordinal);
        Assert.Contains(fhir.Requests, r => r.Key.StartsWith("MedicationStatement?", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_required_key_the_server_cannot_answer_is_still_a_412()
    {
        await using var fhir = await FakeFhirServer.StartAsync();
        var fixture = FixtureLoader.Load(LinezolidFixture);
        ((JsonObject)fixture.Request["prefetch"]!).Remove("medications");
        fixture.Request["fhirServer"] = fhir.BaseUrl;
        fixture.Request["fhirAuthorization"] = Authorization();

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        Assert.Contains("medications", body.GetProperty("missingPrefetch").EnumerateArray().Select(k => k.GetString()));
    }

    // ---------------------------------------------------------------- kidney function

    private static CdsFixture BaclofenWithout(string[] conditionCodes, string? labs)
    {
        var fixture = FixtureLoader.Load(BaclofenFixture);
        var prefetch = (JsonObject)fixture.Request["prefetch"]!;
        var conditions = (JsonArray)prefetch["conditions"]!["entry"]!;
        foreach (var entry in conditions.ToList())
        {
            var codes = entry!["resource"]!["code"]!["coding"]!.AsArray().Select(c => (string?)c!["code"]).ToList();
            if (codes.Any(c => conditionCodes.Any(x => c?.StartsWith(x, StringComparison.Ordinal) == true)))
            {
                conditions.Remove(entry);
            }
        }

        prefetch["conditions"]!["total"] = conditions.Count;
        prefetch["labs"] = labs is null ? JsonNode.Parse("""{"resourceType":"Bundle","type":"searchset","total":0}""") : JsonNode.Parse(labs);
        return fixture;
    }

    [Fact]
    public async Task A_baclofen_order_with_creatinine_only_names_the_CKD_EPI_estimate_on_the_card()
    {
        var fixture = FixtureLoader.Load(BaclofenFixture);
        var patientId = fixture.PatientId;
        // 80-year-old woman (fixture birth date), creatinine 2.1 mg/dL: CKD-EPI 2021 ≈ 23 mL/min/1.73 m².
        fixture = BaclofenWithout(["N18", "Z99", "46177005", "105502003"], $$$$"""
            {"resourceType":"Bundle","type":"searchset","total":1,"entry":[{"fullUrl":"https://ehr.example.org/fhir/Observation/cr1","resource":
             {"resourceType":"Observation","id":"cr1","status":"final","subject":{"reference":"Patient/{{{{patientId}}}}"},"effectiveDateTime":"2026-01-01T08:00:00Z",
              "code":{"coding":[{"system":"http://loinc.org","code":"14682-9"}]},"valueQuantity":{"value":186,"unit":"umol/L","system":"http://unitsofmeasure.org","code":"umol/L"}}}]}
            """);
        ((JsonObject)fixture.Request["prefetch"]!["patient"]!)["birthDate"] = DateTime.UtcNow.AddYears(-80).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        ((JsonObject)fixture.Request["prefetch"]!["patient"]!)["gender"] = "female";

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = Assert.Single(Cards(body));
        Assert.Equal("critical", card.GetProperty("indicator").GetString());
        var detail = card.GetProperty("detail").GetString()!;
        Assert.Contains("**Kidney function:** no exact eGFR on file; estimated eGFR", detail, StringComparison.Ordinal);
        Assert.Contains("CKD-EPI 2021", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_baclofen_order_with_a_SNOMED_CKD_stage_4_only_gets_the_renal_card_naming_the_stage()
    {
        var fixture = BaclofenWithout(["N18", "Z99", "46177005", "105502003"], null);
        var conditions = (JsonArray)fixture.Request["prefetch"]!["conditions"]!["entry"]!;
        conditions.Add(JsonNode.Parse($$$$"""
            {"fullUrl":"https://ehr.example.org/fhir/Condition/ckd4","resource":{"resourceType":"Condition","id":"ckd4","subject":{"reference":"Patient/{{{{fixture.PatientId}}}}"},
             "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
             "code":{"coding":[{"system":"http://snomed.info/sct","code":"431857002"}]}}}
            """));

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = Assert.Single(Cards(body));
        Assert.Contains("baclofen_renal_accumulation", card.GetProperty("extension").GetProperty("org.clonuscds").GetProperty("codes").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("recorded CKD stage", card.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_baclofen_order_with_no_kidney_function_anywhere_gets_a_not_fully_checked_card()
    {
        var fixture = BaclofenWithout(["N18", "Z99", "46177005", "105502003"], null);

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = Assert.Single(Cards(body));
        Assert.Equal("order-unchecked", Kind(card));
        Assert.Equal("info", card.GetProperty("indicator").GetString());
        Assert.Contains("no kidney function in the record", card.GetProperty("summary").GetString() + card.GetProperty("detail").GetString(), StringComparison.Ordinal);
        // The gap is said once, under "Could not be seen", not again as a "Kidney function:" line.
        var detail = card.GetProperty("detail").GetString()!;
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(detail, "no eGFR, serum creatinine, CKD or dialysis entry"));
        Assert.DoesNotContain("**Kidney function:**", detail, StringComparison.Ordinal);
        Assert.Empty(CdsConformance.CheckResponse(body, fixture.RequestElement));
    }

    [Fact]
    public async Task A_baclofen_order_with_only_an_unstaged_CKD_gets_a_not_fully_checked_card_not_silence()
    {
        // CKD is recorded (so something renal was seen) but without a stage or any lab: the eGFR is unknown.
        var fixture = BaclofenWithout(["N18", "Z99", "46177005", "105502003"], null);
        ((JsonArray)fixture.Request["prefetch"]!["conditions"]!["entry"]!).Add(JsonNode.Parse($$$$"""
            {"fullUrl":"https://ehr.example.org/fhir/Condition/ckd","resource":{"resourceType":"Condition","id":"ckd","subject":{"reference":"Patient/{{{{fixture.PatientId}}}}"},
             "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"N18.9"}]}}}
            """));

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = Assert.Single(Cards(body));
        Assert.Equal("order-unchecked", Kind(card));
        var detail = card.GetProperty("detail").GetString()!;
        Assert.Contains("could not be established", detail, StringComparison.Ordinal);
        Assert.Contains("**Kidney function:** not established from the record", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_baclofen_order_for_an_adolescent_with_creatinine_only_gets_a_not_fully_checked_card()
    {
        // CKD-EPI 2021 is an adult equation: a 16-year-old's creatinine gives no eGFR here.
        var fixture = FixtureLoader.Load(BaclofenFixture);
        var patientId = fixture.PatientId;
        fixture = BaclofenWithout(["N18", "Z99", "46177005", "105502003"], $$$$"""
            {"resourceType":"Bundle","type":"searchset","total":1,"entry":[{"fullUrl":"https://ehr.example.org/fhir/Observation/cr1","resource":
             {"resourceType":"Observation","id":"cr1","status":"final","subject":{"reference":"Patient/{{{{patientId}}}}"},"effectiveDateTime":"2026-01-01T08:00:00Z",
              "code":{"coding":[{"system":"http://loinc.org","code":"2160-0"}]},"valueQuantity":{"value":1.1,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}}}]}
            """);
        ((JsonObject)fixture.Request["prefetch"]!["patient"]!)["birthDate"] = DateTime.UtcNow.AddYears(-16).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("order-unchecked", Kind(Assert.Single(Cards(body))));
    }

    // ---------------------------------------------------------------- interop

    [Theory]
    [InlineData("order-select")]
    [InlineData("order-sign")]
    public async Task The_deprecated_shared_id_still_answers_both_order_hooks_like_the_new_ids(string hook)
    {
        var fixture = FixtureLoader.Load(LinezolidFixture);
        fixture.Request["hook"] = hook;
        if (hook == "order-select")
        {
            fixture.Request["context"]!["selections"] = new JsonArray("MedicationRequest/" + (string)Draft(fixture)["id"]!);
        }

        var (oldResponse, oldBody) = await Post(CdsServiceCatalog.DeprecatedOrderCheckId, fixture);
        var (newResponse, newBody) = await Post(hook == "order-select" ? CdsServiceCatalog.OrderSelectId : CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.OK, oldResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, newResponse.StatusCode);
        Assert.Equal(Cards(newBody).Select(c => c.GetProperty("summary").GetString()), Cards(oldBody).Select(c => c.GetProperty("summary").GetString()));
    }

    [Theory]
    [InlineData(CdsServiceCatalog.OrderSelectId, "order-sign")]
    [InlineData(CdsServiceCatalog.OrderSignId, "order-select")]
    public async Task A_per_hook_id_refuses_the_other_hook_naming_the_one_it_serves(string service, string hook)
    {
        var fixture = FixtureLoader.Load(LinezolidFixture);
        fixture.Request["hook"] = hook;
        fixture.Request["context"]!["selections"] = new JsonArray("MedicationRequest/" + (string)Draft(fixture)["id"]!);

        var (response, body) = await Post(service, fixture);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(body.GetProperty("errors").TryGetProperty("hook", out _));
    }

    [Fact]
    public async Task A_prefetch_Patient_that_is_not_the_context_patient_is_a_400_naming_the_mismatch()
    {
        var fixture = FixtureLoader.Load(LinezolidFixture);
        fixture.Request["prefetch"]!["patient"]!["id"] = "someone-else";

        var (response, body) = await Post(CdsServiceCatalog.OrderSignId, fixture);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = body.GetProperty("errors").GetProperty("prefetch.patient.id")[0].GetString()!;
        Assert.Contains("someone-else", error, StringComparison.Ordinal);
        Assert.Contains(fixture.PatientId, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_link_says_autolaunchable_false()
    {
        var links = 0;
        foreach (var file in FixtureLoader.Files())
        {
            var fixture = FixtureLoader.Load(file);
            if (fixture.Expect.Status != 200)
            {
                continue;
            }

            var (_, body) = await Post(fixture.Service, fixture);
            foreach (var link in Cards(body).Where(c => c.TryGetProperty("links", out _)).SelectMany(c => c.GetProperty("links").EnumerateArray()))
            {
                links++;
                Assert.Equal(JsonValueKind.False, link.GetProperty("autolaunchable").ValueKind);
            }
        }

        Assert.True(links > 0, "no fixture produced a link to check");
    }

    // ---------------------------------------------------------------- one place for the wording

    [Fact]
    public async Task The_triage_card_opens_with_the_lead_line_of_the_REST_summary()
    {
        var fixture = FixtureLoader.Load("05-patient-view-ms-sustained-ankle-clonus.json").WithEmptySupplementaryKeys();
        var (response, body) = await Post(CdsServiceCatalog.PatientViewId, fixture);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = Cards(body).Single(c => Kind(c) == "triage");
        var lead = card.GetProperty("detail").GetString()!.Split("\n\n")[0];
        Assert.StartsWith("**Likely cause:** upper-motor-neuron lesion. **Urgency:** ", lead, StringComparison.Ordinal);
        // The REST answer for the same kind of patient says it with the same builder.
        var summary = ClonusCds.Core.Triage.AssessmentSummaryBuilder.LeadLine("upper-motor-neuron lesion", ClonusCds.Core.Model.Urgency.Routine);
        Assert.Equal(summary.Split(" **Urgency:**")[0], lead.Split(" **Urgency:**")[0]);
    }
}
