using System.Text.Json;
using System.Text.Json.Nodes;
using ClonusCds.Api.CdsHooks;

namespace ClonusCds.Api.Tests.CdsHooks;

/// <summary>The conformance checker itself: silent on a conforming response, and catches each rule broken alone.</summary>
public sealed class CdsConformanceTests
{
    private const string Request = """
        {
          "hook": "order-sign", "hookInstance": "5f1c1bd6-8d3c-4a0e-9a53-5d0c7f1b9a10",
          "context": {
            "userId": "Practitioner/p1", "patientId": "pt-1",
            "draftOrders": { "resourceType": "Bundle", "type": "collection", "entry": [
              { "resource": { "resourceType": "MedicationRequest", "id": "draft-1", "status": "draft", "intent": "order" } } ] }
          }
        }
        """;

    /// <summary>A card using every attribute the spec defines, all valid.</summary>
    private const string Good = """
        {
          "cards": [
            {
              "uuid": "4e0a3a1e-3283-4575-ab82-028d55fe2719",
              "summary": "Tramadol with sertraline: second serotonergic drug",
              "detail": "**Why**: tramadol has serotonin reuptake inhibition.",
              "indicator": "warning",
              "source": {
                "label": "ClonusCds knowledge base",
                "url": "https://cds.example.org/api/v1/knowledge/recommendations/switch_to_non_serotonergic_alternative",
                "icon": "https://cds.example.org/icon-100px.png",
                "topic": { "system": "https://cds.example.org/topics", "code": "serotonin", "display": "Serotonin toxicity" }
              },
              "selectionBehavior": "at-most-one",
              "suggestions": [
                {
                  "label": "Remove the tramadol order",
                  "uuid": "e56e1945-20b3-4393-8503-a1a20fd73152",
                  "isRecommended": true,
                  "actions": [ { "type": "delete", "description": "Remove tramadol", "resourceId": "MedicationRequest/draft-1" } ]
                },
                {
                  "label": "Order paracetamol instead",
                  "uuid": "b0c5e8a4-1d6e-4a53-8f37-2a1f0f3d9c11",
                  "actions": [ { "type": "create", "description": "Create paracetamol", "resource": { "resourceType": "MedicationRequest", "status": "draft" } } ]
                }
              ],
              "overrideReasons": [
                { "system": "https://cds.example.org/override", "code": "benefit-outweighs-risk", "display": "Benefit outweighs risk" }
              ],
              "links": [
                { "label": "Evidence", "url": "https://cds.example.org/evidence", "type": "absolute", "autolaunchable": false },
                { "label": "App", "url": "https://smart.example.org/launch", "type": "smart", "appContext": "{\"x\":1}" }
              ],
              "extension": { "org.clonuscds": { "kind": "order", "codes": ["switch_to_non_serotonergic_alternative"] } }
            }
          ],
          "systemActions": [
            { "type": "update", "description": "Record the score", "resource": { "resourceType": "ServiceRequest", "id": "sr-1" } }
          ]
        }
        """;

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static IReadOnlyList<string> Check(JsonNode response) => CdsConformance.CheckResponse(Parse(response.ToJsonString()), Parse(Request));

    private static JsonObject GoodNode() => (JsonObject)JsonNode.Parse(Good)!;

    private static JsonObject Card(JsonObject r) => (JsonObject)r["cards"]![0]!;

    private static JsonObject Suggestion(JsonObject r, int i = 0) => (JsonObject)Card(r)["suggestions"]![i]!;

    private static JsonObject Action(JsonObject r) => (JsonObject)Suggestion(r)["actions"]![0]!;

    private static JsonObject Link(JsonObject r, int i = 0) => (JsonObject)Card(r)["links"]![i]!;

    [Fact]
    public void A_response_using_every_attribute_correctly_has_no_violations()
    {
        Assert.Empty(Check(GoodNode()));
    }

    [Fact]
    public void An_empty_cards_array_is_the_one_allowed_empty_value()
    {
        Assert.Empty(Check(JsonNode.Parse("""{"cards": []}""")!));
    }

    [Fact]
    public void A_minimal_card_with_only_required_attributes_and_our_uuid_is_fine()
    {
        var minimal = """{"cards":[{"uuid":"0b8f3f7e-5a59-4e0a-9d4f-6f3f0f5e3b21","summary":"s","indicator":"info","source":{"label":"l"}}]}""";
        Assert.Empty(Check(JsonNode.Parse(minimal)!));
    }

    /// <summary>Each case breaks one rule of a conforming response; the violation must name the path.</summary>
    private static readonly Dictionary<string, (Action<JsonObject> Break, string Path)> Breaks = new(StringComparer.Ordinal)
    {
        ["cards missing"] = (r => r.Remove("cards"), "$.cards"),
        ["cards not an array"] = (r => r["cards"] = new JsonObject { ["a"] = 1 }, "$.cards"),
        ["card not an object"] = (r => r["cards"] = new JsonArray("card"), "$.cards[0]"),
        ["summary missing"] = (r => Card(r).Remove("summary"), "$.cards[0].summary"),
        ["summary blank"] = (r => Card(r)["summary"] = "   ", "$.cards[0].summary"),
        ["summary of 140 characters"] = (r => Card(r)["summary"] = new string('x', 140), "$.cards[0].summary"),
        ["summary not a string"] = (r => Card(r)["summary"] = 42, "$.cards[0].summary"),
        ["indicator missing"] = (r => Card(r).Remove("indicator"), "$.cards[0].indicator"),
        ["indicator not in the value set"] = (r => Card(r)["indicator"] = "urgent", "$.cards[0].indicator"),
        ["indicator in capitals"] = (r => Card(r)["indicator"] = "Critical", "$.cards[0].indicator"),
        ["detail not a string"] = (r => Card(r)["detail"] = new JsonArray("a"), "$.cards[0].detail"),
        ["source missing"] = (r => Card(r).Remove("source"), "$.cards[0].source"),
        ["source not an object"] = (r => Card(r)["source"] = "ClonusCds", "$.cards[0].source"),
        ["source label missing"] = (r => ((JsonObject)Card(r)["source"]!).Remove("label"), "$.cards[0].source.label"),
        ["source url relative"] = (r => Card(r)["source"]!["url"] = "/api/v1/knowledge/recommendations/x", "$.cards[0].source.url"),
        ["source url not http"] = (r => Card(r)["source"]!["url"] = "ftp://cds.example.org/x", "$.cards[0].source.url"),
        ["source icon relative"] = (r => Card(r)["source"]!["icon"] = "icon.png", "$.cards[0].source.icon"),
        ["topic without system"] = (r => ((JsonObject)Card(r)["source"]!["topic"]!).Remove("system"), "$.cards[0].source.topic.system"),
        ["topic without code"] = (r => ((JsonObject)Card(r)["source"]!["topic"]!).Remove("code"), "$.cards[0].source.topic.code"),
        ["topic display not a string"] = (r => Card(r)["source"]!["topic"]!["display"] = 3, "$.cards[0].source.topic.display"),
        ["card uuid missing"] = (r => Card(r).Remove("uuid"), "$.cards[0].uuid"),
        ["card uuid not a UUID"] = (r => Card(r)["uuid"] = "card-1", "$.cards[0].uuid"),
        ["card uuid repeated"] = (r => ((JsonArray)r["cards"]!).Add(Card(r).DeepClone()), "$.cards[1].uuid"),
        ["suggestion uuid repeated"] = (r => Suggestion(r, 1)["uuid"] = (string)Suggestion(r)["uuid"]!, "$.cards[0].suggestions[1].uuid"),
        ["suggestion uuid missing"] = (r => Suggestion(r).Remove("uuid"), "$.cards[0].suggestions[0].uuid"),
        ["suggestions without selectionBehavior"] = (r => Card(r).Remove("selectionBehavior"), "$.cards[0].selectionBehavior"),
        ["selectionBehavior not in the value set"] = (r => Card(r)["selectionBehavior"] = "all", "$.cards[0].selectionBehavior"),
        ["suggestions not an array"] = (r => Card(r)["suggestions"] = new JsonObject { ["label"] = "x" }, "$.cards[0].suggestions"),
        ["suggestion label missing"] = (r => Suggestion(r).Remove("label"), "$.cards[0].suggestions[0].label"),
        ["isRecommended as a string"] = (r => Suggestion(r)["isRecommended"] = "yes", "$.cards[0].suggestions[0].isRecommended"),
        ["action type not in the value set"] = (r => Action(r)["type"] = "remove", "$.cards[0].suggestions[0].actions[0].type"),
        ["action type missing"] = (r => Action(r).Remove("type"), "$.cards[0].suggestions[0].actions[0].type"),
        ["action description missing"] = (r => Action(r).Remove("description"), "$.cards[0].suggestions[0].actions[0].description"),
        ["delete without resourceId"] = (r => Action(r).Remove("resourceId"), "$.cards[0].suggestions[0].actions[0].resourceId"),
        ["delete of an order that is not a draft"] = (r => Action(r)["resourceId"] = "MedicationRequest/medrx-active-9", "$.cards[0].suggestions[0].actions[0].resourceId"),
        ["delete resourceId not a relative reference"] = (r => Action(r)["resourceId"] = "https://ehr.example.org/fhir/MedicationRequest/draft-1", "$.cards[0].suggestions[0].actions[0].resourceId"),
        ["delete resourceId a bare id"] = (r => Action(r)["resourceId"] = "draft-1", "$.cards[0].suggestions[0].actions[0].resourceId"),
        ["create without resource"] = (r => ((JsonObject)Suggestion(r, 1)["actions"]![0]!).Remove("resource"), "$.cards[0].suggestions[1].actions[0].resource"),
        ["create resource without resourceType"] = (r => ((JsonObject)Suggestion(r, 1)["actions"]![0]!["resource"]!).Remove("resourceType"), "$.cards[0].suggestions[1].actions[0].resource.resourceType"),
        ["override reason without display"] = (r => ((JsonObject)Card(r)["overrideReasons"]![0]!).Remove("display"), "$.cards[0].overrideReasons[0].display"),
        ["override reason without system"] = (r => ((JsonObject)Card(r)["overrideReasons"]![0]!).Remove("system"), "$.cards[0].overrideReasons[0].system"),
        ["override reason without code"] = (r => ((JsonObject)Card(r)["overrideReasons"]![0]!).Remove("code"), "$.cards[0].overrideReasons[0].code"),
        ["override reasons as strings"] = (r => Card(r)["overrideReasons"] = new JsonArray("Patient refused"), "$.cards[0].overrideReasons[0]"),
        ["link label missing"] = (r => Link(r).Remove("label"), "$.cards[0].links[0].label"),
        ["link url missing"] = (r => Link(r).Remove("url"), "$.cards[0].links[0].url"),
        ["link url relative"] = (r => Link(r)["url"] = "/evidence", "$.cards[0].links[0].url"),
        ["link type not in the value set"] = (r => Link(r)["type"] = "web", "$.cards[0].links[0].type"),
        ["link type missing"] = (r => Link(r).Remove("type"), "$.cards[0].links[0].type"),
        ["appContext on an absolute link"] = (r => Link(r)["appContext"] = "x", "$.cards[0].links[0].appContext"),
        ["autolaunchable as a string"] = (r => Link(r)["autolaunchable"] = "true", "$.cards[0].links[0].autolaunchable"),
        ["extension not an object"] = (r => Card(r)["extension"] = "org.clonuscds", "$.cards[0].extension"),
        ["null attribute"] = (r => Card(r)["detail"] = null, "$.cards[0].detail"),
        ["empty string in an extension"] = (r => Card(r)["extension"]!["org.clonuscds"]!["kind"] = "", "$.cards[0].extension.org.clonuscds.kind"),
        ["empty array attribute"] = (r => Card(r)["links"] = new JsonArray(), "$.cards[0].links"),
        ["empty object attribute"] = (r => Card(r)["source"]!["topic"] = new JsonObject(), "$.cards[0].source.topic"),
        ["null deep inside an action resource"] = (r => Suggestion(r, 1)["actions"]![0]!["resource"]!["note"] = null, "$.cards[0].suggestions[1].actions[0].resource.note"),
        ["empty codes list in our extension"] = (r => Card(r)["extension"]!["org.clonuscds"]!["codes"] = new JsonArray(), "$.cards[0].extension.org.clonuscds.codes"),
        ["systemActions empty"] = (r => r["systemActions"] = new JsonArray(), "$.systemActions"),
        ["systemActions not an array"] = (r => r["systemActions"] = new JsonObject { ["type"] = "update" }, "$.systemActions"),
        ["system action without description"] = (r => ((JsonObject)r["systemActions"]![0]!).Remove("description"), "$.systemActions[0].description"),
        ["system action update without resource"] = (r => ((JsonObject)r["systemActions"]![0]!).Remove("resource"), "$.systemActions[0].resource"),
    };

    public static TheoryData<string> BrokenRules() => new(Breaks.Keys);

    [Theory]
    [MemberData(nameof(BrokenRules))]
    public void Checker_catches_a_response_that_breaks_one_rule(string rule)
    {
        var response = GoodNode();
        var (breakIt, path) = Breaks[rule];
        breakIt(response);

        var violations = Check(response);

        Assert.True(violations.Any(v => v.StartsWith(path + ":", StringComparison.Ordinal)),
            $"{rule}: expected a violation at {path}; got:\n{string.Join("\n", violations)}");
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"cards\"")]
    [InlineData("null")]
    public void A_response_that_is_not_an_object_is_a_violation(string body)
    {
        Assert.Contains(CdsConformance.CheckResponse(Parse(body), Parse(Request)), v => v.StartsWith("$:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_delete_suggestion_in_answer_to_a_request_without_draft_orders_is_a_violation()
    {
        var patientView = Parse("""{"hook":"patient-view","hookInstance":"x","context":{"userId":"Practitioner/p1","patientId":"pt-1"}}""");
        var violations = CdsConformance.CheckResponse(Parse(Good), patientView);
        Assert.Contains(violations, v => v.StartsWith("$.cards[0].suggestions[0].actions[0].resourceId:", StringComparison.Ordinal) && v.Contains("has none", StringComparison.Ordinal));
    }

    // ------------------------------------------------------------------------------------------
    // Discovery

    private const string GoodDiscovery = """
        {
          "services": [
            {
              "hook": "patient-view", "title": "Triage", "description": "Clonus triage", "id": "clonus-patient-view",
              "prefetch": {
                "patient": "Patient/{{context.patientId}}",
                "user": "{{context.userId}}",
                "role": "PractitionerRole?_count=1&patient={{userPatientId}}",
                "labs": "Observation?patient={{context.patientId}}&code=http://loinc.org|2160-0,http://loinc.org|2157-6&_sort=-date&_count=50",
                "recent": "Observation?patient={{context.patientId}}&category=vital-signs&date=ge2026-01-01&date=lt2027-01-01",
                "problems": "Condition?patient={{context.patientId}}&clinical-status=active&code:in=http://example.org/ValueSet/umn"
              },
              "usageRequirements": "Prefetch or fhirServer"
            },
            { "hook": "order-select", "description": "Order check", "id": "clonus-order-check", "prefetch": { "meds": "MedicationRequest?patient={{context.patientId}}&status=active" } },
            { "hook": "order-sign", "description": "Order check", "id": "clonus-order-check" }
          ]
        }
        """;

    private static JsonObject GoodDiscoveryNode() => (JsonObject)JsonNode.Parse(GoodDiscovery)!;

    private static JsonObject Service(JsonObject d, int i = 0) => (JsonObject)d["services"]![i]!;

    private static JsonObject Prefetch(JsonObject d, int i = 0) => (JsonObject)Service(d, i)["prefetch"]!;

    [Fact]
    public void A_conforming_discovery_document_has_no_violations()
    {
        Assert.Empty(CdsConformance.CheckDiscovery(Parse(GoodDiscovery)));
    }

    [Fact]
    public void A_server_with_no_services_may_answer_an_empty_services_array()
    {
        Assert.Empty(CdsConformance.CheckDiscovery(Parse("""{"services": []}""")));
    }

    [Fact]
    public void The_catalog_prefetch_templates_pass_the_discovery_rules()
    {
        var services = new JsonArray();
        foreach (var s in CdsServiceCatalog.Services)
        {
            var prefetch = new JsonObject();
            foreach (var (key, template) in s.Prefetch)
            {
                prefetch[key] = template;
            }

            services.Add(new JsonObject { ["hook"] = s.Hook, ["title"] = s.Title, ["description"] = s.Description, ["id"] = s.Id, ["prefetch"] = prefetch, ["usageRequirements"] = s.UsageRequirements });
        }

        Assert.Empty(CdsConformance.CheckDiscovery(Parse(new JsonObject { ["services"] = services }.ToJsonString())));
    }

    private static readonly Dictionary<string, (Action<JsonObject> Break, string Path)> DiscoveryBreaks = new(StringComparer.Ordinal)
    {
        ["services missing"] = (d => d.Remove("services"), "$.services"),
        ["services not an array"] = (d => d["services"] = new JsonObject { ["id"] = "x" }, "$.services"),
        ["hook missing"] = (d => Service(d).Remove("hook"), "$.services[0].hook"),
        ["description missing"] = (d => Service(d).Remove("description"), "$.services[0].description"),
        ["id missing"] = (d => Service(d).Remove("id"), "$.services[0].id"),
        ["id empty"] = (d => Service(d)["id"] = "", "$.services[0].id"),
        ["title not a string"] = (d => Service(d)["title"] = 1, "$.services[0].title"),
        ["usageRequirements null"] = (d => Service(d)["usageRequirements"] = null, "$.services[0].usageRequirements"),
        ["prefetch not an object"] = (d => Service(d)["prefetch"] = new JsonArray("Patient/{{context.patientId}}"), "$.services[0].prefetch"),
        ["prefetch empty"] = (d => Service(d)["prefetch"] = new JsonObject(), "$.services[0].prefetch"),
        ["template not a string"] = (d => Prefetch(d)["patient"] = new JsonObject { ["read"] = "Patient" }, "$.services[0].prefetch.patient"),
        ["same id listed twice for one hook"] = (d => ((JsonArray)d["services"]!).Add(Service(d).DeepClone()), "$.services[3]"),
        ["nested context token"] = (d => Prefetch(d)["patient"] = "MedicationRequest/{{context.draftOrders.id}}", "$.services[0].prefetch.patient"),
        ["token that is not a context field"] = (d => Prefetch(d)["patient"] = "Patient/{{patient.id}}", "$.services[0].prefetch.patient"),
        ["non-primitive context field as token"] = (d => Prefetch(d, 1)["meds"] = "MedicationRequest?patient={{context.patientId}}&code={{context.selections}}", "$.services[1].prefetch.meds"),
        ["unknown context field as token"] = (d => Prefetch(d)["patient"] = "Patient/{{context.mrn}}", "$.services[0].prefetch.patient"),
        ["unbalanced token"] = (d => Prefetch(d)["patient"] = "Patient/{{context.patientId}", "$.services[0].prefetch.patient"),
        ["system-level search"] = (d => Prefetch(d)["patient"] = "?patient={{context.patientId}}", "$.services[0].prefetch.patient"),
        ["history read"] = (d => Prefetch(d)["patient"] = "Patient/{{context.patientId}}/_history", "$.services[0].prefetch.patient"),
        ["_include"] = (d => Prefetch(d)["labs"] = "Observation?patient={{context.patientId}}&_include=Observation:performer", "$.services[0].prefetch.labs"),
        ["chained parameter"] = (d => Prefetch(d)["labs"] = "Observation?subject.name=Smith", "$.services[0].prefetch.labs"),
        ["token modifier other than :in"] = (d => Prefetch(d)["labs"] = "Observation?patient={{context.patientId}}&code:text=creatinine", "$.services[0].prefetch.labs"),
        ["modifier on a reference parameter"] = (d => Prefetch(d)["labs"] = "Observation?patient:missing=false", "$.services[0].prefetch.labs"),
        ["date prefix outside eq lt gt ge le"] = (d => Prefetch(d)["recent"] = "Observation?patient={{context.patientId}}&date=sa2026-01-01", "$.services[0].prefetch.recent"),
        ["_count not a number"] = (d => Prefetch(d)["labs"] = "Observation?patient={{context.patientId}}&_count=all", "$.services[0].prefetch.labs"),
        ["parameter without value"] = (d => Prefetch(d)["labs"] = "Observation?patient=", "$.services[0].prefetch.labs"),
    };

    public static TheoryData<string> BrokenDiscoveryRules() => new(DiscoveryBreaks.Keys);

    [Theory]
    [MemberData(nameof(BrokenDiscoveryRules))]
    public void Checker_catches_a_discovery_document_that_breaks_one_rule(string rule)
    {
        var discovery = GoodDiscoveryNode();
        var (breakIt, path) = DiscoveryBreaks[rule];
        breakIt(discovery);

        var violations = CdsConformance.CheckDiscovery(Parse(discovery.ToJsonString()));

        Assert.True(violations.Any(v => v.StartsWith(path + ":", StringComparison.Ordinal) || v.StartsWith(path + ".", StringComparison.Ordinal)),
            $"{rule}: expected a violation at {path}; got:\n{string.Join("\n", violations)}");
    }
}
