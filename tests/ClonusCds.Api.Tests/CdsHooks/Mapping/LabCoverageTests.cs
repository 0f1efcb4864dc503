using System.Text.Json;
using ClonusCds.Api.CdsHooks;
using ClonusCds.Api.CdsHooks.Fhir;
using ClonusCds.Core.KnowledgeBase;

namespace ClonusCds.Api.Tests.CdsHooks.Mapping;

/// <summary>
/// Kidney function and the other lab families under every code EHRs file them under (issue 13
/// parts 2 and 3): each eGFR LOINC code, creatinine by mass or substance concentration, values
/// reported with a comparator, several eGFRs from one draw, CKD and dialysis codes.
/// </summary>
public sealed class LabCoverageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly ClinicalKnowledgeBase Kb = ClinicalKnowledgeBase.LoadEmbedded();
    private static readonly FhirPatientMapper Mapper = new(Kb, new FixedTime(Now));

    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static string Bundle(params string[] resources) =>
        "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[" + string.Join(",", resources.Select(r => "{\"resource\":" + r + "}")) + "]}";

    private static string Lab(string id, string loinc, string value, string when = "2026-11-20T08:00:00Z") =>
        "{\"resourceType\":\"Observation\",\"id\":\"" + id + "\",\"status\":\"final\",\"subject\":{\"reference\":\"Patient/p1\"},\"effectiveDateTime\":\"" + when +
        "\",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"" + loinc + "\"}]}," + value + "}";

    private static string Qty(double value, string? code) =>
        "\"valueQuantity\":{\"value\":" + value.ToString(System.Globalization.CultureInfo.InvariantCulture) + (code is null ? "" : ",\"system\":\"http://unitsofmeasure.org\",\"code\":\"" + code + "\"") + "}";

    private const string Adult = "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"gender\":\"male\",\"birthDate\":\"1980-03-01\"}";

    private static MappedRecord Map(string labs, string? conditions = null, string? patient = null) =>
        Mapper.Map(new FhirInput("p1", patient is null ? null : PrefetchData.Read("patient", J(patient), PrefetchOrigin.Prefetched),
            conditions is null ? null : PrefetchData.Read("conditions", J(conditions), PrefetchOrigin.Prefetched),
            null, [PrefetchData.Read("labs", J(labs), PrefetchOrigin.Prefetched)!], [], null), TimeSpan.FromHours(72));

    public static TheoryData<string> EgfrCodes() => [.. CdsServiceCatalog.EgfrLoincCodes];

    [Theory]
    [MemberData(nameof(EgfrCodes))]
    public void An_eGFR_under_each_common_LOINC_code_is_read(string loinc)
    {
        var record = Map(Bundle(Lab("e", loinc, Qty(24, "mL/min/{1.73_m2}"))));

        Assert.Equal(24, record.Context.Patient!.Egfr);
        Assert.False(record.KidneyFunctionUnseen);
    }

    [Fact]
    public void Every_eGFR_and_creatinine_code_read_is_asked_for_in_the_labs_template()
    {
        var template = CdsServiceCatalog.Prefetch[CdsServiceCatalog.Keys.Labs];
        var asked = template.Split('&').Single(p => p.StartsWith("code=", StringComparison.Ordinal))["code=".Length..].Split(',').ToHashSet();
        foreach (var code in CdsServiceCatalog.EgfrLoincCodes.Concat(CdsServiceCatalog.CreatinineLoincCodes).Append(FhirPatientMapper.LoincPregnancyReported))
        {
            Assert.Contains("http://loinc.org|" + code, asked);
        }

        // Creatinine clearance (Cockcroft-Gault, 35591-7) is not an eGFR.
        Assert.DoesNotContain("35591-7", template, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_eGFRs_from_one_draw_give_the_lowest()
    {
        // A race-specific pair reported together (non-Black 41, Black 48): the lower is used.
        var record = Map(Bundle(Lab("b", "88293-6", Qty(48, "mL/min/{1.73_m2}")), Lab("nb", "88294-4", Qty(41, "mL/min/{1.73_m2}"))));

        Assert.Equal(41, record.Context.Patient!.Egfr);
    }

    [Fact]
    public void A_newer_eGFR_wins_over_an_older_lower_one()
    {
        var record = Map(Bundle(Lab("old", "62238-1", Qty(20, "mL/min/{1.73_m2}"), "2026-01-01T08:00:00Z"), Lab("new", "98979-8", Qty(55, "mL/min/{1.73_m2}"))));

        Assert.Equal(55, record.Context.Patient!.Egfr);
    }

    [Theory]
    [InlineData("\"valueString\":\">60\"", 60)]
    [InlineData("\"valueString\":\"> 90 mL/min/1.73m2\"", 90)]
    [InlineData("\"valueQuantity\":{\"value\":60,\"comparator\":\">\",\"code\":\"mL/min/{1.73_m2}\"}", 60)]
    [InlineData("\"valueString\":\"<15\"", 15)]
    public void An_eGFR_reported_with_a_comparator_is_read_as_its_bound(string value, double expected)
    {
        var record = Map(Bundle(Lab("e", "33914-3", value)));

        Assert.Equal(expected, record.Context.Patient!.Egfr);
    }

    [Fact]
    public void An_eGFR_given_only_as_a_lower_bound_defers_to_the_creatinine_for_an_adult()
    {
        var record = Map(Bundle(Lab("e", "33914-3", "\"valueString\":\">60\""), Lab("c", "2160-0", Qty(0.9, "mg/dL"))), patient: Adult);

        Assert.True(record.Context.Patient!.AgeYears >= 18);
        Assert.Null(record.Context.Patient.Egfr);
        Assert.Equal(0.9, record.Context.Labs!.CreatinineMgPerDl!.Value, 2);
        Assert.Contains(record.Notes, n => n.Contains("lower bound", StringComparison.Ordinal));
        Assert.False(record.KidneyFunctionUnseen);
    }

    [Fact]
    public void An_eGFR_lower_bound_is_kept_when_the_age_is_unknown()
    {
        var record = Map(Bundle(Lab("e", "33914-3", "\"valueString\":\">60\""), Lab("c", "2160-0", Qty(0.9, "mg/dL"))));

        Assert.Equal(60, record.Context.Patient!.Egfr);
    }

    [Fact]
    public void An_eGFR_given_as_an_upper_bound_is_kept_beside_a_creatinine()
    {
        var record = Map(Bundle(Lab("e", "33914-3", "\"valueString\":\"<15\""), Lab("c", "2160-0", Qty(4.9, "mg/dL"))), patient: Adult);

        Assert.Equal(15, record.Context.Patient!.Egfr);
    }

    [Fact]
    public void A_text_value_that_is_not_a_number_is_not_an_eGFR()
    {
        var record = Map(Bundle(Lab("e", "33914-3", "\"valueString\":\"see comment\"")));

        Assert.Null(record.Context.Patient!.Egfr);
        Assert.True(record.KidneyFunctionUnseen);
    }

    [Theory]
    [InlineData("2160-0", 1.8, "mg/dL", 1.8)]
    [InlineData("38483-4", 1.8, "mg/dL", 1.8)]
    [InlineData("14682-9", 159, "umol/L", 1.8)]
    [InlineData("14682-9", 159, null, 1.8)]
    [InlineData("59826-8", 159, "µmol/L", 1.8)]
    [InlineData("77140-2", 0.159, "mmol/L", 1.8)]
    [InlineData("2160-0", 1.8, null, 1.8)]
    public void Creatinine_is_read_in_mg_per_dL_from_mass_or_substance_codes(string loinc, double value, string? unit, double expected)
    {
        var record = Map(Bundle(Lab("c", loinc, Qty(value, unit))));

        Assert.Equal(expected, record.Context.Labs!.CreatinineMgPerDl!.Value, 1);
        Assert.False(record.KidneyFunctionUnseen);
    }

    [Fact]
    public void A_creatinine_in_a_unit_that_cannot_be_converted_is_not_guessed()
    {
        var record = Map(Bundle(Lab("c", "2160-0", Qty(1.8, "g/L"))));

        Assert.Null(record.Context.Labs!.CreatinineMgPerDl);
        Assert.Contains(record.Notes, n => n.Contains("not usable", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://snomed.info/sct", "431857002")]
    [InlineData("http://snomed.info/sct", "709044004")]
    [InlineData("http://hl7.org/fhir/sid/icd-10-cm", "N18.4")]
    public void A_CKD_condition_is_a_kidney_function_source_even_without_labs(string system, string code)
    {
        var conditions = Bundle("{\"resourceType\":\"Condition\",\"id\":\"ckd\",\"subject\":{\"reference\":\"Patient/p1\"},\"clinicalStatus\":{\"coding\":[{\"code\":\"active\"}]},\"code\":{\"coding\":[{\"system\":\"" + system + "\",\"code\":\"" + code + "\"}]}}");

        var record = Map(Bundle(), conditions);

        Assert.False(record.KidneyFunctionUnseen);
        Assert.Contains(record.Context.Conditions!, c => c.Code == code);
    }

    [Theory]
    [InlineData("http://snomed.info/sct", "105502003")]
    [InlineData("http://hl7.org/fhir/sid/icd-10-cm", "Z99.2")]
    public void Dialysis_dependence_by_code_sets_on_dialysis(string system, string code)
    {
        var conditions = Bundle("{\"resourceType\":\"Condition\",\"id\":\"d\",\"subject\":{\"reference\":\"Patient/p1\"},\"code\":{\"coding\":[{\"system\":\"" + system + "\",\"code\":\"" + code + "\"}]}}");

        Assert.True(Map(Bundle(), conditions).Context.Patient!.OnDialysis);
    }

    [Fact]
    public void No_renal_data_anywhere_is_said_to_be_unseen()
    {
        var record = Map(Bundle(Lab("ck", "2157-6", Qty(300, "U/L"))));

        Assert.True(record.KidneyFunctionUnseen);
        Assert.Contains(record.Unseen, u => u.StartsWith("Kidney function", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("82810-3")]
    [InlineData("11449-6")]
    public void Pregnancy_status_is_read_under_either_code(string loinc)
    {
        var record = Map(Bundle(Lab("p", loinc, "\"valueCodeableConcept\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"77386006\"}]}")));

        Assert.True(record.Context.Patient!.Pregnant);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
