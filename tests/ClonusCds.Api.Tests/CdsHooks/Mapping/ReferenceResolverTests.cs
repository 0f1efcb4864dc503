using System.Text.Json;
using ClonusCds.Api.CdsHooks.Fhir;
using ClonusCds.Core.KnowledgeBase;
using ClonusCds.Core.Model;

namespace ClonusCds.Api.Tests.CdsHooks.Mapping;

/// <summary>
/// The reference resolver (issue 13 part 1): a Medication is found wherever the reference points —
/// contained, a sibling entry of the same Bundle (by fullUrl or Type/id), an entry of another Bundle
/// of the call, or a resource fetched for it — and a reference that resolves nowhere is reported as
/// an unidentified drug, never dropped.
/// </summary>
public sealed class ReferenceResolverTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly FhirPatientMapper Mapper = new(ClinicalKnowledgeBase.LoadEmbedded(), new FixedTime(Now));

    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private const string Rx = "http://www.nlm.nih.gov/research/umls/rxnorm";

    private static string Medication(string id, string rxcui, string display) =>
        $$$"""{"resourceType":"Medication","id":"{{{id}}}","code":{"coding":[{"system":"{{{Rx}}}","code":"{{{rxcui}}}","display":"{{{display}}}"}]}}""";

    private static string Request(string id, string reference, string status = "active", string extra = "") =>
        $$$"""{"resourceType":"MedicationRequest","id":"{{{id}}}","status":"{{{status}}}","intent":"order","subject":{"reference":"Patient/p1"},"medicationReference":{"reference":"{{{reference}}}"}{{{extra}}}}""";

    private static string Entry(string resource, string? fullUrl = null) =>
        fullUrl is null ? $$$"""{"resource":{{{resource}}}}""" : $$$"""{"fullUrl":"{{{fullUrl}}}","resource":{{{resource}}}}""";

    private static string Bundle(params string[] entries) =>
        $$$"""{"resourceType":"Bundle","type":"searchset","entry":[{{{string.Join(",", entries)}}}]}""";

    private static PrefetchData Data(string key, string json) => PrefetchData.Read(key, J(json), PrefetchOrigin.Prefetched)!;

    private static MappedRecord Map(PrefetchData? medications = null, PrefetchData? statements = null, IReadOnlyList<Hl7.Fhir.Model.Resource>? drafts = null,
        IReadOnlyList<string?>? draftUrls = null, FhirReferenceResolver? resolver = null)
    {
        var input = new FhirInput("p1", null, null, medications, [], drafts ?? [], null)
        {
            MedicationStatements = statements,
            DraftFullUrls = draftUrls ?? [],
        };
        return Mapper.Map(resolver is null ? input : input with { Resolver = resolver }, TimeSpan.FromHours(72));
    }

    [Fact]
    public void A_draft_whose_Medication_is_a_sibling_entry_of_the_draft_Bundle_is_identified()
    {
        var drafts = new[] { FhirTestResources.Resource(Request("d1", "Medication/lzd", "draft")), FhirTestResources.Resource(Medication("lzd", "190376", "linezolid 600 MG Oral Tablet")) };

        var record = Map(drafts: drafts, draftUrls: ["https://ehr.example.org/fhir/MedicationRequest/d1", "https://ehr.example.org/fhir/Medication/lzd"]);

        var entry = record.Context.Medications![Assert.Single(record.Drafts).MedicationIndex];
        Assert.Equal("190376", entry.Rxcui);
        Assert.Equal("linezolid 600 MG Oral Tablet", entry.Name);
        Assert.Contains(record.Notes, n => n.Contains("same Bundle", StringComparison.Ordinal));
    }

    [Fact]
    public void A_urn_uuid_reference_is_matched_by_the_entry_fullUrl()
    {
        const string urn = "urn:uuid:5b9e2d0a-8f1c-4a7e-9a31-2c1f0e6d4b77";
        var drafts = new[] { FhirTestResources.Resource(Request("d1", urn, "draft")), FhirTestResources.Resource(Medication("x", "36437", "sertraline 50 MG Oral Tablet")) };

        var record = Map(drafts: drafts, draftUrls: [null, urn]);

        Assert.Equal("36437", record.Context.Medications![record.Drafts[0].MedicationIndex].Rxcui);
    }

    [Fact]
    public void An_absolute_or_versioned_reference_matches_an_entry_by_Type_and_id()
    {
        var list = Data("medications", Bundle(
            Entry(Request("m1", "https://ehr.example.org/fhir/Medication/ssri/_history/3"), "https://ehr.example.org/fhir/MedicationRequest/m1"),
            Entry(Medication("ssri", "32937", "paroxetine 20 MG Oral Tablet"), "https://ehr.example.org/fhir/Medication/ssri")));

        var entry = Assert.Single(Map(medications: list).Context.Medications!);

        Assert.Equal("32937", entry.Rxcui);
    }

    [Fact]
    public void A_statement_whose_Medication_sits_in_another_prefetch_Bundle_is_identified()
    {
        var orders = Data("medications", Bundle(Entry(Medication("mao", "8123", "phenelzine 15 MG Oral Tablet"), "https://ehr.example.org/fhir/Medication/mao")));
        var statements = Data("medicationStatements", Bundle(Entry(
            """{"resourceType":"MedicationStatement","id":"s1","status":"active","subject":{"reference":"Patient/p1"},"medicationReference":{"reference":"Medication/mao"}}""",
            "https://ehr.example.org/fhir/MedicationStatement/s1")));

        var entry = Assert.Single(Map(medications: orders, statements: statements).Context.Medications!);

        Assert.Equal("8123", entry.Rxcui);
        Assert.Equal(MedicationStatus.Active, entry.Status);
    }

    [Fact]
    public void The_same_Bundle_is_searched_before_the_others()
    {
        // Two Bundles hold a Medication/m: the referencing resource's own Bundle wins.
        var orders = Data("medications", Bundle(
            Entry(Request("m1", "Medication/m")),
            Entry(Medication("m", "36437", "sertraline"))));
        var statements = Data("medicationStatements", Bundle(Entry(Medication("m", "8123", "phenelzine"))));

        var entry = Assert.Single(Map(medications: orders, statements: statements).Context.Medications!);

        Assert.Equal("36437", entry.Rxcui);
    }

    [Fact]
    public void A_Medication_without_a_code_is_read_from_its_ingredient()
    {
        const string med = """{"resourceType":"Medication","id":"cmp","ingredient":[{"itemCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"10689","display":"tramadol"}]}}]}""";
        var list = Data("medications", Bundle(Entry(Request("m1", "Medication/cmp")), Entry(med)));

        Assert.Equal("10689", Assert.Single(Map(medications: list).Context.Medications!).Rxcui);
    }

    [Fact]
    public void A_reference_that_resolves_nowhere_gives_an_unidentified_drug_not_an_empty_list()
    {
        var list = Data("medications", Bundle(Entry(Request("m1", "Medication/missing"))));

        var record = Map(medications: list);

        var entry = Assert.Single(record.Context.Medications!);
        Assert.Null(entry.Rxcui);
        Assert.StartsWith(FhirPatientMapper.UnidentifiedPrefix, entry.Name, StringComparison.Ordinal);
        Assert.True(record.MedicinesPartlySeen);
        Assert.Contains(record.Unseen, u => u.Contains("could not be identified", StringComparison.Ordinal));
    }

    [Fact]
    public void A_draft_whose_reference_resolves_nowhere_is_marked_unidentified()
    {
        var record = Map(drafts: [FhirTestResources.Resource(Request("d1", "Medication/nowhere", "draft"))]);

        Assert.True(Assert.Single(record.Drafts).Unidentified);
    }

    [Fact]
    public void A_fetched_Medication_resolves_the_reference_and_is_listed_as_unresolved_until_then()
    {
        var list = Data("medications", Bundle(Entry(Request("m1", "Medication/remote"))));
        var input = new FhirInput("p1", null, null, list, [], [], null);
        var resolver = FhirReferenceResolver.For(input);
        Assert.Equal(["Medication/remote"], resolver.UnresolvedMedications(20));

        resolver.AddFetched("Medication/remote", FhirTestResources.Resource(Medication("remote", "190376", "linezolid")));

        Assert.Empty(resolver.UnresolvedMedications(20));
        Assert.Equal("190376", Assert.Single(Map(medications: list, resolver: resolver).Context.Medications!).Rxcui);
    }

    [Fact]
    public void Unresolved_references_are_distinct_bounded_and_skip_contained_ones()
    {
        var entries = Enumerable.Range(0, 30).Select(i => Entry(Request("m" + i, "Medication/r" + (i % 25)))).Append(Entry(Request("c", "#gone")));
        var resolver = FhirReferenceResolver.For(new FhirInput("p1", null, null, Data("medications", Bundle([.. entries])), [], [], null));

        var unresolved = resolver.UnresolvedMedications(20);

        Assert.Equal(20, unresolved.Count);
        Assert.Equal(unresolved.Count, unresolved.Distinct().Count());
        Assert.DoesNotContain("#gone", unresolved);
    }

    [Fact]
    public void A_reference_to_another_resource_type_is_not_taken_for_a_Medication()
    {
        var list = Data("medications", Bundle(
            Entry(Request("m1", "Substance/lzd")),
            Entry("""{"resourceType":"Substance","id":"lzd","code":{"text":"linezolid"}}""")));

        var entry = Assert.Single(Map(medications: list).Context.Medications!);

        Assert.Null(entry.Rxcui);
        Assert.StartsWith(FhirPatientMapper.UnidentifiedPrefix, entry.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void A_subject_written_as_a_urn_fullUrl_of_the_context_Patient_counts_as_this_patient()
    {
        const string urn = "urn:uuid:0f4a5d0c-6a0e-4d8e-8d7c-1d2c3b4a5f6e";
        var list = Data("medications", Bundle(
            Entry("""{"resourceType":"MedicationRequest","id":"m1","status":"active","subject":{"reference":"urn:uuid:0f4a5d0c-6a0e-4d8e-8d7c-1d2c3b4a5f6e"},"medicationCodeableConcept":{"text":"sertraline 50 mg"}}"""),
            Entry("""{"resourceType":"Patient","id":"p1"}""", urn)));
        var other = Data("medications", Bundle(
            Entry("""{"resourceType":"MedicationRequest","id":"m1","status":"active","subject":{"reference":"urn:uuid:0f4a5d0c-6a0e-4d8e-8d7c-1d2c3b4a5f6e"},"medicationCodeableConcept":{"text":"sertraline 50 mg"}}"""),
            Entry("""{"resourceType":"Patient","id":"someone-else"}""", urn)));

        Assert.Single(Map(medications: list).Context.Medications!);
        Assert.Empty(Map(medications: other).Context.Medications!);
    }

    [Theory]
    [InlineData("Medication/123", "Medication/123")]
    [InlineData("https://ehr.example.org/fhir/Medication/abc-1.2", "Medication/abc-1.2")]
    [InlineData("https://ehr.example.org/fhir/Medication/123/_history/7", "Medication/123")]
    [InlineData("Medication/123/_history/7", "Medication/123")]
    [InlineData("urn:uuid:5b9e2d0a-8f1c-4a7e-9a31-2c1f0e6d4b77", null)]
    [InlineData("#m1", null)]
    [InlineData("Medication", null)]
    [InlineData("medication/123", null)]
    [InlineData("ftp://ehr.example.org/Medication/1", null)]
    [InlineData("Medication/has space", null)]
    public void References_normalise_to_Type_and_id(string reference, string? expected) =>
        Assert.Equal(expected, FhirReferenceResolver.Normalize(reference));

    [Theory]
    [InlineData("""{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"timeout"}]}""")]
    [InlineData("""{"resourceType":"Bundle","type":"searchset","link":[{"relation":"next","url":"https://ehr.example.org/fhir/page2"}],"entry":[]}""")]
    public void Statements_that_failed_or_were_cut_short_leave_the_medication_list_incomplete(string statements)
    {
        var record = Map(medications: Data("medications", Bundle()), statements: Data("medicationStatements", statements));

        Assert.True(record.Context.MedicationListIncomplete);
        Assert.True(record.MedicinesPartlySeen);
        Assert.Contains(record.Unseen, u => u.StartsWith("Home and reported medicines:", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_gap_is_said_once_under_could_not_be_seen_not_among_the_readings()
    {
        var failed = """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"timeout"}]}""";
        var input = new FhirInput("p1", null, Data("conditions", failed), Data("medications", failed), [Data("vitals", failed)], [], null);

        var record = Mapper.Map(input, TimeSpan.FromHours(72));

        Assert.Contains(record.Unseen, u => u.StartsWith("Medication orders:", StringComparison.Ordinal));
        Assert.Contains(record.Unseen, u => u.StartsWith("Conditions:", StringComparison.Ordinal));
        Assert.Contains(record.Unseen, u => u.StartsWith("Observations (vitals):", StringComparison.Ordinal));
        Assert.DoesNotContain(record.Notes, n => n.Contains("OperationOutcome", StringComparison.Ordinal));
    }

    [Fact]
    public void A_stopped_statement_counts_days_from_its_period_end_else_from_when_it_was_asserted()
    {
        var statements = Data("medicationStatements", Bundle(
            Entry("""{"resourceType":"MedicationStatement","id":"s1","status":"stopped","subject":{"reference":"Patient/p1"},"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"8123","display":"phenelzine"}]},"effectivePeriod":{"start":"2026-01-01","end":"2026-11-16T12:00:00Z"}}"""),
            Entry("""{"resourceType":"MedicationStatement","id":"s2","status":"completed","subject":{"reference":"Patient/p1"},"medicationCodeableConcept":{"text":"fluoxetine 20 mg"},"dateAsserted":"2026-09-22T12:00:00Z"}"""),
            Entry("""{"resourceType":"MedicationStatement","id":"s3","status":"stopped","subject":{"reference":"Patient/p1"},"medicationCodeableConcept":{"text":"sertraline 50 mg"}}""")));

        var meds = Map(statements: statements).Context.Medications!;

        Assert.All(meds, m => Assert.Equal(MedicationStatus.Stopped, m.Status));
        Assert.Equal(5, meds[0].DaysSinceChange);
        // Asserted stopped 60 days ago: stopped at least that long ago (a lower bound, so a washout is never judged over early).
        Assert.Equal(60, meds[1].DaysSinceChange);
        // No date at all: unknown, which the engine treats as possibly recent.
        Assert.Null(meds[2].DaysSinceChange);
    }

    [Fact]
    public void A_stopped_order_counts_days_from_its_dosage_bounds_end()
    {
        var list = Data("medications", Bundle(Entry(
            """{"resourceType":"MedicationRequest","id":"m1","status":"stopped","intent":"order","subject":{"reference":"Patient/p1"},"medicationCodeableConcept":{"text":"phenelzine 15 mg"},"dosageInstruction":[{"timing":{"repeat":{"boundsPeriod":{"start":"2026-06-01","end":"2026-11-11T12:00:00Z"}}}}]}""")));

        Assert.Equal(10, Assert.Single(Map(medications: list).Context.Medications!).DaysSinceChange);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
