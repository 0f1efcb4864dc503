using System.Text.Json;
using ClonusCds.Api.Infrastructure;
using FluentValidation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace ClonusCds.Api.Tests.Validation;

/// <summary>
/// <see cref="ValidationFilter{T}"/> with the fast path: a "certainly valid" skips FluentValidation,
/// anything else goes to FluentValidation, which alone writes the 400 — byte for byte as before.
/// </summary>
public sealed class ValidationFilterTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    // ------------------------------------------------------------------ the filter alone

    public sealed record Thing(int Value);

    /// <summary>FluentValidation wants Value &gt; 0; the fast check answers whatever it is told, so a test can tell who decided.</summary>
    private sealed class FastThingValidator : AbstractValidator<Thing>, IFastValidity<Thing>
    {
        private readonly bool _fastAnswer;

        public FastThingValidator(bool fastAnswer)
        {
            _fastAnswer = fastAnswer;
            RuleFor(x => x.Value).GreaterThan(0);
        }

        public int FastCalls { get; private set; }

        public bool IsCertainlyValid(Thing value)
        {
            FastCalls++;
            return _fastAnswer;
        }
    }

    private sealed class PlainThingValidator : AbstractValidator<Thing>
    {
        public PlainThingValidator() => RuleFor(x => x.Value).GreaterThan(0);
    }

    private static readonly object Next = new();

    private static async Task<object?> Run(IValidator<Thing> validator, Thing thing)
    {
        using var services = new ServiceCollection().AddSingleton(validator).BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        var context = new DefaultEndpointFilterInvocationContext(http, thing);
        return await new ValidationFilter<Thing>().InvokeAsync(context, _ => ValueTask.FromResult<object?>(Next));
    }

    [Fact]
    public async Task Certainly_valid_skips_FluentValidation()
    {
        // FluentValidation would reject Value = -1: reaching the endpoint proves it did not run.
        var validator = new FastThingValidator(fastAnswer: true);
        Assert.Same(Next, await Run(validator, new Thing(-1)));
        Assert.Equal(1, validator.FastCalls);
    }

    [Fact]
    public async Task Not_certainly_valid_lets_FluentValidation_decide()
    {
        var validator = new FastThingValidator(fastAnswer: false);
        Assert.Same(Next, await Run(validator, new Thing(1)));
        var problem = Assert.IsType<ValidationProblem>(await Run(validator, new Thing(-1)));
        Assert.Equal(["value"], problem.ProblemDetails.Errors.Keys);
    }

    [Fact]
    public async Task A_validator_without_a_fast_check_still_works()
    {
        var validator = new PlainThingValidator();
        Assert.Same(Next, await Run(validator, new Thing(1)));
        Assert.IsType<ValidationProblem>(await Run(validator, new Thing(-1)));
    }

    // ------------------------------------------------------------------ over HTTP

    /// <summary>
    /// Invalid bodies and their full 400 responses (minus traceId) as the service answered them
    /// before the fast path existed. Each body breaks several rules, so ordering, grouping and
    /// message rewriting are all covered.
    /// </summary>
    public static TheoryData<string, string> InvalidBodies() => new()
    {
        {
            """{"clonus": {"present": true}, "medications": [{"name": "sertraline", "rxcui": "36437"}, {"name": " ", "rxcui": "12a", "daysSinceChange": -1}]}""",
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The patient context is not valid","status":400,"detail":"medications[1].name: name is required. medications[1].rxcui: rxcui must be 1\u201312 digits. medications[1].daysSinceChange: medications[1].daysSinceChange must be between 0 and 36500. You entered -1.","instance":"/api/v1/assessments","errors":{"medications[1].name":["name is required."],"medications[1].rxcui":["rxcui must be 1\u201312 digits."],"medications[1].daysSinceChange":["medications[1].daysSinceChange must be between 0 and 36500. You entered -1."]}}"""
        },
        {
            """{"clonus": {"beats": 1001, "durationHours": -0.5}, "patient": {"ageYears": 121, "pregnant": false, "gestationalAgeWeeks": 46, "egfr": 200.5}}""",
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The patient context is not valid","status":400,"detail":"clonus.present: clonus.present is required (true or false). clonus.beats: clonus.beats must be between 0 and 1000. You entered 1001. clonus.durationHours: clonus.durationHours must be between 0 and 1000000. You entered -0.5. patient.ageYears: patient.ageYears must be between 0 and 120. You entered 121. patient.gestationalAgeWeeks: patient.gestationalAgeWeeks must be between 1 and 45. You entered 46. patient.egfr: patient.egfr must be between 0 and 200. You entered 200.5.","instance":"/api/v1/assessments","errors":{"clonus.present":["clonus.present is required (true or false)."],"clonus.beats":["clonus.beats must be between 0 and 1000. You entered 1001."],"clonus.durationHours":["clonus.durationHours must be between 0 and 1000000. You entered -0.5."],"patient.ageYears":["patient.ageYears must be between 0 and 120. You entered 121."],"patient.gestationalAgeWeeks":["patient.gestationalAgeWeeks must be between 1 and 45. You entered 46.","gestationalAgeWeeks is given but pregnant is false."],"patient.egfr":["patient.egfr must be between 0 and 200. You entered 200.5."]}}"""
        },
        {
            """{"patient": {"ageYears": 30}, "vitals": {"temperatureC": 24.999, "heartRateBpm": 19, "systolicBp": 301, "diastolicBp": 10, "respiratoryRate": 81, "spo2Percent": 100.01}}""",
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The patient context is not valid","status":400,"detail":"clonus: clonus is required: at least { \u0022present\u0022: true|false }. vitals.temperatureC: vitals.temperatureC must be between 25 and 45. You entered 24.999. vitals.heartRateBpm: vitals.heartRateBpm must be between 20 and 300. You entered 19. vitals.systolicBp: vitals.systolicBp must be between 20 and 300. You entered 301. vitals.diastolicBp: vitals.diastolicBp must be between 20 and 300. You entered 10. vitals.respiratoryRate: vitals.respiratoryRate must be between 0 and 80. You entered 81. vitals.spo2Percent: vitals.spo2Percent must be between 0 and 100. You entered 100.01.","instance":"/api/v1/assessments","errors":{"clonus":["clonus is required: at least { \u0022present\u0022: true|false }."],"vitals.temperatureC":["vitals.temperatureC must be between 25 and 45. You entered 24.999."],"vitals.heartRateBpm":["vitals.heartRateBpm must be between 20 and 300. You entered 19."],"vitals.systolicBp":["vitals.systolicBp must be between 20 and 300. You entered 301."],"vitals.diastolicBp":["vitals.diastolicBp must be between 20 and 300. You entered 10."],"vitals.respiratoryRate":["vitals.respiratoryRate must be between 0 and 80. You entered 81."],"vitals.spo2Percent":["vitals.spo2Percent must be between 0 and 100. You entered 100.01."]}}"""
        },
        {
            """{"clonus": {"present": false}, "labs": {"creatineKinaseUPerL": -1, "lithiumMmolPerL": 101, "ammoniaUmolPerL": 100001, "sodiumMmolPerL": 1001, "bicarbonateMmolPerL": -0.1, "creatinineMgPerDl": 1000.1, "inr": 100.5}}""",
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The patient context is not valid","status":400,"detail":"labs.creatineKinaseUPerL: labs.creatineKinaseUPerL must be between 0 and 10000000. You entered -1. labs.lithiumMmolPerL: labs.lithiumMmolPerL must be between 0 and 100. You entered 101. labs.ammoniaUmolPerL: labs.ammoniaUmolPerL must be between 0 and 100000. You entered 100001. labs.sodiumMmolPerL: labs.sodiumMmolPerL must be between 0 and 1000. You entered 1001. labs.bicarbonateMmolPerL: labs.bicarbonateMmolPerL must be between 0 and 1000. You entered -0.1. labs.creatinineMgPerDl: labs.creatinineMgPerDl must be between 0 and 1000. You entered 1000.1. labs.inr: labs.inr must be between 0 and 100. You entered 100.5.","instance":"/api/v1/assessments","errors":{"labs.creatineKinaseUPerL":["labs.creatineKinaseUPerL must be between 0 and 10000000. You entered -1."],"labs.lithiumMmolPerL":["labs.lithiumMmolPerL must be between 0 and 100. You entered 101."],"labs.ammoniaUmolPerL":["labs.ammoniaUmolPerL must be between 0 and 100000. You entered 100001."],"labs.sodiumMmolPerL":["labs.sodiumMmolPerL must be between 0 and 1000. You entered 1001."],"labs.bicarbonateMmolPerL":["labs.bicarbonateMmolPerL must be between 0 and 1000. You entered -0.1."],"labs.creatinineMgPerDl":["labs.creatinineMgPerDl must be between 0 and 1000. You entered 1000.1."],"labs.inr":["labs.inr must be between 0 and 100. You entered 100.5."]}}"""
        },
        {
            """{"clonus": {"present": true}, "conditions": [{"onset": "chronic"}, {"code": "G35", "system": " "}, {"code": "G35", "system": "icd10"}, {"display": "   ", "code": "\t"}, null], "treatmentHistory": [{"response": "effective"}, {"treatment": ""}, null]}""",
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The patient context is not valid","status":400,"detail":"conditions[0].category: Each condition needs at least one of category, code or display. conditions[1].system: system must be an absolute URI, e.g. http://hl7.org/fhir/sid/icd-10-cm or http://snomed.info/sct. conditions[2].system: system must be an absolute URI, e.g. http://hl7.org/fhir/sid/icd-10-cm or http://snomed.info/sct. conditions[3].category: Each condition needs at least one of category, code or display. conditions[4]: Items must not be null. treatmentHistory[0].treatment: treatment is required. treatmentHistory[1].treatment: treatment is required. treatmentHistory[2]: Items must not be null.","instance":"/api/v1/assessments","errors":{"conditions[0].category":["Each condition needs at least one of category, code or display."],"conditions[1].system":["system must be an absolute URI, e.g. http://hl7.org/fhir/sid/icd-10-cm or http://snomed.info/sct.","conditions[1].system must not be empty."],"conditions[2].system":["system must be an absolute URI, e.g. http://hl7.org/fhir/sid/icd-10-cm or http://snomed.info/sct."],"conditions[3].category":["Each condition needs at least one of category, code or display."],"conditions[4]":["Items must not be null."],"treatmentHistory[0].treatment":["treatment is required."],"treatmentHistory[1].treatment":["treatment is required."],"treatmentHistory[2]":["Items must not be null."]}}"""
        },
        {
            """{"clonus": {"present": true, "sites": ["ankle","ankle","ankle","ankle","ankle","ankle","ankle","ankle","ankle","ankle","ankle","ankle","ankle","ankle","ankle","ankle","ankle"]}, "medications": [null]}""",
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The patient context is not valid","status":400,"detail":"clonus.sites: At most 16 items. medications[0]: Items must not be null.","instance":"/api/v1/assessments","errors":{"clonus.sites":["At most 16 items."],"medications[0]":["Items must not be null."]}}"""
        },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_body_gets_the_same_400_as_before_the_fast_path(string body, string expected)
    {
        var client = factory.CreateClient();
        var (response, problem) = await client.PostJson(Http.Assessments, body);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.MediaType());

        // Everything but the per-request traceId, re-serialised the same way as when recorded.
        var members = new Dictionary<string, JsonElement>();
        foreach (var member in problem.EnumerateObject())
        {
            if (member.Name != "traceId")
            {
                members[member.Name] = member.Value;
            }
        }

        Assert.Equal(expected, JsonSerializer.Serialize(members));
    }

    [Fact]
    public async Task Rxcui_with_a_trailing_newline_is_refused()
    {
        // The contract says 1-12 digits. The pattern once ended in "$", which .NET also matches
        // before a final "\n", so "36437\n" was accepted; it now ends in "\z".
        var client = factory.CreateClient();
        var (response, body) = await client.PostJson(Http.Assessments, """{"clonus": {"present": true}, "medications": [{"name": "sertraline", "rxcui": "36437\n"}]}""");
        Assert.Equal(400, (int)response.StatusCode);
        Assert.True(body.GetProperty("errors").TryGetProperty("medications[0].rxcui", out _));
    }
}
