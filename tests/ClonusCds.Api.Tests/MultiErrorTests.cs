using System.Net;
using System.Text.Json;
using ClonusCds.Api.Infrastructure;

namespace ClonusCds.Api.Tests;

/// <summary>
/// Issue 15 part 5: one 400 lists every problem (structural and rule problems together, each at
/// its JSON path), unknown fields get the nearest known name, a Fahrenheit temperature is pointed
/// out with its Celsius value, and no free text from the request is ever echoed.
/// </summary>
public sealed class MultiErrorTests(ClonusApiFactory factory) : IClassFixture<ClonusApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private async Task<JsonElement> Errors(string body)
    {
        var (response, problem) = await _client.PostJson(Http.Assessments, body);
        ErrorTests.AssertProblem(response, problem, 400);
        return problem.GetProperty("errors");
    }

    private static string Only(JsonElement errors, string path)
    {
        Assert.True(errors.TryGetProperty(path, out var messages), $"no '{path}' in {errors}");
        return Assert.Single(messages.EnumerateArray()).GetString()!;
    }

    [Fact]
    public async Task Every_structural_and_rule_problem_is_reported_in_one_400()
    {
        const string body = """
            {
              "clonus": { "present": "yes", "sites": ["knee", "ankle"], "beats": 4.5 },
              "vitals": { "temprature": 39, "heartRateBpm": 400 },
              "patient": { "sex": "M", "ageYears": 130 },
              "medications": [ { "name": "sertraline" }, { "name": "x", "rxcui": "12a", "dose": 5 }, 7, null ],
              "setting": "icu",
              "Clonus": 1
            }
            """;
        var (response, problem) = await _client.PostJson(Http.Assessments, body);
        ErrorTests.AssertProblem(response, problem, 400);
        Assert.Equal("The request body is not valid", problem.GetProperty("title").GetString());
        var errors = problem.GetProperty("errors");
        var keys = errors.EnumerateObject().Select(e => e.Name).ToList();

        Assert.Equal(
            [
                // structural, in document order
                "clonus.present", "clonus.sites[0]", "clonus.beats", "vitals.temprature", "patient.sex",
                "medications[1].dose", "medications[2]", "$.Clonus",
                // then the rules, on what parsed
                "patient.ageYears", "vitals.heartRateBpm", "medications[1].rxcui", "medications[3]",
            ],
            keys);
        // The dropped clonus.present is not also reported as missing.
        // Required, so null is not offered.
        Assert.Equal("Expected true or false.", Only(errors, "clonus.present"));
        Assert.StartsWith("Expected one of: ankle, patellar", Only(errors, "clonus.sites[0]"), StringComparison.Ordinal);
        Assert.Equal("Expected a whole number (or null).", Only(errors, "clonus.beats"));
        Assert.Contains("Did you mean 'temperatureC'?", Only(errors, "vitals.temprature"), StringComparison.Ordinal);
        Assert.Contains("Did you mean 'clonus'?", Only(errors, "$.Clonus"), StringComparison.Ordinal);
        Assert.Equal("Expected a string (or null).", Only(errors, "medications[1].dose"));
        Assert.Equal("Expected a JSON object (or null).", Only(errors, "medications[2]"));
        Assert.Equal("Items must not be null.", Only(errors, "medications[3]"));
        Assert.Equal("vitals.heartRateBpm must be between 20 and 300. You entered 400.", Only(errors, "vitals.heartRateBpm"));
        Assert.Equal("rxcui must be 1–12 digits.", Only(errors, "medications[1].rxcui"));

        // detail repeats each path with its first message.
        var detail = problem.GetProperty("detail").GetString()!;
        foreach (var key in keys)
        {
            Assert.Contains(key + ": ", detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Rule_problems_alone_are_all_reported_as_before()
    {
        var errors = await Errors("""{"vitals": {"temperatureC": 50, "heartRateBpm": 10}, "medications": [{"name": " "}]}""");
        Assert.Equal(["clonus", "vitals.temperatureC", "vitals.heartRateBpm", "medications[0].name"], errors.EnumerateObject().Select(e => e.Name));
    }

    [Fact]
    public async Task Malformed_json_still_gets_its_single_error()
    {
        var errors = await Errors("""{"clonus": {"present": tru""");
        Assert.Single(errors.EnumerateObject());
    }

    [Theory]
    [InlineData("""{"clonus": {"present": true}, "vitals": {"temprature": 39}}""", "vitals.temprature", "temperatureC")]
    [InlineData("""{"clonus": {"present": true}, "vitals": {"heartrate": 90}}""", "vitals.heartrate", "heartRateBpm")]
    [InlineData("""{"clonus": {"present": true}, "vitals": {"TemperatureC": 39}}""", "vitals.TemperatureC", "temperatureC")]
    [InlineData("""{"clonus": {"present": true, "sustianed": true}}""", "clonus.sustianed", "sustained")]
    [InlineData("""{"clonus": {"present": true}, "medications": [{"nmae": "x"}]}""", "medications[0].nmae", "name")]
    [InlineData("""{"clonus": {"present": true}, "treatmentHistroy": []}""", "treatmentHistroy", "treatmentHistory")]
    [InlineData("""{"clonus": {"present": true}, "temperatureC": 39}""", "temperatureC", "vitals.temperatureC")]
    [InlineData("""{"clonus": {"present": true}, "labs": {"lithium": 1.2}}""", "labs.lithium", "lithiumMmolPerL")]
    public async Task Unknown_fields_suggest_the_nearest_known_name(string body, string path, string suggestion)
    {
        var message = Only(await Errors(body), path);
        Assert.Contains($"Did you mean '{suggestion}'?", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"clonus": {"present": true}, "vitals": {"xyzzy": 39}}""", "vitals.xyzzy")]
    [InlineData("""{"clonus": {"present": true}, "notes": "x"}""", "notes")]
    public async Task Unknown_fields_with_nothing_close_get_no_suggestion(string body, string path)
    {
        var message = Only(await Errors(body), path);
        Assert.DoesNotContain("Did you mean", message, StringComparison.Ordinal);
        Assert.StartsWith("Unknown property", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("temprature", "temperatureC", 2)]
    [InlineData("Clonus", "clonus", 0)]
    [InlineData("agitaiton", "agitation", 1)]
    public void Edit_distance_is_case_insensitive_and_counts_transpositions_once(string a, string b, int expected) =>
        Assert.Equal(expected, JsonShapeCheck.Distance(a, b));

    [Theory]
    [InlineData("98.6", "98.6 looks like °F: 37.0 °C")]
    [InlineData("102.2", "102.2 looks like °F: 39.0 °C")]
    [InlineData("86", "86 looks like °F: 30.0 °C")]
    [InlineData("113", "113 looks like °F: 45.0 °C")]
    public async Task A_fahrenheit_temperature_is_pointed_out_with_its_celsius_value(string value, string hint)
    {
        var message = Only(await Errors("{\"clonus\": {\"present\": true}, \"vitals\": {\"temperatureC\": " + value + "}}"), "vitals.temperatureC");
        Assert.StartsWith($"vitals.temperatureC must be between 25 and 45. You entered {value}.", message, StringComparison.Ordinal);
        Assert.Contains(hint, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("50")]
    [InlineData("85.9")]
    [InlineData("113.1")]
    [InlineData("24")]
    public async Task Other_out_of_range_temperatures_get_no_fahrenheit_hint(string value)
    {
        var message = Only(await Errors("{\"clonus\": {\"present\": true}, \"vitals\": {\"temperatureC\": " + value + "}}"), "vitals.temperatureC");
        Assert.DoesNotContain("°F", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fahrenheit_hint_comes_with_structural_problems_too()
    {
        var errors = await Errors("""{"clonus": {"present": true}, "vitals": {"temperatureC": 98.6, "pulse": 90}}""");
        Assert.Contains("98.6 looks like °F: 37.0 °C", Only(errors, "vitals.temperatureC"), StringComparison.Ordinal);
        Assert.True(errors.TryGetProperty("vitals.pulse", out _));
    }

    [Fact]
    public async Task No_free_text_from_the_request_is_echoed_in_any_error()
    {
        // Patient-identifying text in every place a caller could put it: a property name that is
        // not a field name, string values where another type is expected, an unknown enum value,
        // a medication name and dose, a condition display, a treatment, all in one invalid body.
        const string body = """
            {
              "clonus": { "present": "Jane Roe", "onset": "Jane Roe acute" },
              "patient": { "sex": "Jane Roe", "ageYears": "Jane Roe" },
              "Jane Roe has HIV": 1,
              "vitals": { "Jane Roe": 2, "temperatureC": 98.6 },
              "medications": [ { "name": "Jane Roe secret pill", "rxcui": "Jane Roe", "dose": "Jane Roe 5 mg" }, "Jane Roe" ],
              "conditions": [ { "display": "Jane Roe diagnosis", "system": "Jane Roe", "code": "Jane" } ],
              "treatmentHistory": [ { "treatment": "Jane Roe therapy", "response": "Jane Roe" } ]
            }
            """;
        var (response, problem) = await _client.PostJson(Http.Assessments, body);
        ErrorTests.AssertProblem(response, problem, 400);
        var text = problem.GetRawText();
        Assert.DoesNotContain("Jane", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Roe", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("HIV", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
        // Yet every problem is there, the unnamed properties under their parent ("$" for the root),
        // and the rules still run on the rest.
        var errors = problem.GetProperty("errors");
        foreach (var path in new[] { "clonus.present", "clonus.onset", "patient.sex", "patient.ageYears", "$", "vitals", "vitals.temperatureC",
                     "medications[0].rxcui", "medications[1]", "conditions[0].system", "treatmentHistory[0].response" })
        {
            Assert.True(errors.TryGetProperty(path, out _), $"no '{path}' in {errors}");
        }
    }

    [Fact]
    public async Task An_unrecognised_medication_is_named_in_missing_data_as_well_as_in_unrecognized_inputs()
    {
        var (response, body) = await _client.PostJson(Http.Assessments,
            """{"clonus": {"present": true, "types": ["inducible"], "onset": "acute"}, "medications": [{"name": "sertraline"}, {"name": "zorbulimab"}]}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var unrecognized = Assert.Single(body.GetProperty("unrecognizedInputs").EnumerateArray());
        Assert.Equal("medication", unrecognized.GetProperty("kind").GetString());
        Assert.Equal("medications[1]", unrecognized.GetProperty("path").GetString());

        var missing = body.GetProperty("missingData").EnumerateArray().Single(m => m.GetProperty("field").GetString() == "medications[1]");
        var reason = missing.GetProperty("reason").GetString()!;
        Assert.Contains("zorbulimab", reason, StringComparison.Ordinal);
        Assert.Contains("confirm whether it is serotonergic", reason, StringComparison.Ordinal);
        Assert.Contains(body.GetProperty("trace").EnumerateArray(), t => t.GetProperty("rule").GetString() == "UNPLACED-INPUTS");
    }
}
